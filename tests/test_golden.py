"""The golden tables: questions people type, with the phrases the reply must (not) contain.

The tables are the question sets kept beside the guides in knowledge/ (and, for the
Markdown test guide, tests/golden/markdown.jsonl); the expectations were read off the guide
texts by hand. A row with "xfail" is a known failure, with the reason: it is run,
and the test fails if it starts passing, so the table is corrected then.
"""

from __future__ import annotations

import pytest
from conftest import DATA, GOLDEN, SAMPLE_CASES, SEED_CASES, read_cases

from chatbot import Conversation, Reply, answer, load_knowledge
from chatbot.evaluate import judge, load_cases

TABLES = {
    "seed": read_cases(SEED_CASES),
    "sample": read_cases(SAMPLE_CASES),
    "markdown": read_cases(GOLDEN / "markdown.jsonl"),
}


def _params(name: str) -> list:
    return [pytest.param(case, id=case["id"],
                         marks=[pytest.mark.xfail(strict=True, reason=case["xfail"])] if "xfail" in case else [])
            for case in TABLES[name]]


@pytest.fixture(scope="module")
def markdown_kb():
    return load_knowledge(DATA / "dental_assistant.md")


def reply_to(case: dict, kb) -> Reply:
    """The reply a case is judged on: to its question, or to the last of its conversation turns."""
    if "turns" not in case:
        return answer(case["question"], kb)
    conversation = Conversation(knowledge=kb)
    for turn in case["turns"]:
        reply = conversation.ask(turn)
    return reply


@pytest.mark.parametrize("case", _params("seed"))
def test_seed_golden(case, seed_kb):
    reply = reply_to(case, seed_kb)
    assert judge(reply, case) == [], reply.text


@pytest.mark.parametrize("case", _params("sample"))
def test_sample_golden(case, sample_kb):
    reply = reply_to(case, sample_kb)
    assert judge(reply, case) == [], reply.text


@pytest.mark.parametrize("case", _params("markdown"))
def test_markdown_golden(case, markdown_kb):
    reply = reply_to(case, markdown_kb)
    assert judge(reply, case) == [], reply.text


def test_tables_are_large_enough_and_cover_declines():
    cases = TABLES["seed"] + TABLES["sample"]
    assert len(cases) >= 80
    assert sum(c.get("answerable", True) is False for c in cases) >= 15
    for name in ("seed", "sample"):
        tags = {t for c in TABLES[name] for t in c.get("tags", [])}
        assert {"typo", "acronym", "unknown-entity", "off-topic", "na", "salary", "school", "faq",
                "followup", "topic-change", "no-context",
                "superlative", "filter", "place", "empty", "compare", "list"} <= tags, name
    assert "tie" in {t for c in TABLES["markdown"] for t in c.get("tags", [])}


def test_judge_catches_wrong_replies(seed_kb):
    """The judge itself: a wrong school, a missing figure and a wrong decline are all caught."""
    reply = answer("How much does Capella cost?", seed_kb)
    assert judge(reply, {"expect": ["$7,404"]}) == ["missing '$7,404'"]
    assert judge(reply, {"forbid": ["capella"]}) == ["forbidden 'capella'"]
    assert judge(reply, {"answerable": False}) == ["answered a question it should decline"]
    assert judge(reply, {"short": "$1"}) == ["short is '$14,328', not '$1'"]
    assert judge(reply, {"expect": ["capella  UNIVERSITY\u2019s"]}) == []  # case, spaces, curly quotes


@pytest.mark.parametrize("cases,guide", [(SEED_CASES, "seed"), (SAMPLE_CASES, "sample")])
def test_question_sets_meet_the_targets(cases, guide, seed_kb, sample_kb):
    """Overall >= 95%, out-of-scope declined >= 95%, and no reply gives a forbidden figure."""
    from chatbot.evaluate import evaluate

    result = evaluate(cases, {"seed": seed_kb, "sample": sample_kb}[guide])
    summary = result.summary
    assert summary.accuracy >= 0.95, summary.accuracy
    assert summary.out_of_scope_declined >= 0.95, summary.out_of_scope_declined
    assert not [r.case.id for r in result.results if any(p.startswith("forbidden") for p in r.problems)]
    assert summary.cases >= (250 if guide == "seed" else 60)
    assert sum(not c.answerable for c in load_cases(cases)) >= (40 if guide == "seed" else 10)
