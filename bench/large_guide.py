"""Loading a guide near the size limit: a 15 MB guide of about 20,000 sections.

    python bench/large_guide.py                  # 15 MB, 3 runs
    python bench/large_guide.py --mb 4 --runs 1

Writes a guide of real sentences from the two shipped guides under unique section headings
(every tenth section a table of two schools in the guide's template), with a fixed seed, then
prints the median over ``--runs`` of: parsing, building the index, and the whole
``chatbot ask`` process on it. The same generator (``make_guide``) feeds the linear-time tests.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUIDES = [ROOT / "knowledge" / "patient_services_coordinator.txt",
          ROOT / "knowledge" / "samples" / "medical_records_technician.txt"]
SEED = 7


def _pieces() -> tuple[list[str], list[str]]:
    """The guides' headings-free material: their paragraphs and their bullets."""
    paragraphs, bullets = [], []
    for path in GUIDES:
        for block in path.read_text(encoding="utf-8").split("\n\n"):
            block = block.strip()
            if block.startswith("\u2022") and ":" in block:
                bullets.append("  " + block.splitlines()[0])
            elif len(block) > 200 and block.endswith("."):
                paragraphs.append(block)
    return paragraphs, bullets


def make_guide(sections: int, *, seed: int = SEED) -> str:
    """A guide in the shipped template with ``sections`` sections of about 790 bytes each."""
    rnd = random.Random(seed)
    paragraphs, bullets = _pieces()
    out = ["Sample Career Overview", "", rnd.choice(paragraphs), ""]
    for k in range(1, sections):
        if k % 10 == 0:
            out += [f"Best Schools to become a Sample Career in Region {k}", ""]
            for s in (1, 2):
                out += [f"College Number {k * 2 + s}", "", "Springfield, IL", "",
                        f"In-State Tuition:${rnd.randint(2, 30)},{rnd.randint(100, 999)}",
                        f"Graduation Rate:{rnd.randint(5, 95)}%",
                        f"Total Enrollment:{rnd.randint(1, 99)},{rnd.randint(100, 999)}",
                        ""]
        else:
            out += [f"Sample Career Topic {k}", "", rnd.choice(paragraphs), "", rnd.choice(bullets), ""]
    return "\n".join(out) + "\n"


def sections_for(megabytes: float) -> int:
    sample = make_guide(1000)
    return int(megabytes * 1024 * 1024 / (len(sample.encode("utf-8")) / 1000))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=15.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from chatbot.index import Knowledge
    from chatbot.parse import parse_guide
    from chatbot.text import default_lexicon

    text = make_guide(sections_for(args.mb))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "large_guide.txt"
        path.write_text(text, encoding="utf-8")
        parse_s, fit_s, ask_s = [], [], []
        for _ in range(args.runs):
            start = time.perf_counter()
            doc = parse_guide(text, str(path))
            parse_s.append(time.perf_counter() - start)
            start = time.perf_counter()
            Knowledge(doc, default_lexicon()).fit()
            fit_s.append(time.perf_counter() - start)
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "chatbot", "ask", "what is the tuition at college number 22",
                                   "--knowledge", str(path)], capture_output=True, text=True, cwd=tmp)
            ask_s.append(time.perf_counter() - start)
            assert done.returncode == 0, done.stderr
    print(f"guide: {len(text.encode('utf-8')) / 1024 / 1024:.1f} MB, {len(doc.sections):,} sections, "
          f"{len(doc.units):,} units, {len(doc.records):,} records")
    print(f"median of {args.runs}: parse {statistics.median(parse_s):.2f} s, index {statistics.median(fit_s):.2f} s, "
          f"'chatbot ask' (whole process) {statistics.median(ask_s):.2f} s")
    print(f"reply: {done.stdout.splitlines()[0]}")


if __name__ == "__main__":
    main()
