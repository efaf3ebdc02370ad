"""Question/answer pairs -> BM25: terms for many texts in one vectorised pass, the weights, and the top k.

A knowledge base of 100,000 pairs holds millions of words but only thousands of distinct ones,
so each distinct token is stemmed and mapped once and every text becomes an array of term ids;
synonym phrases are looked for only where their first two words occur. Searching scores the
question's rare words from their postings and adds the frequent ones ("what", "for", whose
postings cover nearly every entry at nearly no weight) only for the entries that can still
reach the top k. Scores and ranking are those of the plain sum over every term (a test keeps
the plain version beside this one and checks they agree).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING

import numpy as np

from .text import _QUOTES, _TOKEN, Lexicon, _number, stem

if TYPE_CHECKING:  # scipy is imported only when an index is built
    from scipy.sparse import csc_matrix, csr_matrix

CHUNK = 4096  # texts normalised in one call: few calls, and no whole-corpus token list in memory
_SEP = "\x1e"  # joins a chunk's texts; no token contains it, and NFKC leaves it alone
DENSE_SHARE = 16  # a term used by at least one entry in this many is kept as a full row
DENSE_ABOVE = 4096  # ... in a knowledge base of at least this many entries


@dataclass(frozen=True)
class TermTexts:
    """Texts as canonical term ids: text ``i`` is ``ids[offsets[i]:offsets[i + 1]]``."""

    ids: np.ndarray  # int32 term ids, indexes into the vocabulary's sorted terms
    offsets: np.ndarray  # int64, len(texts) + 1


def _normalize(text: str) -> str:
    """``text.normalize``, with the quotes and dashes replaced one by one: on a long text seven
    ``str.replace`` calls take milliseconds where one ``str.translate`` with a dict takes seconds."""
    text = unicodedata.normalize("NFKC", text)
    for code, replacement in _QUOTES.items():
        text = text.replace(chr(code), replacement)
    return text.lower()


def _token_lists(texts: Sequence[str]) -> Iterator[list[list[str]]]:
    """Each chunk of texts as lists of raw tokens, as ``text.tokens`` finds them before numbers are
    rewritten; normalising one joined string per chunk instead of each text."""
    for start in range(0, len(texts), CHUNK):
        chunk = texts[start:start + CHUNK]
        parts = _normalize(_SEP.join(chunk)).replace("'s ", " ").replace("'", "").split(_SEP)
        if len(parts) != len(chunk):  # a text holding the separator: one at a time
            parts = [_normalize(t).replace("'s ", " ").replace("'", "") for t in chunk]
        yield [_TOKEN.findall(p) for p in parts]


_plain_stem = getattr(stem, "__wrapped__", stem)


def _copy(text: str) -> str:
    return "".join([text[:1], text[1:]]) if len(text) > 1 else text


class _Stems:
    """Distinct stems, numbered in order of first use; each distinct raw token is stemmed once."""

    def __init__(self) -> None:
        self.of_token: dict[str, int] = {}
        self.index: dict[str, int] = {}

    def ids(self, tokens: list[str]) -> np.ndarray:
        for token in set(tokens).difference(self.of_token):
            # Stemmed without the shared cache, and kept as a copy of its own, so no string that
            # outlives the build sits among the chunk's short-lived tokens and pins their memory.
            s = _copy(_plain_stem(_number(token) if token[0].isdigit() else token))
            self.of_token[_copy(token)] = self.index.setdefault(s, len(self.index))
        return np.fromiter(map(self.of_token.__getitem__, tokens), dtype=np.int32, count=len(tokens))


def _stem_texts(texts: Sequence[str], stems: _Stems, progress: Callable[[int], None] | None
                ) -> tuple[np.ndarray, np.ndarray]:
    """Every text as stem ids, and where each text starts."""
    ids, lengths = [], []
    for lists in _token_lists(texts):
        lengths.extend(map(len, lists))
        ids.append(stems.ids(list(chain.from_iterable(lists))))
        if progress is not None:
            progress(len(lists))
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return (np.concatenate(ids) if ids else np.zeros(0, dtype=np.int32)), offsets


def _phrases(sids: np.ndarray, offsets: np.ndarray, stems: list[str], lexicon: Lexicon
             ) -> list[tuple[int, int, str]]:
    """(position, length, canonical term) of each synonym phrase, as ``Lexicon.canonical`` takes
    them: longest first at a position, left to right, never across the end of a text."""
    stem_id = {s: i for i, s in enumerate(stems)}
    prefixes = {(stem_id[p[0]], stem_id[p[1]]) for p in lexicon.synonyms
                if len(p) > 1 and p[0] in stem_id and p[1] in stem_id}
    if not prefixes or len(sids) < 2:
        return []
    base = np.int64(len(stems))
    keys = np.fromiter((a * base + b for a, b in prefixes), dtype=np.int64, count=len(prefixes))
    first = np.zeros(len(stems), dtype=bool)
    first[[a for a, _ in prefixes]] = True
    at = np.flatnonzero(first[sids[:-1]])  # where a phrase could begin: few positions
    ends = offsets[np.searchsorted(offsets, at, side="right")]  # where each one's text ends
    at = at[(at + 1 < ends) & np.isin(sids[at].astype(np.int64) * base + sids[at + 1], keys)]
    ends = offsets[np.searchsorted(offsets, at, side="right")]
    starts = zip(at.tolist(), ends.tolist(), strict=True)
    found, free = [], 0
    for p, end in starts:
        if p < free:  # inside a phrase already taken
            continue
        for n in range(min(lexicon.longest_phrase, end - p), 1, -1):
            target = lexicon.synonyms.get(tuple(stems[s] for s in sids[p:p + n].tolist()))
            if target is not None:
                found.append((p, n, target))
                free = p + n
                break
    return found


def term_texts(groups: Sequence[Sequence[str]], lexicon: Lexicon, *,
               progress: Callable[[int], None] | None = None) -> tuple[dict[str, int], list[TermTexts], set[str]]:
    """Canonical terms of several lists of texts, stopwords kept: the same terms as
    ``lexicon.terms(text, keep_stopwords=True)`` for each text, in one pass.

    Returns the vocabulary (term -> column, terms sorted as scikit-learn's CountVectorizer sorts
    them), each list's texts as term ids, and every stem used (before synonyms).
    """
    stems = _Stems()
    stemmed = [_stem_texts(texts, stems, progress) for texts in groups]
    stem_list = list(stems.index)
    single = lexicon._single
    targets = {t for p, t in lexicon.synonyms.items() if len(p) > 1}
    terms = sorted({single.get(s, s) for s in stem_list} | targets)
    column = {t: j for j, t in enumerate(terms)}
    by_stem = np.fromiter((column[single.get(s, s)] for s in stem_list), dtype=np.int32, count=len(stem_list))
    out = []
    for sids, offsets in stemmed:
        ids = by_stem[sids] if len(sids) else np.zeros(0, dtype=np.int32)
        found = _phrases(sids, offsets, stem_list, lexicon)
        if found:
            keep = np.ones(len(ids), dtype=bool)
            for p, n, target in found:
                ids[p] = column[target]
                keep[p + 1:p + n] = False
            before = np.concatenate([[0], np.cumsum(~keep)])  # positions dropped before each point
            offsets = offsets - before[offsets]
            ids = ids[keep]
        out.append(TermTexts(ids, offsets))
    used = set(np.unique(np.concatenate([t.ids for t in out])).tolist()) if out else set()
    vocabulary = {t: j for j, t in enumerate(terms) if j in used}
    # Columns are numbered over the terms actually used, in sorted order.
    renumber = np.full(len(terms), -1, dtype=np.int32)
    renumber[sorted(used)] = np.arange(len(used), dtype=np.int32)
    vocabulary = {t: int(renumber[j]) for t, j in vocabulary.items()}
    return vocabulary, [TermTexts(renumber[t.ids], t.offsets) for t in out], set(stem_list)


def counts(texts: TermTexts, width: int) -> csr_matrix:
    """Term counts per text, as a CSR matrix of float64 (a row per text, a column per term)."""
    from scipy.sparse import csr_matrix

    n = len(texts.offsets) - 1
    matrix = csr_matrix((np.ones(len(texts.ids), dtype=np.float32), texts.ids, texts.offsets), shape=(n, width))
    matrix.sum_duplicates()  # counts are small whole numbers: exact in float32
    return matrix.astype(np.float64)


def weights(tf: csr_matrix, k1: float, b: float) -> tuple[csc_matrix, np.ndarray]:
    """BM25 weights per (text, term), by column: (CSC float32 matrix, idf).

    w(t, d) = idf(t) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(d) / avg_len)), with
    idf(t) = ln(1 + (N - df + 0.5) / (df + 0.5)).
    """
    n = tf.shape[0]
    df = np.bincount(tf.indices, minlength=tf.shape[1])
    idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
    lengths = np.asarray(tf.sum(axis=1)).ravel()
    norm = k1 * (1 - b + b * lengths / max(lengths.mean(), 1e-9))
    # idf * tf * (k1 + 1) / (tf + norm), in that order, one temporary at a time.
    w = idf[tf.indices]
    w *= tf.data
    w *= k1 + 1
    denominator = np.repeat(norm, np.diff(tf.indptr))
    denominator += tf.data
    w /= denominator
    del denominator
    tf.data = w.astype(np.float32)
    del w
    return tf.tocsc(), idf


@dataclass(frozen=True)
class Postings:
    """One weight matrix by term, with how much it counts: the questions' (1) or the answers' (0.2).

    A term used by few entries keeps a posting list: entry ``r``'s weight for term ``j`` is
    stored under the key ``j * size + r``, keys sorted, so term ``j``'s postings are
    ``keys[starts[j]:starts[j + 1]]``. A term used by at least one entry in ``DENSE_SHARE``
    ("what", "the", "for"; in a base of ``DENSE_ABOVE`` entries or more) keeps a full row of
    ``size`` weights instead, zero where unused:
    adding a row is a contiguous vector add, many times cheaper than scattering the same
    number of postings, and it adds the same float32 values to the same entries.
    """

    keys: np.ndarray  # int32, or int64 when terms x entries needs it
    data: np.ndarray  # float32 BM25 weights
    starts: np.ndarray  # int64, one more than there are terms
    size: int  # entries
    idf: np.ndarray
    weight: float
    rows: np.ndarray  # float32 (frequent terms x size): the frequent terms' weights in full
    row_of: np.ndarray  # int32 per term: its row in ``rows``, or -1 for a posting list

    @classmethod
    def from_matrix(cls, matrix: csc_matrix, idf: np.ndarray, weight: float) -> Postings:
        """From a CSC matrix (an entry a row, a term a column) of float32 weights."""
        size, terms = matrix.shape
        lengths = np.diff(matrix.indptr)
        frequent = np.flatnonzero(lengths * DENSE_SHARE >= max(size, 1)) if size >= DENSE_ABOVE else []
        row_of = np.full(terms, -1, dtype=np.int32)
        row_of[frequent] = np.arange(len(frequent), dtype=np.int32)
        rows = np.zeros((len(frequent), size), dtype=np.float32)
        for r, j in enumerate(frequent):
            start, end = matrix.indptr[j], matrix.indptr[j + 1]
            rows[r, matrix.indices[start:end]] = matrix.data[start:end]
        sparse = row_of < 0
        keep = np.repeat(sparse, lengths)
        starts = np.zeros(terms + 1, dtype=np.int64)
        np.cumsum(np.where(sparse, lengths, 0), out=starts[1:])
        wide = np.int64 if size * terms >= 2**31 else np.int32
        keys = np.repeat(np.arange(terms, dtype=wide) * wide(size), np.where(sparse, lengths, 0))
        keys += matrix.indices[keep].astype(wide)
        return cls(keys, matrix.data[keep], starts, size, idf, weight, rows, row_of)

    def matrix(self) -> csc_matrix:
        """The weights as a CSC matrix again (for tests and inspection)."""
        from scipy.sparse import csc_matrix

        terms = len(self.starts) - 1
        lengths = np.diff(self.starts)
        columns = [np.repeat(np.arange(terms), lengths)]
        rows = [self.keys - np.repeat(np.arange(terms, dtype=self.keys.dtype) * self.size, lengths)]
        data = [self.data]
        for j in np.flatnonzero(self.row_of >= 0):
            used = np.flatnonzero(self.rows[self.row_of[j]])
            columns.append(np.full(len(used), j))
            rows.append(used)
            data.append(self.rows[self.row_of[j]][used])
        out = csc_matrix((np.concatenate(data), (np.concatenate(rows), np.concatenate(columns))),
                         shape=(self.size, terms))
        out.sort_indices()
        return out

    def column(self, j: int) -> tuple[np.ndarray, np.ndarray]:
        """Term ``j``'s entries and weights (a term kept as a full row: every entry, zeros too)."""
        r = self.row_of[j]
        if r >= 0:
            return np.arange(self.size), self.rows[r]
        start, end = self.starts[j], self.starts[j + 1]
        return self.keys[start:end] - j * self.size, self.data[start:end]


# ---------------------------------------------------------------- searching

def scores(counts: dict[int, int], parts: Sequence[Postings]) -> np.ndarray:
    """The raw score of every entry: for each question term in turn, each part in turn, its weight
    times the term's count times the entry's BM25 weight, added in float32."""
    raw = np.zeros(parts[0].size, dtype=np.float32)
    for j, n in counts.items():
        for part in parts:
            coef = np.float32(part.weight * n)
            r = part.row_of[j]
            if r >= 0:  # every entry at once; zero where the term is unused, which adds nothing
                raw += part.rows[r] if coef == 1 else coef * part.rows[r]
            else:
                start, end = part.starts[j], part.starts[j + 1]
                raw[part.keys[start:end] - j * part.size] += coef * part.data[start:end]
    return raw


def top_k(counts: dict[int, int], parts: Sequence[Postings], k: int) -> list[tuple[int, float]]:
    """The ``k`` best (entry, score) pairs with a positive score, best first, ties to the lower entry.

    ``counts``: the question's term columns and how often each is used. The score is the raw
    score divided by what an entry using every question term once would score, so 1 is a full
    match.
    """
    full = 0.0
    for j, n in counts.items():
        for part in parts:
            full += part.weight * n * part.idf[j]
    if not counts or full <= 0 or k <= 0:
        return []
    return _best(scores(counts, parts), np.float32(full), k)


def _best(raw: np.ndarray, full: np.float32, k: int) -> list[tuple[int, float]]:
    """The k best entries by ``raw / full``, best first, ties to the lower entry; positive only.

    Over many entries, only those whose raw score is within a hair (1e-6, some eight float32
    steps) of the k-th largest are divided and sorted: nothing below that can reach the k-th
    quotient, let alone tie with it.
    """
    if len(raw) <= 4096:
        score = raw / full
        order = np.argsort(-score, kind="stable")[:k]
        return [(int(i), float(score[i])) for i in order if score[i] > 0]
    top = float(raw.max())
    if top <= 0:
        return []
    cut, near = top / 2, None
    while near is None or (len(near) < k and cut > top * 1e-6):
        near = np.flatnonzero(raw >= cut)
        cut /= 8
    if len(near) < k:
        near = np.flatnonzero(raw > 0)
    kth = float(np.partition(raw[near], len(near) - k)[len(near) - k]) if len(near) >= k else 0.0
    if kth <= 0:  # fewer than k positive scores: all of them
        near = np.flatnonzero(raw > 0)
    elif kth * (1 - 1e-6) < cut * 8:  # the hair below the k-th reaches under the last cut: look again
        near = np.flatnonzero(raw >= kth * (1 - 1e-6))
    score = raw[near] / full
    order = np.argsort(-score, kind="stable")[:k]
    return [(int(near[i]), float(score[i])) for i in order if score[i] > 0]
