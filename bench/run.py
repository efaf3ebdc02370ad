"""Benchmarks: careerbot against its peers, measured side by side in one run.

    pip install ".[bench]" && python bench/run.py            # everything (7 minutes on a busy 2-core machine)
    python bench/run.py --quick                               # 3 runs, 1,000 pairs only (under a minute)
    python bench/run.py --scales 1000,10000 --runs 3          # choose

It measures the working tree's ``chatbot`` (the checkout is put first on the path of this
process and of every process it starts), and prints the machine, then three tables:

1. Per question, on the shipped guide's question set: ``answer()`` p50/p95 next to a plain
   scikit-learn TF-IDF top-1 lookup over the same units, rank-bm25 and bm25s.
2. Cold start: the whole process ``chatbot ask "what is the salary"`` next to a bare
   ``python -c "import sklearn.feature_extraction.text"``, and the time to build the index.
3. Scale: question/answer knowledge bases of 1,000, 10,000 and 100,000 pairs, generated with
   a fixed seed by recombining the guides' sentences and names: build time, p50/p95 per
   question and peak memory, each system in a process of its own, careerbot beside bm25s.

How: every run measures each system once, and the order of the systems changes from run to
run (A B, then B A; with more systems, rotated), so a machine that gets slower or faster
during the benchmark moves every side alike. A figure is the median over ``--runs`` runs,
after one warm-up run of each system (in table 3 the warm-up is a pass over the questions
inside each process). A ratio ("0.46x") is the median of the per-run ratios, each taken
between two figures of the same run, with their minimum and maximum beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the working tree's chatbot, not an installed copy
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
SEED = 7
QUESTION_SET = ROOT / "knowledge" / "patient_services_coordinator.questions.jsonl"
GUIDES = [ROOT / "knowledge" / "patient_services_coordinator.txt",
          ROOT / "knowledge" / "samples" / "medical_records_technician.txt"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def timed(fn, questions: list[str]) -> dict[str, float]:
    """p50 and p95 in milliseconds of ``fn(question)`` over the questions."""
    latencies = []
    for q in questions:
        start = time.perf_counter()
        fn(q)
        latencies.append((time.perf_counter() - start) * 1000)
    return {"p50": percentile(latencies, 0.5), "p95": percentile(latencies, 0.95)}


Figures = dict[str, float]


def alternate(systems: dict[str, Callable[[], Figures]], runs: int, *, warm_up: bool = True
              ) -> dict[str, list[Figures]]:
    """Each system's figures for each run. Every run calls each system once; the order rotates from
    run to run (two systems: A B, B A, A B, ...), so drift in the machine's speed lands on all alike."""
    names = list(systems)
    if warm_up:
        for name in names:
            systems[name]()
    figures: dict[str, list[Figures]] = {name: [] for name in names}
    for run in range(runs):
        shift = run % len(names)
        for name in names[shift:] + names[:shift]:
            figures[name].append(systems[name]())
    return figures


def median(runs: list[Figures], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def ratios(runs: list[Figures], base: list[Figures], key: str) -> tuple[float, float, float]:
    """The median, minimum and maximum of the per-run ratios ``runs[i][key] / base[i][key]``."""
    each = [r[key] / b[key] for r, b in zip(runs, base, strict=True)]
    return statistics.median(each), min(each), max(each)


def show_ratio(ratio: tuple[float, float, float]) -> str:
    mid, lo, hi = ratio
    return f"{mid:.2f}x ({lo:.2f}-{hi:.2f})"


def simple_tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


# ---------------------------------------------------------------- peers

def plain_tfidf(docs: list[str]):
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer().fit(docs)
    matrix = vectorizer.transform(docs)
    return lambda q: int((matrix @ vectorizer.transform([q]).T).toarray().argmax())


def rank_bm25(docs: list[str]):
    from rank_bm25 import BM25Okapi

    bm25 = BM25Okapi([simple_tokens(d) for d in docs])
    return lambda q: int(bm25.get_scores(simple_tokens(q)).argmax())


def bm25s_index(docs: list[str]):
    import bm25s

    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(docs, show_progress=False), show_progress=False)
    return lambda q: retriever.retrieve(bm25s.tokenize([q], show_progress=False), k=1, show_progress=False)


# ---------------------------------------------------------------- 1. per question

def per_question(runs: int) -> tuple[int, dict[str, list[Figures]]]:
    from chatbot import answer, default_knowledge, load_cases

    kb = default_knowledge()
    questions = [c.question for c in load_cases(QUESTION_SET)]
    docs = [f"{u.title} {u.text}" for u in kb.units_]
    systems = {"careerbot answer()": lambda q: answer(q, kb),
               "plain TF-IDF top-1 (scikit-learn)": plain_tfidf(docs),
               "rank-bm25 top-1": rank_bm25(docs),
               "bm25s top-1": bm25s_index(docs)}
    figures = alternate({name: (lambda fn=fn: timed(fn, questions)) for name, fn in systems.items()}, runs)
    return len(questions), figures


# ---------------------------------------------------------------- 2. cold start

BARE = 'python -c "import sklearn.feature_extraction.text"'
ASK = 'chatbot ask "what is the salary"'


def cold_start(runs: int) -> tuple[dict[str, list[Figures]], float]:
    """Each command's wall time per run (a new process each time; the warm-up run fills the disk cache),
    and the median time to build the shipped guide's index in this process."""
    script = Path(sys.executable).parent / "chatbot"
    commands = {BARE: [sys.executable, "-c", "import sklearn.feature_extraction.text"],
                ASK: [str(script), "ask", "what is the salary"]}

    def run(command: list[str]) -> Figures:
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=tempfile.gettempdir(), env=ENV)
        return {"ms": (time.perf_counter() - start) * 1000}

    figures = alternate({name: (lambda c=command: run(c)) for name, command in commands.items()}, runs)
    from chatbot import load_knowledge

    builds = []
    for _ in range(runs):
        start = time.perf_counter()
        load_knowledge()
        builds.append((time.perf_counter() - start) * 1000)
    return figures, statistics.median(builds)


# ---------------------------------------------------------------- 3. scale

TEMPLATES = ["What is {t}?", "How does {t} work?", "Tell me about {t} at {n}.", "Where can I learn about {t}?",
             "Why does {t} matter for {n}?", "Is {t} required at {n}?", "Who handles {t}?",
             "What does {n} say about {t}?", "How long does {t} take?", "Can I study {t} online at {n}?"]


def corpus(size: int, seed: int = SEED) -> tuple[list[dict], list[str]]:
    """``size`` question/answer pairs recombined from the guides' sentences and names, and 200
    questions to ask of them (half with a word left out, half with a typo)."""
    rng = random.Random(seed)
    text = "\n".join(p.read_text(encoding="utf-8") for p in GUIDES)
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if 40 <= len(s.strip()) <= 300]
    words = [w for w in re.findall(r"[A-Za-z][a-z]{3,}", text)]
    names = sorted(set(re.findall(r"^([A-Z][A-Za-z\- ]+(?:University|College|Association|Board|Institute))$",
                                  text, re.M)))
    pairs, seen = [], set()
    while len(pairs) < size:
        topic = " ".join(rng.sample(words, rng.randint(2, 4))).lower()
        question = rng.choice(TEMPLATES).format(t=topic, n=rng.choice(names))
        if question.lower() in seen:
            continue
        seen.add(question.lower())
        answer = " ".join(rng.sample(sentences, rng.randint(2, 3)))
        pairs.append({"id": str(len(pairs) + 1), "question": question, "answer": answer})
    asked = []
    for pair in rng.sample(pairs, 200):
        tokens = pair["question"].rstrip("?.").split()
        if len(asked) % 2 == 0 and len(tokens) > 3:
            del tokens[rng.randrange(len(tokens))]
        else:
            i = rng.randrange(len(tokens))
            w = tokens[i]
            if len(w) > 4:
                j = rng.randrange(1, len(w) - 1)
                tokens[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
        asked.append(" ".join(tokens) + "?")
    return pairs, asked


def worker(system: str, corpus_path: str, questions_path: str) -> Figures:
    """Runs in a process of its own: build, one warm-up pass and one timed pass over the questions, peak memory."""
    questions = json.loads(Path(questions_path).read_text())
    start = time.perf_counter()
    if system == "careerbot":
        from chatbot import answer, load_knowledge

        kb = load_knowledge(corpus_path)
        ask = lambda q: answer(q, kb)  # noqa: E731
    else:
        pairs = [json.loads(line) for line in Path(corpus_path).read_text().splitlines()]
        ask = bm25s_index([f"{p['question']} {p['answer']}" for p in pairs])
    build = time.perf_counter() - start
    timed(ask, questions)  # warm-up
    latency = timed(ask, questions)
    return {"build_s": build, "p50_ms": latency["p50"], "p95_ms": latency["p95"], "peak_mb": peak_mb()}


def peak_mb() -> float:
    """This process's peak resident memory. VmHWM counts this program only; ru_maxrss, on Linux,
    keeps the high-water mark across exec, so it would count the benchmark's own parent process."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


SCALE_SYSTEMS = ("careerbot", "bm25s")


def scale(sizes: list[int], runs: int) -> dict[int, dict[str, list[Figures]]]:
    """For each size, each system's figures per run: one new process per system and run, alternating."""
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            pairs, asked = corpus(size)
            corpus_path = Path(tmp) / f"pairs_{size}.jsonl"
            corpus_path.write_text("".join(json.dumps(p) + "\n" for p in pairs))
            questions_path = Path(tmp) / f"questions_{size}.json"
            questions_path.write_text(json.dumps(asked))

            def run(system: str, size: int = size, corpus_path: Path = corpus_path,
                    questions_path: Path = questions_path) -> Figures:
                out = subprocess.run([sys.executable, __file__, "--worker", system, str(corpus_path),
                                      str(questions_path)], capture_output=True, text=True, env=ENV)
                if out.returncode:
                    sys.exit(f"scale {size} {system} failed:\n{out.stderr}")
                return json.loads(out.stdout.strip().splitlines()[-1])

            sys.stdout.flush()
            print(f"  (measuring {size:,} pairs)", file=sys.stderr, flush=True)
            results[size] = alternate({s: (lambda s=s: run(s)) for s in SCALE_SYSTEMS}, runs, warm_up=False)
    return results


# ---------------------------------------------------------------- report

def machine() -> str:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import numpy
    import rapidfuzz
    import sklearn

    return (f"machine: {cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}, numpy {numpy.__version__}, scikit-learn {sklearn.__version__}, "
            f"rapidfuzz {rapidfuzz.__version__}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, help="timed runs of each system after the warm-up (default 5; 3 with "
                                                 "--quick)")
    parser.add_argument("--scales", help="sizes of the generated knowledge bases (default 1000,10000,100000; "
                                         "1000 with --quick; empty to skip table 3)")
    parser.add_argument("--quick", action="store_true", help="3 runs and only the 1,000-pair scale: under a minute")
    parser.add_argument("--worker", nargs=3, metavar=("SYSTEM", "CORPUS", "QUESTIONS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(*args.worker)))
        return 0
    runs = args.runs or (3 if args.quick else 5)
    scales = args.scales if args.scales is not None else ("1000" if args.quick else "1000,10000,100000")

    import chatbot

    print(machine())
    print(f"chatbot: {Path(chatbot.__file__).parent}")
    print(f"each figure: median of {runs} runs after a warm-up; each ratio: median of the {runs} per-run ratios "
          f"(min-max),\nthe systems measured in turn in every run, in an order that alternates from run to run\n")

    count, figures = per_question(runs)
    base = figures["plain TF-IDF top-1 (scikit-learn)"]
    print(f"1. per question, shipped guide's question set ({count} questions)")
    print(f"{'system':<36} {'p50 ms':>8} {'p95 ms':>8}  p50 vs TF-IDF")
    for name, rows in figures.items():
        ratio = "1.00x" if rows is base else show_ratio(ratios(rows, base, "p50"))
        print(f"{name:<36} {median(rows, 'p50'):>8.3f} {median(rows, 'p95'):>8.3f}  {ratio}")

    print("\n2. cold start (a new process each run)")
    figures, build_ms = cold_start(runs)
    print(f"{'':<52} {'ms':>6}  vs the import")
    print(f"{BARE:<52} {median(figures[BARE], 'ms'):>6.0f}  1.00x")
    print(f"{ASK:<52} {median(figures[ASK], 'ms'):>6.0f}  {show_ratio(ratios(figures[ASK], figures[BARE], 'ms'))}")
    print(f"{'build the index of the shipped guide (in process)':<52} {build_ms:>6.0f}")

    sizes = [int(s) for s in scales.split(",") if s]
    if sizes:
        print("\n3. scale: generated question/answer knowledge, 200 questions each, each system in its own process")
        keys = ("build_s", "p50_ms", "p95_ms", "peak_mb")
        heads = ("build s", "p50 ms", "p95 ms", "peak MB")
        print(f"{'pairs':>8} {'system':<10} " + " ".join(f"{h:>11}" for h in heads))
        for size, figures in scale(sizes, runs).items():
            for system, rows in figures.items():
                values = [f"{median(rows, 'build_s'):.2f}", f"{median(rows, 'p50_ms'):.3f}",
                          f"{median(rows, 'p95_ms'):.3f}", f"{median(rows, 'peak_mb'):.0f}"]
                print(f"{size:>8,} {system:<10} " + " ".join(f"{v:>11}" for v in values))
            cells = [ratios(figures["careerbot"], figures["bm25s"], key) for key in keys]
            print(f"{'':>8} {'ratio':<10} " + " ".join(f"{f'{mid:.2f}x':>11}" for mid, _, _ in cells)
                  + "  careerbot / bm25s")
            print(f"{'':>8} {'(min-max)':<10} " + " ".join(f"{f'{lo:.2f}-{hi:.2f}':>11}" for _, lo, hi in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
