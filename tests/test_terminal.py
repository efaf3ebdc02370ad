"""What reaches a terminal or a file: escape codes typed by a user or written in a guide are
shown escaped, never raw; undecodable bytes from arguments or a pipe are answered and logged
losslessly, and the session goes on.

The command runs in this process (``main(argv)``, the ``cli`` fixture), except where only a process
of its own can show it: arguments and piped lines that are not UTF-8."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import SAMPLE
from hypothesis import HealthCheck, given, settings
from test_hostile import DANGEROUS_QUESTIONS, RAW_CONTROL, run

from chatbot import Conversation, answer
from chatbot.chat import handle
from chatbot.log import UnansweredLog, read_log
from chatbot.text import visible

# ---------------------------------------------------------------- 6. nothing raw reaches a terminal

ESCAPES = "\x1b[2J\x1b]0;owned\x07\x9b31m\u202e\r\x08"


def test_review_shows_logged_escape_codes_escaped(tmp_path, cli):
    path = tmp_path / "log.jsonl"
    path.write_text(json.dumps({"question": f"tuition {ESCAPES} harvard"}) + "\n", encoding="utf-8")
    out = cli("review", str(path))
    assert out.returncode == 0
    text = out.stdout
    assert not RAW_CONTROL.search(text.replace("\n", ""))
    assert "\\x1b[2J" in text and "\\x9b" in text and "\\u202e" in text


def test_piped_chat_escapes_what_it_echoes(cli):
    out = cli("--knowledge", str(SAMPLE), "--no-semantic", stdin=f"/{ESCAPES}\nsalary\n")
    assert out.returncode == 0
    text = out.stdout
    assert "Unknown command /\\x1b[2J" in text and not RAW_CONTROL.search(text.replace("\n", ""))
    assert "$48,780" in text


def test_guide_text_with_escape_codes_is_escaped_everywhere(tmp_path, cli):
    """On words only: what is printed is escaped whichever signal ranked it (the model cost 30 s here)."""
    guide = tmp_path / "guide.txt"
    guide.write_text(SAMPLE.read_text(encoding="utf-8").replace("Rasmussen University", "Rasmussen\x1b[31m University"),
                     encoding="utf-8")
    for args in (["ask", "tell me about rasmussen"], ["ask", "tell me about rasmussen", "--json"], ["inspect"],
                 ["inspect", "--json"]):
        out = cli(*args, "--knowledge", str(guide), "--no-semantic")
        assert out.returncode == 0, out.stderr
        text = out.stdout
        assert "Rasmussen" in text and not RAW_CONTROL.search(text.replace("\n", "")), args


def test_error_messages_escape_the_path(tmp_path, cli):
    out = cli("ask", "salary", "--knowledge", str(tmp_path / "no\x1b[2Jfile.txt"))
    assert out.returncode == 2 and "\x1b" not in out.stderr and "no\\x1b[2Jfile.txt" in out.stderr


# ---------------------------------------------------------------- 7. undecodable text in the log

def test_log_keeps_undecodable_text_losslessly(tmp_path, seed_kb):
    path = tmp_path / "log.jsonl"
    question = "\udcff\udcfe harvard \x1b[31m tuition \u202e"
    assert answer(question, seed_kb, log_unanswered=UnansweredLog(path)).text
    assert [r["question"] for r in read_log(path)] == [question]
    assert path.read_bytes().decode("utf-8")  # the file itself is valid UTF-8


def test_undecodable_argv_is_logged_and_answered(tmp_path, warm_cache):
    log = tmp_path / "log.jsonl"
    out = run("ask", b"\xff harvard tuition", "--log-unanswered", str(log), cwd=tmp_path)
    assert out.returncode == 0 and b"Traceback" not in out.stderr
    assert read_log(log)[0]["question"] == "\udcff harvard tuition"


def test_undecodable_piped_lines_do_not_end_the_chat(tmp_path, warm_cache):
    log = tmp_path / "log.jsonl"
    env = {**os.environ, "LC_ALL": "en_US.UTF-8", "PYTHONIOENCODING": "utf-8"}  # a strict stdin
    out = subprocess.run([sys.executable, "-m", "chatbot", "--log-unanswered", str(log), "--knowledge", str(SAMPLE)],
                         input=b"\xff harvard\n/\xfe\nsalary\n", capture_output=True, cwd=tmp_path, timeout=300,
                         env=env)
    assert out.returncode == 0, out.stderr
    text = out.stdout.decode("utf-8")
    assert "$48,780" in text and "Unknown command /\\udcfe" in text
    assert [r["question"] for r in read_log(log)] == ["\udcff harvard"]


def test_visible_escapes_every_unsafe_character():
    text = "".join(chr(c) for c in range(0x00, 0xA0)) + "\u202a\u202e\u2066\u2069\ud800\udfff"
    shown = visible(text)
    assert not RAW_CONTROL.search(shown.replace("\n", "")) and "\n" in shown
    assert "\\x1b" in shown and "\\x9b" in shown and "\\u202e" in shown and "\\udfff" in shown
    assert visible("Café — 49% ✓") == "Café — 49% ✓"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(DANGEROUS_QUESTIONS)
def test_no_raw_control_character_reaches_the_chat(sample_words_kb, question):
    """On words only: the sentence model reads these questions in test_hostile.py and test_api.py."""
    for line in (question, "/" + question, question[::-1]):
        shown = handle(Conversation(sample_words_kb), line).text
        assert not RAW_CONTROL.search(shown.replace("\n", "")), shown
