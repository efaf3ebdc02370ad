"""The chat as a person uses it: transcripts through the real prompt-toolkit loop, chit-chat,
Tab completion, wrapping and history; piped input (end to end through the console script in
test_cli.py)."""

from __future__ import annotations

import io
import os
import threading
import time

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

import chatbot.chat as chat_module
from chatbot import Conversation, answer
from chatbot.chat import complete, guide_phrases, history_path, run_piped, run_terminal, wrap

CTRL_C, CTRL_D = "\x03", "\x04"


def transcript(kb, keys: str, *, width: int = 200) -> tuple[int, list[str], list[str]]:
    """Type ``keys`` into the real chat loop; return its exit status, what it printed, and warnings."""
    printed: list[str] = []
    warnings: list[str] = []
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        status = run_terminal(Conversation(kb), input=pipe, output=DummyOutput(), width=width,
                              write=printed.append, warn=warnings.append)
    return status, printed, warnings


def test_seed_transcript(seed_kb):
    status, out, warnings = transcript(seed_kb, "how much does capella cost\n/sources\n"
                                                "What about its graduation rate?\n" + CTRL_D)
    assert status == 0 and warnings == []
    assert out[0].startswith("Ask me about the Patient Services Coordinator career: Overview, Salary,")
    assert out[1:] == [
        "Capella University's in-state tuition is $14,328 (out-of-state tuition: $14,328).\n"
        "  [source: Best Schools to become a Patient Services Coordinator in U.S. 2024, lines 74-82]",
        "Section: Best Schools to become a Patient Services Coordinator in U.S. 2024\n"
        "Title: Capella University\nLines: 74-82\n\n"
        "Capella University (Minneapolis, MN)\nIn-State Tuition: $14,328\nOut-of-State Tuition: $14,328\n"
        "Admission Rate: N/A\nGraduation Rate: N/A\nTotal Enrollment: 39,727",
        "Capella University does not report a graduation rate (N/A).\n"
        "  [source: Best Schools to become a Patient Services Coordinator in U.S. 2024, lines 74-82]",
    ]


def test_sample_transcript(sample_kb):
    status, out, _ = transcript(sample_kb, "How much is tuition at Rasmussen?\nWhat about IRSC?\n/quit\n"
                                           "never asked\n")
    assert status == 0
    assert out[0].startswith("Ask me about the Medical Records Technician career:")
    assert out[1].startswith("Rasmussen University's in-state tuition is $14,850")
    assert out[2].startswith("Indian River State College's in-state tuition is $2,764.")  # not the other figure
    assert "$9,991" not in out[2]
    assert len(out) == 3  # /quit left before the last line


def test_ctrl_c_abandons_the_line_and_ctrl_d_leaves(guide_kb):
    status, out, _ = transcript(guide_kb, "what is the median sal" + CTRL_C + "hello\n" + CTRL_D + "salary\n")
    assert status == 0
    assert len(out) == 2  # the welcome, the greeting; nothing for the abandoned line or after Ctrl-D
    assert out[1].startswith("Hello!")


def test_picking_a_suggestion_by_number(guide_kb):
    status, out, _ = transcript(guide_kb, "asdfghjkl\n2\n" + CTRL_D)
    decline, picked = out[1], out[2]
    offered = [line.split(". ", 1)[1] for line in decline.splitlines() if line.startswith("  2. ")]
    assert decline.startswith("I don't know that") and offered
    assert picked.split("\n  [source")[0] == answer(offered[0], guide_kb).text


def test_picking_a_near_miss_gives_that_passage(guide_kb):
    """A title word beside a word the guide never uses: weak but not hopeless, so "did you mean"."""
    words = [w for u in guide_kb.units_ if u.kind == "fact" for w in u.title.split() if len(w) >= 6]
    for word in dict.fromkeys(words):
        conversation = Conversation(guide_kb)
        first = conversation.ask(f"{word.lower()} for astronauts")
        near = [n for n, s in enumerate(first.suggestions, 1) if s.unit is not None and "Did you mean" in first.text]
        if near:
            break
    else:
        pytest.fail("no question landed in the did-you-mean band")
    assert not first.answered
    picked = conversation.ask(str(near[0]))
    assert picked.answered and picked.source is first.suggestions[near[0] - 1].unit


def test_goodbye_ends_the_chat(guide_kb):
    status, out, _ = transcript(guide_kb, "thanks!\nbye\nsalary\n")
    assert status == 0
    assert out[1].startswith("You're welcome!") and out[2].startswith("Goodbye")
    assert len(out) == 3


@pytest.mark.parametrize("message,start", [
    ("hello", "Hello!"), ("Hi!", "Hello!"), ("good morning", "Hello!"), ("thank you!!", "You're welcome"),
    ("thnaks", "You're welcome"), ("what can you do?", "I answer questions"), ("bye", "Goodbye"),
])
def test_chitchat_replies_from_data_never_a_passage(guide_kb, message, start):
    reply = answer(message, guide_kb)
    assert reply.text.startswith(start) and reply.source is None and reply.answered
    assert guide_kb.document.subject in reply.text


def test_a_question_with_a_greeting_is_still_a_question(guide_kb):
    salary = next(k.record for k in guide_kb.record_keys_ if k.record.own_section)
    reply = answer("hi, what is the median salary?", guide_kb)
    assert reply.short == salary.fields[0].value.raw


def test_help_and_unknown_commands(guide_kb):
    _, out, _ = transcript(guide_kb, "/help\n/frobnicate\n" + CTRL_D)
    assert out[1] == out[0]
    assert out[2] == "Unknown command /frobnicate. Commands: /help, /sources, /quit."


def test_sources_before_any_reply(guide_kb):
    _, out, _ = transcript(guide_kb, "/sources\n" + CTRL_D)
    assert out[1] == "The last reply has no source in the guide."


def test_tab_completion_comes_from_the_guide(guide_kb):
    phrases = guide_phrases(guide_kb)
    names = [k.record.name for k in guide_kb.record_keys_ if k.record.place]
    first = names[0]
    typed = "tuition at " + first[:5].lower()
    assert (first, 5) in complete(typed, phrases)
    faq = next(u.title for u in guide_kb.units_ if u.kind == "faq")
    assert (faq, len(faq) - 3) in complete(faq[:-3], phrases)
    assert complete("zzzz", phrases) == []


def wait_for(condition, what: str) -> None:
    """Wait until ``condition()`` holds (another thread makes it so); fail after 10 s."""
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for {what}"
        time.sleep(0.005)


def test_tab_completion_in_the_prompt(guide_kb, monkeypatch):
    """Tab, then Enter once the completion is in the line, as a person types: completion runs between the two."""
    school = next(k.record for k in guide_kb.record_keys_ if k.record.place)
    sessions = []
    make_session = chat_module._session

    def keep_session(*args, **kwargs):  # so the test can see the line being edited
        sessions.append(make_session(*args, **kwargs))
        return sessions[-1]

    monkeypatch.setattr(chat_module, "_session", keep_session)
    printed: list[str] = []
    with create_pipe_input() as pipe:
        chat = threading.Thread(target=run_terminal, args=(Conversation(guide_kb),),
                                kwargs=dict(input=pipe, output=DummyOutput(), width=200, write=printed.append))
        chat.start()
        pipe.send_text(f"tuition at {school.name[:5].lower()}\t")
        wait_for(lambda: sessions and sessions[0].default_buffer.text.endswith(school.name), "the completion")
        pipe.send_text("\n")
        wait_for(lambda: len(printed) == 2, "the reply")
        pipe.send_text(CTRL_D)
        chat.join(timeout=10)
    assert not chat.is_alive()
    assert printed[1].startswith(f"{school.name}'s in-state tuition is {school.fields[0].value.raw}")


def test_long_replies_wrap_and_keep_bullets(guide_kb):
    _, out, _ = transcript(guide_kb, "what skills do I need\nasdfghjkl\n" + CTRL_D, width=40)
    for block in out:
        assert all(len(line) <= 40 for line in block.splitlines())
    assert "\u2022 Attention to Detail" in out[1]
    assert wrap("  1. " + "word " * 20, 30).splitlines()[1].startswith("     word")


def test_history_is_kept_in_the_data_folder(guide_kb):
    transcript(guide_kb, "salary\n" + CTRL_D)
    path = history_path()
    assert path.parent == __import__("pathlib").Path(os.environ["XDG_DATA_HOME"]) / "careerbot"
    assert "+salary" in path.read_text(encoding="utf-8")


def test_unwritable_history_is_a_warning_not_a_crash(guide_kb, tmp_path, monkeypatch):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocked))
    status, out, warnings = transcript(guide_kb, "salary\n" + CTRL_D)
    assert status == 0 and len(out) == 2
    assert len(warnings) == 1 and warnings[0].startswith("chatbot: warning: history not kept")


def test_piped_mode_commands_and_followups(guide_kb):
    first, second = [k.record for k in guide_kb.record_keys_ if k.record.place][:2]
    salary = next(k.record for k in guide_kb.record_keys_ if k.record.own_section)
    script = f"{first.name} tuition\nwhat about {second.name}?\n/sources\n/quit\nsalary\n"
    stdout = io.StringIO()
    run_piped(Conversation(guide_kb), io.StringIO(script), stdout)
    out = stdout.getvalue()
    assert first.fields[0].value.raw in out and second.fields[0].value.raw in out
    assert f"Title: {second.name}" in out
    assert salary.fields[0].value.raw not in out  # /quit stopped it
