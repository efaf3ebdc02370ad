"""Document -> knowledge units.

Reads a career guide (plain text or Markdown) by its own structure: heading lines, bullets
with indented continuation lines, ``Label: value`` blocks, pipe tables and blank-line
paragraphs. Nothing here knows any career's words. Also reads question/answer pairs from CSV
or JSONL.

A record is a run of title-like lines (a name, optionally a "City, ST" place) followed by a
``Label: value`` block, or one row of a Markdown pipe table; a ``Label: value`` block directly
under a heading is that section's own record (the salary figures). Title-like lines that are
not record names are headings.

A guide is read in passes, each a small function: lines -> items (``_items``), which items
name records (``_record_roles``), which are headings (``_mark_headings``), the sections
(``_sections``) and the subject (``find_subject``), then items -> units and records
(``_Builder``), then one list passage per section of records (``_add_record_lists``).
Whatever is malformed but readable (a value that is not a figure, a field given twice, a
table row of the wrong width, a record without figures) becomes a ``GuideWarning`` naming
the line, on ``Document.warnings``.

Every regular expression here runs in time linear in the line it reads (tests/test_hostile.py
times each against long adversarial lines); loading is linear in the file's size.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .model import Field, GuideWarning, KnowledgeError, Record, Unit, Value
from .text import MAX_FIGURE

MAX_GUIDE_BYTES = 16 * 1024 * 1024   # a written guide; a larger .txt/.md file is refused
MAX_PAIRS_BYTES = 256 * 1024 * 1024  # question/answer data (.csv/.jsonl): about 500,000 pairs
MAX_SUBJECT_WORDS = 16  # the subject is looked for in runs of at most this many words

# Only the opening of a heading or a bullet is matched by a pattern; the rest of the line is cut
# with string methods, so no pattern has two ways to spend a run of spaces (the old heading
# pattern backtracked in cubic time on "# Title" followed by thousands of spaces).
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})(?=\s)")
_BULLET = re.compile(r"^\s*(?:[\u2022\u00b7\u25aa\u25e6\u2023\u25cf*\-+]|\d{1,2}[.)])(?=\s)")
_KV = re.compile(r"^\s*([A-Za-z][A-Za-z0-9 ()/&'\-]{0,40}?)\s*:\s*(\S.{0,60}?)\s*$")
_BULLET_TITLE = re.compile(r"^([^:?]{2,70}):\s+(\S.*)$")
_ACRONYM = re.compile(r"\(([A-Z][A-Za-z0-9&]{1,9})\)")
_EMPHASIS = re.compile(r"(\*\*|__|`)")
_PLACE = re.compile(r"^[A-Z][A-Za-z .'\-]+,\s*[A-Z][A-Za-z .]+$")
_SPACES = re.compile(r"\s+")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")

_NA = re.compile(r"^(n/?a|not available|not reported|none reported|unknown|--?|\u2014)$", re.I)
_MONEY = re.compile(r"^\$\s?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?$")  # "$14,328", "$22.82"; never "$14,3"
_PERCENT = re.compile(r"^(\d+(?:\.\d+)?)\s?%$")
_COUNT = re.compile(r"^\d{1,3}(?:,\d{3})+$|^\d+$")
_NUMBER = re.compile(r"^\d+\.\d+$")
_FIGURE_CHARS = frozenset("0123456789.,")


def _looks_like_a_figure(raw: str) -> bool:
    """"$14,3", "4,9%", "1.2.3": digits, commas and points, with an optional "$" or "%"."""
    core = raw.strip().removeprefix("$").removesuffix("%").strip()
    return bool(core) and set(core) <= _FIGURE_CHARS and any(c.isdigit() for c in core)


def parse_value(raw: str) -> Value:
    """Type a value as written: money, percent, count, number, place, not-available or text.

    A value that looks like a figure but does not read as one ("$14,3", "4,9%"), or that is
    larger than any plausible figure, is ``unreadable``: it has no number.
    """
    raw = raw.strip()
    if _NA.match(raw):
        return Value(raw, "na")
    value = None
    if m := _MONEY.match(raw):
        value = Value(raw, "money", float(m.group(1).replace(",", "") + (m.group(2) or "")))
    elif m := _PERCENT.match(raw):
        value = Value(raw, "percent", float(m.group(1)))
    elif _COUNT.match(raw):
        value = Value(raw, "count", float(raw.replace(",", "")))
    elif _NUMBER.match(raw):
        value = Value(raw, "number", float(raw))
    if value is not None:
        return value if value.number <= MAX_FIGURE else Value(raw, "unreadable")
    if _looks_like_a_figure(raw):
        return Value(raw, "unreadable")
    if _PLACE.match(raw):
        return Value(raw, "place")
    return Value(raw, "text")


def _unreadable_reason(raw: str) -> str:
    """Why a value is unreadable, for the warning: "does not read as money"."""
    digits = raw.strip().removeprefix("$").removesuffix("%").replace(",", "").split(".")[0].strip()
    if digits.isdigit() and float(digits) > MAX_FIGURE:
        return "is too large to be a figure"
    kind = "money" if raw.strip().startswith("$") else "a percent" if raw.strip().endswith("%") else "a number"
    return f"does not read as {kind}"


@dataclass(frozen=True)
class Section:
    title: str
    lines: tuple[int, int]


@dataclass(frozen=True)
class Document:
    """A parsed knowledge source: its sections, units and records, and what was malformed in it."""

    path: str
    title: str
    subject: str
    sections: tuple[Section, ...]
    units: tuple[Unit, ...]
    records: tuple[Record, ...]
    kind: str  # "guide" or "pairs"
    warnings: tuple[GuideWarning, ...] = ()


# ---------------------------------------------------------------- reading files

def read_text(path: str | Path, *, limit: int | None = None) -> str:
    """Read a knowledge file as UTF-8 text, or raise KnowledgeError saying why not."""
    p = Path(path)
    if limit is None:
        limit = MAX_PAIRS_BYTES if p.suffix.lower() in (".csv", ".jsonl", ".ndjson") else MAX_GUIDE_BYTES
    if not p.exists():
        raise KnowledgeError(str(path), "no such file")
    if p.is_dir():
        raise KnowledgeError(str(path), "is a directory, not a file")
    size = p.stat().st_size
    if size == 0:
        raise KnowledgeError(str(path), "file is empty")
    if size > limit:
        raise KnowledgeError(str(path), f"file is {size:,} bytes; the limit for this kind of file is {limit:,}")
    data = p.read_bytes()
    if b"\x00" in data[:8192]:
        raise KnowledgeError(str(path), "looks like a binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise KnowledgeError(str(path), f"not UTF-8 text (byte 0x{data[e.start]:02x})", line) from None
    if not text.strip():
        raise KnowledgeError(str(path), "file has no text")
    return text


def parse_file(path: str | Path) -> Document:
    """Parse a guide (.txt, .md) or question/answer pairs (.csv, .jsonl) into a Document."""
    text = read_text(path)
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return parse_pairs_csv(text, str(path))
    if suffix in (".jsonl", ".ndjson"):
        return parse_pairs_jsonl(text, str(path))
    return parse_guide(text, str(path))


# ---------------------------------------------------------------- question/answer pairs

ALTERNATIVES = ("alternatives", "alternative_questions")  # the column or field of other phrasings


@dataclass(frozen=True)
class _Row:
    """One question/answer row as read, before repeated questions are merged."""

    line: int
    question: str
    answer: str
    ident: str | None = None
    alternatives: tuple[str, ...] = ()


@dataclass
class _Entry:
    """One FAQ entry being assembled from the rows that ask its question."""

    first: _Row
    answers: list[str]
    answer_keys: set[str]
    phrasings: list[str]


def _key(text: str) -> str:
    """Questions and answers are the same when they differ only in case and spacing."""
    return " ".join(text.lower().split())


def _pairs_document(rows: list[_Row], path: str) -> Document:
    """FAQ entries from rows, as exports give them.

    The same question with the same answer is one entry; the same question with another answer
    is one entry keeping every answer (the reply gives the first and offers the others), with a
    warning naming the lines. Alternative phrasings all ask the entry's question; a phrasing that
    is already another entry's question is left out, with a warning.
    """
    entries: dict[str, _Entry] = {}
    owner: dict[str, tuple[_Entry, int]] = {}  # every phrasing's key -> its entry and line
    warnings: list[GuideWarning] = []
    for row in rows:
        key = _key(row.question)
        entry = entries.get(key)
        if entry is None:
            entry = _Entry(row, [row.answer], {_key(row.answer)}, [row.question])
            entries[key] = entry
            if key in owner:  # an earlier entry's alternative phrasing
                warnings.append(GuideWarning(path, row.line, f"question {row.question[:60]!r} is also an "
                                             f"alternative phrasing on line {owner[key][1]}; both are kept"))
            owner[key] = (entry, row.line)
        elif _key(row.answer) not in entry.answer_keys:
            entry.answers.append(row.answer)
            entry.answer_keys.add(_key(row.answer))
            warnings.append(GuideWarning(path, row.line, f"question {row.question[:60]!r} is also on line "
                                         f"{entry.first.line} with a different answer; both answers are kept"))
        for phrasing in row.alternatives:
            pkey = _key(phrasing)
            if pkey in owner and owner[pkey][0] is not entry:
                warnings.append(GuideWarning(path, row.line, f"alternative {phrasing[:60]!r} is already asked on "
                                             f"line {owner[pkey][1]}; left out here"))
                continue
            if pkey not in owner:
                owner[pkey] = (entry, row.line)
                entry.phrasings.append(phrasing)
    units = []
    for n, entry in enumerate(entries.values()):
        row = entry.first
        units.append(Unit(id=row.ident or f"q{n + 1}", kind="faq", section="", title=row.question,
                          text=entry.answers[0], lines=(row.line, row.line),
                          questions=tuple(entry.phrasings) if len(entry.phrasings) > 1 else (),
                          answers=tuple(entry.answers) if len(entry.answers) > 1 else ()))
    title = Path(path).stem.replace("_", " ")
    return Document(path, title, "", (), tuple(units), (), "pairs", tuple(warnings))


def _alternatives(value: object, path: str, line: int) -> tuple[str, ...]:
    """Other phrasings of a question: a list of strings (JSONL) or one string split on "|" (CSV)."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = value.split("|")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise KnowledgeError(path, "'alternatives' must be a list of questions", line)
    return tuple(v.strip() for v in value if v.strip())


def parse_pairs_csv(text: str, path: str = "<csv>") -> Document:
    """Question/answer pairs from CSV: columns ``question``, ``answer``, optionally ``id`` and
    ``alternatives`` (or ``alternative_questions``: other phrasings separated by ``|``)."""
    reader = csv.DictReader(io.StringIO(text))
    columns = {c.strip().lower(): c for c in (reader.fieldnames or []) if c}
    missing = [c for c in ("question", "answer") if c not in columns]
    if missing:
        raise KnowledgeError(path, f"missing column(s) {', '.join(missing)}; "
                                   "a CSV needs 'question' and 'answer' (and optionally 'id', 'alternatives')", 1)
    alternatives = next((columns[c] for c in ALTERNATIVES if c in columns), None)
    rows = []
    for record in reader:
        line = reader.line_num
        question = (record.get(columns["question"]) or "").strip()
        answer = (record.get(columns["answer"]) or "").strip()
        if not question or not answer:
            raise KnowledgeError(path, "empty question or answer", line)
        ident = (record.get(columns["id"]) or "").strip() if "id" in columns else None
        others = _alternatives(record.get(alternatives) or "", path, line) if alternatives else ()
        rows.append(_Row(line, question, answer, ident or None, others))
    if not rows:
        raise KnowledgeError(path, "no question/answer rows")
    return _pairs_document(rows, path)


def lines_of(text: str) -> list[str]:
    """The lines of a file as ``text.count("\\n")`` numbers them: broken at \\n (a \\r before it
    dropped), not at the other characters ``str.splitlines`` breaks at, such as \\x1e or \\x85,
    which would shift every line number after them."""
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    return lines[:-1] if lines and lines[-1] == "" else lines


def json_lines(text: str, path: str, error: type[KnowledgeError] = KnowledgeError):
    """(line number, object) for each non-blank line of JSON Lines text; ``error`` names a bad line."""
    for line, raw in enumerate(lines_of(text), 1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as e:
            raise error(path, f"not valid JSON ({e.msg})", line) from None
        except RecursionError:
            raise error(path, "not valid JSON (nested too deeply)", line) from None
        if not isinstance(obj, dict):
            raise error(path, "each line must be a JSON object", line)
        yield line, obj


def parse_pairs_jsonl(text: str, path: str = "<jsonl>") -> Document:
    """Question/answer pairs from JSON Lines: ``{"question": ..., "answer": ..., "id": ...,
    "alternatives": [other phrasings]}``."""
    rows = []
    for line, obj in json_lines(text, path):
        question, answer = obj.get("question"), obj.get("answer")
        if not isinstance(question, str) or not isinstance(answer, str):
            raise KnowledgeError(path, "needs string fields 'question' and 'answer'", line)
        if not question.strip() or not answer.strip():
            raise KnowledgeError(path, "empty question or answer", line)
        ident = obj.get("id", obj.get("faq_id"))
        others = next((obj[c] for c in ALTERNATIVES if obj.get(c) is not None), None)
        if isinstance(others, str):
            raise KnowledgeError(path, "'alternatives' must be a list of questions", line)
        rows.append(_Row(line, question.strip(), answer.strip(), None if ident is None else str(ident),
                         _alternatives(others, path, line)))
    if not rows:
        raise KnowledgeError(path, "no question/answer rows")
    return _pairs_document(rows, path)


# ---------------------------------------------------------------- guides: lines -> items

@dataclass
class _Item:
    """A run of lines of one kind, before records and headings are told apart."""

    kind: str  # heading | text | bullet | kv | table
    start: int
    end: int
    text: str = ""
    cont: list[str] | None = None  # bullet continuation lines
    pairs: list[tuple[str, str, int]] | None = None  # kv: (label, value, line)
    level: int = 0
    header: list[str] | None = None  # table: the header row's cells
    rows: list[tuple[list[str], int]] | None = None  # table: each row's cells and line


def _clean(line: str) -> str:
    return _EMPHASIS.sub("", line).strip()


def md_heading(line: str) -> tuple[int, str] | None:
    """A Markdown ``#`` heading's level and text ("## Salary ##" -> (2, "Salary")), or None."""
    m = _MD_HEADING.match(line)
    if m is None:
        return None
    return len(m.group(1)), line[m.end():].strip().rstrip("#").rstrip()


def bullet_text(line: str) -> str | None:
    """The text of a bullet line ("  • Patient Interaction: …"), or None when it is not one."""
    m = _BULLET.match(line)
    if m is None:
        return None
    return line[m.end():].strip() or None


def _is_kv(line: str) -> tuple[str, str] | None:
    m = _KV.match(_clean(line))
    if not m:
        return None
    label, value = m.group(1).strip(), m.group(2).strip()
    if len(label.split()) > 5 or value.endswith((".", "?", "!")):
        return None
    return label, value


def title_like(text: str) -> bool:
    """True for a short standalone line written in title case, with no sentence ending."""
    text = text.strip()
    if len(text) > 120:
        return False
    words = text.rstrip(":").split()
    if not words or len(words) > 16 or text.endswith((".", "?", "!", ",", ";")):
        return False
    long_words = [w for w in words if len(w) > 3 and w[0].isalpha()]
    if not long_words:
        return words[0][:1].isupper()
    capitalised = sum(w[0].isupper() for w in long_words)
    return capitalised / len(long_words) >= 0.7


def _cells(line: str) -> list[str]:
    """The cells of a pipe-table row: "| a | b \\| c |" -> ["a", "b | c"]."""
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    return [_clean(c.replace("\\|", "|")) for c in _CELL_SPLIT.split(line)]


def _is_delimiter_row(line: str) -> bool:
    """"|---|:--:|" : the line under a pipe table's header."""
    if "|" not in line or "-" not in line:
        return False
    cells = _cells(line)
    return all(c and set(c) <= {"-", ":"} and "-" in c for c in cells)


def _table(lines: list[str], k: int) -> _Item | None:
    """A pipe table starting at ``lines[k]`` (its header), with every row down to a line without "|"."""
    if "|" not in lines[k] or k + 1 >= len(lines) or not _is_delimiter_row(lines[k + 1]):
        return None
    header = _cells(lines[k])
    if len(header) < 2:
        return None
    item = _Item("table", k + 1, k + 2, header=header, rows=[])
    for n in range(k + 2, len(lines)):
        if not lines[n].strip() or "|" not in lines[n]:
            break
        item.rows.append((_cells(lines[n]), n + 1))
        item.end = n + 1
    return item


def _items(lines: list[str]) -> tuple[list[_Item], bool]:
    """Pass 1: lines -> items (headings, paragraphs, bullets, ``Label: value`` blocks, tables)."""
    markdown = any(md_heading(line) for line in lines)
    items: list[_Item] = []
    current: _Item | None = None
    skip_to = 0
    for n, raw in enumerate(lines, 1):
        if n <= skip_to:
            continue
        if not raw.strip():
            current = None
            continue
        if heading := md_heading(raw):
            items.append(_Item("heading", n, n, _clean(heading[1]).rstrip(":"), level=heading[0]))
            current = None
            continue
        if "|" in raw and (table := _table(lines, n - 1)) is not None:
            items.append(table)
            skip_to, current = table.end, None
            continue
        bullet = bullet_text(raw)
        kv = _is_kv(bullet if bullet is not None else raw)
        if bullet is not None and kv and parse_value(kv[1]).kind not in ("text", "place"):
            bullet = None  # "- **Annual Median:** $47,470" is a figure, not a passage
        if bullet is not None:
            current = _Item("bullet", n, n, _clean(bullet), cont=[])
            items.append(current)
            continue
        if current is not None and current.kind == "bullet" and (raw[:1].isspace() or not markdown):
            current.cont.append(_clean(raw))  # an indented (or unbroken) continuation line
            current.end = n
            continue
        if kv and not raw[:1].isspace():
            if current is not None and current.kind == "kv":
                current.pairs.append((kv[0], kv[1], n))
                current.end = n
            else:
                current = _Item("kv", n, n, pairs=[(kv[0], kv[1], n)])
                items.append(current)
            continue
        if current is not None and current.kind == "text" and not title_like(current.text):
            current.text += " " + _clean(raw)
            current.end = n
            continue
        current = _Item("text", n, n, _clean(raw))
        items.append(current)
    return items, markdown


# ---------------------------------------------------------------- guides: records, headings, sections

def _is_candidate(item: _Item) -> bool:
    """Could this item be a heading, a record name or a place line?"""
    return item.kind == "text" and item.start == item.end and title_like(item.text)


def _is_place(item: _Item) -> bool:
    return bool(_PLACE.match(item.text))


def _record_roles(items: list[_Item], markdown: bool) -> dict[int, str]:
    """Pass 2: which items name records: item index -> "name" | "place" | "own" | "bare".

    Title-like lines right before a ``Label: value`` block name its record ("name", and
    "place" for a "City, ST" line); a block with no name of its own is its section's own
    record ("own"). A name and place after a record but with no block of their own are a
    record without figures ("bare": kept, with a warning), not two headings.
    """
    role: dict[int, str] = {}
    for i, item in enumerate(items):
        if item.kind != "kv":
            continue
        j = i
        while j > 0 and _is_candidate(items[j - 1]) and (j - 1) not in role:
            j -= 1
        cands = list(range(j, i))
        after_records = j > 0 and (items[j - 1].kind == "kv" or role.get(j - 1) == "bare")
        if len(cands) >= 2 and _is_place(items[cands[-1]]):
            role[cands[-2]], role[cands[-1]] = "name", "place"
        elif cands and (len(cands) >= 2 or after_records) and not markdown:
            role[cands[-1]] = "name"
        else:
            role[i] = "own"  # the figures of the section they stand in (named by its heading)
            if cands and _is_place(items[cands[-1]]):
                role[cands[-1]] = "place"
        if role.get(i) != "own" or markdown:
            _bare_after(items, i, role, markdown)
    return role


def _bare_after(items: list[_Item], i: int, role: dict[int, str], markdown: bool) -> None:
    """Mark a record with a name and a place but no figures right after the record at ``i``."""
    if markdown:
        # "### Name" + "City, ST" and then the next heading, or the end of the file
        if i + 2 < len(items) and items[i + 1].kind == "heading" and items[i + 1].level >= 3 \
                and _is_candidate(items[i + 2]) and _is_place(items[i + 2]) \
                and (i + 3 == len(items) or items[i + 3].kind == "heading"):
            role[i + 2] = "bare"
        return
    if i + 2 < len(items) and _is_candidate(items[i + 1]) and _is_candidate(items[i + 2]) \
            and _is_place(items[i + 2]) and not _is_place(items[i + 1]) \
            and (i + 3 == len(items) or items[i + 3].kind != "kv"):
        role[i + 1], role[i + 2] = "name", "bare"


def _mark_headings(items: list[_Item], role: dict[int, str], markdown: bool) -> None:
    """Pass 3: in plain text, the title-like lines that are not parts of records are headings."""
    if markdown:
        return
    for i, item in enumerate(items):
        if item.kind == "text" and i not in role and _is_candidate(item):
            item.kind = "heading"


def _sections(items: list[_Item], n_lines: int) -> list[Section]:
    """Pass 4: each heading starts a section that runs to the line before the next one."""
    starts = [(it.start, it.text.rstrip(":").strip()) for it in items if it.kind == "heading"]
    return [Section(title, (start, starts[k + 1][0] - 1 if k + 1 < len(starts) else n_lines))
            for k, (start, title) in enumerate(starts)]


def _split_name(text: str) -> tuple[str, str | None, str | None]:
    """"Bureau of Labor Statistics (BLS) - Medical Secretaries" -> name, acronym, subtitle."""
    acronym = None
    if m := _ACRONYM.search(text):
        acronym = m.group(1)
        text = (text[: m.start()] + text[m.end():]).strip()
    subtitle = None
    for sep in (" - ", " \u2013 ", " \u2014 ", ": "):
        if sep in text:
            text, subtitle = (part.strip() for part in text.split(sep, 1))
            break
    return _SPACES.sub(" ", text), acronym, subtitle


def find_subject(headings: list[str]) -> str:
    """The longest run of words shared by at least half of the headings: the guide's career.

    Runs are counted level by level (one word, two words, ...), and a run of n + 1 words is
    looked at only where both its runs of n words are shared, so the cost is linear in the
    headings' words (the pairwise comparison it replaces took minutes on 20,000 headings).
    Between runs of the same length, the first in the document wins; runs are at most
    ``MAX_SUBJECT_WORDS`` words.
    """
    if not headings:
        return ""
    token_lists = [h.rstrip(":").split() for h in headings]
    need = max(2, (len(headings) + 1) // 2)
    ids: dict[object, int] = {}
    words = [[ids.setdefault(w.lower(), len(ids)) for w in t] for t in token_lists]
    alive = [dict(enumerate(row)) for row in words]  # per heading: start -> id of the run there
    best: tuple[int, int, int] | None = None  # heading, start, length
    for length in range(1, MAX_SUBJECT_WORDS + 1):
        counts: Counter[int] = Counter()
        for runs in alive:
            counts.update(set(runs.values()))
        shared = {g for g, c in counts.items() if c >= need}
        if not shared:
            break
        best = next((h, start, length) for h, runs in enumerate(alive)
                    for start, g in sorted(runs.items()) if g in shared)
        longer: dict[tuple[int, int], int] = {}
        for h, runs in enumerate(alive):
            row = words[h]
            alive[h] = {start: longer.setdefault((g, row[start + length]), len(longer))
                        for start, g in runs.items()
                        if g in shared and runs.get(start + 1) in shared and start + length < len(row)}
    if best is None:
        return ""
    h, start, length = best
    run = token_lists[h][start:start + length]
    run = " ".join(run).strip(" :,").split()
    while run and not run[0][:1].isupper():
        run.pop(0)  # "a Patient Services Coordinator" -> "Patient Services Coordinator"
    while run and not run[-1][:1].isupper():
        run.pop()
    return " ".join(run)


# ---------------------------------------------------------------- guides: items -> units and records

def _fields(pairs: list[tuple[str, str, int]], owner: str, path: str
            ) -> tuple[tuple[Field, ...], list[GuideWarning]]:
    """A record's fields from its ``Label: value`` lines, and a warning for each malformed one.

    A value that does not read as its type is kept as ``unreadable``. A label given twice with
    different values becomes one ``conflict`` value holding both ("49% or 94%"), never the
    first alone; given twice with the same value, it is read once. Both are warned about.
    """
    given: dict[str, list[tuple[str, int]]] = {}
    for label, raw, line in pairs:
        given.setdefault(label, []).append((raw.strip(), line))
    fields, warnings = [], []
    for label, values in given.items():
        raws = list(dict.fromkeys(raw for raw, _ in values))
        line = values[0][1]
        if len(values) > 1:
            where = ", ".join(str(n) for _, n in values[:-1]) + f" and {values[-1][1]}"
            times = "twice" if len(values) == 2 else f"{len(values)} times"
            if len(raws) > 1:
                message = f"{owner}: {label} is given {times} with different values " \
                          f"(lines {where}: {', '.join(raws)}); replies state them all and rankings leave it out"
            else:
                message = f"{owner}: {label} is given {times} (lines {where}), with the same value"
            warnings.append(GuideWarning(path, values[1][1], message))
        if len(raws) > 1:
            value = Value(" or ".join(raws), "conflict")
        else:
            value = parse_value(raws[0])
            if value.kind == "unreadable":
                warnings.append(GuideWarning(path, line, f"{owner}: {label} {raws[0]!r} {_unreadable_reason(raws[0])}; "
                                                         "it is left out of rankings and comparisons"))
        fields.append(Field(label, value, line))
    return tuple(fields), warnings


_SENTENCE_END = re.compile(r"[.!?]\s+\S")  # a paragraph of more than its closing line


def _list_line(bullet) -> str:
    """A bullet as its section's list shows it: its title and the first sentence of its text
    ("Manual Dexterity: You need nimble, steady hands…"), so a list answers "what skills…" itself."""
    titled = _BULLET_TITLE.match(bullet.text)
    title, text = (titled.group(1).strip(), titled.group(2).strip()) if titled else (bullet.text, "")
    text = " ".join([text, *(bullet.cont or [])]).strip()
    end = _SENTENCE_END.search(text)
    return f"{title}: {text[:end.end()] if end else text}" if text else title


_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")  # one character and a look ahead: linear on any line


class _Builder:
    """Pass 5: items -> units and records, one method per kind of item.

    Keeps what the walk is inside: the section (and, in Markdown, the headings above it), an
    FAQ heading awaiting its answer, the name and place of the next record, and the run of
    bullets that becomes one list passage.
    """

    def __init__(self, path: str, doc_title: str, items: list[_Item], role: dict[int, str], markdown: bool):
        self.path, self.doc_title, self.items, self.role, self.markdown = path, doc_title, items, role, markdown
        self.units: list[Unit] = []
        self.records: list[Record] = []
        self.warnings: list[GuideWarning] = []
        self.counter: Counter[str] = Counter()
        self.section = ""
        self.parents: list[tuple[int, str]] = []  # markdown: the headings above the current one
        self.faq: tuple[str, int] | None = None  # markdown: a "### Question?" heading awaiting its answer
        self.answer_lines: list[_Item] = []
        self.pending_name: tuple[str, int] | None = None
        self.pending_place: str | None = None
        self.bullets: list[_Item] = []
        self.lead: _Item | None = None
        self.noted = -1

    def build(self) -> None:
        for i, item in enumerate(self.items):
            self.step(i, item)
        self.flush_list()
        self.flush_faq()

    def step(self, i: int, item: _Item) -> None:
        if item.kind == "heading":
            return self.heading(item)
        if self.faq is not None and item.kind == "text":
            return self.answer_lines.append(item)
        role = self.role.get(i)
        if role == "name":
            self.pending_name = (item.text, item.start)
        elif role == "place":
            self.pending_place = item.text
        elif role == "bare":
            self.bare_record(item)
        elif item.kind == "kv":
            self.record(i, item, own=role == "own")
        elif item.kind == "table":
            self.table(item)
        elif item.kind == "bullet":
            self.bullet(item)
        else:
            self.paragraph(i, item)

    def add(self, kind: str, section: str, title: str, body: str, span: tuple[int, int],
            record: Record | None = None) -> None:
        self.counter[kind] += 1
        self.units.append(Unit(f"{kind}-{self.counter[kind]}", kind, section, title, body, span, record))

    def add_record(self, rec: Record) -> None:
        self.records.append(rec)
        self.add("record", rec.group, rec.name, _record_text(rec), rec.lines, rec)

    def flush_faq(self) -> None:
        if self.faq is not None and self.answer_lines:
            body = " ".join(a.text for a in self.answer_lines)
            self.add("faq", self.section, self.faq[0], body, (self.faq[1], self.answer_lines[-1].end))
        self.faq, self.answer_lines = None, []

    def flush_list(self) -> None:
        """A run of titled bullets also becomes one list passage ("what skills…")."""
        titled = [b for b in self.bullets if (_BULLET_TITLE.match(b.text) and not b.cont)
                  or (b.cont and not b.text.endswith("?"))]
        lead = self.lead
        if len(titled) >= 2:
            names = [_list_line(b) for b in titled]
            head = lead.text if lead is not None else self.section
            body = head + "\n" + "\n".join(f"\u2022 {n}" for n in names)
            start = lead.start if lead is not None else titled[0].start
            self.add("list", self.section, head.rstrip(":"), body, (start, titled[-1].end))
            if lead is not None and lead.text.rstrip().endswith(":") and _SENTENCE_END.search(lead.text):
                # The section's opening paragraph is a passage of its own too, under the section's
                # title: "Demand … is projected to grow 20% … Several forces are behind the demand:"
                # answers "job outlook" by itself.
                self.add("fact", self.section, self.section, lead.text, (lead.start, lead.end))
        elif lead is not None:
            self.add("fact", self.section, self.section, lead.text, (lead.start, lead.end))
        self.bullets, self.lead = [], None

    def heading(self, item: _Item) -> None:
        self.flush_list()
        self.flush_faq()
        if self.markdown and item.text.endswith("?"):
            self.faq = (item.text, item.start)  # "### Do I need a license?" + its paragraph
            return
        while self.parents and self.parents[-1][0] >= item.level:
            self.parents.pop()
        self.parents.append((item.level, item.text.rstrip(":").strip()))
        self.section = self.parents[-1][1]

    def _named_by_heading(self) -> tuple[str, str, bool]:
        """Name, group and own-section flag of a record named by the heading it stands under.

        "### Harbor Technical College" under "## Best Schools" is a record of the parent
        section, named by its own heading; otherwise the section's own figures.
        """
        if len(self.parents) >= 3:
            return self.section, self.parents[-2][1], False
        return self.section or self.doc_title, self.section, True

    def record(self, i: int, item: _Item, *, own: bool) -> None:
        self.flush_list()
        note, end = None, item.end
        nxt = self.items[i + 1] if i + 1 < len(self.items) else None
        if nxt is not None and nxt.kind == "text" and i + 1 not in self.role and not title_like(nxt.text):
            note, end, self.noted = nxt.text, nxt.end, i + 1
        group = self.section
        if own:
            (name, group, own), start = self._named_by_heading(), item.start
        else:
            name, start = self.pending_name or (self.section, item.start)
        clean_name, acronym, _ = _split_name(name)
        fields, warnings = _fields(item.pairs, clean_name, self.path)
        self.warnings += warnings
        self.add_record(Record(clean_name, group, fields, (start, end), place=self.pending_place,
                               acronym=acronym, note=note, own_section=own))
        self.pending_name, self.pending_place = None, None

    def bare_record(self, item: _Item) -> None:
        """A name and a place with no figures after them: kept as a record, with a warning."""
        self.flush_list()
        if self.markdown:
            (name, group, own), start = self._named_by_heading(), item.start
        else:
            (name, start), group, own = self.pending_name or (self.section, item.start), self.section, False
        clean_name, acronym, _ = _split_name(name)
        self.warnings.append(GuideWarning(self.path, start, f"{clean_name}: a record with no figures "
                                                            "(no 'Label: value' lines after its name)"))
        self.add_record(Record(clean_name, group, (), (start, item.end), place=item.text, acronym=acronym,
                               own_section=own))
        self.pending_name, self.pending_place = None, None

    def table(self, item: _Item) -> None:
        """A pipe table of records: a header row of labels, then one row per record, its name first.

        A column whose every value is a "City, ST" place is the records' place.
        """
        self.flush_list()
        header, rows = item.header, item.rows
        width = len(header)
        places = [c for c in range(1, width)
                  if any(len(cells) > c and cells[c] for cells, _ in rows)
                  and all(_PLACE.match(cells[c]) for cells, _ in rows if len(cells) > c and cells[c])]
        place = places[0] if places else None
        for cells, line in rows:
            if len(cells) != width:
                self.warnings.append(GuideWarning(self.path, line, f"a table row with {len(cells)} cells under a "
                                                                   f"header of {width}; the cells past "
                                                                   f"{min(len(cells), width)} are not read"))
            if not cells[0]:
                self.warnings.append(GuideWarning(self.path, line, "a table row with no name in its first "
                                                                   "column; left out"))
                continue
            pairs = [(header[c] or f"Column {c + 1}", cells[c], line) for c in range(1, min(width, len(cells)))
                     if c != place and cells[c]]
            name, acronym, _ = _split_name(cells[0])
            fields, warnings = _fields(pairs, name, self.path)
            self.warnings += warnings
            where = cells[place] if place is not None and len(cells) > place and cells[place] else None
            self.add_record(Record(name, self.section, fields, (line, line), place=where, acronym=acronym))

    def bullet(self, item: _Item) -> None:
        self.bullets.append(item)
        span = (item.start, item.end)
        if item.cont and item.text.endswith("?"):
            self.add("faq", self.section, item.text, " ".join(item.cont), span)
        elif item.cont:
            name, acronym, _ = _split_name(item.text)
            rec = Record(name, self.section, (), span, acronym=acronym, description=item.cont[0])
            self.records.append(rec)
            self.add("record", self.section, item.text, item.text + "\n" + "\n".join(item.cont), span, rec)
        elif m := _BULLET_TITLE.match(item.text):
            self.add("fact", self.section, m.group(1).strip(), m.group(2).strip(), span)
        else:
            self.add("fact", self.section, self.section, item.text, span)

    def paragraph(self, i: int, item: _Item) -> None:
        if item.text.endswith(":"):
            self.flush_list()
            self.lead = item  # "Key aspects of your role include:" introduces the bullets below
            return
        if self.noted == i:
            return  # already the note of the record just above
        self.flush_list()
        self.add("fact", self.section, self.section, item.text, (item.start, item.end))


def parse_guide(text: str, path: str = "<guide>") -> Document:
    """Parse a plain-text or Markdown career guide into sections, units and records, pass by pass."""
    lines = lines_of(text)
    items, markdown = _items(lines)
    role = _record_roles(items, markdown)
    _mark_headings(items, role, markdown)
    sections = _sections(items, len(lines))
    subject = find_subject([s.title for s in sections])
    doc_title = sections[0].title if sections else Path(path).stem.replace("_", " ")
    builder = _Builder(path, doc_title, items, role, markdown)
    builder.build()
    units, records = builder.units, builder.records
    _add_record_lists(units, records)
    if not units:
        raise KnowledgeError(path, "found no passages, questions or records in this file")
    return Document(path, doc_title, subject, tuple(sections), tuple(units), tuple(records), "guide",
                    tuple(builder.warnings))


def _add_record_lists(units: list[Unit], records: list[Record]) -> None:
    """Pass 6: each section holding two or more records with figures (or places) also gets one list passage."""
    groups: dict[str, list[Record]] = {}
    for rec in records:
        if (rec.fields or rec.place) and not rec.own_section:
            groups.setdefault(rec.group, []).append(rec)
    n = sum(u.kind == "list" for u in units)
    for group, recs in groups.items():
        if len(recs) < 2:
            continue
        n += 1
        body = group + "\n" + "\n".join(
            f"\u2022 {r.name}" + (f" ({r.place})" if r.place else "") for r in recs)
        units.append(Unit(f"list-{n}", "list", group, group, body, (recs[0].lines[0], recs[-1].lines[1])))


def _record_text(rec: Record) -> str:
    parts = [rec.name + (f" ({rec.place})" if rec.place else "")]
    parts += [f"{f.label}: {f.value.raw}" for f in rec.fields]
    if rec.note:
        parts.append(rec.note)
    return "\n".join(parts)
