"""chatbot eval: question sets in JSONL and CSV, the summary, the report, and bad files."""

from __future__ import annotations

import json

import pytest
from conftest import DATA, SAMPLE, SAMPLE_CASES, run_chatbot

from chatbot import QuestionSetError, evaluate, load_cases


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_eval_end_to_end(tmp_path):
    """In a process of its own: the summary table on stdout, and no progress bar when stderr is not a terminal."""
    out = run_chatbot("eval", str(SAMPLE_CASES), "--knowledge", str(SAMPLE), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    for row in ("cases", "accuracy", "accuracy on answerable", "out-of-scope declined", "in-scope wrongly declined",
                "latency p50", "latency p95", "tag"):
        assert row in out.stdout
    assert "\r" not in out.stderr  # no progress bar when stderr is not a terminal


def test_eval_json_and_report(cli, tmp_path, warm_cache):
    report = tmp_path / "report.jsonl"
    out = cli("eval", str(SAMPLE_CASES), "--knowledge", str(SAMPLE), "--json", "--report", str(report))
    summary = json.loads(out.stdout)
    cases = load_cases(SAMPLE_CASES)
    assert summary["cases"] == len(cases)
    assert 0 <= summary["accuracy"] <= 1 and summary["latency_p95_ms"] >= summary["latency_p50_ms"] > 0
    rows = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(cases)
    assert {"question", "reply", "short", "confidence", "verdict"} <= set(rows[0])
    assert sum(r["verdict"] == "pass" for r in rows) == round(summary["accuracy"] * len(cases))


def test_min_accuracy_sets_the_exit_status(cli, tmp_path):
    cases = write(tmp_path, "two.jsonl", '{"question": "salary", "expect": ["$47,470"]}\n'
                                         '{"question": "salary", "expect": ["$1"]}\n')
    assert cli("eval", str(cases), "--min-accuracy", "0.5").returncode == 0
    low = cli("eval", str(cases), "--min-accuracy", "75")
    assert low.returncode == 1 and "below" in low.stderr


@pytest.mark.parametrize("text,message,line", [
    ('{"question": "salary"}\n{"question": \n', "not valid JSON", 2),
    ('{"question": "salary"}\n{"expect": ["x"]}\n', "missing 'question'", 2),
    ('{"question": "salary", "expect": "x"}\n', "'expect' must be a list of strings", 1),
    ('{"question": "salary", "answerable": "no"}\n', "'answerable' must be true or false", 1),
    ('\n\n{"question": "salary", "expected": ["x"]}\n', "unknown field(s) expected", 3),
    ('{"question": "a", "turns": ["b"]}\n', "not both", 1),
    ('{"turns": []}\n', "'turns' must be a non-empty list", 1),
    ('[1, 2]\n', "JSON object", 1),
])
def test_bad_question_sets_name_the_line_and_write_nothing(cli, tmp_path, text, message, line):
    cases = write(tmp_path, "bad.jsonl", text)
    report = tmp_path / "report.jsonl"
    out = cli("eval", str(cases), "--report", str(report))
    assert out.returncode == 2
    assert f"bad.jsonl:{line}: " in out.stderr and message in out.stderr
    assert out.stderr.count("\n") == 1
    assert not report.exists() and list(tmp_path.iterdir()) == [cases]
    with pytest.raises(QuestionSetError):
        load_cases(cases)


def test_missing_and_empty_question_sets(cli, tmp_path):
    assert cli("eval", str(tmp_path / "nope.jsonl")).returncode == 2
    assert "file is empty" in cli("eval", str(write(tmp_path, "empty.jsonl", ""))).stderr


def test_csv_question_sets_with_list_columns(tmp_path):
    cases = write(tmp_path, "cases.csv",
                  "id,question,expect,forbid,answerable,tags\n"
                  'c1,How much does Capella cost?,"$14,328",Western Governors|Ashford,true,school|paraphrase\n'
                  "c2,what is the tuition at harvard,,$,false,decline\n")
    loaded = load_cases(cases)
    assert loaded[0].expect == ("$14,328",) and loaded[0].forbid == ("Western Governors", "Ashford")
    assert loaded[1].answerable is False and loaded[1].tags == ("decline",)
    result = evaluate(cases)
    assert result.summary.accuracy == 1.0
    assert result.summary.per_tag == {"decline": (1, 1), "paraphrase": (1, 1), "school": (1, 1)}


def test_csv_with_an_unknown_column(cli, tmp_path):
    cases = write(tmp_path, "cases.csv", "question,answer\nsalary,$1\n")
    out = cli("eval", str(cases))
    assert out.returncode == 2 and "cases.csv:1: unknown column(s) answer" in out.stderr


def test_expect_ids_give_precision_and_mrr(tmp_path):
    from chatbot import load_knowledge

    kb = load_knowledge(DATA / "pairs.csv", encoder=None)  # lexical: "visa" shares no word with the question
    cases = write(tmp_path, "ids.jsonl", '{"question": "when are fees due", "expect_ids": ["fees"]}\n'
                                         '{"question": "library opening hours", "expect_ids": ["library"]}\n'
                                         '{"question": "is housing guaranteed", "expect_ids": ["visa"]}\n')
    summary = evaluate(cases, kb).summary
    assert summary.p_at_1 == pytest.approx(2 / 3)
    assert summary.mrr_at_10 == pytest.approx(2 / 3)  # "visa" is not ranked at all for the third


def test_conversations_are_scored_on_their_last_reply(tmp_path):
    cases = write(tmp_path, "turns.jsonl",
                  '{"turns": ["How much is tuition at WGU?", "What about SNHU?"], "short": "$15,000"}\n')
    assert evaluate(cases).summary.accuracy == 1.0


@pytest.mark.parametrize("case", [
    '{"question": null, "turns": ["How much is tuition at WGU?", "What about SNHU?"], "short": "$15,000"}',
    '{"question": "What about SNHU?", "turns": null, "short": "$15,000", "xfail": null, "tags": null}',
])
def test_null_means_absent(tmp_path, case):
    (loaded,) = load_cases(write(tmp_path, "null.jsonl", case + "\n"))
    assert loaded.question == "What about SNHU?" and loaded.short == "$15,000" and loaded.xfail is None
    assert loaded.tags == ()
