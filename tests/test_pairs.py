"""Question/answer-pair knowledge on CovidFAQ (bench/data/covidfaq): the lexical bot must beat
plain BM25's P@1 of 0.530 on the question field (the data set's published peer figure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatbot import answer, evaluate, load_cases, load_knowledge

COVID = Path(__file__).parents[1] / "bench" / "data" / "covidfaq"


@pytest.fixture(scope="module")
def covid_kb():
    return load_knowledge(COVID / "faq_entries.jsonl")


def test_covidfaq_beats_bm25(covid_kb, tmp_path):
    import sys

    sys.path.insert(0, str(COVID.parents[1]))
    from covidfaq import write_cases

    cases = tmp_path / "cases.jsonl"
    assert write_cases(COVID / "queries.jsonl", cases) == 1387
    summary = evaluate(load_cases(cases), covid_kb).summary
    assert summary.p_at_1 > 0.530
    assert summary.mrr_at_10 > 0.669


def test_pairs_knowledge_answers_and_declines(covid_kb):
    reply = answer("What is COVID-19?", covid_kb)
    assert reply.answered and reply.source.id == "1"
    assert not answer("how much does capella cost", covid_kb).answered
    assert not answer("What's the capital of France?", covid_kb).answered
