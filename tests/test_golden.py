"""The golden tables: questions people type, with the phrases the reply must (not) contain.

The tables are the question sets kept beside the guides in knowledge/ (and, for the
Markdown test guide, tests/golden/markdown.jsonl); the expectations were read off the guide
texts by hand. A row with "xfail" is a known failure, with the reason: it is run,
and the test fails if it starts passing, so the table is corrected then.
"""

from __future__ import annotations

import pytest
from conftest import DATA, GOLDEN, SAMPLE_CASES, SEED_CASES

from chatbot import answer, load_knowledge
from chatbot.evaluate import Case, Result, judge, load_cases, run_case, summarize

TABLES = {
    "seed": load_cases(SEED_CASES),
    "sample": load_cases(SAMPLE_CASES),
    "markdown": load_cases(GOLDEN / "markdown.jsonl"),
}


def _params(name: str) -> list:
    return [pytest.param(case, id=case.id,
                         marks=[pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else [])
            for case in TABLES[name]]


@pytest.fixture(scope="session")
def result_of(seed_kb, sample_kb, remembering):
    """A case's result (``chatbot eval``'s own ``run_case``), computed the first time it is asked for: the
    per-case tests and a set's targets read the same run, so no question set is scored twice. The guides'
    encoders remember what they encoded, for the other tests that ask the same questions (conftest)."""
    knowledge = {"seed": remembering(seed_kb), "sample": remembering(sample_kb),
                 "markdown": load_knowledge(DATA / "dental_assistant.md")}
    results: dict[tuple[str, str], Result] = {}

    def result(table: str, case: Case) -> Result:
        if (table, case.id) not in results:
            results[table, case.id] = run_case(case, knowledge[table])
        return results[table, case.id]

    return result


@pytest.mark.parametrize("case", _params("seed"))
def test_seed_golden(case, result_of):
    result = result_of("seed", case)
    assert result.passed, (result.problems, result.reply.text)


@pytest.mark.parametrize("case", _params("sample"))
def test_sample_golden(case, result_of):
    result = result_of("sample", case)
    assert result.passed, (result.problems, result.reply.text)


@pytest.mark.parametrize("case", _params("markdown"))
def test_markdown_golden(case, result_of):
    result = result_of("markdown", case)
    assert result.passed, (result.problems, result.reply.text)


def test_tables_are_large_enough_and_cover_declines():
    cases = TABLES["seed"] + TABLES["sample"]
    assert len(cases) >= 80
    assert sum(not c.answerable for c in cases) >= 15
    for name in ("seed", "sample"):
        tags = {t for c in TABLES[name] for t in c.tags}
        assert {"typo", "acronym", "unknown-entity", "off-topic", "na", "salary", "school", "faq",
                "followup", "topic-change", "no-context",
                "superlative", "filter", "place", "empty", "compare", "list"} <= tags, name
    assert "tie" in {t for c in TABLES["markdown"] for t in c.tags}
    for name, table in TABLES.items():
        assert len({c.id for c in table}) == len(table), f"{name}: case ids are unique"


def test_judge_catches_wrong_replies(seed_kb):
    """The judge itself: a wrong school, a missing figure and a wrong decline are all caught."""
    reply = answer("How much does Capella cost?", seed_kb)
    assert judge(reply, {"expect": ["$7,404"]}) == ["missing '$7,404'"]
    assert judge(reply, {"forbid": ["capella"]}) == ["forbidden 'capella'"]
    assert judge(reply, {"answerable": False}) == ["answered a question it should decline"]
    assert judge(reply, {"short": "$1"}) == ["short is '$14,328', not '$1'"]
    assert judge(reply, {"expect": ["capella  UNIVERSITY\u2019s"]}) == []  # case, spaces, curly quotes


@pytest.mark.parametrize("table", ["seed", "sample"])
def test_question_sets_meet_the_targets(table, result_of):
    """Overall >= 95%, out-of-scope declined >= 95%, and no reply gives a forbidden figure."""
    results = [result_of(table, case) for case in TABLES[table]]
    summary = summarize(results)
    assert summary.accuracy >= 0.95, summary.accuracy
    assert summary.out_of_scope_declined >= 0.95, summary.out_of_scope_declined
    assert not [r.case.id for r in results if any(p.startswith("forbidden") for p in r.problems)]
    assert summary.cases >= (250 if table == "seed" else 60)
    assert sum(not c.answerable for c in TABLES[table]) >= (40 if table == "seed" else 10)
