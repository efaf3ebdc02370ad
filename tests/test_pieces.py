"""Late interaction: a guide's best passages are put in order by how nearly each of the question's
word pieces is matched in them (``match.piece_scores``), the scores by rank kept as they were.
Every guide of the template in the repository; question/answer pairs and a library's guides keep
no word pieces."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import numpy as np
import pytest
from conftest import SEED, TEMPLATE_GUIDES

from chatbot import load_knowledge
from chatbot.index import PIECE_SCALE
from chatbot.library import Library
from chatbot.match import PIECES_RERANKED, make_query, passage_scores, piece_scores
from chatbot.semantic import status

pytestmark = pytest.mark.skipif(status() != "on", reason="the semantic extra is not installed")


@pytest.fixture(scope="module", params=TEMPLATE_GUIDES, ids=lambda p: p.stem)
def kb(request, knowledge_of):
    return knowledge_of(request.param)


def sentences(kb) -> list[tuple[int, str]]:
    """(unit, one of its sentences of eight words or more that no other unit holds) for the guide's passages."""
    found = []
    for i, unit in enumerate(kb.units_):
        if unit.record is not None:
            continue
        for sentence in re.split(r"(?<=[.!?])\s+|\n", unit.text):
            sentence = sentence.strip(" •")
            if len(sentence.split()) >= 8 and sentence.endswith(".") \
                    and sum(sentence in u.text for u in kb.units_) == 1:
                found.append((i, sentence))
                break
    return found


def test_a_guides_units_keep_their_word_pieces_as_int8_rows(kb):
    matrix, starts = kb.unit_pieces_
    assert matrix.dtype == np.int8 and matrix.shape[1] == 384
    assert len(starts) == len(kb.units_) + 1 and starts[0] == 0 and starts[-1] == len(matrix)
    assert (np.diff(starts) > 0).all()  # every unit has words
    rows = kb.pieces_of(0)
    assert rows.dtype == np.float32
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=0.05)  # unit vectors, to int8's precision
    assert np.allclose(rows, matrix[starts[0]:starts[1]] / PIECE_SCALE)


def test_ordering_by_word_pieces_keeps_the_best_score(kb):
    """The best units change places; the best score, which a confidence is read from, does not."""
    for _, sentence in sentences(kb)[:12]:
        query = make_query(" ".join(sentence.split()[:10]).lower(), kb)
        ordered, plain = passage_scores(query, kb), passage_scores(replace(query, read=""), kb)
        assert ordered.max() == pytest.approx(plain.max())


def test_a_units_own_sentence_matches_its_pieces_best(kb):
    """Of the best units, the one a question's sentence comes from (or the list that holds it) matches
    its word pieces most nearly."""
    checked = 0
    for i, sentence in sentences(kb):
        query = make_query(sentence, kb)
        semantic = np.maximum(kb.unit_vectors_ @ query.vector, 0.0)
        best = np.argsort(-semantic)[:PIECES_RERANKED]
        if i not in best:
            continue
        scores = piece_scores(query, kb, best, semantic[best])
        top = kb.units_[best[int(scores.argmax())]]
        assert sentence.split(": ")[-1] in top.text, (sentence, top.title)  # its unit, or the list of its section
        checked += 1
    assert checked >= 5


def test_pairs_and_a_librarys_guides_keep_no_pieces(tmp_path):
    pairs = tmp_path / "faq.jsonl"
    pairs.write_text("\n".join(json.dumps({"question": f"what is item {n}", "answer": f"item {n} is a thing"})
                               for n in range(5)), encoding="utf-8")
    assert load_knowledge(pairs, cache=False).unit_pieces_ is None
    folder = tmp_path / "guides"
    folder.mkdir()
    for path in (SEED, TEMPLATE_GUIDES[0] if TEMPLATE_GUIDES[0] != SEED else TEMPLATE_GUIDES[1]):
        (folder / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    library = load_knowledge(folder, cache=False)
    assert isinstance(library, Library) and len(library.guides) == 2
    assert all(g.knowledge.unit_pieces_ is None for g in library.guides)


def test_the_word_pieces_come_back_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first = load_knowledge(SEED)
    again = load_knowledge(SEED)
    assert again is not first
    for a, b in zip(first.unit_pieces_, again.unit_pieces_, strict=True):
        assert a.dtype == b.dtype and np.array_equal(a, b)
