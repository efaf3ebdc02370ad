"""The chat loop: reads a line, hands it to ``Conversation.ask``, prints the reply.

On a terminal it is a prompt-toolkit ``PromptSession`` in a loop (history kept in the user's
data folder, Tab completion of what the guide names); with piped input it reads one question
a line and prints one reply each, with no prompt and no escape codes. Both go through
``handle``, so the commands (/help, /sources, /quit) work the same in scripts.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from .api import Conversation
from .index import Knowledge
from .library import Library
from .model import Reply
from .text import visible

QUIT = {"/quit", "/exit", "/q"}
PROMPT = "you> "
_LEAD = re.compile(r"^(\s*(?:[\u2022*\-]|\d{1,2}\.)?\s*)")


@dataclass(frozen=True)
class Outcome:
    """What one line of input leads to: text to show, and whether the chat ends."""

    text: str
    leave: bool = False


def welcome(kb: Knowledge | Library) -> str:
    if isinstance(kb, Library):
        names = [g.career for g in kb.guides]
        shown = ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")
        return "\n".join([
            f"Ask me about {len(names)} careers: {shown}. Name one, or ask across them "
            "(\"which career pays the most?\").",
            "Commands: /help, /career NAME (switch; Tab completes), /careers, /sources, /quit.",
        ])
    subject = kb.document.subject or kb.document.title
    topics = ", ".join(kb.topics_)
    return "\n".join([
        f"Ask me about the {subject} career" + (f": {topics}." if topics else "."),
        "Commands: /help, /sources (where the last reply came from), /quit. Tab completes names.",
    ])


def format_reply(reply: Reply) -> str:
    text = reply.text
    if reply.answered and reply.source is not None:
        where = f"{reply.guide}: " if reply.guide else ""
        text += f"\n  [source: {where}{reply.source.cite()}]"
    return text


def sources(reply: Reply | None) -> str:
    """The source of a reply: section, title, lines, and the passage itself."""
    if reply is None or reply.source is None:
        return "The last reply has no source in the guide."
    unit = reply.source
    start, end = unit.lines
    lines = str(start) if start == end else f"{start}-{end}"
    guide = f"Guide: {reply.guide}\n" if reply.guide else ""
    return f"{guide}Section: {unit.section or '-'}\nTitle: {unit.title}\nLines: {lines}\n\n{unit.text}"


def handle(conversation: Conversation, line: str) -> Outcome:
    """One line of input: a command, or a question for the conversation.

    The text to show has every control character escaped ("\\x1b"), whatever was typed or
    written in the guide, so nothing reaches the terminal raw.
    """
    outcome = _handle(conversation, line)
    return Outcome(visible(outcome.text), outcome.leave)


def _handle(conversation: Conversation, line: str) -> Outcome:
    text = line.strip()
    if not text:
        return Outcome("")
    if text in QUIT:
        return Outcome("", leave=True)
    if text == "/help":
        return Outcome(welcome(conversation.knowledge))
    if text == "/sources":
        return Outcome(sources(conversation.last))
    library = isinstance(conversation.knowledge, Library)
    if library and text == "/careers":
        current = conversation.career
        return Outcome("\n".join(f"  {'*' if g.career == current else ' '} {g.career}"
                                 for g in conversation.knowledge.guides))
    if library and (text == "/career" or text.startswith("/career ")):
        name = text[len("/career"):].strip()
        if not name:
            return Outcome(f"Current career: {conversation.career or 'none yet'}. Switch with /career NAME.")
        try:
            return Outcome(f"Now answering about: {conversation.switch(name)}.")
        except ValueError:
            return Outcome(f"No guide for {name!r}. /careers lists them.")
    if text.startswith("/"):
        more = " /career NAME, /careers," if library else ""
        return Outcome(f"Unknown command {text}. Commands: /help,{more} /sources, /quit.")
    reply = conversation.ask(text)
    return Outcome(format_reply(reply), leave=reply.intent == "goodbye")


def wrap(text: str, width: int) -> str:
    """Wrap each line to ``width``, continuing bullets and numbered lines under their text."""
    width = max(width, 20)
    out = []
    for line in text.splitlines():
        lead = _LEAD.match(line).group(1)
        out.append(textwrap.fill(line, width, subsequent_indent=" " * len(lead),
                                 break_long_words=True, break_on_hyphens=False) if line.strip() else "")
    return "\n".join(out)


def history_path() -> Path:
    """Where the chat keeps its history: $XDG_DATA_HOME/careerbot, else ~/.local/share/careerbot."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "careerbot" / "history"


def guide_phrases(kb: Knowledge | Library) -> list[str]:
    """What Tab completes: record names and acronyms, passage titles and FAQ questions (in a
    library: the careers, then the records of its guides)."""
    if isinstance(kb, Library):
        phrases = [g.career for g in kb.guides] + [f"/career {g.career}" for g in kb.guides]
        if len(kb.guides) <= 50:  # a large library completes careers only
            phrases += [p for g in kb.guides for p in guide_phrases(g.knowledge) if len(p) <= 60]
        return list(dict.fromkeys(phrases))
    phrases: list[str] = []
    for key in kb.record_keys_:
        phrases.append(key.record.name)
        if key.record.acronym:
            phrases.append(key.record.acronym)
    for unit in kb.units_:
        if unit.kind in ("faq", "fact") and unit.title != unit.section:
            phrases.append(unit.title)
    return list(dict.fromkeys(phrases))


def complete(text: str, phrases: Iterable[str]) -> list[tuple[str, int]]:
    """Completions of the words before the cursor: (phrase, how many characters it replaces).

    The longest tail of ``text`` that starts a word and begins a phrase is replaced, so
    "tuition at west" completes to "tuition at Western Governors University".
    """
    starts = [m.start() for m in re.finditer(r"\S+", text)]
    found = []
    for phrase in phrases:
        for start in starts:
            tail = text[start:]
            if phrase.lower().startswith(tail.lower()) and phrase.lower() != tail.lower():
                found.append((phrase, len(tail)))
                break
    return found


def _session(kb: Knowledge, *, input=None, output=None, warn: Callable[[str], None]):
    from prompt_toolkit import PromptSession
    from prompt_toolkit.completion import Completer, Completion
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    phrases = guide_phrases(kb)

    class GuideCompleter(Completer):
        def get_completions(self, document, complete_event):
            for phrase, length in complete(document.text_before_cursor, phrases):
                yield Completion(phrase, start_position=-length)

    path = history_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8"):
            pass
        history = FileHistory(str(path))
    except OSError as e:
        warn(f"chatbot: warning: history not kept ({path}: {e.strerror or e})")
        history = InMemoryHistory()
    return PromptSession(history=history, completer=GuideCompleter(), complete_while_typing=False,
                         input=input, output=output)


def run_terminal(conversation: Conversation, *, input=None, output=None, width: int | None = None,
                 write: Callable[[str], None] = print,
                 warn: Callable[[str], None] = lambda m: print(m, file=sys.stderr)) -> int:
    """The interactive chat. ``input``/``output`` are prompt-toolkit's, for tests."""
    session = _session(conversation.knowledge, input=input, output=output, warn=warn)
    columns = width or shutil.get_terminal_size().columns
    write(wrap(visible(welcome(conversation.knowledge)), columns))
    while True:
        try:
            career = conversation.career
            line = session.prompt(f"{visible(career)}> " if career else PROMPT)
        except KeyboardInterrupt:
            continue  # Ctrl-C abandons the line
        except EOFError:
            break  # Ctrl-D leaves (and a closed terminal)
        try:
            outcome = handle(conversation, line)
            if outcome.text:
                write(wrap(outcome.text, width or shutil.get_terminal_size().columns))
        except KeyboardInterrupt:
            write("(interrupted)")  # Ctrl-C while a reply is made or printed: back to the prompt
            continue
        except (BrokenPipeError, OSError) as e:
            if isinstance(e, BrokenPipeError) or e.errno in (5, 9):  # the terminal went away
                return 0
            raise
        if outcome.leave:
            break
    return 0


def run_piped(conversation: Conversation, stdin: TextIO, stdout: TextIO) -> int:
    """One reply for each non-empty line of ``stdin``."""
    for line in stdin:
        outcome = handle(conversation, line)
        if outcome.text:
            stdout.write(outcome.text + "\n")
            stdout.flush()
        if outcome.leave:
            break
    return 0


def _tolerant(stream: TextIO) -> TextIO:
    """Standard input that reads undecodable bytes as lone surrogates instead of failing on them."""
    if hasattr(stream, "reconfigure"):
        try:
            stream.reconfigure(errors="surrogateescape")
        except (OSError, ValueError):
            pass
    return stream


def chat(knowledge: Knowledge, *, stdin: TextIO | None = None, stdout: TextIO | None = None,
         log_unanswered: str | Path | None = None) -> int:
    stdin = stdin or _tolerant(sys.stdin)
    stdout = stdout or sys.stdout
    conversation = Conversation(knowledge, log_unanswered=log_unanswered)
    if stdin.isatty() and stdout.isatty():
        return run_terminal(conversation)
    return run_piped(conversation, stdin, stdout)
