"""A library of a thousand guides on one machine (issue #13, item 6).

    python bench/library.py                    # 1,000 guides, words only and with the sentence model
    python bench/library.py --guides 100 --runs 1 --modes words
    python bench/library.py --write DIR        # only write the library and its questions to DIR

Writes, with a fixed seed, ``--guides`` guides in the guides' template into a temporary folder:
each takes one of the repository's guides (knowledge/, knowledge/samples/, tests/library/guides/,
tests/heldout/guides/) as its text, renamed to a career of its own (a specialty and a role noun,
"Pediatric Dialysis Technician", sometimes with a seniority, "Lead HVAC Installer"), with its
own salary figures and its own list of schools named after places ("Bakersfield Technical
College", "University of Northern Ohio-Toledo", some shared by several guides), and a few
figures N/A. Beside it, a question set with the guide each question should be answered from:
the career named in full, in the plural, clipped ("pulm function techs": only clipped forms no
other career of the library shares) and a school only that guide lists.

Then, words only (``encoder=None``) and with the sentence model, each in fresh processes with a
temporary ``XDG_CACHE_HOME``: the first load (cache empty) in one process, then the cached
reload in a new process, ``--runs`` times, the modes alternating; in the reload's process, each
question's time (``answer()``, p50/p95) and whether it was routed to its guide (``reply.guide``);
each process's peak RSS. Figures are medians over the runs. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the working tree's chatbot, not an installed copy
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
SEED = 13
TEMPLATES = sorted([*ROOT.glob("knowledge/*.txt"), *ROOT.glob("knowledge/samples/*.txt"),
                    *ROOT.glob("tests/library/guides/*.txt"), *ROOT.glob("tests/heldout/guides/*.txt")])
TARGETS = {"first": 120.0, "reload": 5.0, "p50": 10.0, "routing": 98.0, "rss": 1024.0}

# ---------------------------------------------------------------- careers

CLINICAL = ["Cardiac", "Cardiovascular", "Echocardiography", "Vascular", "Sonography", "Mammography",
            "Nuclear Medicine", "MRI", "Radiology", "Neurodiagnostic", "Sleep Medicine", "Dialysis", "Endoscopy",
            "Surgical", "Sterile Processing", "Orthopedic", "Ophthalmic", "Optometric", "Audiology", "Dental",
            "Orthodontic", "Veterinary", "Pharmacy", "Phlebotomy", "Laboratory", "Histology", "Cytology",
            "Pathology", "Blood Bank", "Anesthesia", "Pulmonary Function", "Occupational Therapy",
            "Physical Therapy", "Speech Therapy", "Rehabilitation", "Podiatry", "Dermatology", "Pediatric",
            "Geriatric", "Psychiatric", "Behavioral Health", "Emergency Room", "Urgent Care", "Home Health",
            "Hospice", "Oncology", "Chiropractic", "Wound Care", "Infection Control", "Telemetry", "Perfusion",
            "Prosthetics", "Orthotics", "Genetics", "Fertility", "Nutrition", "Urology", "Cardiology",
            "Neurology", "Gastroenterology", "Obstetrics", "Allergy", "Immunology", "Toxicology", "Biomedical"]
CLINICAL_ROLES = ["Technician", "Technologist", "Assistant", "Specialist", "Aide", "Coordinator"]
OFFICE = ["Medical Billing", "Health Information", "Insurance", "Patient Access", "Admissions",
          "Clinical Research", "Medical Office", "Hospital Unit", "Revenue Cycle", "Credentialing", "Claims",
          "Utilization Review", "Quality Improvement", "Scheduling", "Transcription", "Payroll", "Benefits"]
OFFICE_ROLES = ["Coordinator", "Specialist", "Clerk", "Coder", "Assistant", "Supervisor", "Analyst"]
TRADES = ["HVAC", "Electrical", "Plumbing", "Welding", "Solar Panel", "Wind Turbine", "Elevator", "Automotive",
          "Diesel", "Aircraft Maintenance", "Avionics", "Marine", "Industrial Maintenance", "Robotics",
          "CNC Machining", "Telecommunications", "Network", "Computer Support", "Fiber Optic", "Fire Alarm",
          "Security Systems", "Water Treatment", "Wastewater", "Environmental", "Construction", "Surveying",
          "Drafting", "Energy Auditing", "Refrigeration", "Boiler", "Pipeline", "Locksmith", "Appliance Repair"]
TRADE_ROLES = ["Technician", "Installer", "Specialist", "Inspector", "Mechanic"]
LAW = ["Litigation", "Corporate", "Immigration", "Real Estate", "Family Law", "Bankruptcy",
       "Intellectual Property", "Estate Planning", "Personal Injury", "Criminal Defense", "Employment Law",
       "Tax", "Contracts", "Compliance"]
LAW_ROLES = ["Paralegal", "Legal Assistant", "Legal Secretary"]
SENIORITY = ["Senior", "Lead", "Travel", "Mobile", "Chief"]
PLURAL = {"Secretary": "Secretaries", "Analyst": "Analysts"}


def careers(rnd: random.Random, n: int) -> list[str]:
    """``n`` distinct career titles: a specialty and a role noun, some with a seniority before them."""
    plain = ([f"{d} {r}" for d in CLINICAL for r in CLINICAL_ROLES] + [f"{d} {r}" for d in OFFICE for r in OFFICE_ROLES]
             + [f"{d} {r}" for d in TRADES for r in TRADE_ROLES] + [f"{d} {r}" for d in LAW for r in LAW_ROLES])
    rnd.shuffle(plain)
    titles = plain[:min(n, int(len(plain) * 0.85))]
    senior = [f"{s} {t}" for t in plain for s in SENIORITY]
    rnd.shuffle(senior)
    titles += senior[:n - len(titles)]
    if len(titles) < n:
        raise SystemExit(f"at most {len(titles)} distinct careers can be made")
    rnd.shuffle(titles)
    return titles


def plural(title: str) -> str:
    head, _, last = title.rpartition(" ")
    last = PLURAL.get(last, last[:-1] + "ies" if last.endswith("y") and last[-2] not in "aeiou" else last + "s")
    return f"{head} {last}".strip()


def clipped(title: str) -> str:
    """A short form people type: "rad techs", "surg techs", "pulm function specialists"."""
    words = title.lower().split()
    out = []
    for i, w in enumerate(words):
        if w in ("technician", "technologist"):
            out.append("tech")
        elif i == 0 and len(w) > 6 and len(words) > 1:
            out.append(w[:4])
        else:
            out.append(w)
    out[-1] += "s"
    return " ".join(out)


def _clip_names(typed: str, title: str) -> bool:
    """Does a clipped form name a title as a person would read it: each typed word the start of the
    title's word (a trailing s dropped)?"""
    t, w = typed.split(), title.lower().split()
    if len(t) != len(w):
        return False
    t[-1] = t[-1][:-1]
    return all(b.startswith(a) for a, b in zip(t, w, strict=True))


# ---------------------------------------------------------------- schools

CITIES = ["Bakersfield, CA", "Fresno, CA", "Modesto, CA", "Redding, CA", "Visalia, CA", "Flagstaff, AZ",
          "Yuma, AZ", "Prescott, AZ", "Provo, UT", "Logan, UT", "Pocatello, ID", "Twin Falls, ID", "Billings, MT",
          "Missoula, MT", "Casper, WY", "Laramie, WY", "Pueblo, CO", "Greeley, CO", "Amarillo, TX", "Lubbock, TX",
          "Abilene, TX", "Tyler, TX", "Beaumont, TX", "Odessa, TX", "Lawton, OK", "Norman, OK", "Wichita, KS",
          "Salina, KS", "Lincoln, NE", "Kearney, NE", "Fargo, ND", "Bismarck, ND", "Sioux Falls, SD",
          "Rapid City, SD", "Duluth, MN", "Mankato, MN", "Eau Claire, WI", "Green Bay, WI", "Dubuque, IA",
          "Ames, IA", "Peoria, IL", "Joliet, IL", "Springfield, MO", "Joplin, MO", "Fort Smith, AR",
          "Jonesboro, AR", "Monroe, LA", "Lafayette, LA", "Hattiesburg, MS", "Tupelo, MS", "Huntsville, AL",
          "Dothan, AL", "Chattanooga, TN", "Jackson, TN", "Bowling Green, KY", "Paducah, KY", "Evansville, IN",
          "Muncie, IN", "Toledo, OH", "Dayton, OH", "Kalamazoo, MI", "Saginaw, MI", "Erie, PA", "Scranton, PA",
          "Utica, NY", "Binghamton, NY", "Burlington, VT", "Bangor, ME", "Nashua, NH", "Worcester, MA",
          "Hartford, CT", "Trenton, NJ", "Dover, DE", "Frederick, MD", "Roanoke, VA", "Lynchburg, VA",
          "Asheville, NC", "Greenville, NC", "Columbia, SC", "Spartanburg, SC", "Macon, GA", "Valdosta, GA",
          "Ocala, FL", "Pensacola, FL", "Gainesville, FL", "Fort Myers, FL", "Anchorage, AK", "Fairbanks, AK",
          "Hilo, HI", "Eugene, OR", "Medford, OR", "Spokane, WA", "Yakima, WA", "Bellingham, WA", "Reno, NV",
          "Elko, NV", "Las Cruces, NM", "Roswell, NM", "Morgantown, WV", "Huntington, WV"]
STATES = {"AK": "Alaska", "AL": "Alabama", "AR": "Arkansas", "AZ": "Arizona", "CA": "California",
          "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia", "HI": "Hawaii",
          "IA": "Iowa", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "KS": "Kansas", "KY": "Kentucky",
          "LA": "Louisiana", "MA": "Massachusetts", "MD": "Maryland", "ME": "Maine", "MI": "Michigan",
          "MN": "Minnesota", "MO": "Missouri", "MS": "Mississippi", "MT": "Montana", "NC": "North Carolina",
          "ND": "North Dakota", "NE": "Nebraska", "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico",
          "NV": "Nevada", "NY": "New York", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
          "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah",
          "VA": "Virginia", "VT": "Vermont", "WA": "Washington", "WI": "Wisconsin", "WV": "West Virginia",
          "WY": "Wyoming"}
SCHOOL_FORMS = ["{city} Community College", "{city} Technical College", "{city} College of Health Sciences",
                "{city} Career Institute", "{state} State University-{city}", "University of {state}-{city}",
                "{city} Valley College", "{city} Polytechnic Institute", "{state} Technical Institute-{city}",
                "Lake {city} College", "{city} School of Nursing and Allied Health", "North {city} Trade School",
                "{city} Area Vocational Center", "Saint Luke's College-{city}", "{city} Institute of Technology",
                "Western {state} College-{city}"]


def schools(rnd: random.Random) -> list[tuple[str, str]]:
    """Every school a guide may list: a name holding its place, and its place."""
    out = []
    for place in CITIES:
        city, state = place.split(", ")
        for form in SCHOOL_FORMS:
            out.append((form.format(city=city, state=STATES[state]), place))
    rnd.shuffle(out)
    return out


def _money(rnd: random.Random, low: int, high: int) -> str:
    return f"${rnd.randint(low, high):,}"


def school_block(rnd: random.Random, name: str, place: str) -> list[str]:
    def maybe(text: str) -> str:
        return "N/A" if rnd.random() < 0.08 else text

    in_state = rnd.randint(2000, 30000)
    out_state = in_state + rnd.choice([0, rnd.randint(1000, 20000)])
    return [name, "", place, "",
            f"In-State Tuition:{maybe(f'${in_state:,}')}",
            f"Out-of-State Tuition:{maybe(f'${out_state:,}')}",
            f"Admission Rate:{maybe(f'{rnd.randint(20, 100)}%')}",
            f"Graduation Rate:{maybe(f'{rnd.randint(15, 90)}%')}",
            f"Total Enrollment:{maybe(f'{rnd.randint(300, 40000):,}')}", ""]


# ---------------------------------------------------------------- guides

def _template_title(text: str) -> str:
    return text.splitlines()[0].removesuffix(" Overview").strip()


def guide_text(template: str, title: str, listed: list[tuple[str, str]], rnd: random.Random) -> str:
    """A template guide renamed to ``title``, with its own salary and its own schools."""
    old = _template_title(template)
    text = template
    for before, after in ((plural(old), plural(title)), (old, title), (plural(old).lower(), plural(title).lower()),
                          (old.lower(), title.lower())):
        text = re.sub(rf"\b{re.escape(before)}\b", after, text)
    annual = rnd.randint(29000, 118000)
    salary = ("N/A", "N/A") if rnd.random() < 0.03 else (f"${annual:,}", f"${annual / 2080:,.2f}")
    text = re.sub(r"^Annual Median: .*$", f"Annual Median: {salary[0]}", text, count=1, flags=re.M)
    text = re.sub(r"^Hourly Median: .*$", f"Hourly Median: {salary[1]}", text, count=1, flags=re.M)
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Best Schools to become"))
    end = next(i for i, line in enumerate(lines) if line.endswith("Job Description:"))
    block = [lines[start], ""]
    for name, place in listed:
        block += school_block(rnd, name, place)
    return "\n".join(lines[:start] + block[:-1] + lines[end:]) + "\n"


def make_library(folder: Path, n: int, *, seed: int = SEED) -> list[dict]:
    """Write ``n`` guides into ``folder``; returns the questions, each with the guide (file stem) it is about."""
    rnd = random.Random(seed)
    templates = [p.read_text(encoding="utf-8") for p in TEMPLATES]
    titles = careers(rnd, n)
    pool = schools(rnd)
    shared = pool[:len(pool) // 6]  # schools several guides list
    own = pool[len(pool) // 6:]
    lists: dict[str, list[str]] = {}
    owners: dict[str, set[str]] = {}
    for k, title in enumerate(titles):
        stem = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")
        count = rnd.randint(3, 7)
        listed = [own[k % len(own)] if j == 0 else rnd.choice(shared) for j in range(count)]
        listed = list(dict.fromkeys(listed))
        (folder / f"{stem}.txt").write_text(guide_text(rnd.choice(templates), title, listed, rnd), encoding="utf-8")
        lists[stem] = [name for name, _ in listed]
        for name, _ in listed:
            owners.setdefault(name, set()).add(stem)
    questions = []
    stems = {re.sub(r"[^a-z0-9]+", "_", t.lower()).strip("_"): t for t in titles}
    for stem, title in stems.items():
        p = plural(title)
        questions.append({"question": rnd.choice([f"How much does a {title} make?", f"{title} hourly median",
                                                  f"what education do I need to become a {title}?",
                                                  f"what skills does a {title} need"]), "guide": stem, "how": "full"})
        questions.append({"question": rnd.choice([f"how much do {p.lower()} earn", f"are {p} in demand?",
                                                  f"what do {p.lower()} do all day"]), "guide": stem, "how": "plural"})
        short = clipped(title)
        if short != plural(title).lower() and not any(_clip_names(short, t) for t in titles if t != title):
            questions.append({"question": rnd.choice([f"what do {short} make", f"{short} salary",
                                                      f"how do I become one of the {short}"]),
                              "guide": stem, "how": "clipped"})
        only = [s for s in lists[stem] if owners[s] == {stem}]
        if only:
            school = rnd.choice(only)
            questions.append({"question": rnd.choice([f"what is the in-state tuition at {school}?",
                                                      f"graduation rate of {school}",
                                                      f"where is {school}?"]), "guide": stem, "how": "school"})
    rnd.shuffle(questions)
    return questions


# ---------------------------------------------------------------- measuring

def _child(folder: str, mode: str, questions: str | None) -> None:
    """One process: load the library (timed), then ask every question once (each timed)."""
    started = time.perf_counter()
    from chatbot import answer, load_knowledge

    imported = time.perf_counter()
    library = load_knowledge(folder, encoder=None if mode == "words" else "auto", progress=False)
    loaded = time.perf_counter()
    out = {"import": imported - started, "load": loaded - imported, "guides": len(library.guides)}
    if questions:
        cases = json.loads(Path(questions).read_text(encoding="utf-8"))
        times, right, by_how = [], 0, {}
        for n, case in enumerate(cases, 1):
            start = time.perf_counter()
            reply = answer(case["question"], library)
            times.append(time.perf_counter() - start)
            ok = reply.guide == case["guide"]
            right += ok
            how = by_how.setdefault(case["how"], [0, 0])
            how[0] += ok
            how[1] += 1
            if n % 200 == 0:
                print(f"  {mode}: {n}/{len(cases)} questions", file=sys.stderr)
        times.sort()
        named = [v for k, v in by_how.items() if k != "school"]
        career = 100 * sum(a for a, _ in named) / max(1, sum(b for _, b in named))
        out.update(p50=1000 * times[len(times) // 2], p95=1000 * times[int(len(times) * 0.95)],
                   mean=1000 * statistics.fmean(times), routing=career, overall=100 * right / len(cases),
                   by_how={k: 100 * a / b for k, (a, b) in by_how.items()}, asked=len(cases))
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    out["rss"] = me.ru_maxrss / 1024
    out["worker_rss"] = children.ru_maxrss / 1024  # the largest worker process
    out["cpu"] = me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime
    print(json.dumps(out))


def _run(folder: Path, mode: str, cache: Path, questions: Path | None) -> dict:
    env = {**ENV, "XDG_CACHE_HOME": str(cache), "CAREERBOT_SEMANTIC": "0" if mode == "words" else "1"}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, "--child", str(folder), mode, str(questions or "")],
                          env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{mode} run failed:\n{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall"] = wall
    result["loadavg"] = os.getloadavg()[1]  # the machine's load over the last 5 minutes, this run included
    return result


def _machine() -> str:
    from run import cpu_name  # bench/run.py, beside this script

    cpu = cpu_name()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GB, Python {platform.python_version()}, {platform.system()}"


def _med(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--guides", type=int, default=1000, help="how many guides (default 1,000)")
    parser.add_argument("--runs", type=int, default=3, help="first load + cached reload, this many times a mode")
    parser.add_argument("--modes", default="words,semantic", help="words, semantic or both (default)")
    parser.add_argument("--questions", type=int, default=1000, help="questions asked in each reload (default 1,000)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--write", type=Path, help="only write the library (and questions.json beside it) here")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], args.child[1], args.child[2] or None)
        return

    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    work = Path(tempfile.mkdtemp(prefix="careerbot-library-"))
    try:
        folder = args.write or work / "guides"
        folder.mkdir(parents=True, exist_ok=True)
        print(f"writing {args.guides} guides to {folder}", file=sys.stderr)
        questions = make_library(folder, args.guides, seed=args.seed)
        rnd = random.Random(args.seed)
        asked = rnd.sample(questions, min(args.questions, len(questions)))
        qfile = (folder.parent if args.write else work) / "questions.json"
        qfile.write_text(json.dumps(asked, indent=1), encoding="utf-8")
        size = sum(p.stat().st_size for p in folder.iterdir())
        print(f"{args.guides} guides, {size / 2**20:.1f} MB; {len(asked)} questions ({qfile})", file=sys.stderr)
        if args.write:
            return
        first: dict[str, list[dict]] = {m: [] for m in modes}
        reload: dict[str, list[dict]] = {m: [] for m in modes}
        for run in range(args.runs):
            for mode in (modes if run % 2 == 0 else modes[::-1]):
                cache = work / f"cache-{mode}-{run}"
                print(f"run {run + 1}/{args.runs}, {mode}: first load", file=sys.stderr)
                first[mode].append(_run(folder, mode, cache, None))
                print(f"  {first[mode][-1]['load']:.1f} s, peak RSS {first[mode][-1]['rss']:.0f} MB; cached reload",
                      file=sys.stderr)
                reload[mode].append(_run(folder, mode, cache, qfile))
                r = reload[mode][-1]
                print(f"  {r['load']:.2f} s, p50 {r['p50']:.1f} ms, routing {r['routing']:.1f} % (careers), "
                      f"peak RSS {r['rss']:.0f} MB", file=sys.stderr)
                shutil.rmtree(cache, ignore_errors=True)
        _report(args, modes, first, reload, size, len(asked))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _report(args: argparse.Namespace, modes: list[str], first: dict, reload: dict, size: int, asked: int) -> None:
    print(f"machine: {_machine()}")
    loads = [r["loadavg"] for m in modes for r in first[m] + reload[m]]
    print(f"load average (5 min) after each process: {min(loads):.1f}-{max(loads):.1f} on {os.cpu_count()} cores")
    print(f"library: {args.guides} guides ({size / 2**20:.1f} MB), seed {args.seed}; {asked} questions; "
          f"median of {args.runs} run(s) a mode, modes alternating")
    names = {"words": "words only", "semantic": "sentence model"}
    rows = [
        ("first load (s), in process", lambda m: f"{_med(first[m], 'load'):.1f}", "first",
         lambda m: _med(first[m], 'load')),
        ("first load, whole process (s)", lambda m: f"{_med(first[m], 'wall'):.1f}", None, None),
        ("first load, CPU time of all its processes (s)", lambda m: f"{_med(first[m], 'cpu'):.0f}", None, None),
        ("cached reload (s), in process", lambda m: f"{_med(reload[m], 'load'):.2f}", "reload",
         lambda m: _med(reload[m], 'load')),
        ("cached reload, whole process (s)", lambda m: f"{_med(reload[m], 'import') + _med(reload[m], 'load'):.2f}",
         None, None),
        ("p50 per question (ms)", lambda m: f"{_med(reload[m], 'p50'):.1f}", "p50", lambda m: _med(reload[m], 'p50')),
        ("p95 per question (ms)", lambda m: f"{_med(reload[m], 'p95'):.1f}", None, None),
        ("a question naming a career: routed to its guide (%)", lambda m: f"{_med(reload[m], 'routing'):.1f}",
         "routing", lambda m: _med(reload[m], 'routing')),
        ("every question, schools too: routed to its guide (%)", lambda m: f"{_med(reload[m], 'overall'):.1f}",
         None, None),
        ("peak RSS, first load (MB)", lambda m: f"{_med(first[m], 'rss'):.0f}", "rss", lambda m: _med(first[m], 'rss')),
        ("peak RSS, largest worker of the first load (MB)", lambda m: f"{_med(first[m], 'worker_rss'):.0f}", None,
         None),
        ("peak RSS, reload + questions (MB)", lambda m: f"{_med(reload[m], 'rss'):.0f}", "rss",
         lambda m: _med(reload[m], 'rss')),
    ]
    print("| | " + " | ".join(names[m] for m in modes) + " | target |")
    print("|---|" + "---:|" * len(modes) + "---|")
    for label, show, target, value in rows:
        cells = []
        for m in modes:
            cell = show(m)
            if target is not None:
                limit = TARGETS[target]
                met = value(m) >= limit if target == "routing" else value(m) <= limit
                cell += "" if met else " (missed)"
            cells.append(cell)
        goal = {"first": "≤ 120 s", "reload": "≤ 5 s", "p50": "≤ 10 ms", "routing": "≥ 98 %", "rss": "≤ 1,024 MB"}
        print(f"| {label} | " + " | ".join(cells) + f" | {goal.get(target, '')} |")
    for m in modes:
        kinds = {k: statistics.median(r["by_how"].get(k, 0.0) for r in reload[m]) for k in reload[m][0]["by_how"]}
        print(f"routing by how the question names the guide, {names[m]}: "
              + ", ".join(f"{k} {v:.1f} %" for k, v in sorted(kinds.items())))


if __name__ == "__main__":
    main()
