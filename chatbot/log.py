"""The unanswered-questions log, and the review that turns it into a to-do list.

Every declined or low-confidence question is appended as one JSON line: time, question,
confidence, the reply's intent and the questions it suggested. Each record is written by a
single ``os.write`` on a file opened with ``O_APPEND`` and then fsynced, so records from many
processes never interleave, and a process killed later loses nothing it had already logged.
"""

from __future__ import annotations

import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz

from .model import QuestionSetError, Reply
from .parse import json_lines, read_text
from .text import default_lexicon, json_text

LOW_CONFIDENCE = 0.6  # answered replies below this are logged too


class UnansweredLog:
    """Appends declined and low-confidence questions to a JSONL file.

    If the file cannot be opened or written, ``warn`` is told once and the bot goes on.
    """

    def __init__(self, path: str | Path, *, low_confidence: float = LOW_CONFIDENCE, warn=None) -> None:
        self.path = Path(path)
        self.low_confidence = low_confidence
        self._warn = warn or (lambda message: print(message, file=sys.stderr))
        self._broken = False

    def wants(self, reply: Reply) -> bool:
        if reply.intent in ("chitchat", "goodbye"):
            return False
        return not reply.answered or reply.confidence < self.low_confidence

    def record(self, question: str, reply: Reply) -> bool:
        """Log the question if it was declined or answered with low confidence; True if written."""
        if self._broken or not self.wants(reply):
            return False
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "question": question[:1000],
            "confidence": round(reply.confidence, 4),
            "answered": reply.answered,
            "suggestions": [s.question for s in reply.suggestions]
            or [u.title for u in reply.alternatives[:3]],
        }
        # Lone surrogates (undecodable bytes from argv or a pipe) are written as \\u escapes: the
        # line always encodes, and reading it back gives the question exactly as it was asked.
        line = (json_text(entry) + "\n").encode("utf-8")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                written = os.write(fd, line)  # one write: the record lands whole or not at all
                os.fsync(fd)
            finally:
                os.close(fd)
            if written != len(line):
                raise OSError(f"wrote {written} of {len(line)} bytes")
        except OSError as e:
            self._broken = True
            self._warn(f"chatbot: warning: unanswered questions not logged ({self.path}: {e.strerror or e})")
            return False
        return True


# ---------------------------------------------------------------- review

@dataclass(frozen=True)
class Group:
    """Logged questions that ask the same thing, most frequent wording first."""

    questions: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.questions)

    @property
    def example(self) -> str:
        counts: dict[str, int] = {}
        for q in self.questions:
            counts[q] = counts.get(q, 0) + 1
        return max(counts, key=counts.get)


def read_log(path: str | Path) -> list[dict]:
    """The records of a log; a damaged line is named in the error."""
    records = []
    for n, entry in json_lines(read_text(path), str(path), QuestionSetError):
        if not isinstance(entry.get("question"), str):
            raise QuestionSetError(str(path), "a record needs a 'question' string", n)
        records.append(entry)
    return records


def _key(question: str, lexicon) -> str:
    """The question's content words, canonical: "tuition at Harvard University" -> "tuition harvard school"."""
    return " ".join(lexicon.terms(question)) or " ".join(re.findall(r"[a-z0-9]+", question.lower()))


def group_questions(questions: list[str], *, similarity: float = 80.0) -> list[Group]:
    """Group questions whose content words are nearly the same (RapidFuzz token-set ratio), biggest first."""
    lexicon = default_lexicon()

    groups: list[tuple[str, list[str]]] = []
    for question in questions:
        key = _key(question, lexicon)
        for head, members in groups:
            if fuzz.token_set_ratio(key, head) >= similarity:
                members.append(question)
                break
        else:
            groups.append((key, [question]))
    result = [Group(tuple(members)) for _, members in groups]
    return sorted(result, key=lambda g: -g.count)


def format_review(groups: list[Group], *, top: int = 20) -> str:
    if not groups:
        return "No unanswered questions logged."
    total = sum(g.count for g in groups)
    lines = [f"{total} unanswered questions in {len(groups)} groups; the most asked first:", ""]
    for g in groups[:top]:
        others = sorted(set(g.questions) - {g.example})
        lines.append(f"{g.count:5d}  {g.example}")
        for other in others[:3]:
            lines.append(f"       also: {other}")
    if len(groups) > top:
        lines.append(f"\n({len(groups) - top} more groups; --top N shows more)")
    return "\n".join(lines)
