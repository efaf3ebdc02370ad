"""The fast BM25 path against a deliberately plain reference kept here: the index built one text
at a time with scikit-learn's CountVectorizer, and every entry scored by summing all postings
of the question's terms. The fast path must give the same matrices, the same top-k entries
and the very same scores, on every shipped and test set and on a generated 10,000-pair set.
"""

from __future__ import annotations

import importlib.util
import json
import weakref
from pathlib import Path

import numpy as np
import pytest
from conftest import DATA, GUIDES, SAMPLE_CASES, SEED_CASES, read_cases

from chatbot import bm25, load_knowledge
from chatbot.bm25 import TermTexts, term_texts
from chatbot.index import Knowledge
from chatbot.match import make_query
from chatbot.parse import parse_file
from chatbot.text import Lexicon, default_lexicon, stem, tokens

ROOT = Path(__file__).parents[1]
COVID = ROOT / "bench" / "data" / "covidfaq" / "faq_entries.jsonl"
PAIRS = {"csv": DATA / "pairs.csv", "jsonl": DATA / "pairs.jsonl", "covidfaq": COVID}
GUIDE_FILES = {**GUIDES, "markdown": DATA / "dental_assistant.md"}


# ---------------------------------------------------------------- the plain reference

def reference_index(kb: Knowledge):
    """The BM25 matrices as they were built before the vectorised pass: per unit, then CountVectorizer."""
    from sklearn.feature_extraction.text import CountVectorizer

    lex = kb.lexicon
    questions = [lex.canonical([stem(t) for t in tokens(u.title)], keep_stopwords=True) for u in kb.units_]
    answers = [lex.canonical([stem(t) for t in tokens(u.text)], keep_stopwords=True) for u in kb.units_]
    counter = CountVectorizer(analyzer=lambda terms: terms, lowercase=False).fit(questions + answers)

    def weights(docs):
        tf = counter.transform(docs).tocsr().astype(np.float64)
        n = tf.shape[0]
        df = np.bincount(tf.indices, minlength=tf.shape[1])
        idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
        lengths = np.asarray(tf.sum(axis=1)).ravel()
        norm = kb.k1 * (1 - kb.b + kb.b * lengths / max(lengths.mean(), 1e-9))
        rows = np.repeat(np.arange(n), np.diff(tf.indptr))
        tf.data = idf[tf.indices] * tf.data * (kb.k1 + 1) / (tf.data + norm[rows])
        return tf.tocsc().astype(np.float32), idf

    return counter.vocabulary_, weights(questions), weights(answers)


_MATRICES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _matrices(kb: Knowledge) -> tuple:
    """The knowledge's (matrix, idf) for questions and answers, as the plain version kept them."""
    if kb not in _MATRICES:
        _MATRICES[kb] = tuple((part.matrix(), part.idf) for part in kb.bm25_parts_)
    return _MATRICES[kb]


def reference_top(query, kb: Knowledge, k: int) -> list[tuple[int, float]]:
    """``bm25_scores`` + ``_top`` as they were: every posting of every question term summed."""
    (questions, q_idf), (answers, a_idf) = _matrices(kb)
    counts: dict[int, int] = {}
    for t in query.all_terms:
        j = kb.bm25_vocabulary_.get(t)
        if j is not None:
            counts[j] = counts.get(j, 0) + 1
    raw = np.zeros(questions.shape[0], dtype=np.float32)
    full = 0.0
    for j, n in counts.items():
        for matrix, idf, weight in ((questions, q_idf, 1.0), (answers, a_idf, kb.answer_weight)):
            start, end = matrix.indptr[j], matrix.indptr[j + 1]
            raw[matrix.indices[start:end]] += np.float32(weight * n) * matrix.data[start:end]
            full += weight * n * idf[j]
    score = raw / np.float32(full) if full > 0 else raw
    order = np.argsort(-score, kind="stable")[:k]
    return [(int(i), float(score[i])) for i in order if score[i] > 0]


# ---------------------------------------------------------------- knowledge and questions

def generated(size: int) -> tuple[list[dict], list[str]]:
    """bench/run.py's generated pairs and the questions it asks of them."""
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.corpus(size)


def questions_for(kb: Knowledge) -> list[str]:
    """The entries' own questions, the same cut short and misspelled, the question sets, and a few
    made only of frequent words (whose postings cover almost every entry)."""
    asked = [u.title for u in kb.units_[:100]]
    asked += [" ".join(u.title.split()[1:]) for u in kb.units_[:50]]
    asked += [u.title.replace("e", "a", 1) for u in kb.units_[:50]]
    asked += [c["question"] for c in read_cases(SEED_CASES) + read_cases(SAMPLE_CASES) if "question" in c][::3]
    asked += ["what is the", "how do i", "can i", "what about it", "is it for you", "the", "what", ""]
    return asked


def assert_same_index(kb: Knowledge) -> None:
    vocabulary, (q, q_idf), (a, a_idf) = reference_index(kb)
    assert kb.bm25_vocabulary_ == vocabulary
    for (matrix, idf), (ref, ref_idf) in zip(_matrices(kb), ((q, q_idf), (a, a_idf)), strict=True):
        assert np.array_equal(idf, ref_idf)
        assert matrix.dtype == ref.dtype and matrix.shape == ref.shape
        assert np.array_equal(matrix.indptr, ref.indptr) and np.array_equal(matrix.indices, ref.indices)
        assert np.array_equal(matrix.data, ref.data)


def assert_same_ranking(kb: Knowledge, questions: list[str]) -> int:
    """Top 6 and top 10 agree with the reference: the same entries, in the same order, the same scores."""
    compared = 0
    for question in questions:
        query = make_query(question, kb)
        for k in (6, 10):
            expected = reference_top(query, kb, k)
            assert kb_rank(query, kb, k) == expected, question
            compared += bool(expected)
    return compared


def kb_rank(query, kb: Knowledge, k: int) -> list[tuple[int, float]]:
    from chatbot.match import rank_units

    return rank_units(query, kb, k=k)


# ---------------------------------------------------------------- the tests

@pytest.mark.parametrize("rows", ["postings", "frequent terms as rows"])
@pytest.mark.parametrize("name", sorted(PAIRS))
def test_pairs_index_and_ranking_match_the_reference(name, rows, monkeypatch):
    """Small sets keep every term as postings; with rows forced on, the frequent terms (used by
    at least one entry in ``bm25.DENSE_SHARE``) are kept as full rows, as in a large knowledge base."""
    if rows != "postings":
        monkeypatch.setattr(bm25, "DENSE_ABOVE", 0)
    kb = load_knowledge(PAIRS[name], encoder=None)
    assert kb.scorer_ == "bm25"
    assert any(len(p.rows) for p in kb.bm25_parts_) == (rows != "postings")
    assert_same_index(kb)
    assert assert_same_ranking(kb, questions_for(kb)) > 0


@pytest.mark.parametrize("name", sorted(GUIDE_FILES))
def test_guides_scored_by_bm25_match_the_reference(name):
    """Guides have records, lists and synonym phrases in their text: the hardest case for the pass."""
    kb = Knowledge(parse_file(GUIDE_FILES[name]), default_lexicon(), scorer="bm25", encoder=None).fit()
    assert_same_index(kb)
    assert assert_same_ranking(kb, questions_for(kb)) > 0


@pytest.fixture(scope="module")
def generated_kb(tmp_path_factory):
    pairs, asked = generated(10_000)
    path = tmp_path_factory.mktemp("generated") / "pairs.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in pairs), encoding="utf-8")
    return load_knowledge(path, encoder=None), asked


def test_generated_10000_pairs_match_the_reference(generated_kb):
    kb, asked = generated_kb
    assert len(kb.units_) == 10_000
    assert all(len(p.rows) for p in kb.bm25_parts_)  # "what", "the", ... kept as rows
    assert_same_index(kb)
    assert assert_same_ranking(kb, asked + questions_for(kb)) > 300


def test_terms_are_the_lexicon_terms_of_each_text():
    """Synonym phrases ("how many students", "per hour") at the start, end and middle of texts,
    across a text's end (never joined), a possessive, numbers, curly quotes and an empty text."""
    lex = default_lexicon()
    texts = ["How many students go there?", "paid per", "hour by the hour", "", "Capella’s 10k fees, 14,328",
             "what city\u001eis it", "day\u2013to\u2013day \u201cpay\u00a0scale\u201d",
             "student graduate rate per year a year day to day to day", "An hour"]
    vocabulary, (found,), stems = term_texts([texts], lex)
    names = {j: t for t, j in vocabulary.items()}
    for i, text in enumerate(texts):
        ids = found.ids[found.offsets[i]:found.offsets[i + 1]]
        assert [names[j] for j in ids] == lex.terms(text, keep_stopwords=True), text
    assert "capella" in stems and "10000" in stems
    assert isinstance(found, TermTexts)


def test_a_phrase_of_a_custom_lexicon_is_found_only_within_one_text():
    lex = Lexicon.from_dict({"synonyms": {"wage": ["pay scale", "what pay scale"]}})
    texts = ["what pay", "scale of pay scale", "what pay scale now"]
    vocabulary, (found,), _ = term_texts([texts], lex)
    names = {j: t for t, j in vocabulary.items()}
    got = [[names[j] for j in found.ids[found.offsets[i]:found.offsets[i + 1]]] for i in range(len(texts))]
    assert got == [["what", "pay"], ["scale", "of", "wage"], ["wage", "now"]]


@pytest.mark.parametrize("seed", range(12))
def test_best_of_many_is_the_plain_argmax_selection(seed):
    """The top k of a large score array, found from a few near the top, against k passes of argmax:
    ties, values a float32 step apart, values on the search's cuts, fewer positives than k."""
    rng = np.random.default_rng(seed)
    size = 10_000
    raw = np.zeros(size, dtype=np.float32)
    used = rng.choice(size, rng.integers(0, 60) if seed % 4 == 0 else 3000, replace=False)
    levels = np.float32([8.0, 4.0, 4.0 * (1 - 1e-7), 1.0, 0.5, 1e-3])
    raw[used] = rng.choice(levels, len(used)) if seed % 2 else rng.random(len(used)).astype(np.float32) * 8
    full = np.float32(rng.choice([1.0, 3.0, 7.3]))
    for k in (1, 6, 10):
        score = raw / full
        expected = []
        for _ in range(k):
            i = int(np.argmax(score))
            if score[i] <= 0:
                break
            expected.append((i, float(score[i])))
            score[i] = -np.inf
        assert bm25._best(raw.copy(), full, k) == expected


def test_best_of_many_keeps_a_lower_entry_whose_quotient_ties_just_below_the_cut():
    """1.0 and the float32 just below it divide by 2.9 to the same score: the lower entry must win
    the tie even though its raw score is under the search's first cut (half the top score)."""
    full, a = np.float32(2.9), np.float32(1.0)
    b = np.nextafter(a, np.float32(0))
    assert a / full == b / full
    raw = np.zeros(10_000, dtype=np.float32)
    raw[9_000:9_003] = 2 * a  # the top; the first cut is exactly a
    raw[5_000:5_100] = a
    raw[100:110] = b  # lower entries, same score as the a's
    got = bm25._best(raw.copy(), full, 6)
    assert [i for i, _ in got] == [9_000, 9_001, 9_002, 100, 101, 102]
