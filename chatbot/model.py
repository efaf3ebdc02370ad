"""The data the pipeline passes between stages: values, records, units and replies.

Everything here is a frozen dataclass, built once when a document is parsed and never
mutated afterwards, so one knowledge base can serve many threads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ValueKind = Literal["money", "percent", "count", "number", "place", "text", "na", "unreadable", "conflict"]
UnitKind = Literal["faq", "fact", "list", "record"]


class KnowledgeError(ValueError):
    """A knowledge file could not be read; the message names the file and, where known, the line."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.reason = message
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")


class QuestionSetError(KnowledgeError):
    """A question set (or a log of questions) could not be read; the message names the file and the line."""


@dataclass(frozen=True)
class GuideWarning:
    """Something malformed that loading a knowledge file went past: the file, the line and what.

    Collected on ``Document.warnings``; ``chatbot inspect`` lists them and the other commands
    print them once on stderr.
    """

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else str(self.path)
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Value:
    """One attribute value as written in the document, with its parsed type.

    ``raw`` is the text exactly as the document gives it ("$14,328", "N/A");
    ``number`` is its numeric value where it has one, else None (always None for N/A).
    A value that looks like a figure but does not read as one ("$14,3") is ``unreadable``;
    a field given twice with different values is one ``conflict`` value whose ``raw`` joins
    them ("49% or 94%"). Neither has a number, so neither is ranked or compared.
    """

    raw: str
    kind: ValueKind
    number: float | None = None

    @property
    def available(self) -> bool:
        """Is there a usable value: not N/A, not unreadable, not two values at once?"""
        return self.kind not in ("na", "unreadable", "conflict")

    @property
    def shown(self) -> str:
        """The value as a reply shows it: an unreadable one is marked as such."""
        return f"{self.raw} (unreadable)" if self.kind == "unreadable" else self.raw


@dataclass(frozen=True)
class Field:
    """A named attribute of a record: ``In-State Tuition: $7,404``."""

    label: str
    value: Value
    line: int


@dataclass(frozen=True)
class Record:
    """A named thing with attributes: a school, the salary figures, a resource organisation.

    ``group`` is the title of the section the record stands in; ``note`` is the passage that
    directly follows the record's figures in the document (for example, their data source).
    A record named after its own section (the salary figures) has ``own_section`` set.
    """

    name: str
    group: str
    fields: tuple[Field, ...]
    lines: tuple[int, int]
    place: str | None = None
    acronym: str | None = None
    description: str | None = None
    note: str | None = None
    own_section: bool = False

    def get(self, label: str) -> Field | None:
        for f in self.fields:
            if f.label == label:
                return f
        return None


@dataclass(frozen=True)
class Unit:
    """One retrievable piece of the document, with what is needed to cite it.

    ``title`` is the bullet title, the FAQ question, the record name or, for a plain
    paragraph, the section title. ``lines`` is the 1-based inclusive line span. An FAQ
    entry asked in several ways keeps them all in ``questions``; one given several different
    answers keeps them all in ``answers`` (``text`` is the first).
    """

    id: str
    kind: UnitKind
    section: str
    title: str
    text: str
    lines: tuple[int, int]
    record: Record | None = None
    questions: tuple[str, ...] = ()  # an FAQ entry's phrasings, ``title`` first; () when it has one
    answers: tuple[str, ...] = ()  # an FAQ entry's answers, ``text`` first; () when it has one

    def cite(self) -> str:
        start, end = self.lines
        span = f"line {start}" if start == end else f"lines {start}-{end}"
        return f"{self.section or 'document'}, {span}" if self.lines != (0, 0) else self.section


@dataclass(frozen=True)
class Context:
    """What a reply was about, so that a follow-up can reuse it: record names and an attribute,
    in a library of guides the guide (by name) the conversation is about, and ``topic``, the
    question last answered ("whats the salary", which "does it go up over time?" continues)."""

    records: tuple[str, ...] = ()
    attribute: str | None = None
    guide: str | None = None
    topic: str | None = None


@dataclass(frozen=True)
class Suggestion:
    """A question the bot offers; ``unit`` is the passage it stands for, when it stands for one;
    ``guide``, in a library, the guide it is asked in."""

    question: str
    unit: Unit | None = None
    guide: str | None = None


@dataclass(frozen=True)
class Reply:
    """What the bot says, and why.

    ``short`` is the precise value when one was asked for ("$47,470"); ``answered`` is False
    when the bot declines; ``source`` is the unit the reply came from; ``alternatives`` are the
    next-best units, best first; ``suggestions`` are the numbered questions a decline offers;
    ``context`` is what the reply was about, for a follow-up question; ``guide``, in a library
    of guides, the guide (its file's stem) the reply comes from. A reply that asks which career
    is meant has the intent "clarify" and offers the careers as numbered suggestions.
    """

    text: str
    answered: bool
    confidence: float
    short: str | None = None
    source: Unit | None = None
    alternatives: tuple[Unit, ...] = field(default_factory=tuple)
    intent: str = "passage"
    suggestions: tuple[Suggestion, ...] = field(default_factory=tuple)
    context: Context | None = None
    guide: str | None = None

    def to_dict(self) -> dict:
        def unit(u: Unit | None) -> dict | None:
            if u is None:
                return None
            return {"id": u.id, "kind": u.kind, "section": u.section, "title": u.title,
                    "lines": list(u.lines)}

        return {
            "text": self.text,
            "short": self.short,
            "answered": self.answered,
            "confidence": round(self.confidence, 4),
            "intent": self.intent,
            "source": unit(self.source),
            "alternatives": [unit(a) for a in self.alternatives],
            "suggestions": [s.question for s in self.suggestions],
            "guide": self.guide,
        }
