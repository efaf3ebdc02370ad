"""Confidence that means the same on every knowledge base.

A passage score (lexical, or fused with the semantic one) is not comparable across knowledge
bases: a guide of 60 passages and 20,000 question/answer pairs score general questions very
differently. So each knowledge base is calibrated when it is loaded, from itself: the general
off-topic questions in ``knowledge/calibration/off_topic_questions.txt`` are scored against it,
and the score that ``OFF_TOPIC_QUANTILE`` of them stay below becomes confidence 0.5, the point
where the bot declines. A confidence of 0.5 thus means the same everywhere: about one
off-topic question in twenty would score as high.

A question the sentence model puts closer to the guide's career than ``OFF_TOPIC_QUANTILE`` of
those questions come ("is there a lot of paperwork in this job", "whats the hardest part of
this gig") is about the career, which one off-topic question in twenty is: its confidence is
read on the scale of ``NEAR_QUANTILE`` (85%) instead. Of the general questions, only those both
that close to the career and scoring between the two percentiles are answered that were not.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from .semantic import Encoder, model_hash, similarities
from .shipped import shipped_file

if TYPE_CHECKING:
    from .index import Knowledge

OFF_TOPIC = "calibration/off_topic_questions.txt"
OFF_TOPIC_VECTORS = "calibration/off_topic_questions.npz"


@dataclass(frozen=True)
class Scale:
    """Maps a passage score to a confidence: 0.5 at ``threshold``, 0 at 0 and 1 at a perfect score."""

    threshold: float

    def confidence(self, score: float) -> float:
        t = self.threshold
        if score < t:
            return max(0.0, 0.5 * score / t)
        return min(1.0, 0.5 + 0.5 * (score - t) / (1 - t))


@cache
def off_topic_questions() -> tuple[str, ...]:
    text = shipped_file(OFF_TOPIC).read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


_VECTORS: dict[int, tuple[Encoder, np.ndarray]] = {}


def off_topic_vectors(encoder: Encoder) -> np.ndarray:
    """The off-topic questions' sentence vectors: shipped precomputed for the shipped model, else
    encoded; read once per encoder (a library calibrates each of its guides with them)."""
    hit = _VECTORS.get(id(encoder))
    if hit is not None and hit[0] is encoder:
        return hit[1]
    vectors = _off_topic_vectors(encoder)
    _VECTORS.clear()
    _VECTORS[id(encoder)] = (encoder, vectors)
    return vectors


def _off_topic_vectors(encoder: Encoder) -> np.ndarray:
    questions = off_topic_questions()
    path = shipped_file(OFF_TOPIC_VECTORS)
    if path.exists():
        with np.load(path) as data:
            if str(data["model"]) == model_hash() and data["vectors"].shape[0] == len(questions):
                return data["vectors"]
    return encoder.encode(list(questions))


def write_off_topic_vectors(encoder: Encoder, path=None) -> None:
    """Precompute the off-topic questions' vectors (``tools/build_model.py`` runs this)."""
    target = path or shipped_file(OFF_TOPIC_VECTORS)
    np.savez_compressed(target, vectors=encoder.encode(list(off_topic_questions())), model=model_hash())


def semantic_threshold(kb: Knowledge, quantile: float) -> float | None:
    """The sentence-model similarity to the nearest passage that ``quantile`` of the off-topic
    questions stay below."""
    if kb.encoder_ is None or kb.unit_vectors_ is None or not len(kb.unit_vectors_):
        return None
    return float(np.quantile((off_topic_vectors(kb.encoder_) @ kb.unit_vectors_.T).max(axis=1), quantile))


def subject_threshold(kb: Knowledge, quantile: float) -> float | None:
    """The sentence-model similarity to the guide's career that ``quantile`` of the off-topic
    questions stay below: a question closer than that is about the career ("is there a lot of
    paperwork in this job"). None without the model or a subject."""
    if kb.encoder_ is None or kb.subject_vector_ is None:
        return None
    return float(np.quantile(off_topic_vectors(kb.encoder_) @ kb.subject_vector_, quantile))


def domain_margin(kb: Knowledge, quantile: float) -> float | None:
    """How much nearer its nearest passage of ``kb`` is than its nearest other off-topic question,
    for the off-topic question at ``quantile`` (each judged against the others, never itself).

    A question is compared with questions more closely than with passages, so a general question
    lands nearer another general question, and a question about the guide's domain nearer one of
    its passages, only up to this margin, which the guide itself gives. None without the model, and
    for a file of question/answer pairs (no subject): its entries are questions themselves, so the
    asymmetry the margin corrects is not there (measured: with it, one StackFAQ user's question in
    eight was answered from CovidFAQ, 0.873 declined where 0.90 is asked)."""
    if kb.encoder_ is None or kb.unit_vectors_ is None or not len(kb.unit_vectors_) or kb.subject_vector_ is None:
        return None
    off = off_topic_vectors(kb.encoder_)
    among = off @ off.T
    np.fill_diagonal(among, -1.0)
    return float(np.quantile((off @ kb.unit_vectors_.T).max(axis=1) - among.max(axis=1), quantile))


def in_domain(kb: Knowledge, vector: np.ndarray) -> bool:
    """Is the question with this sentence vector about the guide's domain: nearer one of its
    passages than any general off-topic question, by more than ``kb.domain_margin_``?"""
    margin = getattr(kb, "domain_margin_", None)
    if margin is None or kb.unit_vectors_ is None:
        return False
    nearest = float(similarities(kb.unit_vectors_, vector).max())
    return nearest - float((off_topic_vectors(kb.encoder_) @ vector).max()) > margin


def calibrate(kb: Knowledge, quantile: float) -> Scale:
    """The scale of ``kb``: its threshold is the ``quantile`` of the off-topic questions' best scores."""
    return scales(kb, (quantile,))[0]


def scales(kb: Knowledge, quantiles: tuple[float, ...]) -> tuple[Scale, ...]:
    """``calibrate`` at several quantiles, the off-topic questions scored once."""
    from .match import make_query, passage_confidence_score, passage_scores

    questions = off_topic_questions()
    vectors = off_topic_vectors(kb.encoder_) if kb.encoder_ is not None else [None] * len(questions)
    tops = []
    for question, vector in zip(questions, vectors, strict=True):
        # (not ordered by word pieces, which changes which passage is first but not the best score)
        query = replace(make_query(question, kb, vector=vector), read="")
        scores = passage_scores(query, kb)
        tops.append(passage_confidence_score(query, kb, float(scores.max()) if len(scores) else 0.0))
    thresholds = [float(np.quantile(tops, q)) if tops else 0.3 for q in quantiles]
    return tuple(Scale(min(0.9, max(0.05, t))) for t in thresholds)
