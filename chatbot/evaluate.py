"""Judging a reply against a test case: expected phrases, forbidden phrases, declines.

A case is a dict with ``question`` and optionally ``expect`` (every phrase must appear),
``expect_any`` (at least one must), ``forbid`` (none may), ``answerable`` (False: the bot
must decline) and ``short`` (the exact precise value). Phrase matching ignores case, runs of
white space and curly versus straight quotes.
"""

from __future__ import annotations

import re

from .model import Reply
from .text import normalize


def fold(text: str) -> str:
    """Lower-case, straight quotes, single spaces: the form phrases are compared in."""
    return re.sub(r"\s+", " ", normalize(text)).strip()


def judge(reply: Reply, case: dict) -> list[str]:
    """Why ``reply`` fails ``case``; an empty list when it passes."""
    problems = []
    text = fold(reply.text)
    if case.get("answerable", True) is False:
        if reply.answered:
            problems.append("answered a question it should decline")
    elif not reply.answered:
        problems.append("declined a question it should answer")
    for phrase in case.get("expect", []):
        if fold(phrase) not in text:
            problems.append(f"missing {phrase!r}")
    any_of = case.get("expect_any", [])
    if any_of and not any(fold(p) in text for p in any_of):
        problems.append(f"none of {any_of!r}")
    for phrase in case.get("forbid", []):
        if fold(phrase) in text:
            problems.append(f"forbidden {phrase!r}")
    if "short" in case and reply.short != case["short"]:
        problems.append(f"short is {reply.short!r}, not {case['short']!r}")
    return problems
