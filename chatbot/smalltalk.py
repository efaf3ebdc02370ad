"""Chit-chat: greetings, thanks, goodbyes and "what can you do?" get short replies from data.

A message is chit-chat when the whole of it is one of the patterns in ``smalltalk.json``
(lower-cased, punctuation dropped, a typo or a swapped pair of letters allowed), so "hi,
what's the salary?" is still a question; or, with the sentence model, when it is short, of at
most one content word, and clearly closer to a pattern than to the knowledge base
(``SemanticSmalltalk``: "thanks, that was useful"). A kind marked ``declines`` ("what time is
it?") is a polite decline, for the patterns themselves only.
"""

from __future__ import annotations

import json
import re
import threading
import weakref
from dataclasses import dataclass
from functools import cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from .shipped import shipped_file
from .text import normalize

MAX_CHITCHAT_CHARS = 40


@dataclass(frozen=True)
class Smalltalk:
    """One kind of chit-chat: its name, the reply template (and the one for a library of guides)
    and whether it ends the chat."""

    name: str
    reply: str
    ends: bool
    declines: bool = False
    library: str = ""


@dataclass(frozen=True)
class SmalltalkTable:
    patterns: dict[str, Smalltalk]

    @classmethod
    def from_dict(cls, data: dict) -> SmalltalkTable:
        patterns = {}
        for name, entry in data.items():
            if name.startswith("_"):
                continue
            kind = Smalltalk(name, entry["reply"], bool(entry.get("ends", False)), bool(entry.get("declines", False)),
                             entry.get("library", ""))
            for pattern in entry["patterns"]:
                patterns[simplify(pattern)] = kind
        return cls(patterns)

    def match(self, message: str) -> Smalltalk | None:
        """The chit-chat a whole message is, or None."""
        if len(message) > MAX_CHITCHAT_CHARS:
            return None
        text = simplify(message)
        if not text:
            return None
        if text in self.patterns:
            return self.patterns[text]
        if len(text) < 5:  # "hi" and "ty" are matched exactly, never by similarity
            return None
        budget = 1 if len(text) <= 8 else 2  # a swapped pair of letters is one edit: "thnaks"
        hit = process.extractOne(text, list(self.patterns), scorer=OSA.distance, score_cutoff=budget)
        return self.patterns[hit[0]] if hit else None


CHITCHAT_SIMILARITY = 0.4  # the sentence model finds a short message this close to a pattern…
CHITCHAT_MARGIN = 0.25     # …and this much closer to it than to anything the knowledge base says
ENDING_SIMILARITY = 0.65   # a message read as a goodbye by the model alone must be this close


class SemanticSmalltalk:
    """Chit-chat told by the sentence model, for what the patterns miss ("hey, what do you do?",
    "thanks, that was useful", "ok cool"): a short message of at most one content word ("translate
    hello to french" is a request) is the kind of its nearest pattern when it is close to it and
    clearly closer than to any passage of the knowledge base. A goodbye found this way must be
    closer still, since it ends the chat; only the patterns themselves decline ("what time is it")."""

    def __init__(self, table: SmalltalkTable, encoder) -> None:
        kept = {p: k for p, k in table.patterns.items() if not k.declines}  # only patterns decline
        self.kinds = list(kept.values())
        self.vectors = encoder.encode(list(kept))

    @staticmethod
    def may_be(message: str, content_words: int) -> bool:
        """Can a message be chit-chat at all: short, of two words or more and at most one content
        word? Checked before anything is compared, so a question pays nothing for it."""
        return len(message) <= MAX_CHITCHAT_CHARS and content_words <= 1 and len(simplify(message).split()) >= 2

    def match(self, message: str, vector, knowledge_best: float, content_words: int) -> Smalltalk | None:
        """The kind of a message of two words or more and at most one content word, or None."""
        if vector is None or not len(self.vectors) or not self.may_be(message, content_words):
            return None
        sims = self.vectors @ vector
        best = int(sims.argmax())
        similarity = float(sims[best])
        kind = self.kinds[best]
        if similarity < (ENDING_SIMILARITY if kind.ends else CHITCHAT_SIMILARITY):
            return None
        return kind if similarity - knowledge_best >= CHITCHAT_MARGIN else None


_semantic: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_semantic_lock = threading.Lock()


def semantic_smalltalk(encoder) -> SemanticSmalltalk:
    """The model-based matcher for ``encoder``, built once (the patterns encoded on first use)."""
    with _semantic_lock:
        if encoder not in _semantic:
            _semantic[encoder] = SemanticSmalltalk(default_smalltalk(), encoder)
        return _semantic[encoder]


def simplify(text: str) -> str:
    """Lower case, letters and spaces only: "Thank you!!" -> "thank you"."""
    return " ".join(re.sub(r"[^a-z ]+", "", normalize(text).replace("'", "")).split())


@cache
def default_smalltalk() -> SmalltalkTable:
    data = shipped_file("smalltalk.json").read_text(encoding="utf-8")
    return SmalltalkTable.from_dict(json.loads(data))
