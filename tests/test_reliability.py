"""Hostile input, broken files, many threads and processes, and a log that loses nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from itertools import groupby

import pytest
from conftest import SAMPLE, run_chatbot
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from chatbot import Conversation, KnowledgeError, answer, load_knowledge
from chatbot.chat import run_terminal
from chatbot.log import UnansweredLog, group_questions, read_log


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


def test_too_large_a_document_is_refused_clearly(cli, tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.truncate(50 * 1024 * 1024)  # 50 MB
    with pytest.raises(KnowledgeError, match="the limit for this kind of file is"):
        load_knowledge(path)
    out = cli("ask", "salary", "--knowledge", str(path))
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


WRITER = """
import sys
from chatbot.log import UnansweredLog
from chatbot.model import Reply
log, declined = UnansweredLog(sys.argv[1]), Reply(text="", answered=False, confidence=0.0)
i = 0
while True:  # until killed
    assert log.record(f"what is the tuition at harvard {sys.argv[2]}-{i} " + "x" * 900, declined)
    print(i, flush=True)
    i += 1
"""


def test_processes_logging_at_once_then_killed_interleave_and_lose_nothing(tmp_path):
    """Four processes append to one log at the same time until they are killed: every line is one whole
    record, and each process's log holds every record it had reported written."""
    path = tmp_path / "shared.jsonl"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(p)], stdout=subprocess.PIPE, text=True,
                              cwd=tmp_path) for p in range(4)]
    try:
        reported = [0] * len(procs)
        for n, proc in enumerate(procs):  # the others go on writing meanwhile
            while reported[n] < 200 and proc.stdout.readline():  # enough to interleave on a busy machine
                reported[n] += 1
    finally:
        for proc in procs:
            proc.kill()
            proc.wait(timeout=30)
    assert reported == [200] * len(procs)
    records = [json.loads(line) for line in path.read_bytes().decode("utf-8").splitlines()]  # whole records only
    tags = [r["question"].split()[6] for r in records]  # "2-17": the 18th record of process 2
    assert len(set(tags)) == len(tags)
    for n in range(len(procs)):
        assert {f"{n}-{i}" for i in range(reported[n])} <= set(tags)  # nothing a process reported is lost
    runs = [writer for writer, _ in groupby(tag.split("-")[0] for tag in tags)]
    assert len(runs) > len(procs)  # their records alternate in the file: they wrote at the same time


def test_review_groups_the_same_question(tmp_path):
    groups = group_questions(["tuition at harvard", "Harvard tuition?", "what is the tuition at harvard university",
                              "how do I become a nurse", "capital of france", "How do I become a nurse?"])
    assert [g.count for g in groups] == [3, 2, 1]


def test_review_end_to_end(tmp_path):
    path = tmp_path / "log.jsonl"
    path.write_text("\n".join(json.dumps({"question": q}) for q in ["harvard tuition", "tuition at harvard",
                                                                     "capital of france"]) + "\n")
    out = run_chatbot("review", str(path), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "3 unanswered questions in 2 groups" in out.stdout
    assert out.stdout.splitlines()[2].split()[0] == "2"


def test_review_of_a_damaged_log_names_the_line(cli, tmp_path):
    path = tmp_path / "log.jsonl"
    path.write_text('{"question": "ok"}\n{broken\n')
    bad = cli("review", str(path))
    assert bad.returncode == 2 and "log.jsonl:2:" in bad.stderr and bad.stdout == ""


def test_chat_logs_from_the_command_line(cli, tmp_path, warm_cache):
    path = tmp_path / "chat.jsonl"
    out = cli("--log-unanswered", str(path), "--knowledge", str(SAMPLE), stdin="tuition at harvard\nsalary\n")
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
