"""The public API: answer(), load_knowledge(), Conversation and the Reply fields."""

from __future__ import annotations

import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import DATA, ROOT, SAMPLE_CASES, SEED_CASES, read_cases
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import chatbot
from chatbot import Conversation, KnowledgeError, Reply, answer, default_knowledge, load_knowledge
from chatbot.api import default_knowledge_path
from chatbot.match import MAX_QUESTION_CHARS

QUESTIONS = {
    "seed": [c["question"] for c in read_cases(SEED_CASES) if "question" in c],
    "sample": [c["question"] for c in read_cases(SAMPLE_CASES) if "question" in c],
}


def _questions(kb) -> list[str]:
    return QUESTIONS["seed" if "Patient" in kb.document.subject else "sample"]


@pytest.fixture(scope="module")
def replies_of(remembering):
    """Each guide's replies to its question set, asked one by one once: the tests below read the same
    run (a question set was answered five times over in this file). The encoder remembers what it
    encoded (conftest): the golden tables ask the same questions; the threads test below asks them of
    the guide's own encoder and gets the same replies."""
    replies: dict[int, list[Reply]] = {}

    def of(kb) -> list[Reply]:
        if id(kb) not in replies:
            replies[id(kb)] = [answer(q, remembering(kb)) for q in _questions(kb)]
        return replies[id(kb)]

    return of


def test_default_knowledge_is_the_shipped_guide_and_built_once():
    reply = answer("how much does capella cost")
    assert reply.short == "$14,328"
    assert default_knowledge() is default_knowledge()


def test_reply_fields():
    reply = answer("What's the graduation rate at Purdue Global?")
    assert isinstance(reply, Reply)
    assert reply.text == "Purdue University Global's graduation rate is 20%."
    assert reply.short == "20%"
    assert reply.answered is True
    assert 0.0 <= reply.confidence <= 1.0
    assert reply.source.kind == "record" and reply.source.title == "Purdue University Global"
    assert reply.source.lines == (64, 72)
    assert all(alt is not reply.source for alt in reply.alternatives)


def test_every_precise_value_is_in_the_cited_lines(guide_kb, replies_of):
    """A short answer is never made up: the cited lines of the document hold it."""
    lines = Path(guide_kb.document.path).read_text(encoding="utf-8").splitlines()
    checked = 0
    for question, reply in zip(_questions(guide_kb), replies_of(guide_kb), strict=True):
        if reply.short is None:
            continue
        start, end = reply.source.lines
        assert reply.short in "\n".join(lines[start - 1:end]), question
        checked += 1
    assert checked >= 10


def test_confidence_is_a_probability_and_declines_have_no_source(guide_kb, replies_of):
    for reply in replies_of(guide_kb):
        assert 0.0 <= reply.confidence <= 1.0
        if not reply.answered:
            assert reply.source is None and reply.short is None


def test_declines_say_what_the_bot_can_do_and_suggest_questions(guide_kb):
    for question in ("What's the capital of France?", "asdfghjkl", "what is the tuition at harvard"):
        reply = answer(question, guide_kb)
        assert not reply.answered
        assert reply.text.startswith("I don't know that")
        assert guide_kb.document.subject in reply.text
        numbered = [line for line in reply.text.splitlines() if re.match(r"\s+\d\. ", line)]
        assert 2 <= len(numbered) <= 3
        assert [line.split(". ", 1)[1] for line in numbered] == [s.question for s in reply.suggestions]


def test_suggested_questions_are_answered(guide_kb):
    for question in ("asdfghjkl", "what is the tuition at harvard"):
        for suggestion in answer(question, guide_kb).suggestions:
            assert answer(suggestion.question, guide_kb).answered, suggestion.question


def test_reply_fields_on_the_second_guide(sample_kb):
    reply = answer("What's the graduation rate at Davenport?", sample_kb)
    assert reply.text == "Davenport University's graduation rate is 52%."
    assert reply.short == "52%" and reply.answered
    assert reply.source.title == "Davenport University" and reply.source.lines == (46, 54)


def test_long_question_is_cut_and_says_so(guide_kb):
    reply = answer("salary " * 2000, guide_kb)
    assert "cut to its first 1000 characters" in reply.text


def test_many_threads_give_the_sequential_replies(guide_kb, replies_of):
    """Each question three times over, 16 threads at once: every reply is the one asked alone."""
    sequential = replies_of(guide_kb)
    with ThreadPoolExecutor(16) as pool:
        threaded = list(pool.map(lambda q: answer(q, guide_kb), _questions(guide_kb) * 3))
    assert threaded == sequential * 3


def test_conversation_keeps_history(guide_kb):
    conv = Conversation(knowledge=guide_kb)
    first = conv.ask("What is the median salary?")
    second = conv.ask("What's the capital of France?")
    assert [q for q, _ in conv.history] == ["What is the median salary?", "What's the capital of France?"]
    assert conv.last is second and first.answered and not second.answered


def test_load_knowledge_kinds_and_errors(tmp_path):
    pairs = load_knowledge(DATA / "pairs.csv")
    reply = answer("when do I have to pay fees?", pairs)
    assert reply.answered and reply.source.id == "fees"
    assert not answer("What's the capital of France?", pairs).answered
    with pytest.raises(KnowledgeError, match="no such file"):
        load_knowledge(tmp_path / "nope.txt")


def test_import_has_no_side_effects(tmp_path):
    """In a new process (which, like every process a test starts, imports the working tree)."""
    code = ("import sys, chatbot; print(sorted(m for m in ('sklearn', 'prompt_toolkit') if m in sys.modules)); "
            "print(chatbot.__file__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                         check=True)
    loaded, path = out.stdout.splitlines()
    assert loaded == "[]"
    assert Path(path) == ROOT / "chatbot" / "__init__.py"
    assert list(tmp_path.iterdir()) == []


def test_shipped_files_are_found_in_the_working_tree():
    """From a checkout, where chatbot/ has no knowledge subpackage, the files are the checkout's knowledge/."""
    from chatbot.shipped import shipped_dir

    assert Path(chatbot.__file__).parent == ROOT / "chatbot"
    assert shipped_dir() == ROOT / "knowledge"
    assert default_knowledge_path() == ROOT / "knowledge" / "patient_services_coordinator.txt"


# ---------------------------------------------------------------- any input

HOSTILE = [
    "", " ", "\t\n\r", "?!?!", "...", "\x00", "\x00" * 100, "\x01\x02\x1b[31mred\x1b[0m", "\x7f\x08\x0c",
    "\U0001f393\U0001f4b0\U0001f914", "\u0645\u0627 \u0647\u0648 \u0627\u0644\u0631\u0627\u062a\u0628\u061f",
    "\u202eyralas eht si tahw", "salary \u7d66\u6599 \u0437\u0430\u0440\u043f\u043b\u0430\u0442\u0430",
    "'; DROP TABLE schools; --", "$(rm -rf /) `reboot` && curl x | sh", "<script>alert(1)</script>",
    "%s%s%s%n", "{0} {question} {{}}", "\ud800 lone surrogate", "a" * 1_000_000, "tuition at wgu " * 50_000,
    "salary\x00tuition", "SALARY!!!!!!!!", "1" * 500, "-" * 10_000, "\u00b2", "\u0661\u0662", "\u2460",
]
SYMBOLS = ["", "   ", "?!?", "\x00", "\u202e\u05e9\u05dc\u05d5\u05dd", "\U0001f600"]  # nothing to answer: declined


def with_examples(*texts: str):
    """Hypothesis runs these before its own strings, every time."""
    def decorate(test):
        for text in reversed(texts):
            test = example(text=text)(test)
        return test
    return decorate


@with_examples(*HOSTILE, *SYMBOLS)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=3000))
def test_any_string_gets_a_reply(guide_kb, remembering, text):
    """Control characters, NUL, emoji, right-to-left, mixed scripts, injections, lone surrogates, a million
    characters, then any Unicode: a reply and never an exception, alone or in a conversation. The encoder
    remembers what it encoded (conftest), so a string is encoded once, not again in the conversation."""
    guide_kb = remembering(guide_kb)
    reply = answer(text, guide_kb)
    assert isinstance(reply.text, str) and reply.text
    assert 0.0 <= reply.confidence <= 1.0
    assert reply.answered or reply.short is None
    if len(text) > MAX_QUESTION_CHARS:
        assert f"cut to its first {MAX_QUESTION_CHARS} characters" in reply.text
    if text in SYMBOLS:
        assert not reply.answered
    conversation = Conversation(guide_kb)
    conversation.ask("asdfghjkl")  # numbered suggestions are on offer: "\u00b2" must not be taken for one
    for turn in (conversation.ask(text), conversation.ask(text[::-1])):
        assert turn.text and 0.0 <= turn.confidence <= 1.0


@pytest.mark.parametrize("value", [None, 42, b"salary", ["salary"], {"q": "salary"}])
def test_non_strings_are_type_errors(value, seed_kb):
    message = f"question must be a str, not {type(value).__name__}"
    with pytest.raises(TypeError, match=message):
        answer(value)
    with pytest.raises(TypeError, match=message):
        Conversation(seed_kb).ask(value)


def test_coverage_matches_a_naive_reference(guide_kb, remembering):
    """The vectorised coverage score against a plain-Python count over each unit's terms (the questions'
    vectors, which ``make_query`` computes, as the encoder remembers them from ``replies_of``)."""
    guide_kb = remembering(guide_kb)
    from chatbot.index import with_bigrams
    from chatbot.match import coverage, make_query, query_vector

    vocabulary = guide_kb.full_vectorizer_.vocabulary_
    analyzer = guide_kb.full_vectorizer_.build_analyzer()
    presence = guide_kb.presence_.toarray() > 0
    for question in _questions(guide_kb)[:25]:
        query = make_query(question, guide_kb)
        terms = with_bigrams([t for t in guide_kb.match_terms(query.terms) if t not in guide_kb.subject_terms_])
        if not terms:
            continue
        fast = coverage(query_vector(terms, guide_kb), guide_kb)
        known = {t for t in analyzer(terms) if t in vocabulary}
        total = sum(guide_kb.idf_[vocabulary[t]] for t in known)
        for i in range(len(guide_kb.units_)):
            used = sum(guide_kb.idf_[vocabulary[t]] for t in known if presence[i, vocabulary[t]])
            assert fast[i] == pytest.approx(used / total if total else 0.0), (question, i)


def test_query_vector_equals_the_vectorizer(guide_kb, remembering):
    """The hand-built query vector against scikit-learn's own transform, on every question (the questions'
    vectors, which ``make_query`` computes, as the encoder remembers them from ``replies_of``)."""
    guide_kb = remembering(guide_kb)
    import numpy as np

    from chatbot.index import with_bigrams
    from chatbot.match import make_query, query_vector

    for question in _questions(guide_kb):
        terms = with_bigrams(guide_kb.match_terms(make_query(question, guide_kb).terms))
        expected = guide_kb.full_vectorizer_.transform([terms]).toarray().ravel()
        assert np.allclose(query_vector(terms, guide_kb), expected), question
