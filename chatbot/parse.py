"""Document -> knowledge units.

Reads a career guide (plain text or Markdown) by its own structure: heading lines, bullets
with indented continuation lines, ``Label: value`` blocks and blank-line paragraphs. Nothing
here knows any career's words. Also reads question/answer pairs from CSV or JSONL.

A record is a run of title-like lines (a name, optionally a "City, ST" place) followed by a
``Label: value`` block; a ``Label: value`` block directly under a heading is that section's
own record (the salary figures). Title-like lines that are not record names are headings.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .model import Field, KnowledgeError, Record, Unit, Value

MAX_GUIDE_BYTES = 16 * 1024 * 1024   # a written guide; a larger .txt/.md file is refused
MAX_PAIRS_BYTES = 256 * 1024 * 1024  # question/answer data (.csv/.jsonl): about 500,000 pairs

_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*(?:[\u2022\u00b7\u25aa\u25e6\u2023\u25cf*\-+]|\d{1,2}[.)])\s+(.*\S)\s*$")
_KV = re.compile(r"^\s*([A-Za-z][A-Za-z0-9 ()/&'\-]{0,40}?)\s*:\s*(\S.{0,60}?)\s*$")
_BULLET_TITLE = re.compile(r"^([^:?]{2,70}):\s+(\S.*)$")
_ACRONYM = re.compile(r"\(([A-Z][A-Za-z0-9&]{1,9})\)")
_EMPHASIS = re.compile(r"(\*\*|__|`)")
_PLACE = re.compile(r"^[A-Z][A-Za-z .'\-]+,\s*[A-Z][A-Za-z .]+$")

_NA = re.compile(r"^(n/?a|not available|not reported|none reported|unknown|--?|\u2014)$", re.I)
_MONEY = re.compile(r"^\$\s?(\d[\d,]*(?:\.\d+)?)$")
_PERCENT = re.compile(r"^(\d+(?:\.\d+)?)\s?%$")
_COUNT = re.compile(r"^\d{1,3}(?:,\d{3})+$|^\d+$")
_NUMBER = re.compile(r"^\d+\.\d+$")


def parse_value(raw: str) -> Value:
    """Type a value as written: money, percent, count, number, place, not-available or text."""
    raw = raw.strip()
    if _NA.match(raw):
        return Value(raw, "na")
    if m := _MONEY.match(raw):
        return Value(raw, "money", float(m.group(1).replace(",", "")))
    if m := _PERCENT.match(raw):
        return Value(raw, "percent", float(m.group(1)))
    if _COUNT.match(raw):
        return Value(raw, "count", float(raw.replace(",", "")))
    if _NUMBER.match(raw):
        return Value(raw, "number", float(raw))
    if _PLACE.match(raw):
        return Value(raw, "place")
    return Value(raw, "text")


@dataclass(frozen=True)
class Section:
    title: str
    lines: tuple[int, int]


@dataclass(frozen=True)
class Document:
    """A parsed knowledge source: its sections, units and records."""

    path: str
    title: str
    subject: str
    sections: tuple[Section, ...]
    units: tuple[Unit, ...]
    records: tuple[Record, ...]
    kind: str  # "guide" or "pairs"


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

def _pairs_document(rows: list[tuple[int, str, str, str | None]], path: str) -> Document:
    seen: dict[str, int] = {}
    for line, question, _, _ in rows:
        key = " ".join(question.lower().split())
        if key in seen:
            raise KnowledgeError(path, f"duplicate question (first on line {seen[key]}): {question[:60]!r}", line)
        seen[key] = line
    units = []
    for n, (line, question, answer, ident) in enumerate(rows):
        units.append(Unit(id=ident or f"q{n + 1}", kind="faq", section="", title=question,
                          text=answer, lines=(line, line)))
    title = Path(path).stem.replace("_", " ")
    return Document(path, title, "", (), tuple(units), (), "pairs")


def parse_pairs_csv(text: str, path: str = "<csv>") -> Document:
    """Question/answer pairs from CSV with columns ``question``, ``answer`` and optionally ``id``."""
    reader = csv.DictReader(io.StringIO(text))
    columns = {c.strip().lower(): c for c in (reader.fieldnames or []) if c}
    missing = [c for c in ("question", "answer") if c not in columns]
    if missing:
        raise KnowledgeError(path, f"missing column(s) {', '.join(missing)}; "
                                   "a CSV needs 'question' and 'answer' (and optionally 'id')", 1)
    rows = []
    for record in reader:
        line = reader.line_num
        question = (record.get(columns["question"]) or "").strip()
        answer = (record.get(columns["answer"]) or "").strip()
        if not question or not answer:
            raise KnowledgeError(path, "empty question or answer", line)
        ident = (record.get(columns["id"]) or "").strip() if "id" in columns else None
        rows.append((line, question, answer, ident or None))
    if not rows:
        raise KnowledgeError(path, "no question/answer rows")
    return _pairs_document(rows, path)


def json_lines(text: str, path: str, error: type[KnowledgeError] = KnowledgeError):
    """(line number, object) for each non-blank line of JSON Lines text; ``error`` names a bad line."""
    for line, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as e:
            raise error(path, f"not valid JSON ({e.msg})", line) from None
        if not isinstance(obj, dict):
            raise error(path, "each line must be a JSON object", line)
        yield line, obj


def parse_pairs_jsonl(text: str, path: str = "<jsonl>") -> Document:
    """Question/answer pairs from JSON Lines: ``{"question": ..., "answer": ..., "id": ...}``."""
    rows = []
    for line, obj in json_lines(text, path):
        question, answer = obj.get("question"), obj.get("answer")
        if not isinstance(question, str) or not isinstance(answer, str):
            raise KnowledgeError(path, "needs string fields 'question' and 'answer'", line)
        if not question.strip() or not answer.strip():
            raise KnowledgeError(path, "empty question or answer", line)
        ident = obj.get("id", obj.get("faq_id"))
        rows.append((line, question.strip(), answer.strip(), None if ident is None else str(ident)))
    if not rows:
        raise KnowledgeError(path, "no question/answer rows")
    return _pairs_document(rows, path)


# ---------------------------------------------------------------- guides

@dataclass
class _Item:
    """A run of lines of one kind, before records and headings are told apart."""

    kind: str  # heading | text | bullet | kv
    start: int
    end: int
    text: str = ""
    cont: list[str] | None = None  # bullet continuation lines
    pairs: list[tuple[str, str, int]] | None = None  # kv: (label, value, line)
    level: int = 0


def _clean(line: str) -> str:
    return _EMPHASIS.sub("", line).strip()


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
    words = text.rstrip(":").split()
    if not words or len(words) > 16 or len(text) > 120 or text.endswith((".", "?", "!", ",", ";")):
        return False
    long_words = [w for w in words if len(w) > 3 and w[0].isalpha()]
    if not long_words:
        return words[0][:1].isupper()
    capitalised = sum(w[0].isupper() for w in long_words)
    return capitalised / len(long_words) >= 0.7


def _items(lines: list[str]) -> tuple[list[_Item], bool]:
    markdown = any(_MD_HEADING.match(line) for line in lines)
    items: list[_Item] = []
    current: _Item | None = None
    for n, raw in enumerate(lines, 1):
        if not raw.strip():
            current = None
            continue
        if m := _MD_HEADING.match(raw):
            items.append(_Item("heading", n, n, _clean(m.group(2)).rstrip(":"), level=len(m.group(1))))
            current = None
            continue
        bullet = _BULLET.match(raw)
        kv = _is_kv(bullet.group(1) if bullet else raw)
        if bullet and kv and parse_value(kv[1]).kind not in ("text", "place"):
            bullet = None  # "- **Annual Median:** $47,470" is a figure, not a passage
        if bullet:
            current = _Item("bullet", n, n, _clean(bullet.group(1)), cont=[])
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


def _is_candidate(item: _Item) -> bool:
    """Could this item be a heading, a record name or a place line?"""
    return item.kind == "text" and item.start == item.end and title_like(item.text)


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
    return re.sub(r"\s+", " ", text), acronym, subtitle


def find_subject(headings: list[str]) -> str:
    """The longest run of words shared by at least half of the headings: the guide's career."""
    if not headings:
        return ""
    token_lists = [h.rstrip(":").split() for h in headings]
    lowered = [[w.lower() for w in t] for t in token_lists]
    need = max(2, (len(headings) + 1) // 2)
    best: tuple[int, str] = (0, "")
    for words in token_lists:
        for i in range(len(words)):
            for j in range(len(words), i, -1):
                if j - i <= best[0]:
                    break
                gram = [w.lower() for w in words[i:j]]
                hits = sum(any(t[k:k + len(gram)] == gram for k in range(len(t))) for t in lowered)
                if hits >= need:
                    best = (j - i, " ".join(words[i:j]))
                    break
    words = best[1].strip(" :,").split()
    while words and not words[0][:1].isupper():
        words.pop(0)  # "a Patient Services Coordinator" -> "Patient Services Coordinator"
    while words and not words[-1][:1].isupper():
        words.pop()
    return " ".join(words)


def parse_guide(text: str, path: str = "<guide>") -> Document:
    """Parse a plain-text or Markdown career guide into sections, units and records."""
    lines = text.splitlines()
    items, markdown = _items(lines)

    # 1. Records: title-like lines right before a Label: value block.
    role: dict[int, str] = {}  # item index -> "name" | "place" | "own"
    for i, item in enumerate(items):
        if item.kind != "kv":
            continue
        j = i
        while j > 0 and _is_candidate(items[j - 1]) and (j - 1) not in role:
            j -= 1
        cands = list(range(j, i))
        after_records = j > 0 and items[j - 1].kind == "kv"
        if len(cands) >= 2 and _PLACE.match(items[cands[-1]].text):
            role[cands[-2]], role[cands[-1]] = "name", "place"
        elif cands and (len(cands) >= 2 or after_records) and not markdown:
            role[cands[-1]] = "name"
        else:
            role[i] = "own"  # the figures of the section they stand in (named by its heading)
            if cands and _PLACE.match(items[cands[-1]].text):
                role[cands[-1]] = "place"

    # 2. Headings: markdown headings, or else the title-like lines that are not record parts.
    for i, item in enumerate(items):
        if item.kind == "text" and not markdown and i not in role and _is_candidate(item):
            item.kind = "heading"

    sections: list[Section] = []
    heading_starts = [(it.start, it.text.rstrip(":").strip()) for it in items if it.kind == "heading"]
    for k, (start, title) in enumerate(heading_starts):
        end = heading_starts[k + 1][0] - 1 if k + 1 < len(heading_starts) else len(lines)
        sections.append(Section(title, (start, end)))
    subject = find_subject([t for _, t in heading_starts])
    doc_title = heading_starts[0][1] if heading_starts else Path(path).stem.replace("_", " ")

    units: list[Unit] = []
    records: list[Record] = []
    counter: Counter[str] = Counter()

    def add(kind: str, section: str, title: str, body: str, span: tuple[int, int],
            record: Record | None = None) -> None:
        counter[kind] += 1
        units.append(Unit(f"{kind}-{counter[kind]}", kind, section, title, body, span, record))

    section = ""
    parents: list[tuple[int, str]] = []  # markdown: the headings above the current one
    faq: tuple[str, int] | None = None  # markdown: a "### Question?" heading awaiting its answer
    answer_lines: list[_Item] = []

    def flush_faq() -> None:
        nonlocal faq, answer_lines
        if faq is not None and answer_lines:
            body = " ".join(a.text for a in answer_lines)
            add("faq", section, faq[0], body, (faq[1], answer_lines[-1].end))
        faq, answer_lines = None, []

    pending_name: tuple[str, int] | None = None
    pending_place: str | None = None
    bullets: list[_Item] = []
    lead: _Item | None = None
    noted = -1

    def flush_list() -> None:
        """A run of titled bullets also becomes one list passage ("what skills…")."""
        nonlocal bullets, lead
        titled = [b for b in bullets if (_BULLET_TITLE.match(b.text) and not b.cont)
                  or (b.cont and not b.text.endswith("?"))]
        if len(titled) >= 2:
            names = [_BULLET_TITLE.match(b.text).group(1).strip() if not b.cont else b.text
                     for b in titled]
            head = lead.text if lead is not None else section
            body = head + "\n" + "\n".join(f"\u2022 {n}" for n in names)
            start = lead.start if lead is not None else titled[0].start
            add("list", section, head.rstrip(":"), body, (start, titled[-1].end))
        elif lead is not None:
            add("fact", section, section, lead.text, (lead.start, lead.end))
        bullets, lead = [], None

    for i, item in enumerate(items):
        if item.kind == "heading":
            flush_list()
            flush_faq()
            if markdown and item.text.endswith("?"):
                faq = (item.text, item.start)  # "### Do I need a license?" + its paragraph
                continue
            while parents and parents[-1][0] >= item.level:
                parents.pop()
            parents.append((item.level, item.text.rstrip(":").strip()))
            section = parents[-1][1]
            continue
        if faq is not None and item.kind == "text":
            answer_lines.append(item)
            continue
        r = role.get(i)
        if r == "name":
            pending_name = (item.text, item.start)
            continue
        if r == "place":
            pending_place = item.text
            continue
        if item.kind == "kv":
            flush_list()
            fields = tuple(Field(label, parse_value(value), line) for label, value, line in item.pairs)
            note, end = None, item.end
            nxt = items[i + 1] if i + 1 < len(items) else None
            if nxt is not None and nxt.kind == "text" and i + 1 not in role and not title_like(nxt.text):
                note, end, noted = nxt.text, nxt.end, i + 1
            own = r == "own"
            group = section
            if own:
                name, start = section or doc_title, item.start
                if len(parents) >= 3:
                    # "### Harbor Technical College" under "## Best Schools": a record of the
                    # parent section, named by its own heading.
                    group, own = parents[-2][1], False
            else:
                name, start = pending_name or (section, item.start)
            clean_name, acronym, _ = _split_name(name)
            rec = Record(clean_name, group, fields, (start, end), place=pending_place,
                         acronym=acronym, note=note, own_section=own)
            records.append(rec)
            body = _record_text(rec)
            add("record", group, rec.name, body, rec.lines, rec)
            pending_name, pending_place = None, None
            continue
        if item.kind == "bullet":
            bullets.append(item)
            span = (item.start, item.end)
            if item.cont and item.text.endswith("?"):
                add("faq", section, item.text, " ".join(item.cont), span)
            elif item.cont:
                name, acronym, subtitle = _split_name(item.text)
                description = item.cont[0]
                rec = Record(name, section, (), span, acronym=acronym, description=description)
                records.append(rec)
                body = item.text + "\n" + "\n".join(item.cont)
                add("record", section, item.text, body, span, rec)
            elif m := _BULLET_TITLE.match(item.text):
                add("fact", section, m.group(1).strip(), m.group(2).strip(), span)
            else:
                add("fact", section, section, item.text, span)
            continue
        # a paragraph
        if item.text.endswith(":"):
            flush_list()
            lead = item  # "Key aspects of your role include:" introduces the bullets below
            continue
        if noted == i:
            continue  # already the note of the record just above
        flush_list()
        add("fact", section, section, item.text, (item.start, item.end))
    flush_list()
    flush_faq()
    _add_record_lists(units, records)

    if not units:
        raise KnowledgeError(path, "found no passages, questions or records in this file")
    return Document(path, doc_title, subject, tuple(sections), tuple(units), tuple(records), "guide")


def _add_record_lists(units: list[Unit], records: list[Record]) -> None:
    """Each section holding two or more records with figures also gets one list passage."""
    groups: dict[str, list[Record]] = {}
    for rec in records:
        if rec.fields and not rec.own_section:
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
