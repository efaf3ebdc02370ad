"""Naming careers: which careers a question names, and how surely.

A career is named by its title as written, in the plural, clipped ("rad tech", "surg techs"),
misspelled ("medical asistant") or by its initials typed in capitals ("MAs"); part of its name
(a modifier, "dental", or its head noun alone, "assistant") only suggests it. A library routes
questions with it; a single guide uses it to read its own career's short forms ("rad tech
salary" in the radiologic technologist guide).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from .match import edit_budget
from .text import stem

_WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019]*")


def career_words(career: str) -> tuple[tuple[str, ...], str]:
    """A career's name as lower-case words, and its initials when it has two words or more."""
    words = tuple(w.lower() for w in _WORD.findall(career))
    return words, ("".join(w[0] for w in words) if len(words) > 1 else "")


@lru_cache(maxsize=64)
def own_career(career: str) -> NameIndex:
    """The names of one guide's own career."""
    return NameIndex([career_words(career)], [career])


def another_of_its_kind(question: str, career: str, known: frozenset[str] | set[str],
                        stop: frozenset[str]) -> list[str]:
    """Words naming another career of the same kind as ``career``: its head noun, or a clipped
    form of it, after a word that is neither part of the career's name nor a word the guide
    knows ("surg techs" asked of a radiologic technologist guide; not "x-ray techs", not
    "certified techs"). Returns the two words as typed, or nothing."""
    index = own_career(career)
    words = [m.group() for m in _WORD.finditer(question)]
    name = index.names[0][0]
    if len(name) < 2:
        return []
    for i in range(1, len(words)):
        before = words[i - 1].lower()
        if words[i].lower() in stop or name[-1] not in index.named_by(words[i]) or before in stop or len(before) < 2:
            continue
        if index.named_by(before) & set(name) or stem(before) in known:
            continue
        return [words[i - 1], words[i]]
    return []


@dataclass(frozen=True)
class Mention:
    """A career named in a question: which guide, the words' span, and how (``full``, ``initials``,
    ``part`` of the name: a modifier such as "dental", or the head noun alone, "assistant")."""

    guide: int
    start: int
    end: int
    how: str


NAMED_MEMORY = 100_000  # typed words whose name words are remembered, per index


class NameIndex:
    """The words of every career's name, indexed so that a question's words are looked up, not
    compared with every career: by plural-free form, by the beginning of a word (clipped forms)
    and, for misspellings, with RapidFuzz over the distinct name words at once."""

    def __init__(self, names: list[tuple[tuple[str, ...], str]], careers: list[str]) -> None:
        self.names = names
        self.careers = careers  # each career's name as written, for a question naming it
        self.where: dict[str, list[tuple[int, int]]] = {}  # name word -> (guide, position in its name)
        self.initials: dict[str, list[int]] = {}
        for gi, (words, initials) in enumerate(names):
            for pos, w in enumerate(words):
                self.where.setdefault(w, []).append((gi, pos))
            if initials:
                self.initials.setdefault(initials, []).append(gi)
        self.words = sorted(self.where)
        self._named: dict[str, frozenset[str]] = {}  # typed word -> the name words it names, remembered
        self.stems: dict[str, list[str]] = {}
        for w in self.words:
            self.stems.setdefault(stem(w), []).append(w)

    def named_by(self, typed: str) -> set[str]:
        """The name words a typed word names: the same word (plural or not), a clipped form of it
        ("rad", "surg", "techs"), or a misspelling within the usual edit budget."""
        t = typed.lower()
        known = self._named.get(t)
        if known is not None:
            return set(known)
        found = set(self.stems.get(stem(t), ()))
        clip = t[:-1] if t.endswith("s") and len(t) > 3 else t
        if len(clip) >= 3:
            i = bisect_left(self.words, clip)
            while i < len(self.words) and self.words[i].startswith(clip):
                found.add(self.words[i])
                i += 1
        if len(t) >= 5:
            for probe in {t, stem(t)}:
                for word, distance, _ in process.extract(probe, self.words, scorer=Levenshtein.distance,
                                                         score_cutoff=2, limit=None):
                    if distance <= edit_budget(word):
                        found.add(word)
        if len(self._named) < NAMED_MEMORY:
            self._named[t] = frozenset(found)
        return found

    def mentions(self, question: str, stop: frozenset[str]) -> list[Mention]:
        """Every career the question names, in full ("pharmacy techs", "rad tech"), by its initials
        ("MAs", "RT": typed in capitals, or of three letters or more), or in part: a modifier of its
        name ("dental", "hvac") or its head noun alone ("assistant"), which only suggest it."""
        typed = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(question)]
        words = [w.lower() for w, _, _ in typed]
        matches = [self.named_by(w) for w in words]
        found: list[Mention] = []
        named: set[int] = set()
        for i in range(len(words)):  # in full: every word of the name, in order
            for first in matches[i]:
                for gi, pos in self.where[first]:
                    name = self.names[gi][0]
                    n = len(name)
                    if pos == 0 and i + n <= len(words) and all(name[j] in matches[i + j] for j in range(n)):
                        found.append(Mention(gi, typed[i][1], typed[i + n - 1][2], "full"))
                        named.add(gi)
        for w, start, end in typed:  # by initials
            base = w[:-1] if w.endswith("s") and w[:-1].isupper() else w
            for gi in self.initials.get(base.lower(), ()):
                if gi not in named and (base.isupper() or len(base) >= 3):
                    found.append(Mention(gi, start, end, "initials"))
        parts: dict[int, Mention] = {}
        for i, w in enumerate(words):  # in part: a modifier, or the head noun with nothing before it
            if w in stop:
                continue
            for word in matches[i]:
                for gi, pos in self.where[word]:
                    n = len(self.names[gi][0])
                    if n < 2 or gi in named or gi in parts or any(m.guide == gi for m in found):
                        continue
                    modifier = pos < n - 1 and len(w) >= 3
                    head = pos == n - 1 and (i == 0 or words[i - 1] in stop or not words[i - 1].isalpha())
                    if modifier or head:
                        parts[gi] = Mention(gi, typed[i][1], typed[i][2], "part")
        found += parts.values()
        return sorted(found, key=lambda m: (m.guide, m.start))

    def named(self, question: str, stop: frozenset[str]) -> tuple[list[int], list[int], str]:
        """The guides a question names surely (in full, or by initials only one career has), those it
        only suggests, and the question with each sure mention written as the career's name."""
        mentions = self.mentions(question, stop)
        initials: dict[tuple[int, int], list[int]] = {}
        for m in mentions:
            if m.how == "initials":
                initials.setdefault((m.start, m.end), []).append(m.guide)
        sure = [m for m in mentions
                if m.how == "full" or (m.how == "initials" and len(initials[(m.start, m.end)]) == 1)]
        # a longer full name wins over one inside it ("medical records technician", not "medical ... technician")
        sure = [m for m in sure if not any(o is not m and o.start <= m.start and m.end <= o.end
                                           and (o.end - o.start) > (m.end - m.start) for o in sure)]
        text = question
        for m in sorted(sure, key=lambda m: -m.start):
            text = text[:m.start] + self.careers[m.guide] + text[m.end:]
        named = list(dict.fromkeys(m.guide for m in sorted(sure, key=lambda m: m.start)))
        maybe = list(dict.fromkeys(m.guide for m in mentions if m.guide not in named and m not in sure))
        if sure and maybe:
            maybe = []  # a career named in full outweighs the ones a stray word suggests
        return named, maybe, text
