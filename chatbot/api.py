"""The public API: ``load_knowledge``, ``answer`` and ``Conversation``."""

from __future__ import annotations

import gc
import json
import re
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import replace
from functools import cache
from pathlib import Path

from .cache import cached
from .index import Knowledge
from .library import Library, suggestion_reply
from .library import respond as respond_in_library
from .library_cache import load_library
from .log import UnansweredLog
from .model import Context, Reply, Suggestion
from .parse import parse_file
from .progress import Progress
from .reply import reply_for_unit, respond
from .semantic import Encoder, default_encoder
from .semantic import model_hash as semantic_model_hash
from .shipped import shipped_file
from .text import Lexicon, default_lexicon, load_lexicon


def default_knowledge_path() -> Path:
    """The guide the bot ships with, as named in the package's ``knowledge/manifest.json``."""
    manifest = json.loads(shipped_file("manifest.json").read_text(encoding="utf-8"))
    return shipped_file(manifest["default"])


def load_knowledge(path: str | Path | list[str | Path] | None = None, *, lexicon: Lexicon | str | Path | None = None,
                   encoder: Encoder | None | str = "auto", cache: bool = True, model_hash: str = "",
                   progress: bool | None = None, strict: bool = False,
                   warn: Callable[[str], None] | None = None) -> Knowledge | Library:
    """Parse and index a knowledge file: a .txt or .md guide, or .csv / .jsonl question/answer pairs.

    Without a path, the guide shipped with the package. Raises ``KnowledgeError`` (a
    ``ValueError``) naming the file, and the line where there is one, when it cannot be read.

    A folder, or a list of files and folders, is a library of guides (``chatbot.library``): every
    knowledge file in it is loaded as above, each into its own knowledge base; a file that cannot
    be read is skipped with a warning (``warn(message)``, and on ``Library.warnings``), or, with
    ``strict``, raises. A library is cached as one entry (``chatbot.library_cache``), and the guides
    a load has to build are built in worker processes, one per core (``CAREERBOT_WORKERS``).

    ``encoder`` is the sentence model: "auto" (the shipped one when the semantic extra is
    installed and CAREERBOT_SEMANTIC is not 0) or None for matching on words only.
    A knowledge base that takes a while to build is cached on disk (``chatbot.cache``), keyed
    by the file's content, the lexicon, the model (and ``model_hash``, anything else an index
    depends on) and the index format; ``cache=False`` or
    ``CAREERBOT_CACHE=0`` turns that off. ``progress``: draw a progress bar on stderr for a
    load that takes over 2 s (default: when stderr is a terminal).
    """
    if not isinstance(lexicon, Lexicon):
        lexicon = default_lexicon() if lexicon is None else load_lexicon(lexicon)
    path = default_knowledge_path() if path is None else path
    model = default_encoder() if encoder == "auto" else encoder
    if isinstance(path, (list, tuple)) or Path(path).is_dir():
        paths = [Path(p) for p in (path if isinstance(path, (list, tuple)) else [path])]
        label = str(path) if not isinstance(path, (list, tuple)) else ", ".join(map(str, path))

        key = (semantic_model_hash() if model is not None else "words only") + model_hash
        with _collector_paused():
            return load_library(paths, lexicon, model, key, use=cache, strict=strict, warn=warn, label=label,
                                progress=progress)

    def build() -> Knowledge:
        document = parse_file(path)
        bar = Progress(2 * len(document.units), f"indexing {Path(path).name}", enabled=progress, started=started)
        try:
            return Knowledge(document, lexicon, encoder=model).fit(progress=bar)
        finally:
            bar.close()

    started = time.monotonic()
    key = (semantic_model_hash() if model is not None else "words only") + model_hash
    with _collector_paused():
        knowledge = cached(path, lexicon, build, model=key, use=cache)
    knowledge.encoder_ = model  # the model itself is never cached, only what it computed
    return knowledge


@contextmanager
def _collector_paused():
    """Loading builds millions of small objects and no cycles worth collecting; Python's cyclic
    collector would walk them again and again (a quarter of the time on a 15 MB guide)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_default_lock = threading.Lock()


@cache
def _default() -> Knowledge:
    return load_knowledge()


def default_knowledge() -> Knowledge:
    """The shipped knowledge base, built once on first use."""
    with _default_lock:  # so two threads on first use build it once, not twice
        return _default()


def _log(log: UnansweredLog | str | Path | None) -> UnansweredLog | None:
    return log if isinstance(log, UnansweredLog) or log is None else UnansweredLog(log)


def respond_to(question: str, knowledge: Knowledge | Library, context: Context | None = None) -> Reply:
    """One reply from a knowledge base or a library of guides."""
    if isinstance(knowledge, Library):
        return respond_in_library(question, knowledge, context)
    return respond(question, knowledge, context)


def answer(question: str, knowledge: Knowledge | Library | None = None, *,
           log_unanswered: UnansweredLog | str | Path | None = None) -> Reply:
    """Answer one question. Stateless and safe to call from many threads.

    With ``log_unanswered`` (a path or an ``UnansweredLog``), a declined or low-confidence
    question is appended to that JSONL log.
    """
    if not isinstance(question, str):
        raise TypeError(f"question must be a str, not {type(question).__name__}")
    reply = respond_to(question, knowledge if knowledge is not None else default_knowledge())
    log = _log(log_unanswered)
    if log is not None:
        log.record(question, reply)
    return reply


class Conversation:
    """A sequence of questions to one knowledge base, with follow-ups.

    A question that names only an attribute ("what about its graduation rate?") or only a
    record ("what about SNHU?") is completed from the last reply about records; a reply on
    another topic drops that context. After a reply that offers numbered suggestions, typing
    a number answers that suggestion. Separate conversations share nothing but the knowledge.
    """

    def __init__(self, knowledge: Knowledge | Library | None = None, *,
                 log_unanswered: UnansweredLog | str | Path | None = None, career: str | None = None) -> None:
        self.knowledge = knowledge if knowledge is not None else default_knowledge()
        self.history: list[tuple[str, Reply]] = []
        self.context = Context()
        if career is not None:
            self.switch(career)
        self.offered: tuple[Suggestion, ...] = ()
        self.log = _log(log_unanswered)

    def ask(self, question: str) -> Reply:
        if not isinstance(question, str):
            raise TypeError(f"question must be a str, not {type(question).__name__}")
        pick = question.strip().rstrip(".)")
        if re.fullmatch(r"[0-9]{1,2}", pick) and 1 <= int(pick) <= len(self.offered):  # not "²"
            chosen = self.offered[int(pick) - 1]
            if isinstance(self.knowledge, Library):
                reply = suggestion_reply(self.knowledge, chosen, self.context)
            elif chosen.unit is not None:
                reply = reply_for_unit(self.knowledge, chosen.unit)
            else:
                reply = respond(chosen.question, self.knowledge, self.context)
        else:
            reply = respond_to(question, self.knowledge, self.context)
        if reply.context is not None:
            self.context = reply.context
        if reply.answered:  # what a short follow-up with a pronoun continues
            self.context = replace(self.context, topic=question)
        self.offered = reply.suggestions
        self.history.append((question, reply))
        if self.log is not None:
            self.log.record(question, reply)
        return reply

    @property
    def career(self) -> str | None:
        """In a library of guides, the career the conversation is about (None before one is named)."""
        if not isinstance(self.knowledge, Library):
            return None
        i = self.knowledge.current(self.context)
        return self.knowledge.guides[i].career if i is not None else None

    def switch(self, career: str) -> str:
        """Make a career of the library the current one (by its name, a short form or its file's
        name); returns the career's name. Raises ``ValueError`` when no guide of the library matches."""
        if not isinstance(self.knowledge, Library):
            raise ValueError("only a library of guides has careers to switch between")
        guide = self.knowledge.find(career)
        if guide is None:
            raise ValueError(f"no guide for {career!r} in {self.knowledge.path}")
        self.context = Context(guide=guide.name)
        self.offered = ()
        return guide.career

    @property
    def last(self) -> Reply | None:
        return self.history[-1][1] if self.history else None
