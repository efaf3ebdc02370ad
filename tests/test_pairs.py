"""Question/answer-pair knowledge on CovidFAQ (bench/data/covidfaq): the bot, with the sentence
model, must beat plain BM25's P@1 of 0.530 on the question field (the data set's published peer
figure), on all 1,387 queries."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import Remembering

from chatbot import answer, evaluate, load_cases, load_knowledge

COVID = Path(__file__).parents[1] / "bench" / "data" / "covidfaq"


@pytest.fixture(scope="module")
def covid_kb():
    return load_knowledge(COVID / "faq_entries.jsonl")


def test_covidfaq_beats_bm25(covid_kb, tmp_path, monkeypatch):
    import sys

    sys.path.insert(0, str(COVID.parents[1]))
    from covidfaq import write_cases

    cases = tmp_path / "cases.jsonl"
    assert write_cases(COVID / "queries.jsonl", cases) == 1387
    assert covid_kb.unit_vectors_ is not None  # the sentence model's figure, not the words-only one
    remembering = Remembering(covid_kb.encoder_)  # an evaluation encodes every question twice: its reply, its ranking
    monkeypatch.setattr(covid_kb, "encoder_", remembering)
    summary = evaluate(load_cases(cases), covid_kb).summary
    assert remembering.calls >= 1387 and len(remembering.seen) < remembering.calls  # it was used, and saved
    assert summary.p_at_1 > 0.530
    assert summary.mrr_at_10 > 0.669


def test_pairs_knowledge_answers_and_declines(covid_kb):
    reply = answer("What is COVID-19?", covid_kb)
    assert reply.answered and reply.source.id == "1"
    assert not answer("how much does capella cost", covid_kb).answered
    assert not answer("What's the capital of France?", covid_kb).answered


def test_an_entry_has_one_vector_the_mean_of_its_question_and_its_whole_text(covid_kb):
    """An FAQ entry is matched by the normalised mean of its question's vector and its question +
    answer's: one product a question, not two."""
    from chatbot.index import _semantic_text
    from chatbot.semantic import ENTRY_TOKENS

    enc = covid_kb.encoder_
    for i in (0, 7, len(covid_kb.units_) - 1):
        unit = covid_kb.units_[i]
        assert unit.kind == "faq"
        whole = enc.encode([_semantic_text(unit)], limit=ENTRY_TOKENS)[0]  # read to its opening
        question = enc.encode([unit.title])[0]
        mean = (whole + question) / np.linalg.norm(whole + question)
        assert np.allclose(covid_kb.unit_vectors_[i], mean, atol=1e-6)
    assert covid_kb.unit_vectors_.shape == (len(covid_kb.units_), 384)
    assert not hasattr(covid_kb, "title_vectors_")
