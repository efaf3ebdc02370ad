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
from dataclasses import field as dataclass_field
from functools import cache, lru_cache
from pathlib import Path

from .shipped import shipped_file

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-",
                         "\u2014": "-", "\u00a0": " "})
# Letters joined by "&" are one name ("A&M", "AT&T"), not two stray letters.
_TOKEN = re.compile(r"\d[\d,]*(?:\.\d+)?k?\b|\d[\d,]*(?:\.\d+)?|[a-z]{1,2}&[a-z]{1,2}\b|[a-z]+")
# Larger than any figure a career guide gives (a quadrillion): a number beyond it is "too large",
# never a bound, a ranking key or a float that overflows.
MAX_FIGURE = 1e15
_DIGIT = re.compile(r"\d")
_MAX_DIGITS = 16  # more integer digits than this is beyond MAX_FIGURE without converting anything
# What a terminal must not receive raw: C0 and C1 controls (a newline aside), DEL, the bidi
# overrides and isolates that reorder what is shown, and lone surrogates (undecodable bytes).
_UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# The same inside JSON text, which escapes C0 itself: DEL, C1, bidi controls and surrogates.
_UNSAFE_JSON = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def normalize(text: str) -> str:
    """Unicode-normalise, fold case and straighten quotes and dashes."""
    return unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()


def tokens(text: str) -> list[str]:
    """Lower-case word and number tokens; possessive 's dropped; "14,328" -> "14328", "10k" -> "10000"."""
    text = normalize(text).replace("'s ", " ").replace("'", "")
    found = _TOKEN.findall(text)
    if not _DIGIT.search(text):
        return found  # most passages: words only, nothing to convert
    return [_number(t) if t[0].isdigit() else t for t in found]


def _number(token: str) -> str:
    """"14,328" -> "14328"; "10k" -> "10000". A number too large to be a figure keeps its digits."""
    token = token.replace(",", "")
    if token.endswith("k"):
        if len(token.split(".")[0]) > _MAX_DIGITS:
            return token[:-1]  # too large either way: never multiplied, never a float that overflows
        value = float(token[:-1]) * 1000
        return str(int(value)) if value == int(value) else str(value)
    return token


def number_value(token: str) -> float | None:
    """The value of a number token ("14328", "22.82"), or None when it is too large to be a figure."""
    if len(token.split(".")[0]) > _MAX_DIGITS:
        return None
    value = float(token)
    return value if value <= MAX_FIGURE else None


def too_large(token: str) -> bool:
    """Is this a number token beyond any plausible figure (more than ``MAX_FIGURE``)?"""
    return token[:1].isdigit() and number_value(token) is None


def visible(text: str) -> str:
    """Text safe to print on a terminal: control characters, bidi overrides and lone surrogates
    are shown as escapes ("\\x1b", "\\u202e", "\\udcff"); newlines are kept."""
    return _UNSAFE.sub(_escape, text)


def _escape(m: re.Match) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def json_text(obj: object, **options) -> str:
    """JSON for a terminal or a log: non-ASCII kept readable, but DEL, C1 and bidi controls and lone
    surrogates written as \\u escapes, so the text encodes as UTF-8 and ``json.loads`` gives back
    exactly what was written."""
    text = json.dumps(obj, ensure_ascii=False, **options)
    return _UNSAFE_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


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


@cache
def _english_stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def root(word: str) -> str:
    """A word's root by the Snowball English stemmer ("welding" -> "weld", "nursing" -> "nurs"):
    for telling a word of the career's own root from another career's name."""
    return _english_stemmer().stemWord(word)


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
    role_anchors: tuple[str, str] | None = None  # an occupation / anything else, for the sentence model
    person_anchors: tuple[str, str] | None = None  # a person / an activity, for the sentence model
    number_words: frozenset[str] = frozenset()
    count_cues: tuple[str, ...] = ()
    money_cues: tuple[str, ...] = ()
    share_cues: tuple[str, ...] = ()
    range_cues: tuple[str, ...] = ()
    anaphora: frozenset[str] = frozenset()
    determiners: frozenset[str] = frozenset()
    follow_up_openers: tuple[tuple[str, ...], ...] = ()
    residence_term: str | None = None
    residence_negations: tuple[str, ...] = ()
    price_gap: dict[str, tuple[str, ...]] = dataclass_field(default_factory=dict)
    unreported_cues: tuple[str, ...] = ()
    attribute_joiners: tuple[str, ...] = ()
    asking_words: frozenset[str] = frozenset()

    @classmethod
    def from_dict(cls, data: dict) -> Lexicon:
        synonyms: dict[tuple[str, ...], str] = {}
        for canonical, variants in data.get("synonyms", {}).items():
            target = stem(canonical)
            for variant in [canonical, *variants]:
                synonyms[tuple(stem(t) for t in tokens(variant))] = target
        # A phrase that begins with a word for "another" ("another state") is said with any of them
        # ("a different state"): the comparisons' ``others``.
        others = {stem(w) for w in data.get("comparisons", {}).get("others", [])}
        for phrase, target in list(synonyms.items()):
            if len(phrase) > 1 and phrase[0] in others:
                for word in others:
                    synonyms.setdefault((word, *phrase[1:]), target)
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
            role_anchors=(anchors["role"], anchors["other"]) if (anchors := data.get("role_anchors")) else None,
            person_anchors=(persons["person"], persons["activity"])
            if (persons := data.get("person_anchors")) else None,
            number_words=frozenset(data.get("number_words", [])),
            count_cues=tuple(" ".join(stem(t) for t in tokens(c)) for c in data.get("count_cues", [])),
            money_cues=tuple(" ".join(stem(t) for t in tokens(c)) for c in data.get("money_cues", [])),
            share_cues=tuple(" ".join(stem(t) for t in tokens(c)) for c in data.get("share_cues", [])),
            range_cues=tuple(" ".join(stem(t) for t in tokens(c)) for c in data.get("range_cues", [])),
            anaphora=frozenset(stem(w) for w in data.get("anaphora", [])),
            determiners=frozenset(data.get("determiners", [])),
            follow_up_openers=tuple(tuple(stem(t) for t in tokens(o)) for o in data.get("follow_up_openers", [])),
            residence_term=stem(data["residence_term"]) if data.get("residence_term") else None,
            residence_negations=tuple(" ".join(stem(t) for t in tokens(w))
                                      for w in data.get("residence_negations", [])),
            price_gap={k: tuple(" ".join(stem(t) for t in tokens(w)) for w in v)
                       for k, v in data.get("price_gap", {}).items()},
            unreported_cues=tuple(" ".join(stem(t) for t in tokens(c)) for c in data.get("unreported_cues", [])),
            asking_words=frozenset(stem(w) for w in data.get("asking_words", [])),
            attribute_joiners=tuple(" ".join(stem(t) for t in tokens(w)) for w in data.get("attribute_joiners", [])),
        )

    def terms(self, text: str, *, keep_stopwords: bool = False) -> list[str]:
        """Canonical terms of ``text``: tokens, stemmed, with synonyms (longest phrase first) mapped."""
        return self.canonical([stem(t) for t in tokens(text)], keep_stopwords=keep_stopwords)

    def canonical(self, stems: list[str], *, keep_stopwords: bool = False) -> list[str]:
        """Map stemmed tokens through the synonyms, longest phrase first; drop stopwords.

        Single words are mapped in bulk; a phrase of two or more words is tried only where one
        can start (loading a 15 MB guide spends most of its time here).
        """
        out: list[str] = []
        single, starts = self._single, self._phrase_starts
        i = 0
        for j in [k for k, word in enumerate(stems) if word in starts]:
            if j < i:
                continue  # inside a phrase already mapped
            out += [single.get(word, word) for word in stems[i:j]]
            for n in range(min(self.longest_phrase, len(stems) - j), 1, -1):
                target = self.synonyms.get(tuple(stems[j:j + n]))
                if target is not None:
                    out.append(target)
                    i = j + n
                    break
            else:
                out.append(single.get(stems[j], stems[j]))
                i = j + 1
        out += [single.get(word, word) for word in stems[i:]]
        if keep_stopwords:
            return out
        stopwords = self.stopwords
        return [t for t in out if t not in stopwords]

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
