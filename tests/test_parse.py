"""The parser reads both guides by their structure into the same kinds of units and records."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import DATA, SAMPLE, SEED

import chatbot
from chatbot import KnowledgeError
from chatbot.parse import parse_file, parse_guide, parse_value

# What each guide holds, read off the documents by hand.
EXPECTED = {
    "seed": dict(
        path=SEED, subject="Patient Services Coordinator", sections=10, faqs=10, orgs=10,
        salary={"Annual Median": "$47,470", "Hourly Median": "$22.82"},
        schools={
            "Western Governors University": ("Salt Lake City, UT", "$7,404", "$7,404", "N/A", "49%", "156,935"),
            "Southern New Hampshire University": ("Manchester, NH", "$15,000", "$15,000", "96%", "41%", "164,091"),
            "Purdue University Global": ("West Lafayette, IN", "$10,080", "$13,356", "N/A", "20%", "45,125"),
            "Capella University": ("Minneapolis, MN", "$14,328", "$14,328", "N/A", "N/A", "39,727"),
            "Ashford University": ("San Diego, CA", "$12,240", "$12,240", "N/A", "10%", "34,190"),
            "University of Phoenix-Arizona": ("Phoenix, AZ", "$9,552", "$9,552", "N/A", "18%", "88,891"),
        },
        acronyms={"AAHAM", "NHA", "BLS", "AHIMA", "HACB", "NAHAM"},
        first_faq="What does a Patient Services Coordinator do?",
    ),
    "sample": dict(
        path=SAMPLE, subject="Medical Records Technician", sections=9, faqs=4, orgs=2,
        salary={"Annual Median": "$48,780", "Hourly Median": "$23.45"},
        schools={
            "Rasmussen University": ("Bloomington, MN", "$14,850", "$14,850", "N/A", "33%", "16,004"),
            "Davenport University": ("Grand Rapids, MI", "$21,120", "$21,120", "94%", "52%", "4,995"),
            "Indian River State College": ("Fort Pierce, FL", "$2,764", "$9,991", "100%", "46%", "15,862"),
        },
        acronyms={"AHIMA"},
        first_faq="How long does it take to become a Medical Records Technician?",
    ),
}
LABELS = ("In-State Tuition", "Out-of-State Tuition", "Admission Rate", "Graduation Rate", "Total Enrollment")


@pytest.fixture(scope="module", params=list(EXPECTED))
def guide(request):
    expected = EXPECTED[request.param]
    return parse_file(expected["path"]), expected


def test_subject_and_sections(guide):
    doc, expected = guide
    assert doc.subject == expected["subject"]
    assert len(doc.sections) == expected["sections"]
    assert doc.title == f"{expected['subject']} Overview"


def test_faq_entries(guide):
    doc, expected = guide
    faqs = [u for u in doc.units if u.kind == "faq"]
    assert len(faqs) == expected["faqs"]
    assert faqs[0].title == expected["first_faq"]
    assert all(u.title.endswith("?") and len(u.text) > 20 for u in faqs)


def test_every_school_and_every_field(guide):
    doc, expected = guide
    schools = {r.name: r for r in doc.records if r.place}
    assert set(schools) == set(expected["schools"])
    for name, (place, *values) in expected["schools"].items():
        rec = schools[name]
        assert rec.place == place
        assert [f.label for f in rec.fields] == list(LABELS)
        assert [f.value.raw for f in rec.fields] == values


def test_not_available_stays_not_available(guide):
    doc, _ = guide
    na = [f for r in doc.records for f in r.fields if f.value.raw == "N/A"]
    assert na, "both guides have N/A values"
    assert all(f.value.kind == "na" and f.value.number is None and not f.value.available for f in na)


def test_typed_values(guide):
    doc, _ = guide
    for rec in doc.records:
        for f in rec.fields:
            if f.value.raw.startswith("$"):
                assert f.value.kind == "money" and f.value.number == float(f.value.raw[1:].replace(",", ""))
            elif f.value.raw.endswith("%"):
                assert f.value.kind == "percent"
            elif f.value.raw != "N/A":
                assert f.value.kind == "count"


def test_salary_record_with_source(guide):
    doc, expected = guide
    (salary,) = [r for r in doc.records if r.own_section]
    assert {f.label: f.value.raw for f in salary.fields} == expected["salary"]
    assert salary.note and salary.note.startswith("Data sourced from")
    assert salary.name == doc.sections[1].title


def test_resource_organisations(guide):
    doc, expected = guide
    orgs = [r for r in doc.records if not r.fields]
    assert len(orgs) == expected["orgs"]
    assert {r.acronym for r in orgs if r.acronym} == expected["acronyms"]
    assert all(r.description for r in orgs)


def test_units_cite_their_own_lines(guide):
    """Every unit's line span holds its text: a citation can be checked against the file."""
    doc, _ = guide
    lines = Path(doc.path).read_text(encoding="utf-8").splitlines()
    for u in doc.units:
        start, end = u.lines
        span = " ".join(lines[start - 1:end])
        if u.record is not None and u.record.fields:
            probe = u.record.fields[0].label  # the figures themselves, not the heading above
        else:
            first = u.text.split("\n")[-1 if u.kind == "list" else 0]
            probe = first.lstrip("\u2022 ").split(":")[0][:25]
        assert probe in span, (u.id, u.lines, probe)
        assert u.section


def test_same_kinds_of_units_on_both_guides():
    kinds = [{u.kind for u in parse_file(e["path"]).units} for e in EXPECTED.values()]
    assert kinds[0] == kinds[1] == {"faq", "fact", "list", "record"}


def test_markdown_guide_reads_like_the_text_template():
    doc = parse_file(DATA / "dental_assistant.md")
    assert doc.subject == "Dental Assistant"
    schools = {r.name: r for r in doc.records if r.place}
    assert set(schools) == {"Harbor Technical College", "Lakeshore Dental Institute", "Ridgeway Community College"}
    assert schools["Harbor Technical College"].get("Out-of-State Tuition").value.raw == "$11,300"
    assert schools["Lakeshore Dental Institute"].get("Graduation Rate").value.kind == "na"
    assert {r.acronym for r in doc.records if r.acronym} == {"ADAA", "DANB"}
    assert [u.title for u in doc.units if u.kind == "faq"] == [
        "Do I need a license?", "How long is dental assistant training?"]


@pytest.mark.parametrize("raw,kind,number", [
    ("$14,328", "money", 14328.0), ("$22.82", "money", 22.82), ("96%", "percent", 96.0),
    ("164,091", "count", 164091.0), ("N/A", "na", None), ("n/a", "na", None),
    ("Salt Lake City, UT", "place", None), ("online only", "text", None),
])
def test_parse_value(raw, kind, number):
    value = parse_value(raw)
    assert (value.kind, value.number, value.raw) == (kind, number, raw)


@pytest.mark.parametrize("name", ["pairs.csv", "pairs.jsonl"])
def test_question_answer_pairs(name):
    doc = parse_file(DATA / name)
    assert doc.kind == "pairs"
    assert [u.id for u in doc.units] == ["visa", "fees", "library", "housing"]
    assert doc.units[1].title == "When are tuition fees due?"
    assert all(u.kind == "faq" for u in doc.units)


@pytest.mark.parametrize("name,content,message,line", [
    ("missing.txt", None, "no such file", None),
    ("empty.txt", b"", "file is empty", None),
    ("blank.txt", b"  \n\n ", "file has no text", None),
    ("binary.txt", b"PK\x03\x04\x00\x00", "binary", None),
    ("latin1.txt", "Overview\nCaf\u00e9 prices\n".encode("latin-1"), "not UTF-8", 2),
    ("no_answer.csv", b"question\nWhat?\n", "missing column(s) answer", 1),
    ("empty_answer.csv", b"question,answer\nWhat?,yes\nWhy?,\n", "empty question or answer", 3),
    ("bad.jsonl", b'{"question": "a?", "answer": "b"}\n{"question": \n', "not valid JSON", 2),
    ("list.jsonl", b'["a", "b"]\n', "JSON object", 1),
])
def test_unreadable_files_name_the_file_and_line(tmp_path, name, content, message, line):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(KnowledgeError) as err:
        parse_file(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)
    assert err.value.line == line


def test_directory_is_an_error(tmp_path):
    with pytest.raises(KnowledgeError, match="directory"):
        parse_file(tmp_path)


def test_guide_missing_sections_still_loads():
    text = "Barista Overview\n\nYou make coffee.\n\nFAQs About Becoming a Barista\n\n" \
           "  \u2022 Do I need training?\n    A short course helps.\n"
    doc = parse_guide(text)
    assert [u.kind for u in doc.units] == ["fact", "faq"]
    assert doc.records == ()


def _literals(source: str) -> list[str]:
    """String constants in code, docstrings left out."""
    tree = ast.parse(source)
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    return [n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]


def test_no_career_school_or_section_words_in_code():
    """Nothing the guides name (careers, schools, organisations, section titles) is in the code."""
    names = set()
    for path in (SEED, SAMPLE, DATA / "dental_assistant.md"):
        doc = parse_file(path)
        names.add(doc.subject.lower())
        names.update(r.name.lower() for r in doc.records)
        names.update(r.acronym.lower() for r in doc.records if r.acronym)
        names.update(s.title.lower() for s in doc.sections)
    package = Path(chatbot.__file__).parent
    for source in package.glob("*.py"):
        for literal in _literals(source.read_text(encoding="utf-8")):
            found = [n for n in names if n in literal.lower() and len(n) > 3]
            assert not found, f"{source.name}: {literal!r} names {found}"


def test_parse_guide_is_made_of_small_passes():
    """No function of the parser is a long one: parse_guide was 160 lines with 30 branches."""
    source = (Path(chatbot.__file__).parent / "parse.py").read_text(encoding="utf-8")
    branches = (ast.If, ast.For, ast.While, ast.IfExp, ast.Try, ast.BoolOp, ast.comprehension, ast.Match)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef):
            lines = node.end_lineno - node.lineno + 1
            count = sum(isinstance(n, branches) for n in ast.walk(node))
            assert lines <= 50 and count <= 20, f"{node.name}: {lines} lines, {count} branches"
    steps = [n.func.id for n in ast.walk(next(n for n in ast.parse(source).body
                                               if isinstance(n, ast.FunctionDef) and n.name == "parse_guide"))
             if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
    assert steps[:6] == ["lines_of", "_items", "_record_roles", "_mark_headings", "_sections", "find_subject"]


def test_line_numbers_count_newlines_only(tmp_path):
    """Characters str.splitlines also breaks at (\\x1e, \\x85, \\u2028) do not shift line numbers."""
    from chatbot.parse import lines_of

    assert lines_of("a\nb\x1ec\x85d\u2028e\r\nf\n") == ["a", "b\x1ec\x85d\u2028e", "f"]
    doc = parse_guide("Guide Title\n\nSome text \x85 with a separator.\n\nSalary\n\nAnnual Median: $1,000\n", "g.txt")
    salary = next(u for u in doc.units if u.record is not None)
    assert salary.lines[0] == 7
