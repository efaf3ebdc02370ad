"""Loading a library of guides fast: one cache file for the whole library, and a first load built
in parallel worker processes.

A library of a thousand guides is a thousand small files: one cache entry each would be a
thousand files to find, check and read at every start. Here the whole library (every guide's
document and learned state, the careers' knowledge base and the name index) is one entry of
the index cache, ``library-*.pickle`` beside the single files' entries, written and read with
the same guarantees (``chatbot.cache``): keyed by every file's path and content hash, the
lexicon, the model and ``INDEX_FORMAT``, written atomically, checksummed; a damaged or
unreadable entry is one warning line and a rebuild, never an error. The files that could not
be read are kept in it too, so that a reload warns, or with ``strict`` raises, as the first load did.

When a file changes, is added or is removed, the library's key changes, but the previous entry
of the same library still holds every other guide under a key of its own (its path and content,
and the rest of the library's key): those guides are taken from it, and only the changed or new
files are built again.

The guides a load has to build are built in ``workers`` processes when there are enough of them
(``PARALLEL_FROM``): each worker parses and fits a share of the files and sends back their
documents and learned state. The answers are those of a build in one process (tested).
"""

from __future__ import annotations

import hashlib
import inspect
import json
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from . import cache
from .index import Knowledge
from .library import Guide, Library, build_library, library_files
from .model import KnowledgeError
from .parse import Document, parse_file
from .progress import Progress
from .semantic import Encoder, default_encoder
from .text import Lexicon
from .vocabulary import build_vocabulary

LIBRARY_FORMAT = 2  # bump when what a library entry holds changes shape (2: no record-term index)
PARALLEL_FROM = 16  # guides to build before worker processes are worth starting
CHUNK = 8           # guides a worker builds per task: fewer round trips, progress still shown
SHARED = ("comparisons_",)  # learned state every guide shares (it depends on the lexicon only): not sent back
# Learned state a library's entry does not keep: the scikit-learn vectorizer a guide was fitted with
# (answering reads its vocabulary and idf, kept as ``vocabulary_`` and ``idf_``), so that reading a
# library back does not import scikit-learn (2-3 s on a busy machine, half the reload's target).
NOT_KEPT = ("full_vectorizer_",)


def _kept(knowledge: Knowledge) -> dict:
    state = cache.learned_state(knowledge)
    for name in NOT_KEPT:
        if name in state:
            state[name] = None
    return state


def default_workers() -> int:
    """Worker processes for a first load: ``CAREERBOT_WORKERS``, else one per core the process may use."""
    value = os.environ.get("CAREERBOT_WORKERS", "").strip()
    if value.isdigit() and int(value) > 0:
        return int(value)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


# ---------------------------------------------------------------- keys

def _content_hash(path: Path) -> str:
    try:
        return cache.file_hash(path)
    except OSError as error:  # building says why; once readable, its hash changes and it is built again
        return f"unreadable: {error.__class__.__name__}"


def keys(files: Sequence[Path], lexicon: Lexicon, model: str) -> tuple[str, dict[Path, str]]:
    """The library's key, and each file's own key (its path and content, and what every guide shares)."""
    settings = {name: p.default for name, p in inspect.signature(Knowledge).parameters.items()
                if p.default is not inspect.Parameter.empty}
    common = json.dumps({"format": cache.INDEX_FORMAT, "library": LIBRARY_FORMAT,
                         "lexicon": cache.lexicon_hash(lexicon), "model": model, "settings": cache._plain(settings),
                         "python": list(sys.version_info[:2])}, sort_keys=True)
    own = {f: hashlib.sha256(json.dumps([common, str(f), _content_hash(f)]).encode()).hexdigest() for f in files}
    whole = hashlib.sha256(json.dumps([common, [[str(f), own[f]] for f in files]]).encode()).hexdigest()
    return whole, own


def _place(paths: Sequence[Path], model: str = "") -> str:
    """The library's entries are named after the files and folders it was loaded from, and the
    model (the words-only entry and the model's live side by side)."""
    return hashlib.sha256(json.dumps([[str(Path(p).resolve()) for p in paths], model]).encode()).hexdigest()[:16]


def entry_path(paths: Sequence[Path], key: str, model: str = "") -> Path:
    return cache.cache_dir() / f"library-{_place(paths, model)}-{key[:32]}.pickle"


# ---------------------------------------------------------------- what an entry holds

def _payload(library: Library, own: dict[Path, str], errors: list[KnowledgeError]) -> dict:
    return {
        "path": library.path,
        "guides": [(g.name, str(g.path), g.career, own.get(g.path, ""), g.knowledge.document, _kept(g.knowledge))
                   for g in library.guides],
        "errors": [(str(e.path), e.reason, e.line, own.get(Path(e.path), "")) for e in errors],
        "warnings": library.warnings,
        "careers": (library.careers.document, _kept(library.careers)),
        "career_units": library.career_units, "labels": library.labels, "names": library.names_,
        "career_vectors": library.career_vectors_,
    }


def _restore(payload: dict, lexicon: Lexicon, encoder: Encoder | None) -> Library:
    guides = []
    for name, path, career, _, document, state in payload["guides"]:
        kb = cache.restore(document, lexicon, state)
        kb.encoder_ = encoder
        guides.append(Guide(name, Path(path), career, kb))
    document, state = payload["careers"]
    careers = cache.restore(document, lexicon, state)
    careers.encoder_ = encoder
    return Library(payload["path"], guides, careers, lexicon, payload["warnings"], payload["career_units"],
                   payload["labels"], payload["names"], payload["career_vectors"])


def _replay(errors: list[tuple], strict: bool, warn: Callable[[str], None] | None) -> None:
    """The files a cached library could not read: raised (``strict``) or warned about, as at first."""
    for path, reason, line, _ in errors:
        error = KnowledgeError(path, reason, line)
        if strict:
            raise error
        if warn is not None:
            warn(f"chatbot: warning: {error} (skipped)")


def _reusable(paths: Sequence[Path], key: str, model: str = "") -> dict[str, tuple]:
    """The guides (and unreadable files) of the library's previous entry, by their own key."""
    found: dict[str, tuple] = {}
    for old in sorted(cache.cache_dir().glob(f"library-{_place(paths, model)}-*.pickle")):
        if old == entry_path(paths, key, model):
            continue
        payload = cache.read_entry(old, None)
        if isinstance(payload, dict) and isinstance(payload.get("guides"), list):
            found.update({g[3]: g for g in payload["guides"] if g[3]})
            found.update({e[3]: e for e in payload.get("errors", []) if e[3]})
    return found


# ---------------------------------------------------------------- building

def _build_one(path: Path, lexicon: Lexicon, encoder: Encoder | None) -> Knowledge:
    # A library's guides keep no word-piece vectors (a few megabytes a guide, in one entry for all):
    # they rank their passages by words and sentence vectors.
    return Knowledge(parse_file(path), lexicon, encoder=encoder, pieces=False).fit()


_FOR_WORKERS: dict[str, object] = {}  # what forked workers inherit: the lexicon, whether to use the model
_FORKING = threading.Lock()  # one parallel build at a time in a process: they share _FOR_WORKERS


def _worker_build(files: list[str]) -> list[tuple]:
    """In a worker process: build some files; each is (document, learned state) or (path, reason, line)."""
    import gc

    gc.disable()  # as in load_knowledge: many small objects, no cycles worth collecting
    lexicon = _FOR_WORKERS["lexicon"]
    if _FOR_WORKERS["semantic"] and "encoder" not in _FOR_WORKERS:
        _FOR_WORKERS["encoder"] = Encoder()  # its own, not the parent's copied session
    encoder = _FOR_WORKERS.get("encoder")
    out: list[tuple] = []
    for f in files:
        try:
            kb = _build_one(Path(f), lexicon, encoder)
        except KnowledgeError as e:
            out.append(("error", str(e.path), e.reason, e.line))
            continue
        state = _kept(kb)
        for name in SHARED:
            state[name] = None
        out.append(("built", kb.document, state))
    return out


def _worker_fit(document: Document) -> dict:
    """In a worker process: fit the careers' knowledge base; its learned state."""
    import gc

    gc.disable()
    if _FOR_WORKERS["semantic"] and "encoder" not in _FOR_WORKERS:
        _FOR_WORKERS["encoder"] = Encoder()
    kb = Knowledge(document, _FOR_WORKERS["lexicon"], encoder=_FOR_WORKERS.get("encoder")).fit()
    state = _kept(kb)
    for name in SHARED:
        state[name] = None
    return state


def fit_apart(knowledge: Knowledge) -> Knowledge:
    """``knowledge.fit()`` in a forked worker, with the shipped model: the careers' knowledge base
    encodes the list of every career, 256 tokens, in a batch of 32 texts padded to it, which grows
    onnxruntime's memory by about 500 MB for the rest of the process (measured); in a worker that
    memory is given back when it ends. The vectors are the same: the same texts in the same batches."""
    encoder = knowledge.encoder
    with _FORKING:
        _FOR_WORKERS.clear()
        _FOR_WORKERS.update(lexicon=knowledge.lexicon, semantic=encoder is not None)
        try:
            with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as pool:
                state = pool.submit(_worker_fit, knowledge.document).result()
        finally:
            _FOR_WORKERS.clear()
    state["comparisons_"] = build_vocabulary(knowledge.lexicon)
    fitted = cache.restore(knowledge.document, knowledge.lexicon, state)
    fitted.encoder_ = encoder
    return fitted


def _can_fork() -> bool:
    """Workers are forked: a started interpreter ("spawn") would import the caller's main module
    again, which a script without ``if __name__ == "__main__"`` cannot stand. Not on macOS, where
    forking a process that has loaded system frameworks is unsafe; there a library builds in one process."""
    return "fork" in multiprocessing.get_all_start_methods() and sys.platform != "darwin"


def build_guides(files: list[Path], lexicon: Lexicon, encoder: Encoder | None, *, workers: int = 1,
                 progress: Callable[[int], None] | None = None) -> dict[Path, Knowledge | KnowledgeError]:
    """Each file's knowledge base, or the error that stopped it; in ``workers`` forked processes when
    there are at least ``PARALLEL_FROM`` files and the encoder is the shipped one (or none)."""
    done: dict[Path, Knowledge | KnowledgeError] = {}
    parallel = (workers > 1 and len(files) >= PARALLEL_FROM and _can_fork()
                and (encoder is None or encoder is default_encoder()))
    if not parallel:
        for f in files:
            try:
                done[f] = _build_one(f, lexicon, encoder)
            except KnowledgeError as e:
                done[f] = e
            if progress is not None:
                progress(1)
        return done
    chunks = [files[i:i + CHUNK] for i in range(0, len(files), CHUNK)]
    vocabulary = build_vocabulary(lexicon)  # before forking, so that every worker inherits it
    with _FORKING:
        _FOR_WORKERS.clear()
        _FOR_WORKERS.update(lexicon=lexicon, semantic=encoder is not None)
        try:
            _collect(chunks, lexicon, encoder, vocabulary, workers, done, progress)
        finally:
            _FOR_WORKERS.clear()
    return done


def _collect(chunks: list[list[Path]], lexicon: Lexicon, encoder: Encoder | None, vocabulary: object, workers: int,
             done: dict[Path, Knowledge | KnowledgeError], progress: Callable[[int], None] | None) -> None:
    """Hand the chunks to forked workers and take their guides back, in order."""
    with ProcessPoolExecutor(max_workers=min(workers, len(chunks)),
                             mp_context=multiprocessing.get_context("fork")) as pool:
        for chunk, results in zip(chunks, pool.map(_worker_build, [[str(f) for f in c] for c in chunks]),
                                  strict=True):
            for f, result in zip(chunk, results, strict=True):
                if result[0] == "error":
                    done[f] = KnowledgeError(result[1], result[2], result[3])
                    continue
                state = result[2]
                state["comparisons_"] = vocabulary
                kb = cache.restore(result[1], lexicon, state)
                kb.encoder_ = encoder
                done[f] = kb
            if progress is not None:
                progress(len(chunk))


def load_library(paths: list[Path], lexicon: Lexicon, encoder: Encoder | None, model: str, *, use: bool = True,
                 strict: bool = False, warn: Callable[[str], None] | None = None, label: str = "",
                 progress: bool | None = None, workers: int | None = None) -> Library:
    """The library of ``paths`` (see the module's docstring): read from its cache entry, or built
    (reusing the guides of its previous entry whose files have not changed) and written there."""
    files = library_files(paths)
    use = cache.enabled(use) and bool(files)
    key, own = keys(files, lexicon, model) if use else ("", {})
    found = cache.read_entry(entry_path(paths, key, model), key) if use else None
    if found:
        try:
            library = _restore(found, lexicon, encoder)
            errors = found["errors"]
        except (KeyError, TypeError, ValueError, IndexError) as error:
            cache.warn(f"cannot read {entry_path(paths, key, model)} ({error.__class__.__name__}: {error}); rebuilding")
            found = False
        else:
            _replay(errors, strict, warn)
            return library

    reused = _reusable(paths, key, model) if use else {}
    known: dict[Path, Knowledge | KnowledgeError] = {}
    for f in files:
        old = reused.get(own.get(f, ""))
        if old is None:
            continue
        if len(old) == 4:  # a file that could not be read, and has not changed since
            known[f] = KnowledgeError(old[0], old[1], old[2])
        else:
            kb = cache.restore(old[4], lexicon, old[5])
            kb.encoder_ = encoder
            known[f] = kb
    todo = [f for f in files if f not in known]
    bar = Progress(len(todo), f"indexing {len(todo)} guides", enabled=progress)
    try:
        known.update(build_guides(todo, lexicon, encoder, workers=default_workers() if workers is None else workers,
                                  progress=bar))
    finally:
        bar.close()
    errors: list[KnowledgeError] = []

    def load(f: Path) -> Knowledge:
        result = known[f]
        if isinstance(result, KnowledgeError):
            errors.append(result)
            raise result
        return result

    apart = (encoder is not None and encoder is default_encoder() and _can_fork()
             and len(files) >= PARALLEL_FROM and (default_workers() if workers is None else workers) > 1)
    library = build_library(paths, load, lexicon, strict=strict, warn=warn, label=label,
                            fit=fit_apart if apart else None)
    if use and keys(files, lexicon, model)[0] == key:  # a file rewritten meanwhile is not stored under its old key
        cache.write_entry(entry_path(paths, key, model), key, _payload(library, own, errors),
                          f"library-{_place(paths, model)}-", quiet=found is False)
    return library
