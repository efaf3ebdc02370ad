"""CovidFAQ: the question/answer-pairs path against the published peer figures.

Converts the set's 1,387 user queries to question-set cases with ``expect_ids`` (the FAQ
entries that answer each), runs them through ``chatbot eval``'s evaluation, and prints P@1
and MRR@10 beside the figures in the data set's README.

    python bench/covidfaq.py [--data DIR] [--cases OUT.jsonl]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the working tree's chatbot, not an installed copy

from chatbot import evaluate, load_cases, load_knowledge

HERE = Path(__file__).parent
PEERS = [  # from data/covidfaq/README.md: measured side by side on one machine by its authors
    ("TF-IDF (scikit-learn), query vs FAQ question", 0.314, 0.542),
    ("BM25 (rank-bm25), query vs FAQ question", 0.530, 0.669),
    ("BM25 (rank-bm25), query vs question + answer", 0.365, 0.499),
    ("all-MiniLM-L6-v2 embeddings, query vs question + answer", 0.516, 0.677),
]


def write_cases(queries: Path, out: Path) -> int:
    """One case a query: the question and the FAQ ids that answer it."""
    n = 0
    with out.open("w", encoding="utf-8") as f:
        for line in queries.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                n += 1
                f.write(json.dumps({"id": f"covid-{n}", "question": row["query"],
                                    "expect_ids": row["relevant_faq_ids"]}) + "\n")
    return n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=HERE / "data" / "covidfaq",
                        help="folder with faq_entries.jsonl and queries.jsonl")
    parser.add_argument("--cases", type=Path, help="also keep the converted cases here")
    args = parser.parse_args(argv)
    kb = load_knowledge(args.data / "faq_entries.jsonl")
    with tempfile.TemporaryDirectory() as tmp:
        cases_path = args.cases or Path(tmp) / "covidfaq.cases.jsonl"
        count = write_cases(args.data / "queries.jsonl", cases_path)
        summary = evaluate(load_cases(cases_path), kb).summary
    print(f"CovidFAQ: {len(kb.units_)} FAQ entries, {count} queries\n")
    print(f"{'method':<58} {'P@1':>6} {'MRR@10':>7}")
    for name, p1, mrr in PEERS:
        print(f"{name:<58} {p1:>6.3f} {mrr:>7.3f}")
    print(f"{'careerbot (BM25 over questions + 0.2 x answers, our terms)':<58} "
          f"{summary.p_at_1:>6.3f} {summary.mrr_at_10:>7.3f}")
    print(f"\nlatency per question: p50 {summary.latency_p50_ms:.2f} ms, p95 {summary.latency_p95_ms:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
