"""Input shaped to hurt: huge numbers, long runs that make patterns backtrack, guides of many
headings or of stopwords only, questions of hundreds of unknown words. Each test asserts what
matters: a plain reply or a one-line error, and time bounded as a ratio against a normal input
of the same kind (tests/test_terminal.py: escape codes and undecodable bytes).

Timings are CPU time (the best of a few runs), so another process on the machine does not
make them flaky; every bound is a ratio, never a number of seconds.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import GUIDES, SAMPLE, SEED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import chatbot
from chatbot import Conversation, KnowledgeError, answer, load_knowledge
from chatbot.index import Knowledge
from chatbot.match import MAX_SPELL_REPAIRS
from chatbot.parse import find_subject, parse_guide, parse_value
from chatbot.text import MAX_FIGURE, default_lexicon, tokens

sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))
from large_guide import make_guide  # noqa: E402

RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def cpu(fn, *args, repeat: int = 3) -> float:
    """The least CPU time of ``repeat`` calls of ``fn(*args)``."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        fn(*args)
        best = min(best, time.process_time() - start)
    return max(best, 1e-6)


def run(*args, stdin: bytes | None = None, cwd=None) -> subprocess.CompletedProcess:
    """``python -m chatbot ARGS`` with bytes in and out: what a terminal would receive."""
    return subprocess.run([sys.executable, "-m", "chatbot", *args], input=stdin, capture_output=True,
                          cwd=cwd, timeout=300)


# ---------------------------------------------------------------- 1. huge numbers

HUGE = "9" * 309


@pytest.mark.parametrize("question", [
    f"{HUGE}k tuition", f"schools under ${HUGE}k", f"schools under ${HUGE}", "schools with tuition under $" + "9" * 400,
    f"schools with more than {HUGE} students", f"graduation rate above {HUGE}%", f"graduation rate above {'9' * 20}%",
    "which school costs under 10000000000000000000k",
], ids=range(8))
def test_huge_numbers_are_declined_plainly(guide_kb, question):
    reply = answer(question, guide_kb)
    assert not reply.answered and reply.short is None
    assert "is larger than any figure the guide gives" in reply.text
    assert "inf" not in reply.text and HUGE not in reply.text  # shortened, never "over inf%"


def test_plausible_bounds_are_still_answered(guide_kb):
    cheapest = min((k.record for k in guide_kb.record_keys_ if k.record.place),
                   key=lambda r: r.get("In-State Tuition").value.number)
    reply = answer("which schools cost under $100,000,000,000,000", guide_kb)
    assert reply.answered and cheapest.name in reply.text
    assert parse_value("$1,000,000,000,000,000").kind == "money"  # MAX_FIGURE itself is a figure


def test_number_reader_never_overflows():
    assert tokens(f"{HUGE}k and 10k and 1.5k") == [HUGE, "and", "10000", "and", "1500"]
    value = parse_value("$" + "9" * 400)
    assert value.kind == "unreadable" and value.number is None
    assert parse_value(f"{MAX_FIGURE * 10:,.0f}").kind == "unreadable"


def test_huge_number_from_the_command_line(cli):
    """Through ``main(argv)`` (``chatbot ask`` runs end to end in a process of its own in test_cli.py)."""
    for question in (f"{HUGE}k tuition", f"schools under ${HUGE}"):
        out = cli("ask", question)
        assert out.returncode == 0 and "Traceback" not in out.stderr
        assert "larger than any figure" in out.stdout


# ---------------------------------------------------------------- 2. every regular expression is linear

_RE_CALLS = {"compile", "match", "search", "fullmatch", "findall", "finditer", "sub", "subn", "split"}


def package_patterns() -> list[tuple[str, re.Pattern]]:
    """Every regular expression written in the package, found by reading its source."""
    found = []
    for source in sorted(Path(chatbot.__file__).parent.glob("*.py")):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        names = {id(node.value): node.targets[0].id for node in tree.body
                 if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _RE_CALLS \
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "re" and node.args \
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                name = names.get(id(node), f"line {node.lineno}")
                found.append((f"{source.stem}.{name}", re.compile(node.args[0].value)))
    return found


PATTERNS = package_patterns()
# Runs of one character or pair, after a prefix that gets a pattern going and before a tail
# that makes it fail at the very end: the shapes that make a pattern backtrack.
RUNS = [" ", "\t", "#", "-", "*", "1", "1,", ",", ".", "a", "A ", ":", "|", "$", "%", "\u2022 ", "9."]
PREFIXES = ["", "# ", "- ", "A", "a: ", "$"]
TAILS = ["", "x", "\x00", ":"]


def test_the_audit_finds_the_patterns():
    assert len(PATTERNS) >= 20
    assert {"parse._MD_HEADING", "parse._BULLET", "parse._KV", "text._TOKEN"} <= {w for w, _ in PATTERNS}


def growth(pattern: re.Pattern, repeat: int) -> tuple[float, str]:
    """How many times longer every adversarial shape takes in all at 8 times the length, each timed
    as the least of ``repeat`` runs, and the shape that grew most."""
    n = 1500
    short_total = long_total = 0.0
    worst = (0.0, "")
    for prefix in PREFIXES:
        for unit in RUNS:
            for tail in TAILS:
                short = prefix + unit * (n // len(unit)) + tail
                long = prefix + unit * (8 * n // len(unit)) + tail
                for op in (pattern.search, pattern.findall):
                    a, b = cpu(op, short, repeat=repeat), cpu(op, long, repeat=repeat)
                    short_total, long_total = short_total + a, long_total + b
                    worst = max(worst, (b, f"{op.__name__}({prefix!r} + {unit!r}*n + {tail!r}): {b / a:.0f}x"))
    return long_total / short_total, worst[1]


@pytest.mark.parametrize("where,pattern", PATTERNS, ids=[w for w, _ in PATTERNS])
def test_every_regex_is_linear_on_adversarial_lines(where, pattern):
    """Over every adversarial shape, lines 8 times longer take at most 24 times as long in all
    (linear is 8; one quadratic shape alone makes it about 64, a cubic one far more).

    Each shape is timed once; only a pattern over the bound is timed again as the least of three runs
    of each shape, which decides (the package's patterns grew 1-8x timed once, so it is rare)."""
    ratio, worst = growth(pattern, repeat=1)
    if ratio >= 24:
        ratio, worst = growth(pattern, repeat=3)
    assert ratio < 24, f"{where} {pattern.pattern!r} grows {ratio:.0f}x for 8x the length; worst {worst}"


def test_markdown_heading_with_thousands_of_spaces_loads_in_linear_time():
    def guide(spaces: int) -> str:
        return "# Title" + " " * spaces + "x\n\n## Salary\n\nSome text about pay.\n"

    ratio = cpu(parse_guide, guide(32_000)) / cpu(parse_guide, guide(4_000))
    assert ratio < 24
    doc = parse_guide(guide(2_000))
    assert doc.title == "Title" + " " * 2_000 + "x"


# ---------------------------------------------------------------- 3. loading is linear in the headings

def test_loading_is_linear_in_the_number_of_headings():
    """8 times the sections takes at most 20 times as long (the pairwise subject search was quadratic).

    On words only: the sentence model's encoding is linear and would only hide a quadratic step
    (it was 40 s of this test). Parsing is also timed on its own, so that a quadratic step in it
    is not hidden by the indexing's larger linear cost."""
    small, large = make_guide(500), make_guide(4_000)

    def load(text: str) -> None:
        Knowledge(parse_guide(text), default_lexicon(), encoder=None).fit()

    assert cpu(parse_guide, large, repeat=1) / cpu(parse_guide, small) < 20
    assert cpu(load, large, repeat=1) / cpu(load, small) < 20


def _pairwise_subject(headings: list[str]) -> str:
    """The subject as the first version found it: every run of every heading against every heading."""
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
                if sum(any(t[k:k + len(gram)] == gram for k in range(len(t))) for t in lowered) >= need:
                    best = (j - i, " ".join(words[i:j]))
                    break
    words = best[1].strip(" :,").split()
    while words and not words[0][:1].isupper():
        words.pop(0)
    while words and not words[-1][:1].isupper():
        words.pop()
    return " ".join(words)


_WORDS = st.sampled_from(["Dental", "Assistant", "Salary", "Best", "Schools", "to", "become", "a", "dental",
                          "Overview", "FAQs", "About", "the", "Job", "Market", "for", ":", "U.S.", "2024"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_WORDS, min_size=0, max_size=9).map(" ".join), min_size=0, max_size=12))
def test_subject_is_the_pairwise_reference(headings):
    assert find_subject(headings) == _pairwise_subject(headings)


def test_subject_of_the_guides_and_of_twenty_thousand_headings():
    for path in GUIDES.values():
        doc = parse_guide(path.read_text(encoding="utf-8"))
        assert find_subject([s.title for s in doc.sections]) == _pairwise_subject([s.title for s in doc.sections])
    many = [f"Sample Career Topic {k}" for k in range(20_000)]
    assert find_subject(many) == "Sample Career Topic"


# ---------------------------------------------------------------- 4. a guide of stopwords only

@pytest.mark.parametrize("content", ["The and\n\nof the a\n", "# The\n\nof a the and\n", "question,answer\n?,!\n"])
def test_guide_of_common_words_only_is_a_one_line_error(tmp_path, cli, content):
    path = tmp_path / ("pairs.csv" if content.startswith("question") else "guide.md")
    path.write_text(content, encoding="utf-8")
    with pytest.raises(KnowledgeError, match="no words to answer from"):
        load_knowledge(path)
    out = cli("ask", "hello there", "--knowledge", str(path))
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.count("\n") == 1 and str(path) in out.stderr and "Traceback" not in out.stderr


# ---------------------------------------------------------------- 5. spelling repair is bounded

@pytest.fixture(scope="module")
def large_vocabulary(tmp_path_factory):
    """A question/answer knowledge base of 60,000 made-up words, on words only: spelling repair is
    lexical, and encoding 6,000 made-up passages with the sentence model took two minutes."""
    import random

    rnd = random.Random(5)
    words = sorted({"".join(rnd.choice("abcdefghijklmnoprstuvwy") for _ in range(rnd.randint(5, 10)))
                    for _ in range(62_000)})[:60_000]
    rnd.shuffle(words)
    path = tmp_path_factory.mktemp("vocab") / "large.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for i in range(0, len(words), 10):
            f.write(json.dumps({"question": " ".join(words[i:i + 5]) + "?", "answer": " ".join(words[i + 5:i + 10])})
                    + "\n")
    return load_knowledge(path, encoder=None), words


def test_spelling_repair_is_bounded_per_question(large_vocabulary, monkeypatch):
    kb, words = large_vocabulary
    assert len(kb.spell_choices_) >= 60_000
    typo = words[123][:2] + words[123][3] + words[123][2] + words[123][4:]
    normal = f"what is {words[120]} {typo}"  # one misspelt word, repaired
    # 125 distinct unknown words of seven letters (a word typed again is looked up once: remembered)
    hostile = " ".join(f"qzxq{a}{b}{c}" for a in "qwrtp" for b in "zxcvb" for c in "jklmn")[:1000]
    assert answer(normal, kb).source.title.startswith(" ".join(words[120:125]))

    from chatbot import match
    calls = []
    real = match.process.extract
    monkeypatch.setattr(match.process, "extract", lambda *a, **k: calls.append(1) or real(*a, **k))
    answer(hostile, kb)
    assert len(calls) == MAX_SPELL_REPAIRS  # not one search of 60,000 words per unknown word
    answer(hostile, kb)
    assert len(calls) == MAX_SPELL_REPAIRS  # the same words again: their repairs are remembered
    monkeypatch.undo()
    ratio = cpu(answer, hostile, kb) / cpu(answer, normal, kb)
    assert ratio < 3 * MAX_SPELL_REPAIRS


# ---------------------------------------------------------------- fuzzers of the dangerous shapes

def _runs(alphabet: str) -> st.SearchStrategy[str]:
    return st.builds(lambda c, n: c * n, st.sampled_from(list(alphabet)), st.integers(50, 3000))


DANGEROUS_PIECES = st.one_of(
    st.integers(300, 400).map(lambda n: "9" * n),                        # numbers far past a float
    st.integers(16, 400).map(lambda n: "$" + "9" * n + "k"),
    st.integers(16, 60).map(lambda n: "1," * n),
    _runs(" \t.,!?:;#*-|$%'\"()"),                                       # long runs that backtrack
    st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=5),  # surrogates
    st.text(st.characters(max_codepoint=0x9F, categories=["Cc"]), min_size=1, max_size=20),      # controls
    st.sampled_from(["\x1b[2J", "\x1b]0;x\x07", "\u202e", "\u2066", "\x9b31m", "\r", "\x00"]),
    st.sampled_from(["tuition", "cheapest school", "graduation rate above", "under $", "compare", "salary", "wgu"]),
    st.text(max_size=30),
)
DANGEROUS_QUESTIONS = st.lists(DANGEROUS_PIECES, min_size=1, max_size=6).map(" ".join)


def normal_cost(kb) -> float:
    """The CPU time of one ordinary question."""
    return cpu(lambda: [answer(q, kb) for q in ("what is the salary", "tuition at davenport",
                                                "which school is the cheapest")], repeat=5) / 3


def assert_fast_and_clean(question: str, kb, normal: float) -> None:
    start = time.process_time()
    reply = answer(question, kb)
    turn = Conversation(kb).ask(question)
    spent = time.process_time() - start
    assert reply.text and turn.text and 0.0 <= reply.confidence <= 1.0
    assert not RAW_CONTROL.search(reply.text.replace("\n", "")), reply.text  # replies never echo raw controls
    assert "inf" not in reply.text.split()
    assert spent / 2 < 200 * normal, f"{spent / 2 * 1000:.0f} ms for one question"


@pytest.fixture(scope="module")
def normal_words_cost(sample_words_kb):
    return normal_cost(sample_words_kb)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(DANGEROUS_QUESTIONS)
def test_dangerous_questions_are_answered_fast_and_clean(sample_words_kb, normal_words_cost, question):
    """On words only, where the dangerous shapes meet the numbers, patterns and rules; the sentence model
    reads each shape at its longest in the next test (it was 15 s of encoding here)."""
    assert_fast_and_clean(question, sample_words_kb, normal_words_cost)


# Each dangerous piece at its longest (past the 1,000 characters a question is cut to, where a piece can be),
# then all of them in one question: the most the sentence model is given of each shape.
LONGEST_DANGEROUS = ["9" * 400, "$" + "9" * 400 + "k", "1," * 60, *(c * 3000 for c in " \t.,!?:;#*-|$%'\"()"),
                     "\ud800\udbff\udc00\udfff\udcff", "".join(chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]),
                     "\x1b[2J \x1b]0;x\x07 \u202e \u2066 \x9b31m \r \x00",
                     "tuition cheapest school graduation rate above under $ compare salary wgu"]
LONGEST_DANGEROUS.append(" ".join(piece[:160] for piece in LONGEST_DANGEROUS))


def test_the_sentence_model_reads_the_dangerous_shapes_fast_and_clean(sample_kb):
    assert sample_kb.unit_vectors_ is not None
    normal = normal_cost(sample_kb)
    for question in LONGEST_DANGEROUS:
        assert_fast_and_clean(question, sample_kb, normal)


def _guide_pieces(base: str) -> st.SearchStrategy[str]:
    """Guides made of the sample guide and dangerous lines: heading runs, long space runs, controls."""
    dangerous_line = st.one_of(
        st.integers(200, 3000).map(lambda n: "# Title" + " " * n + "x"),
        st.integers(200, 3000).map(lambda n: "-" + " " * n),
        st.integers(1, 300).map(lambda n: "\n\n".join(f"Heading Number {k} Of Many" for k in range(n))),
        st.integers(1, 300).map(lambda n: "\n".join(f"## Topic {k}\n\nText {k}." for k in range(n))),
        _runs(" #|:-*$,"),
        st.text(st.characters(max_codepoint=0x9F, categories=["Cc"]), min_size=1, max_size=10),
        st.sampled_from(["| a | b |\n|---|---|\n| x |", "| School | Tuition |\n|--|--|\n| | $1 |",
                         "Label: $" + "9" * 400, "In-State Tuition:$14,3"]),
    )
    return st.lists(st.tuples(st.integers(0, len(base)), dangerous_line), max_size=6)


@pytest.fixture(scope="module")
def sample_text():
    return SAMPLE.read_text(encoding="utf-8")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_guides_with_dangerous_lines_load_in_time_linear_in_their_size(sample_text, data):
    inserts = data.draw(_guide_pieces(sample_text))
    text = sample_text
    for at, line in sorted(inserts, reverse=True):
        at = text.rfind("\n", 0, at) + 1
        text = text[:at] + line + "\n" + text[at:]
    base = cpu(parse_guide, sample_text)
    try:
        doc = parse_guide(text, "fuzzed.txt")
    except KnowledgeError as e:
        assert e.path == "fuzzed.txt"
        return
    spent = cpu(parse_guide, text, "fuzzed.txt")  # the least of three, as the base: a pause is not the parser's
    assert spent < 40 * base * max(1.0, len(text) / len(sample_text)), f"{spent:.2f} s for {len(text):,} characters"
    for w in doc.warnings:
        assert w.path == "fuzzed.txt" and 1 <= w.line <= text.count("\n") + 1


def test_seed_guide_loads_as_before():
    # 66 passages, and the opening paragraphs of two sections that lead into a list (index format 10)
    assert len(parse_guide(SEED.read_text(encoding="utf-8")).units) == 68
