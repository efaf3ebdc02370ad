"""The chatbot command: ``main(argv)`` in this process for every option and error, and for each
command one end-to-end run as a user runs it (a process of its own, from another folder)."""

from __future__ import annotations

import json

import pytest
from conftest import DATA, SAMPLE, SEED_CASES, run_chatbot

from chatbot.log import read_log

# ---------------------------------------------------------------- end to end, one process each


def test_ask_end_to_end(tmp_path, warm_cache):
    out = run_chatbot("ask", "how much does capella cost", "--json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    reply = json.loads(out.stdout)
    assert reply["short"] == "$14,328"
    assert reply["answered"] is True
    assert set(reply) >= {"text", "short", "answered", "confidence", "source", "alternatives"}
    assert reply["source"]["lines"] == [74, 82]


def test_inspect_end_to_end(tmp_path, warm_cache):
    out = run_chatbot("inspect", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    for word in ("Patient Services Coordinator", "record", "Capella University", "Graduation Rate=N/A (na)"):
        assert word in out.stdout


def test_chat_end_to_end(tmp_path, warm_cache):
    """The console script with no command is the chat: piped input, one reply a line, follow-ups, the log."""
    log = tmp_path / "unanswered.jsonl"
    lines = ["How much is tuition at WGU?", "What about SNHU?", "", "what is the tuition at harvard", "salary?"]
    out = run_chatbot("--log-unanswered", str(log), cwd=tmp_path, script=True, stdin="\n".join(lines) + "\n")
    assert out.returncode == 0, out.stderr
    assert "$7,404" in out.stdout and "$15,000" in out.stdout and "$47,470" in out.stdout
    assert out.stdout.count("[source:") == 3
    assert "\x1b[" not in out.stdout and "you>" not in out.stdout
    assert [r["question"] for r in read_log(log)] == ["what is the tuition at harvard"]


# ---------------------------------------------------------------- in this process


def test_ask_declines_harvard_and_repairs_salery(cli):
    out = cli("ask", "what is the tuition at harvard")
    assert out.returncode == 0 and out.stdout.startswith("I don't know that")
    assert "$" not in out.stdout
    out = cli("ask", "salery")
    assert "$47,470" in out.stdout
    assert "[source: Patient Services Coordinator Salary, lines 21-24]" in out.stdout


def test_ask_on_the_second_guide(cli, warm_cache):
    out = cli("ask", "davenport graduation rate", "--knowledge", str(SAMPLE), "--json")
    assert json.loads(out.stdout)["short"] == "52%"


@pytest.mark.parametrize("path,words", [
    (None, ["Patient Services Coordinator", "record", "Capella University", "Graduation Rate=N/A (na)",
            "in its domain)"]),
    (SAMPLE, ["Medical Records Technician", "Indian River State College", "Out-of-State Tuition=$9,991",
              "in its domain)"]),
])
def test_inspect_lists_units_and_records(cli, warm_cache, path, words):
    out = cli("inspect", *(["--knowledge", str(path)] if path else []))
    assert out.returncode == 0, out.stderr
    for word in words:
        assert word in out.stdout


def test_inspect_json(cli, warm_cache):
    out = cli("inspect", "--json", "--knowledge", str(SAMPLE))
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
def test_bad_knowledge_file_is_one_line_and_exit_2(cli, tmp_path, content, expected):
    path = tmp_path / "guide.txt"
    if content is not None:
        path.write_bytes(content)
    for command in (["ask", "salary"], ["inspect"], ["chat"], ["eval", str(SEED_CASES)]):
        out = cli(*command, "--knowledge", str(path), stdin="salary\n")
        assert out.returncode == 2, command
        assert out.stdout == ""
        assert out.stderr.count("\n") == 1 and expected in out.stderr


def test_bad_arguments_exit_2(cli):
    out = cli("ask")
    assert out.returncode == 2 and "question" in out.stderr


def test_help_explains_the_commands(cli):
    out = cli("--help")
    assert out.returncode == 0
    for word in ("chat", "ask", "inspect", "eval", "review", "--knowledge", "exit status"):
        assert word in out.stdout


def test_pairs_file_from_the_cli(cli):
    out = cli("ask", "what time does the library open", "--knowledge", str(DATA / "pairs.jsonl"), "--json")
    assert json.loads(out.stdout)["source"]["id"] == "library"


def test_chat_command_with_piped_followups(cli):
    out = cli("chat", stdin="How much is tuition at WGU?\nWhat about SNHU?\n")
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("[source:") == 2 and "$15,000" in out.stdout
