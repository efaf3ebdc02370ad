"""Malformed guides and FAQ exports as people make them: each problem is a warning naming its
line, and no reply gives a figure the guide does not really give. Every guide test runs on both
guides, each edited the same way."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import GUIDES

from chatbot import Conversation, answer, load_knowledge
from chatbot.parse import parse_file

README = Path(__file__).parents[1] / "README.md"


@pytest.fixture(params=list(GUIDES))
def guide(request):
    """(path, text, the schools as parsed) of each guide in turn."""
    path = GUIDES[request.param]
    doc = parse_file(path)
    return path, path.read_text(encoding="utf-8"), [r for r in doc.records if r.place]


def _edit(tmp_path, text: str, name: str = "guide.txt"):
    """The edited guide, on words only: the subject here is reading the guide and deciding from its
    figures, not the sentence model (which reads both shipped guides in test_golden.py and test_semantic.py)."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_knowledge(path, encoder=None)


def _line_of(text: str, needle: str, after: int = 0) -> int:
    """1-based number of the first line at or after ``after`` that contains ``needle``."""
    lines = text.splitlines()
    return next(n for n in range(after, len(lines)) if needle in lines[n]) + 1


def test_shipped_guides_load_without_warnings(guide):
    path, _, _ = guide
    assert parse_file(path).warnings == ()


# ---------------------------------------------------------------- a value that does not read as its type

def test_truncated_value_is_unreadable_and_never_the_cheapest(tmp_path, guide):
    path, text, schools = guide
    dearest = max(schools, key=lambda r: r.get("In-State Tuition").value.number)
    raw = dearest.get("In-State Tuition").value.raw              # "$15,000"
    cut = raw[:-2]                                               # "$15,0": once read as $150, the cheapest
    line = dearest.get("In-State Tuition").line
    lines = text.splitlines()
    lines[line - 1] = lines[line - 1].replace(raw, cut)
    kb = _edit(tmp_path, "\n".join(lines) + "\n")

    (warning,) = kb.document.warnings
    assert warning.line == line and cut in warning.message and "does not read as money" in warning.message
    value = next(r for r in kb.document.records if r.name == dearest.name).get("In-State Tuition").value
    assert (value.kind, value.number, value.available) == ("unreadable", None, False)

    cheapest = answer("which school is the cheapest?", kb)
    assert cheapest.answered and not cheapest.text.split("Of the rest, ")[-1].startswith(dearest.name)
    assert f"for {dearest.name} cannot be read" in cheapest.text
    asked = answer(f"what is the tuition at {dearest.name}?", kb)
    assert "cannot be read" in asked.text and cut in asked.text and asked.short is None
    ranked = answer("list the schools by tuition", kb)
    assert not re.search(rf"\d\. {re.escape(dearest.name)}", ranked.text) and "cannot be read" in ranked.text
    other = next(r for r in schools if r is not dearest)
    compared = answer(f"is {dearest.name} cheaper than {other.name}?", kb)
    assert "cannot be compared" in compared.text and "Yes" not in compared.text
    assert f"{cut} (unreadable)" in answer(f"compare {dearest.name} and {other.name}", kb).text


# ---------------------------------------------------------------- a field given twice

def test_field_given_twice_names_both_lines_and_the_reply_states_both(tmp_path, guide):
    path, text, schools = guide
    school = schools[0]
    rate = school.get("Graduation Rate")
    other = "94%" if rate.value.raw != "94%" else "93%"
    lines = text.splitlines()
    lines.insert(rate.line + 1, lines[rate.line - 1].replace(rate.value.raw, other))  # two lines further down
    kb = _edit(tmp_path, "\n".join(lines) + "\n")

    (warning,) = kb.document.warnings
    second = rate.line + 2
    assert warning.line == second and f"lines {rate.line} and {second}" in warning.message
    reply = answer(f"what is the graduation rate at {school.name}?", kb)
    assert rate.value.raw in reply.text and other in reply.text and "more than one" in reply.text
    assert reply.short is None
    best = answer("which school has the highest graduation rate?", kb)
    assert f"more than one graduation rate for {school.name}" in best.text
    assert not best.text.split("Of the rest, ")[-1].startswith(school.name)


def test_field_given_twice_with_the_same_value_is_read_once(tmp_path, guide):
    path, text, schools = guide
    rate = schools[0].get("Graduation Rate")
    lines = text.splitlines()
    lines.insert(rate.line, lines[rate.line - 1])
    kb = _edit(tmp_path, "\n".join(lines) + "\n")
    (warning,) = kb.document.warnings
    assert f"lines {rate.line} and {rate.line + 1}" in warning.message and "same value" in warning.message
    assert answer(f"graduation rate at {schools[0].name}", kb).short == rate.value.raw


# ---------------------------------------------------------------- a record at the very end without figures

def test_record_at_the_end_of_a_truncated_file_is_kept(tmp_path, guide):
    path, text, schools = guide
    last = schools[-1]
    lines = text.splitlines()
    place_line = _line_of(text, last.place, last.lines[0] - 1)
    kb = _edit(tmp_path, "\n".join(lines[:place_line]) + "\n")  # cut right after the last school's place

    names = [r.name for r in kb.document.records if r.place]
    assert names == [r.name for r in schools]
    bare = next(r for r in kb.document.records if r.name == last.name)
    assert bare.fields == () and bare.place == last.place
    (warning,) = kb.document.warnings
    assert warning.line == last.lines[0] and "no figures" in warning.message
    assert answer(f"where is {last.name}?", kb).answered
    declined = answer(f"what is the tuition at {last.name}?", kb)
    assert not declined.answered and last.name in declined.text


# ---------------------------------------------------------------- Markdown pipe tables of records

def _as_table(schools) -> str:
    labels = [f.label for f in schools[0].fields]
    rows = ["| School | Location | " + " | ".join(labels) + " |", "|---|---|" + "---|" * len(labels)]
    rows += [f"| {r.name} | {r.place} | " + " | ".join(f.value.raw for f in r.fields) + " |" for r in schools]
    return "\n".join(rows)


def test_markdown_pipe_table_is_read_as_records(tmp_path, guide):
    path, text, schools = guide
    md = f"# Guide Overview\n\nAn overview paragraph about the work.\n\n## Best Schools\n\n{_as_table(schools)}\n\n" \
         "## FAQs\n\n### Is it a good career?\n\nYes, for many people.\n"
    kb = _edit(tmp_path, md, "guide.md")
    assert kb.document.warnings == ()
    read = {r.name: r for r in kb.document.records}
    assert set(read) == {r.name for r in schools}
    for school in schools:
        got = read[school.name]
        assert got.place == school.place and got.group == "Best Schools"
        assert [(f.label, f.value.raw, f.value.kind) for f in got.fields] == \
               [(f.label, f.value.raw, f.value.kind) for f in school.fields]
        line = _line_of(md, f"| {school.name} |")
        assert got.lines == (line, line)
    school = schools[1]
    reply = answer(f"how much is tuition at {school.name}?", kb)
    assert reply.short == school.get("In-State Tuition").value.raw
    assert reply.source.lines == read[school.name].lines
    cheapest = min(schools, key=lambda r: r.get("In-State Tuition").value.number)
    assert cheapest.name in answer("which school is the cheapest?", kb).text
    header = answer("School Location In-State Tuition Out-of-State Tuition", kb)
    assert not (header.confidence == 1.0 and "| School |" in header.text)  # the header row is no passage


def test_malformed_table_rows_are_warnings(tmp_path, guide):
    path, text, schools = guide
    table = _as_table(schools).splitlines()
    table[2] = table[2].rsplit("|", 2)[0] + "|"  # a row missing its last cell
    table.append("| | Nowhere, XX | $1 |")          # a row with no name
    md = "# Guide\n\nText about it.\n\n## Best Schools\n\n" + "\n".join(table) + "\n"
    kb = _edit(tmp_path, md, "guide.md")
    warnings = {w.line: w.message for w in kb.document.warnings}
    assert set(warnings) == {_line_of(md, f"| {schools[0].name} |"), md.count("\n")}
    assert "no name" in warnings[md.count("\n")]
    assert len([r for r in kb.document.records if r.place]) == len(schools)


# ---------------------------------------------------------------- the warnings from the command line

def test_warnings_are_listed_by_inspect_and_printed_once_by_the_others(tmp_path, cli, guide):
    """Through ``main(argv)``, on words only (each command runs end to end in test_cli.py)."""
    path, text, schools = guide
    raw = schools[0].get("In-State Tuition").value.raw
    guide_path = tmp_path / "guide.txt"
    guide_path.write_text(text.replace(f":{raw}", f":{raw[:-2]}", 1), encoding="utf-8")

    def run(*args: str, stdin: str | None = None):
        return cli(*args, "--knowledge", str(guide_path), "--no-semantic", stdin=stdin)

    line = schools[0].get("In-State Tuition").line
    where = f"{guide_path}:{line}: "
    inspect = run("inspect")
    assert inspect.returncode == 0 and inspect.stderr == ""
    assert "1 warnings" in inspect.stdout and where in inspect.stdout.split("warnings:")[-1]
    (listed,) = json.loads(run("inspect", "--json").stdout)["warnings"]
    assert (listed["path"], listed["line"]) == (str(guide_path), line) and raw[:-2] in listed["message"]
    for args, stdin in ((("ask", "salary"), None), (("chat",), "salary\ntuition\nhello\n")):
        out = run(*args, stdin=stdin)
        assert out.returncode == 0
        assert out.stderr.count(where) == 1 and out.stderr.startswith("chatbot: warning: ")


# ---------------------------------------------------------------- FAQ exports

def _pairs(tmp_path, name: str, content: str):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return load_knowledge(path)


def test_repeated_question_with_the_same_answer_is_one_entry(tmp_path):
    kb = _pairs(tmp_path, "faq.csv", "question,answer\nWhen does the library open?,At 8 am.\n"
                                     "Who runs the library?,The city.\nwhen does the library  OPEN?,At 8 am.\n")
    assert [u.title for u in kb.document.units] == ["When does the library open?", "Who runs the library?"]
    assert kb.document.warnings == ()


def test_repeated_question_with_another_answer_keeps_both_and_warns(tmp_path):
    kb = _pairs(tmp_path, "faq.csv", "question,answer\nWhen does the library open?,At 8 am on weekdays.\n"
                                     "Who runs the library?,The city.\n"
                                     "when does the library  OPEN?,At 10 am at weekends.\n")
    entry = kb.document.units[0]
    assert len(kb.document.units) == 2
    assert entry.answers == ("At 8 am on weekdays.", "At 10 am at weekends.")
    (warning,) = kb.document.warnings
    assert warning.line == 4 and "line 2" in warning.message
    conversation = Conversation(kb)
    reply = conversation.ask("when does the library open?")
    assert reply.text.startswith("At 8 am on weekdays.") and "1. At 10 am at weekends." in reply.text
    assert conversation.ask("1").text == "At 10 am at weekends."


@pytest.mark.parametrize("name,content", [
    ("faq.csv", "id,question,answer,alternatives\nhours,When does the library open?,At 8 am.,"
                "library opening hours|what time can I get into the library\n"
                "fees,When are tuition fees due?,On the first day of term.,\n"),
    ("faq.csv", "question,answer,alternative_questions\nWhen does the library open?,At 8 am.,"
                "library opening hours | what time can I get into the library\n"
                "When are tuition fees due?,On the first day of term.,\n"),
    ("faq.jsonl", json.dumps({"id": "hours", "question": "When does the library open?", "answer": "At 8 am.",
                              "alternatives": ["library opening hours", "what time can I get into the library"]})
     + "\n" + json.dumps({"id": "fees", "question": "When are tuition fees due?",
                          "answer": "On the first day of term."}) + "\n"),
])
def test_alternative_phrasings_each_match(tmp_path, name, content):
    kb = _pairs(tmp_path, name, content)
    entry = kb.document.units[0]
    assert entry.questions == ("When does the library open?", "library opening hours",
                               "what time can I get into the library")
    for question in entry.questions:
        reply = answer(question, kb)
        assert reply.answered and reply.text == "At 8 am." and reply.confidence >= 0.5, question
    assert answer("when are fees due", kb).text == "On the first day of term."


def test_bad_alternatives_name_the_line(tmp_path):
    from chatbot import KnowledgeError

    with pytest.raises(KnowledgeError) as err:
        _pairs(tmp_path, "faq.jsonl", '{"question": "a?", "answer": "b", "alternatives": [1]}\n')
    assert err.value.line == 1 and "alternatives" in str(err.value)


def test_readme_examples_of_the_faq_formats_load(tmp_path):
    """The README shows one example of each accepted format; each must load as it says."""
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```(csv|jsonl)\n(.*?)```", text, flags=re.S)
    assert {kind for kind, _ in blocks} == {"csv", "jsonl"}
    for n, (kind, block) in enumerate(blocks):
        kb = _pairs(tmp_path, f"example{n}.{kind}", block)
        assert any(u.questions for u in kb.document.units), kind
