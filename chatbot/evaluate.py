"""Batch evaluation: a question set in, accuracy figures and per-case verdicts out.

A question set is JSONL (one case a line) or CSV (the same column names; list columns
separated by ``|``). A case has ``question`` (or ``turns``, a conversation scored on its last
reply) and optionally:

- ``expect``: every phrase must appear in the reply; ``expect_any``: at least one must;
  ``forbid``: none may. Matching ignores case, runs of white space and curly quotes.
- ``answerable``: false means the bot must decline.
- ``short``: the exact precise value the reply must give.
- ``expect_ids``: for question/answer-pair knowledge, the first-ranked entry must be one of
  these (and P@1 and MRR@10 are computed from the ranking).
- ``id``, ``tags`` (for per-tag accuracy), ``xfail`` (a known failure, with its reason).

Any other field is an error naming the line.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .api import Conversation, default_knowledge
from .library import Library
from .match import make_query, rank_units
from .model import KnowledgeError, QuestionSetError, Reply
from .parse import json_lines, read_text
from .text import json_text, normalize

FIELDS = {"id", "question", "turns", "expect", "expect_any", "forbid", "answerable", "tags", "expect_ids",
          "short", "xfail", "guide"}
LISTS = ("turns", "expect", "expect_any", "forbid", "tags", "expect_ids")


@dataclass(frozen=True)
class Case:
    """One test case of a question set."""

    id: str
    turns: tuple[str, ...]
    expect: tuple[str, ...] = ()
    expect_any: tuple[str, ...] = ()
    forbid: tuple[str, ...] = ()
    answerable: bool = True
    tags: tuple[str, ...] = ()
    expect_ids: tuple[str, ...] = ()
    short: str | None = None
    xfail: str | None = None
    line: int = 0
    guide: str | None = None  # in a library of guides, the guide (file stem) that should answer

    @property
    def question(self) -> str:
        return self.turns[-1]


@dataclass(frozen=True)
class Result:
    """A case, the reply it got, and why it failed (empty when it passed)."""

    case: Case
    reply: Reply
    problems: tuple[str, ...]
    latencies_ms: tuple[float, ...]
    ranked_ids: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Summary:
    """The figures of one evaluation run."""

    cases: int
    accuracy: float
    answerable_accuracy: float | None
    out_of_scope_declined: float | None
    wrongly_declined: int
    per_tag: dict[str, tuple[int, int]]  # tag -> (right, cases)
    p_at_1: float | None
    mrr_at_10: float | None
    latency_p50_ms: float
    latency_p95_ms: float
    failures: tuple[Result, ...] = field(default_factory=tuple)
    per_guide: dict[str, tuple[int, int]] = field(default_factory=dict)  # guide -> (right, cases), in a library
    routing: float | None = None  # share of the cases naming a guide that it answered from (a library)

    def to_dict(self) -> dict:
        return {
            "cases": self.cases,
            "accuracy": self.accuracy,
            "answerable_accuracy": self.answerable_accuracy,
            "out_of_scope_declined": self.out_of_scope_declined,
            "wrongly_declined": self.wrongly_declined,
            "per_tag": {t: {"right": r, "cases": n, "accuracy": r / n} for t, (r, n) in self.per_tag.items()},
            "p_at_1": self.p_at_1,
            "mrr_at_10": self.mrr_at_10,
            "latency_p50_ms": self.latency_p50_ms,
            "latency_p95_ms": self.latency_p95_ms,
            "per_guide": {g: {"right": r, "cases": n, "accuracy": r / n} for g, (r, n) in self.per_guide.items()},
            "routing": self.routing,
            "failures": [_result_dict(r) for r in self.failures],
        }


# ---------------------------------------------------------------- reading question sets

def _as_case(obj: dict, path: str, line: int, number: int) -> Case:
    unknown = sorted(set(obj) - FIELDS)
    if unknown:
        raise QuestionSetError(path, f"unknown field(s) {', '.join(unknown)}; "
                                     f"a case may have {', '.join(sorted(FIELDS))}", line)
    obj = {k: v for k, v in obj.items() if v is not None}  # JSON null means absent
    if "question" in obj and "turns" in obj:
        raise QuestionSetError(path, "a case has 'question' or 'turns', not both", line)
    if "turns" in obj:
        turns = obj["turns"]
        if not isinstance(turns, list) or not turns or not all(isinstance(t, str) and t.strip() for t in turns):
            raise QuestionSetError(path, "'turns' must be a non-empty list of questions", line)
    elif isinstance(obj.get("question"), str) and obj["question"].strip():
        turns = [obj["question"]]
    else:
        raise QuestionSetError(path, "missing 'question' (or 'turns')", line)
    for name in LISTS[1:]:
        value = obj.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise QuestionSetError(path, f"'{name}' must be a list of strings", line)
    answerable = obj.get("answerable", True)
    if not isinstance(answerable, bool):
        raise QuestionSetError(path, "'answerable' must be true or false", line)
    for name in ("id", "short", "xfail", "guide"):
        if name in obj and not isinstance(obj[name], str):
            raise QuestionSetError(path, f"'{name}' must be a string", line)
    return Case(id=obj.get("id") or f"case-{number}", turns=tuple(turns),
                expect=tuple(obj.get("expect", [])), expect_any=tuple(obj.get("expect_any", [])),
                forbid=tuple(obj.get("forbid", [])), answerable=answerable, tags=tuple(obj.get("tags", [])),
                expect_ids=tuple(obj.get("expect_ids", [])), short=obj.get("short"), xfail=obj.get("xfail"),
                line=line, guide=obj.get("guide"))


def _csv_row(row: dict, path: str, line: int) -> dict:
    obj: dict = {}
    for key, value in row.items():
        if key is None:
            raise QuestionSetError(path, "more values than columns", line)
        value = (value or "").strip()
        if not value:
            continue
        if key in LISTS:
            obj[key] = [v.strip() for v in value.split("|") if v.strip()]
        elif key == "answerable":
            if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise QuestionSetError(path, f"'answerable' must be true or false, not {value!r}", line)
            obj[key] = value.lower() in ("true", "1", "yes")
        else:
            obj[key] = value
    return obj


def load_cases(path: str | Path) -> list[Case]:
    """Read a question set (.jsonl or .csv), checking every case before any is run."""
    try:
        text = read_text(path)
    except KnowledgeError as e:
        raise QuestionSetError(e.path, e.reason, e.line) from None
    name = str(path)
    cases = []
    if Path(path).suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        unknown = sorted(set(reader.fieldnames or []) - FIELDS)
        if unknown:
            raise QuestionSetError(name, f"unknown column(s) {', '.join(unknown)}", 1)
        for row in reader:
            cases.append(_as_case(_csv_row(row, name, reader.line_num), name, reader.line_num, len(cases) + 1))
    else:
        for line, obj in json_lines(text, name, QuestionSetError):
            cases.append(_as_case(obj, name, line, len(cases) + 1))
    if not cases:
        raise QuestionSetError(name, "no cases")
    return cases


# ---------------------------------------------------------------- judging

def fold(text: str) -> str:
    """Lower-case, straight quotes, single spaces: the form phrases are compared in."""
    return re.sub(r"\s+", " ", normalize(text)).strip()


def judge(reply: Reply, case: dict | Case) -> list[str]:
    """Why ``reply`` fails ``case``; an empty list when it passes."""
    get = case.get if isinstance(case, dict) else (lambda k, d=None: getattr(case, k, d))
    problems = []
    text = fold(reply.text)
    if get("answerable", True) is False:
        if reply.answered:
            problems.append("answered a question it should decline")
    elif not reply.answered:
        problems.append("declined a question it should answer")
    for phrase in get("expect", ()) or ():
        if fold(phrase) not in text:
            problems.append(f"missing {phrase!r}")
    any_of = get("expect_any", ()) or ()
    if any_of and not any(fold(p) in text for p in any_of):
        problems.append(f"none of {list(any_of)!r}")
    for phrase in get("forbid", ()) or ():
        if fold(phrase) in text:
            problems.append(f"forbidden {phrase!r}")
    short = get("short", None)
    if short is not None and reply.short != short:
        problems.append(f"short is {reply.short!r}, not {short!r}")
    return problems


def _ranked_ids(question: str, reply: Reply, knowledge) -> tuple[str, ...]:
    """The entries in rank order, the reply's own source first: for P@1 and MRR@10."""
    ranked = [knowledge.units_[i].id for i, _ in rank_units(make_query(question, knowledge), knowledge, k=10)]
    if reply.answered and reply.source is not None:
        ranked = [reply.source.id] + [i for i in ranked if i != reply.source.id]
    return tuple(ranked[:10])


def run_case(case: Case, knowledge) -> Result:
    """Ask a case's question (or each of its turns) and judge the last reply."""
    conversation = Conversation(knowledge)
    latencies = []
    for turn in case.turns:
        start = time.perf_counter()
        reply = conversation.ask(turn)
        latencies.append((time.perf_counter() - start) * 1000)
    problems = judge(reply, case)
    if case.guide is not None and isinstance(knowledge, Library) and not _routed(reply, case):
        problems.append(f"answered from {reply.guide!r}, not the guide {case.guide!r}")
    ranked: tuple[str, ...] = ()
    if case.expect_ids:
        ranked = _ranked_ids(case.question, reply, knowledge)
        if not ranked or ranked[0] not in case.expect_ids:
            problems.append(f"first-ranked entry is {ranked[0] if ranked else None!r}, "
                            f"not one of {list(case.expect_ids)!r}")
    return Result(case, reply, tuple(problems), tuple(latencies), ranked)


def _routed(reply: Reply, case: Case) -> bool:
    """Did a library answer a case from the guide it names (or, for a case it should decline, not
    from another guide)?"""
    if not case.answerable:
        return not reply.answered or reply.guide in (None, case.guide)
    return reply.guide == case.guide


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summarize(results: list[Result]) -> Summary:
    n = len(results)
    right = sum(r.passed for r in results)
    answerable = [r for r in results if r.case.answerable]
    out_of_scope = [r for r in results if not r.case.answerable]
    per_tag: dict[str, tuple[int, int]] = {}
    for r in results:
        for tag in r.case.tags:
            ok, total = per_tag.get(tag, (0, 0))
            per_tag[tag] = (ok + r.passed, total + 1)
    ranked = [r for r in results if r.case.expect_ids]
    p1 = mrr = None
    if ranked:
        p1 = sum(bool(r.ranked_ids) and r.ranked_ids[0] in r.case.expect_ids for r in ranked) / len(ranked)
        mrr = sum(next((1 / k for k, i in enumerate(r.ranked_ids, 1) if i in r.case.expect_ids), 0.0)
                  for r in ranked) / len(ranked)
    latencies = [ms for r in results for ms in r.latencies_ms]
    per_guide: dict[str, tuple[int, int]] = {}
    guided = [r for r in results if r.case.guide is not None]
    for r in guided:
        ok, total = per_guide.get(r.case.guide, (0, 0))
        per_guide[r.case.guide] = (ok + r.passed, total + 1)
    routed = [r for r in guided if r.reply.guide is not None or not r.reply.answered]
    return Summary(
        cases=n,
        accuracy=right / n if n else 0.0,
        answerable_accuracy=sum(r.passed for r in answerable) / len(answerable) if answerable else None,
        out_of_scope_declined=sum(not r.reply.answered for r in out_of_scope) / len(out_of_scope)
        if out_of_scope else None,
        wrongly_declined=sum(not r.reply.answered for r in answerable),
        per_tag=dict(sorted(per_tag.items())),
        p_at_1=p1, mrr_at_10=mrr,
        latency_p50_ms=_percentile(latencies, 0.5), latency_p95_ms=_percentile(latencies, 0.95),
        failures=tuple(r for r in results if not r.passed),
        per_guide=dict(sorted(per_guide.items())),
        routing=sum(_routed(r.reply, r.case) for r in guided) / len(guided) if guided and routed else None,
    )


@dataclass(frozen=True)
class Evaluation:
    results: tuple[Result, ...]
    summary: Summary


def evaluate(cases: str | Path | Iterable[Case], knowledge=None, *,
             progress: Callable[[int, int], None] | None = None) -> Evaluation:
    """Run a question set against a knowledge base (default: the shipped guide).

    ``cases`` is a path to a .jsonl or .csv question set, or Case objects. ``progress`` is
    called with (done, total) after each case.
    """
    case_list = load_cases(cases) if isinstance(cases, (str, Path)) else list(cases)
    kb = knowledge if knowledge is not None else default_knowledge()
    results = []
    for n, case in enumerate(case_list, 1):
        results.append(run_case(case, kb))
        if progress is not None:
            progress(n, len(case_list))
    return Evaluation(tuple(results), summarize(results))


def calibrate(sets: Iterable[tuple[list[Case], object]], thresholds: Iterable[float] | None = None
              ) -> list[tuple[float, float, float | None]]:
    """Accuracy and out-of-scope declines at each decline threshold, over question sets.

    ``sets`` are (cases, knowledge) pairs. Returns (threshold, accuracy, out_of_scope_declined)
    rows: the bot is re-run at each threshold, so the figures are measured, not estimated.
    """
    import copy

    sets = [(list(cases), kb) for cases, kb in sets]
    rows = []
    for t in thresholds or [round(0.05 * i, 2) for i in range(0, 15)]:
        results = []
        for cases, kb in sets:
            tuned = copy.copy(kb)
            tuned.decline_below = t
            results += [run_case(c, tuned) for c in cases]
        summary = summarize(results)
        rows.append((t, summary.accuracy, summary.out_of_scope_declined))
    return rows


def best_threshold(rows: list[tuple[float, float, float | None]]) -> float:
    """The middle of the thresholds that reach the highest accuracy."""
    top = max(acc for _, acc, _ in rows)
    best = [t for t, acc, _ in rows if acc == top]
    return best[len(best) // 2]


# ---------------------------------------------------------------- reporting

def _result_dict(r: Result) -> dict:
    return {
        "id": r.case.id, "line": r.case.line, "question": r.case.question, "turns": list(r.case.turns),
        "reply": r.reply.text, "short": r.reply.short, "answered": r.reply.answered,
        "confidence": round(r.reply.confidence, 4), "verdict": "pass" if r.passed else "fail",
        "problems": list(r.problems), "tags": list(r.case.tags), "ranked_ids": list(r.ranked_ids),
        "latency_ms": round(sum(r.latencies_ms), 3), "guide": r.reply.guide,
    }


def write_report(results: Iterable[Result], path: str | Path) -> None:
    """Per-case results as JSONL, written whole or not at all (a temporary file, then renamed)."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".report-", dir=target.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            for r in results:
                out.write(json_text(_result_dict(r)) + "\n")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def format_summary(summary: Summary, *, failures: bool = True) -> str:
    """The summary table, then each failure with its question and reply."""
    rows = [
        ("cases", str(summary.cases)),
        ("accuracy", _pct(summary.accuracy)),
        ("accuracy on answerable", _pct(summary.answerable_accuracy)),
        ("out-of-scope declined", _pct(summary.out_of_scope_declined)),
        ("in-scope wrongly declined", str(summary.wrongly_declined)),
    ]
    if summary.p_at_1 is not None:
        rows += [("P@1", f"{summary.p_at_1:.3f}"), ("MRR@10", f"{summary.mrr_at_10:.3f}")]
    if summary.routing is not None:
        rows.append(("routed to the guide named", _pct(summary.routing)))
    rows += [("latency p50", f"{summary.latency_p50_ms:.2f} ms"), ("latency p95", f"{summary.latency_p95_ms:.2f} ms")]
    width = max(len(k) for k, _ in rows)
    lines = [f"{k:<{width}}  {v}" for k, v in rows]
    if summary.per_tag:
        tag_width = max(len(t) for t in summary.per_tag)
        lines += ["", f"{'tag':<{tag_width}}  right / cases  accuracy"]
        lines += [f"{t:<{tag_width}}  {r:>5} / {n:<5}  {_pct(r / n)}" for t, (r, n) in summary.per_tag.items()]
    if summary.per_guide:
        guide_width = max(len(g) for g in summary.per_guide)
        lines += ["", f"{'guide':<{guide_width}}  right / cases  accuracy"]
        lines += [f"{g:<{guide_width}}  {r:>5} / {n:<5}  {_pct(r / n)}" for g, (r, n) in summary.per_guide.items()]
    if failures and summary.failures:
        lines += ["", f"failures ({len(summary.failures)}):"]
        for r in summary.failures:
            known = f" (known: {r.case.xfail})" if r.case.xfail else ""
            lines.append(f"- {r.case.id} (line {r.case.line}){known}: {' → '.join(r.case.turns)}")
            lines.append(f"    {'; '.join(r.problems)}")
            lines.append("    reply: " + r.reply.text.replace("\n", " / ")[:300])
    return "\n".join(lines)
