"""The comparison words and the places, as stem phrases: read once when a guide is indexed.

The guide template's own words for directions and bounds ("cheapest", "under", "at least")
are ``comparisons`` in lexicon.json; US states and world places are ``places.json``. The
index builds one ``Vocabulary`` from them in ``fit``; matching and comparing read it.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cache

import numpy as np

from .semantic import Encoder
from .shipped import shipped_file
from .text import Lexicon, stem, tokens

Phrase = tuple[str, ...]


def _phrases(words: list[str]) -> frozenset[Phrase]:
    return frozenset(tuple(stem(t) for t in tokens(w)) for w in words)


@dataclass(frozen=True)
class Vocabulary:
    """The comparison words of a lexicon and the places, as stem phrases."""

    implied: dict[Phrase, tuple[str, str]]
    high: frozenset[Phrase]
    low: frozenset[Phrase]
    above: frozenset[Phrase]
    below: frozenset[Phrase]
    inclusive: frozenset[Phrase]
    compare: frozenset[Phrase]
    order: frozenset[Phrase]
    regions: dict[Phrase, str]  # "new hampshire" -> "NH"
    codes: dict[str, str]       # "NH" -> "New Hampshire"
    yes_no: frozenset[str]      # first words of a yes-or-no question: "is", "does"
    good: frozenset[Phrase] = frozenset()   # "best": the better value of an attribute…
    bad: frozenset[Phrase] = frozenset()    # "worst": the worse one…
    better: dict[str, str] = dataclass_field(default_factory=dict)  # …"graduation" -> "high"
    world: frozenset[Phrase] = frozenset()  # countries and large cities: "london", "new york"
    world_starts: dict[str, tuple[Phrase, ...]] = dataclass_field(default_factory=dict)  # first word -> those places
    ordinals: tuple[tuple[Phrase, int], ...] = ()  # "second" -> 2: "the second highest"
    between: frozenset[Phrase] = frozenset()  # "between" $20 "and" $25: a range…
    joins: frozenset[str] = frozenset()       # …its two ends joined by one of these
    order_unless_one: frozenset[Phrase] = frozenset()  # "by": a table, unless a superlative asks for one
    others: frozenset[str] = frozenset()  # "the other texas school": not the record just talked about
    areas: dict[Phrase, str] = dataclass_field(default_factory=dict)  # "midwest" -> "Midwest" (``areas()``)

    @property
    def words(self) -> frozenset[str]:
        """Every stem these phrases use, so they are neither unknown nor off-topic words."""
        groups = [self.implied, self.high, self.low, self.above, self.below, self.inclusive, self.compare,
                  self.order, self.regions, self.good, self.bad, dict(self.ordinals), self.between,
                  self.order_unless_one, {(w,): 0 for w in self.others}]
        return frozenset(w for group in groups for phrase in group for w in phrase)


@cache
def _place_data() -> dict:
    return json.loads(shipped_file("places.json").read_text(encoding="utf-8"))


def regions() -> dict[str, str]:
    """US state codes and their names: "NH" -> "New Hampshire"."""
    return dict(_place_data()["regions"])


@cache
def areas() -> dict[str, frozenset[str]]:
    """US areas and their states' codes: "Midwest" -> {"IL", "IN", …} (the Census Bureau's regions and
    divisions)."""
    return {name: frozenset(codes) for name, codes in _place_data().get("areas", {}).items()}


_BUILT: dict[int, tuple[Lexicon, Vocabulary]] = {}  # id(lexicon) -> (the lexicon, its vocabulary)
_KEPT = 8  # lexicons whose vocabulary is remembered


def build_vocabulary(lexicon: Lexicon) -> Vocabulary:
    """The comparison words of a lexicon, and the places, as stem phrases.

    Built once per lexicon and shared by every knowledge base fitted with it: it depends on
    nothing else, takes about 0.1 s, and its 6,000 places weigh about 1 MB, which a library
    of a thousand guides would otherwise hold a thousand times."""
    hit = _BUILT.get(id(lexicon))
    if hit is not None and hit[0] is lexicon:
        return hit[1]
    vocabulary = _build_vocabulary(lexicon)
    while len(_BUILT) >= _KEPT:
        _BUILT.pop(next(iter(_BUILT)))
    _BUILT[id(lexicon)] = (lexicon, vocabulary)
    return vocabulary


def _build_vocabulary(lexicon: Lexicon) -> Vocabulary:
    data = lexicon.comparisons
    codes = regions()
    world = frozenset(tuple(stem(t) for t in tokens(name))
                      for name in _place_data().get("countries", []) + _place_data().get("cities", []))
    starts: dict[str, list[Phrase]] = {}
    for phrase in world:  # 6,000 places: a question looks up only those its own words begin
        if phrase:
            starts.setdefault(phrase[0], []).append(phrase)
    return Vocabulary(
        implied={tuple(stem(t) for t in tokens(w)): (stem(a), d) for w, (a, d) in data.get("implied", {}).items()},
        high=_phrases(data.get("high", [])), low=_phrases(data.get("low", [])),
        above=_phrases(data.get("above", [])), below=_phrases(data.get("below", [])),
        inclusive=_phrases(data.get("inclusive", [])),
        compare=_phrases(data.get("compare", [])), order=_phrases(data.get("order", [])),
        regions={tuple(stem(t) for t in tokens(name)): code for code, name in codes.items()},
        codes=codes,
        yes_no=frozenset(stem(w) for w in data.get("yes_no", [])),
        good=_phrases(data.get("good", [])), bad=_phrases(data.get("bad", [])),
        better={stem(a): d for a, d in data.get("better", {}).items()},
        world=world,
        world_starts={w: tuple(ps) for w, ps in starts.items()},
        ordinals=tuple((tuple(stem(t) for t in tokens(w)), int(n)) for w, n in data.get("ordinals", {}).items()),
        between=_phrases(data.get("between", [])), joins=frozenset(stem(w) for w in data.get("joins", [])),
        order_unless_one=_phrases(data.get("order_unless_one", [])),
        others=frozenset(stem(w) for w in data.get("others", [])),
        areas={tuple(stem(t) for t in tokens(name)): name for name in areas()},
    )


def find_phrases(stems: tuple[str, ...], phrases: Collection[Phrase]) -> list[tuple[int, Phrase]]:
    """Where each phrase occurs in ``stems``: (position, phrase), longest phrases first.

    Only phrases whose first word is in the question are tried, so a question of eight words
    against fifty state names costs a few set look-ups.
    """
    present = set(stems)
    found = []
    for phrase in sorted((p for p in phrases if p and p[0] in present), key=len, reverse=True):
        n = len(phrase)
        for i in range(len(stems) - n + 1):
            if stems[i:i + n] == phrase:
                found.append((i, phrase))
    return found


def direction_vectors(encoder: Encoder | None, lexicon: Lexicon) -> tuple[np.ndarray, list[str]] | None:
    """The lexicon's "high" and "low" words, encoded once when the knowledge base is fitted."""
    if encoder is None:
        return None
    data = lexicon.comparisons
    words = [(w, "high") for w in data.get("high", [])] + [(w, "low") for w in data.get("low", [])]
    return encoded(encoder, tuple(w for w, _ in words)), [d for _, d in words]


_ENCODED: dict[tuple[int, tuple[str, ...]], tuple[Encoder, np.ndarray]] = {}


def encoded(encoder: Encoder, words: tuple[str, ...]) -> np.ndarray:
    """``encoder.encode(words)`` for a lexicon's word lists, encoded once per encoder and shared by
    every knowledge base fitted with them (a library's thousand guides would otherwise encode them,
    and keep them, a thousand times). The same batch gives the same vectors, to the bit."""
    key = (id(encoder), words)
    hit = _ENCODED.get(key)
    if hit is not None and hit[0] is encoder:
        return hit[1]
    vectors = encoder.encode(list(words))
    while len(_ENCODED) >= 4 * _KEPT:
        _ENCODED.pop(next(iter(_ENCODED)))
    _ENCODED[key] = (encoder, vectors)
    return vectors
