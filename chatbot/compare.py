"""Questions across records, computed on the values' types: superlatives, filters, comparisons, rankings.

"Which school is the cheapest?", "schools with a graduation rate above 40%", "are there any
schools in Arizona?", "is Purdue Global cheaper than SNHU?", "list the schools by tuition".
Each function takes records and an attribute and returns data (who wins, who passes, who is
left out); ``decide`` chooses which to run and ``reply`` words the result. A value that is not
available (N/A), cannot be read or is given twice has no number, so it is left out of every
ranking, and the result says which records that was.
"""

from __future__ import annotations

from dataclasses import dataclass

from .index import RecordKey
from .model import Record
from .vocabulary import Vocabulary as Vocabulary  # indexes cached before it moved name it here
from .vocabulary import areas


def matches_place(record: Record, places: tuple[str, ...], codes: dict[str, str]) -> bool:
    """Is the record in one of ``places`` (state codes, "AZ", city names, "Phoenix", or areas of states,
    "Midwest")?"""
    city, _, region = (record.place or "").partition(",")
    city, region = city.strip(), region.strip()
    spans = areas()
    return any(p == region or p == city or codes.get(p) == region or region in spans.get(p, ()) for p in places)


def number(record: Record, label: str) -> float | None:
    """The record's value of ``label`` as a number, or None when it has no usable one."""
    f = record.get(label)
    return f.value.number if f is not None and f.value.available else None


def unusable(record: Record, label: str) -> str | None:
    """"unreadable" or "conflict" when the record's value cannot be ranked for that reason, else None."""
    f = record.get(label)
    return f.value.kind if f is not None and f.value.kind in ("unreadable", "conflict") else None


def _rated(keys: tuple[RecordKey, ...], label: str) -> tuple[list[tuple[RecordKey, float]], tuple[RecordKey, ...]]:
    """The records with a number for ``label`` (with it), and those without, each in the given order."""
    rated = [(k, number(k.record, label)) for k in keys]
    return [(k, n) for k, n in rated if n is not None], tuple(k for k, n in rated if n is None)


@dataclass(frozen=True)
class Superlative:
    """The records with the highest (or lowest) value, and those left out for want of one."""

    winners: tuple[RecordKey, ...]
    missing: tuple[RecordKey, ...]
    rank: int = 1


def superlative(owners: tuple[RecordKey, ...], label: str, direction: str, rank: int = 1) -> Superlative:
    """Who has the highest (``direction`` "high") or lowest value, or the ``rank``-th highest or
    lowest ("the second highest"); ties are all winners. No winners when fewer values differ."""
    available, missing = _rated(owners, label)
    values = sorted({n for _, n in available}, reverse=direction == "high")
    if len(values) < rank:
        return Superlative((), missing, rank)
    best = values[rank - 1]
    return Superlative(tuple(k for k, n in available if n == best), missing, rank)


@dataclass(frozen=True)
class Filtered:
    """The records that meet every condition (bounded ones in value order), and those left out."""

    keep: tuple[RecordKey, ...]
    missing: tuple[RecordKey, ...]


def filter_records(owners: tuple[RecordKey, ...], *, label: str | None, bound: tuple[str, float, bool] | None,
                   places: tuple[str, ...], codes: dict[str, str],
                   upper: tuple[str, float, bool] | None = None) -> Filtered:
    """The records in one of ``places`` (if any) whose ``label`` value is within ``bound`` (if any)
    and ``upper`` (if any: a range's other end).

    ``bound`` is ("above" | "below", number, inclusive); records that pass are sorted from the
    bound outwards (highest first above it, lowest first below it).
    """
    keep, missing = list(owners), []
    if places:
        keep = [k for k in keep if matches_place(k.record, places, codes)]
    if bound and label is not None:
        kind, limit, inclusive = bound

        def within(n: float, kind: str, limit: float, inclusive: bool) -> bool:
            if kind == "above":
                return n >= limit if inclusive else n > limit
            return n <= limit if inclusive else n < limit

        def passes(n: float) -> bool:
            return within(n, kind, limit, inclusive) and (upper is None or within(n, *upper))

        missing = [k for k in keep if number(k.record, label) is None]
        keep = sorted((k for k in keep if k not in missing and passes(number(k.record, label))),
                      key=lambda k: number(k.record, label) * (-1 if kind == "above" else 1))
    return Filtered(tuple(keep), tuple(missing))


@dataclass(frozen=True)
class Comparison:
    """Of records compared on one attribute: who has the better value, or who has none."""

    winners: tuple[RecordKey, ...]
    missing: tuple[RecordKey, ...]


def compare_records(keys: tuple[RecordKey, ...], label: str, direction: str) -> Comparison:
    """Which of ``keys`` has the highest (``direction`` "high") or lowest value; no winners when
    any of them has no number to compare."""
    available, missing = _rated(keys, label)
    if missing:
        return Comparison((), missing)
    best = (max if direction == "high" else min)(n for _, n in available)
    return Comparison(tuple(k for k, n in available if n == best), ())


@dataclass(frozen=True)
class Ranking:
    """Records in value order, and those left out for want of a value."""

    ordered: tuple[RecordKey, ...]
    missing: tuple[RecordKey, ...]
    descending: bool


def rank_records(owners: tuple[RecordKey, ...], label: str, direction: str | None) -> Ranking:
    """The records by their ``label`` value: as ``direction`` says, else money lowest first and
    rates and counts highest first."""
    available, missing = _rated(owners, label)
    kinds = {f.value.kind for k, _ in available for f in k.record.fields if f.label == label}
    descending = direction == "high" if direction else "money" not in kinds
    available.sort(key=lambda kn: -kn[1] if descending else kn[1])
    return Ranking(tuple(k for k, _ in available), missing, descending)


@dataclass(frozen=True)
class InPlaces:
    """For each record asked about, whether it is in one of the places asked."""

    answers: tuple[tuple[RecordKey, bool], ...]


def in_places(keys: tuple[RecordKey, ...], places: tuple[str, ...], codes: dict[str, str]) -> InPlaces:
    return InPlaces(tuple((k, matches_place(k.record, places, codes)) for k in keys))
