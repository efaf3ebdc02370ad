"""The chatbot command, run as a user runs it: a separate process, from another folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import DATA, SAMPLE, console_script


def run(*args: str, stdin: str | None = None, cwd=DATA) -> subprocess.CompletedProcess:
    """``python -m chatbot ARGS`` from a folder other than the checkout, so the installed package runs."""
    return subprocess.run([sys.executable, "-m", "chatbot", *args], input=stdin, capture_output=True,
                          text=True, cwd=cwd, timeout=120, env={**os.environ, "NO_COLOR": "1"})


def test_ask_json_gives_the_precise_value(tmp_path):
    out = run("ask", "how much does capella cost", "--json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    reply = json.loads(out.stdout)
    assert reply["short"] == "$14,328"
    assert reply["answered"] is True
    assert set(reply) >= {"text", "short", "answered", "confidence", "source", "alternatives"}
    assert reply["source"]["lines"] == [74, 82]


def test_ask_declines_harvard_and_repairs_salery(tmp_path):
    out = run("ask", "what is the tuition at harvard", cwd=tmp_path)
    assert out.returncode == 0 and out.stdout.startswith("I don't know that")
    assert "$" not in out.stdout
    out = run("ask", "salery", cwd=tmp_path)
    assert "$47,470" in out.stdout
    assert "[source: Patient Services Coordinator Salary, lines 21-24]" in out.stdout


def test_ask_on_the_second_guide():
    out = run("ask", "davenport graduation rate", "--knowledge", str(SAMPLE), "--json")
    assert json.loads(out.stdout)["short"] == "52%"


@pytest.mark.parametrize("path,words", [
    (None, ["Patient Services Coordinator", "record", "Capella University", "Graduation Rate=N/A (na)"]),
    (SAMPLE, ["Medical Records Technician", "Indian River State College", "Out-of-State Tuition=$9,991"]),
])
def test_inspect_lists_units_and_records(path, words):
    args = ["inspect"] + (["--knowledge", str(path)] if path else [])
    out = run(*args)
    assert out.returncode == 0, out.stderr
    for word in words:
        assert word in out.stdout


def test_inspect_json():
    out = run("inspect", "--json", "--knowledge", str(SAMPLE))
    data = json.loads(out.stdout)
    assert data["subject"] == "Medical Records Technician"
    assert {u["kind"] for u in data["units"]} == {"faq", "fact", "list", "record"}
    rasmussen = next(r for r in data["records"] if r["name"] == "Rasmussen University")
    assert rasmussen["fields"]["Admission Rate"] == {"raw": "N/A", "kind": "na", "number": None}


@pytest.mark.parametrize("content,expected", [
    (None, "no such file"),
    (b"", "file is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
    (b"Title\n\xff\xfe\n", "guide.txt:2: not UTF-8"),
])
def test_bad_knowledge_file_is_one_line_and_exit_2(tmp_path, content, expected):
    path = tmp_path / "guide.txt"
    if content is not None:
        path.write_bytes(content)
    for command in (["ask", "salary"], ["inspect"]):
        out = run(*command, "--knowledge", str(path))
        assert out.returncode == 2
        assert out.stdout == ""
        assert out.stderr.count("\n") == 1 and expected in out.stderr
        assert "Traceback" not in out.stderr


def test_bad_arguments_exit_2():
    out = run("ask")
    assert out.returncode == 2 and "question" in out.stderr


def test_help_explains_the_commands():
    out = run("--help")
    assert out.returncode == 0
    for word in ("chat", "ask", "inspect", "--knowledge", "exit status"):
        assert word in out.stdout


def test_piped_questions_through_the_console_script(tmp_path):
    script = console_script()
    out = subprocess.run([script], input="salary?\nwgu tuition\n\n", capture_output=True, text=True,
                         cwd=tmp_path, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "$47,470" in out.stdout and "$7,404" in out.stdout
    assert "\x1b[" not in out.stdout and "you>" not in out.stdout


def test_pairs_file_from_the_cli():
    out = run("ask", "what time does the library open", "--knowledge", str(DATA / "pairs.jsonl"), "--json")
    assert json.loads(out.stdout)["source"]["id"] == "library"
