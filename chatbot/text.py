"""Text normalisation: tokens, a light stemmer, and the lexicon of English word lists.

The same ``Lexicon.terms`` runs on the document and on the question, so a synonym or a
plural is mapped to one canonical term on both sides.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .shipped import shipped_file

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-",
                         "\u2014": "-", "\u00a0": " "})
_TOKEN = re.compile(r"\d[\d,]*(?:\.\d+)?k?\b|\d[\d,]*(?:\.\d+)?|[a-z]+")


def normalize(text: str) -> str:
    """Unicode-normalise, fold case and straighten quotes and dashes."""
    return unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()


def tokens(text: str) -> list[str]:
    """Lower-case word and number tokens; possessive 's dropped; "14,328" -> "14328", "10k" -> "10000"."""
    text = normalize(text).replace("'s ", " ").replace("'", "")
    return [_number(t) if t[0].isdigit() else t for t in _TOKEN.findall(text)]


def _number(token: str) -> str:
    """"14,328" -> "14328"; "10k" -> "10000"."""
    token = token.replace(",", "")
    if token.endswith("k"):
        value = float(token[:-1]) * 1000
        return str(int(value)) if value == int(value) else str(value)
    return token


@functools.lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """Strip a plural ending, conservatively: "services" -> "service", "rates" -> "rate"."""
    if len(word) <= 3 or word[0].isdigit():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith(("ss", "us", "is")) or not word.endswith("s"):
        return word
    return word[:-1]


@dataclass(frozen=True)
class Lexicon:
    """English word lists loaded from ``lexicon.json``: synonyms, stopwords, fillers, texts."""

    synonyms: dict[tuple[str, ...], str]
    stopwords: frozenset[str]
    fillers: frozenset[str]
    qualifiers: frozenset[str]
    attribute_only: frozenset[str]
    role_markers: frozenset[tuple[str, ...]]
    value_units: dict[str, str]
    topic_connectors: frozenset[str]
    texts: dict[str, str]
    question_templates: dict[str, str]
    longest_phrase: int
    comparisons: dict
    figure_cues: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: dict) -> Lexicon:
        synonyms: dict[tuple[str, ...], str] = {}
        for canonical, variants in data.get("synonyms", {}).items():
            target = stem(canonical)
            for variant in [canonical, *variants]:
                synonyms[tuple(stem(t) for t in tokens(variant))] = target
        return cls(
            synonyms=synonyms,
            stopwords=frozenset(stem(w) for w in data.get("stopwords", [])),
            fillers=frozenset(stem(w) for w in data.get("fillers", [])),
            qualifiers=frozenset(stem(w) for w in data.get("qualifiers", [])),
            attribute_only=frozenset(stem(w) for w in data.get("attribute_only", [])),
            role_markers=frozenset(tuple(stem(t) for t in tokens(m)) for m in data.get("role_markers", [])),
            value_units={stem(k): v for k, v in data.get("value_units", {}).items()},
            topic_connectors=frozenset(data.get("topic_connectors", [])),
            texts=dict(data.get("texts", {})),
            question_templates=dict(data.get("question_templates", {})),
            longest_phrase=max((len(k) for k in synonyms), default=1),
            comparisons=dict(data.get("comparisons", {})),
            figure_cues=tuple(" ".join(stem(t) for t in tokens(c)) for c in data.get("figure_cues", [])),
        )

    def terms(self, text: str, *, keep_stopwords: bool = False) -> list[str]:
        """Canonical terms of ``text``: tokens, stemmed, with synonyms (longest phrase first) mapped."""
        return self.canonical([stem(t) for t in tokens(text)], keep_stopwords=keep_stopwords)

    def canonical(self, stems: list[str], *, keep_stopwords: bool = False) -> list[str]:
        """Map stemmed tokens through the synonyms, longest phrase first; drop stopwords."""
        out: list[str] = []
        single, starts = self._single, self._phrase_starts
        i = 0
        while i < len(stems):
            word = stems[i]
            if word in starts:  # only here can a phrase of two or more words begin
                for n in range(min(self.longest_phrase, len(stems) - i), 1, -1):
                    target = self.synonyms.get(tuple(stems[i:i + n]))
                    if target is not None:
                        out.append(target)
                        i += n
                        break
                else:
                    out.append(single.get(word, word))
                    i += 1
            else:
                out.append(single.get(word, word))
                i += 1
        if keep_stopwords:
            return out
        return [t for t in out if t not in self.stopwords]

    @functools.cached_property
    def _single(self) -> dict[str, str]:
        return {k[0]: v for k, v in self.synonyms.items() if len(k) == 1}

    @functools.cached_property
    def _phrase_starts(self) -> frozenset[str]:
        return frozenset(k[0] for k in self.synonyms if len(k) > 1)

    def variants(self, canonical: str) -> list[str]:
        """The words and phrases the lexicon maps to ``canonical``, as written there."""
        return self._variants.get(canonical, [])

    @functools.cached_property
    def _variants(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for phrase, target in self.synonyms.items():
            if phrase != (target,):
                out.setdefault(target, []).append(" ".join(phrase))
        return out

    def text(self, key: str, **values: str) -> str:
        return self.texts[key].format(**values)


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """Load a lexicon file; without a path, the one shipped with the package."""
    if path is None:
        return default_lexicon()
    return Lexicon.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


@cache
def default_lexicon() -> Lexicon:
    data = shipped_file("lexicon.json").read_text(encoding="utf-8")
    return Lexicon.from_dict(json.loads(data))
