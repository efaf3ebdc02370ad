"""FAQ files: careerbot against plain retrieval on two public FAQ sets, and declines across them.

For each set (CovidFAQ: 68 entries, 1,387 real user questions; StackFAQ: 125 entries, 1,249
user rephrasings), with the semantic signal off and on:

- P@1: the first-ranked entry answers the question (ranking alone, no declines);
- answered right: the bot answers and its reply is a right entry (a decline counts as wrong);
- declined: in-scope questions the bot declined;
- other set's users declined: the other set's questions, asked against this one, declined.

Peers, on the same questions and the same P@1: TF-IDF (scikit-learn) over the entries'
questions, BM25 (bm25s) over the entries' questions, and all-MiniLM-L6-v2 alone (the shipped
model, question against question + answer).

    python bench/faq.py [--limit N]     # pip install ".[bench]" first (bm25s)
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the working tree's chatbot, not an installed copy

from chatbot import answer, load_knowledge
from chatbot.match import make_query, rank_units
from chatbot.semantic import default_encoder

DATA = Path(__file__).parent / "data"
SETS = {"CovidFAQ": DATA / "covidfaq", "StackFAQ": DATA / "stackfaq"}


def read(folder: Path) -> tuple[list[dict], list[dict]]:
    def rows(name: str) -> list[dict]:
        return [json.loads(line) for line in (folder / name).read_text(encoding="utf-8").splitlines() if line.strip()]

    return rows("faq_entries.jsonl"), rows("queries.jsonl")


def peers(entries: list[dict], queries: list[dict]) -> dict[str, float]:
    """P@1 of plain TF-IDF, BM25 (bm25s) and MiniLM alone."""
    import bm25s
    from sklearn.feature_extraction.text import TfidfVectorizer

    ids = [e["faq_id"] for e in entries]
    texts = [q["query"] for q in queries]
    relevant = [set(q["relevant_faq_ids"]) for q in queries]

    def p1(best: np.ndarray) -> float:
        return float(np.mean([ids[i] in r for i, r in zip(best, relevant, strict=True)]))

    tfidf = TfidfVectorizer().fit([e["question"] for e in entries])
    scores = (tfidf.transform(texts) @ tfidf.transform([e["question"] for e in entries]).T).toarray()
    out = {"TF-IDF (scikit-learn), query vs entry question": p1(scores.argmax(axis=1))}
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize([e["question"] for e in entries], show_progress=False), show_progress=False)
    docs, _ = retriever.retrieve(bm25s.tokenize(texts, show_progress=False), k=1, show_progress=False)
    out["BM25 (bm25s), query vs entry question"] = p1(docs[:, 0])
    encoder = default_encoder()
    if encoder is not None:
        units = encoder.encode([e["question"] + "\n" + e["answer"] for e in entries])
        out["all-MiniLM-L6-v2 alone, query vs question + answer"] = p1((encoder.encode(texts) @ units.T).argmax(axis=1))
    return out


def careerbot(folder: Path, queries: list[dict], others: list[str], semantic: bool) -> dict[str, float]:
    kb = load_knowledge(folder / "faq_entries.jsonl", encoder="auto" if semantic else None)
    ids = [u.id for u in kb.units_]
    top, right, declined, latencies = 0, 0, 0, []
    for q in queries:
        relevant = set(q["relevant_faq_ids"])
        ranked = rank_units(make_query(q["query"], kb), kb, k=1)
        top += bool(ranked) and ids[ranked[0][0]] in relevant
        start = time.perf_counter()
        reply = answer(q["query"], kb)
        latencies.append(1000 * (time.perf_counter() - start))
        declined += not reply.answered
        right += reply.answered and reply.source is not None and reply.source.id in relevant
    other_declined = sum(not answer(text, kb).answered for text in others)
    n = len(queries)
    return {"P@1": top / n, "answered right": right / n, "declined": declined / n,
            "others declined": other_declined / max(len(others), 1),
            "p50 ms": float(np.median(latencies))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, help="only the first N questions of each set (a quick look)")
    args = parser.parse_args(argv)
    data = {name: read(folder) for name, folder in SETS.items()}
    if args.limit:
        data = {name: (entries, queries[:args.limit]) for name, (entries, queries) in data.items()}
    print(f"semantic extra: {'installed' if default_encoder() is not None else 'not installed'}\n")
    for name, folder in SETS.items():
        entries, queries = data[name]
        others = [q["query"] for other, (_, qs) in data.items() if other != name for q in qs]
        print(f"{name}: {len(entries)} entries, {len(queries)} questions; {len(others)} questions of the other set")
        print(f"  {'system':<52} {'P@1':>6} {'right':>6} {'declined':>9} {'others declined':>16} {'p50 ms':>7}")
        for label, p1 in peers(entries, queries).items():
            print(f"  {label:<52} {p1:>6.3f} {'-':>6} {'-':>9} {'-':>16} {'-':>7}")
        for semantic in (False, True):
            if semantic and default_encoder() is None:
                continue
            r = careerbot(folder, queries, others, semantic)
            label = "careerbot, " + ("lexical + semantic" if semantic else "lexical only")
            print(f"  {label:<52} {r['P@1']:>6.3f} {r['answered right']:>6.3f} {r['declined']:>9.3f} "
                  f"{r['others declined']:>16.3f} {r['p50 ms']:>7.2f}")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
