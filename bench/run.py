"""Benchmarks: careerbot against its peers, measured side by side in one run.

    pip install ".[bench]" && python bench/run.py            # everything (about 5 minutes)
    python bench/run.py --scales 1000,10000 --runs 3          # quicker

Prints the machine, then three tables. Every figure is the median over ``--runs`` runs,
after a warm-up run:

1. Per question, on the shipped guide's question set: ``answer()`` p50/p95 next to a plain
   scikit-learn TF-IDF top-1 lookup over the same units, rank-bm25 and bm25s.
2. Cold start: the whole process ``chatbot ask "what is the salary"`` next to a bare
   ``python -c "import sklearn.feature_extraction.text"``, and the time to build the index.
3. Scale: question/answer knowledge bases of 1,000, 10,000 and 100,000 pairs, generated with
   a fixed seed by recombining the guides' sentences and names: build time, p50/p95 per
   question and peak memory, each system in its own process, careerbot beside bm25s.
   careerbot's "build" is its first load (parse, index, write the index cache); "careerbot
   cached" is a second process loading the same file from that cache.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = 7
QUESTION_SET = ROOT / "knowledge" / "patient_services_coordinator.questions.jsonl"
GUIDES = [ROOT / "knowledge" / "patient_services_coordinator.txt",
          ROOT / "knowledge" / "samples" / "medical_records_technician.txt"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def timed(fn, questions: list[str]) -> tuple[float, float]:
    """(p50, p95) in milliseconds of ``fn(question)`` over the questions."""
    latencies = []
    for q in questions:
        start = time.perf_counter()
        fn(q)
        latencies.append((time.perf_counter() - start) * 1000)
    return percentile(latencies, 0.5), percentile(latencies, 0.95)


def median_runs(fn, questions: list[str], runs: int) -> tuple[float, float]:
    timed(fn, questions)  # warm-up
    results = [timed(fn, questions) for _ in range(runs)]
    return statistics.median(r[0] for r in results), statistics.median(r[1] for r in results)


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

def per_question(runs: int) -> tuple[int, list[tuple[str, float, float]]]:
    from chatbot import answer, default_knowledge, load_cases

    kb = default_knowledge()
    questions = [c.question for c in load_cases(QUESTION_SET)]
    docs = [f"{u.title} {u.text}" for u in kb.units_]
    rows = [("careerbot answer()", *median_runs(lambda q: answer(q, kb), questions, runs)),
            ("plain TF-IDF top-1 (scikit-learn)", *median_runs(plain_tfidf(docs), questions, runs)),
            ("rank-bm25 top-1", *median_runs(rank_bm25(docs), questions, runs)),
            ("bm25s top-1", *median_runs(bm25s_index(docs), questions, runs))]
    return len(questions), rows


# ---------------------------------------------------------------- 2. cold start

def cold_start(runs: int) -> list[tuple[str, float]]:
    script = Path(sys.executable).parent / "chatbot"
    commands = {
        'python -c "import sklearn.feature_extraction.text"': [sys.executable, "-c",
                                                               "import sklearn.feature_extraction.text"],
        'chatbot ask "what is the salary"': [str(script), "ask", "what is the salary"],
    }
    rows = []
    for name, command in commands.items():
        times = []
        for i in range(runs + 1):
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, cwd=tempfile.gettempdir())
            if i:  # the first run warms the disk cache
                times.append(time.perf_counter() - start)
        rows.append((name, statistics.median(times) * 1000))
    from chatbot import load_knowledge

    builds = []
    for _ in range(runs):
        start = time.perf_counter()
        load_knowledge()
        builds.append(time.perf_counter() - start)
    rows.append(("build the index of the shipped guide (in process)", statistics.median(builds) * 1000))
    return rows


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


def worker(system: str, corpus_path: str, questions_path: str, runs: int) -> dict:
    """Runs in its own process: build, time the questions, report peak memory."""
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
    p50, p95 = median_runs(ask, questions, runs)
    return {"build_s": build, "p50_ms": p50, "p95_ms": p95, "peak_mb": peak_mb()}


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


def scale(sizes: list[int], runs: int) -> list[tuple[int, str, dict]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            pairs, asked = corpus(size)
            corpus_path = Path(tmp) / f"pairs_{size}.jsonl"
            corpus_path.write_text("".join(json.dumps(p) + "\n" for p in pairs))
            questions_path = Path(tmp) / f"questions_{size}.json"
            questions_path.write_text(json.dumps(asked))
            # careerbot's first load builds and writes its index cache (in this run's own folder);
            # "careerbot cached" is the next process, reading it.
            env = {**os.environ, "XDG_CACHE_HOME": str(Path(tmp) / "cache"), "CAREERBOT_CACHE": "1"}
            for system in ("careerbot", "careerbot cached", "bm25s"):
                out = subprocess.run([sys.executable, __file__, "--worker", system.split()[0], str(corpus_path),
                                      str(questions_path), "--runs", str(runs)], capture_output=True, text=True,
                                     env=env)
                if out.returncode:
                    sys.exit(f"scale {size} {system} failed:\n{out.stderr}")
                rows.append((size, system, json.loads(out.stdout.strip().splitlines()[-1])))
                print(f"  scale {size:,} {system}: done", file=sys.stderr)
    return rows


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
    parser.add_argument("--runs", type=int, default=5, help="timed runs after the warm-up (default 5)")
    parser.add_argument("--scales", default="1000,10000,100000", help="sizes of the generated knowledge bases")
    parser.add_argument("--worker", nargs=3, metavar=("SYSTEM", "CORPUS", "QUESTIONS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(*args.worker, runs=args.runs)))
        return 0

    print(machine())
    print(f"each figure: median of {args.runs} runs after a warm-up\n")

    count, rows = per_question(args.runs)
    base = rows[1][1]
    print(f"1. per question, shipped guide's question set ({count} questions)")
    print(f"{'system':<36} {'p50 ms':>8} {'p95 ms':>8} {'p50 vs TF-IDF':>14}")
    for name, p50, p95 in rows:
        print(f"{name:<36} {p50:>8.3f} {p95:>8.3f} {p50 / base:>13.2f}x")

    print("\n2. cold start")
    rows = cold_start(args.runs)
    bare = rows[0][1]
    for name, ms in rows:
        ratio = f"{ms / bare:.2f}x" if "chatbot" in name or "import" in name else ""
        print(f"{name:<52} {ms:>8.0f} ms  {ratio}")

    sizes = [int(s) for s in args.scales.split(",") if s]
    if sizes:
        print("\n3. scale: generated question/answer knowledge, 200 questions each")
        head = ("pairs", "system", "build s", "p50 ms", "p95 ms", "peak MB", "p50 vs bm25s")
        print(f"{head[0]:>8} {head[1]:<17} " + " ".join(f"{h:>8}" for h in head[2:6]) + f" {head[6]:>13}")
        results = scale(sizes, args.runs)
        for size, system, r in results:
            other = next(x for s, n, x in results if s == size and n == "bm25s")
            print(f"{size:>8,} {system:<17} {r['build_s']:>8.2f} {r['p50_ms']:>8.3f} {r['p95_ms']:>8.3f} "
                  f"{r['peak_mb']:>8.0f} {r['p50_ms'] / other['p50_ms']:>12.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
