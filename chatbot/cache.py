"""Fitted knowledge kept on disk, so a large knowledge file is indexed once, not at every start.

What loading computes (the parsed document and the fitted ``Knowledge``'s learned state, its
attributes ending in ``_``) is pickled into ``$XDG_CACHE_HOME/careerbot/`` (``~/.cache``
without it), one file per knowledge file, under a key made of the knowledge file's content
hash and path, the lexicon's hash, an optional model hash, the index settings, Python's
version and ``INDEX_FORMAT``. A change in any of them rebuilds; a file whose content does
not match its checksum, or that cannot be read, written or unpickled, is one warning line on
stderr and a rebuild, never an error. ``CAREERBOT_CACHE=0`` or ``load_knowledge(...,
cache=False)`` turns the cache off.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json
import os
import pickle
import struct
import sys
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path

from .index import Knowledge
from .parse import Document
from .text import Lexicon

# Bump when what fit() computes changes shape, so old cache files are not read.
INDEX_FORMAT = 20  # 20: a guide's units' word-piece vectors (unit_pieces_); 19: areas of states
# in the vocabulary ("midwest"); 18: initials written as single
# letters ("W.T." -> "wt"); 17: letters joined by &
# one token ("a&m"); 16: the beginnings of a name's capitals'
# initials; 15: the margin of the guide's domain (calibrate.domain_margin) and its scale;
# 14: a name's initials up to a state with its code ("umn"); 13: acronyms also stemmed;
# 12: a question about the career is read on the scale of the 85th percentile;
# 11: an FAQ entry's whole text read to ENTRY_TOKENS by the sentence model;
# 10: a section's opening paragraph before a list is a passage too; 9: one payload (document,
# state) after the versions; 8: one vector per FAQ entry;
# 7: each text encoded on its own; 6: lists with first sentences, role vectors…
MAGIC = b"careerbot index\n"
_HEADER = struct.Struct(">16s32sQI")  # magic, key digest, payload length, crc32
# Packages whose objects a fitted index may hold; their versions are checked when one is read.
PACKAGES = ("numpy", "scipy", "sklearn")
# Learned state that is not written: the sentence model itself (its vectors are), set again on load.
NOT_CACHED = frozenset({"encoder_"})


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/careerbot``, or ``~/.cache/careerbot``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "careerbot"


def enabled(requested: bool = True) -> bool:
    """Whether to use the cache: asked for, and not turned off by ``CAREERBOT_CACHE=0``."""
    return requested and os.environ.get("CAREERBOT_CACHE", "1").strip().lower() not in ("0", "false", "no", "off")


def warn(message: str) -> None:
    print(f"careerbot: index cache: {message}", file=sys.stderr)


def _plain(value: object) -> object:
    """A JSON-able value with a stable order: sets sorted, dict items sorted, tuples as lists."""
    if isinstance(value, dict):
        return sorted(([_plain(k), _plain(v)] for k, v in value.items()), key=json.dumps)
    if isinstance(value, set | frozenset):
        return sorted((_plain(v) for v in value), key=json.dumps)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def lexicon_hash(lexicon: Lexicon) -> str:
    """A hash of everything in a lexicon, the same in every process."""
    fields = {f.name: _plain(getattr(lexicon, f.name)) for f in dataclasses.fields(lexicon)}
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cache_key(path: str | Path, lexicon: Lexicon, model: str = "") -> str:
    """The key of a knowledge file's cache entry (raises ``OSError`` if the file cannot be read)."""
    settings = {name: p.default for name, p in inspect.signature(Knowledge).parameters.items()
                if p.default is not inspect.Parameter.empty}
    material = {"format": INDEX_FORMAT, "path": str(path), "file": file_hash(Path(path)),
                "lexicon": lexicon_hash(lexicon), "model": model, "settings": _plain(settings),
                "python": list(sys.version_info[:2])}
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def entry_path(path: str | Path, key: str, model: str = "") -> Path:
    """One file per knowledge path and model: a new key for the same path and model replaces the
    old entry, while the words-only entry and the model's live side by side (a start with
    ``--no-semantic`` does not throw away the vectors the next start needs)."""
    where = hashlib.sha256(f"{Path(path).resolve()}\0{model}".encode()).hexdigest()[:16]
    return cache_dir() / f"{where}-{key[:32]}.pickle"


def _versions() -> dict[str, str]:
    return {name: getattr(sys.modules[name], "__version__", "") for name in PACKAGES if name in sys.modules}


class _Unpickler(pickle.Unpickler):
    """Notes which packages the pickle uses, so their versions can be compared with the writer's."""

    def __init__(self, file) -> None:
        super().__init__(file)
        self.packages: set[str] = set()

    def find_class(self, module: str, name: str):
        self.packages.add(module.split(".")[0])
        return super().find_class(module, name)


def read(path: str | Path, key: str, model: str = "") -> tuple[Document, dict] | None | bool:
    """The cached (document, learned state) for ``key``; None when there is none, False (after a
    warning) when there is one that cannot be used."""
    entry = entry_path(path, key, model)
    found = read_entry(entry, key)
    if not found:
        return found
    try:
        document, state = found
        if not isinstance(document, Document) or not isinstance(state, dict):
            raise ValueError("unexpected content")
    except (TypeError, ValueError) as error:
        warn(f"cannot read {entry} ({error.__class__.__name__}: {error}); rebuilding")
        return False
    return document, state


def read_entry(entry: Path, key: str | None) -> object:
    """What ``write_entry`` wrote to ``entry`` under ``key`` (under any key when ``key`` is None);
    None when there is no such file, or it was written by other versions of numpy, scipy or
    scikit-learn; False, after a warning, when it cannot be used (damaged, another key)."""
    try:
        with open(entry, "rb") as f:
            head = f.read(_HEADER.size)
            if len(head) < _HEADER.size:
                raise ValueError("file is truncated")
            magic, digest, length, crc = _HEADER.unpack(head)
            if magic != MAGIC or (key is not None and digest != bytes.fromhex(key)):
                raise ValueError("not a careerbot index, or not this one")
            # Unpickled straight from the file, checksummed on the way; the result is used only if
            # the checksum and the length then match (a whole copy in memory would cost ~100 MB).
            source = _Checksummed(f)
            unpickler = _Unpickler(source)
            versions, payload = unpickler.load()
            if source.length != length or f.read(1):
                raise ValueError("file is truncated" if source.length < length else "file is longer than written")
            if source.crc != crc:
                raise ValueError("checksum does not match")
        now = _versions()
        if any(versions.get(p) != now.get(p) for p in unpickler.packages if p in PACKAGES):
            return None  # written by other versions of numpy/scipy/scikit-learn: rebuilt quietly
        return payload
    except (FileNotFoundError, NotADirectoryError):  # no entry (or no cache folder) yet
        return None
    except Exception as error:  # noqa: BLE001 - whatever is wrong with the file, rebuilding is right
        warn(f"cannot read {entry} ({error.__class__.__name__}: {error}); rebuilding")
        return False


def learned_state(knowledge: Knowledge) -> dict:
    """What ``fit`` learned (the attributes ending in ``_``), without the sentence model itself."""
    return {name: None if name in NOT_CACHED else value for name, value in vars(knowledge).items()
            if name.endswith("_")}


def write(path: str | Path, key: str, knowledge: Knowledge, *, model: str = "", quiet: bool = False) -> None:
    """Write the document and learned state atomically (a temporary file, then a rename), and
    remove the older entries of the same knowledge path. Failing is a warning (unless ``quiet``)."""
    entry = entry_path(path, key, model)
    write_entry(entry, key, (knowledge.document, learned_state(knowledge)), entry.name.split("-")[0] + "-",
                quiet=quiet)


def write_entry(entry: Path, key: str, payload: object, prefix: str, *, quiet: bool = False) -> None:
    """Write ``payload`` to ``entry`` atomically, with a header (``key``, length, crc32), and remove
    the other entries whose names start with ``prefix``. Failing is a warning (unless ``quiet``)."""
    tmp = None
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".writing-", suffix=".pickle")
        with os.fdopen(fd, "w+b") as f:
            f.write(b"\0" * _HEADER.size)
            sink = _Checksummed(f)
            pickle.dump((_versions(), payload), sink, protocol=pickle.HIGHEST_PROTOCOL)
            f.seek(0)
            f.write(_HEADER.pack(MAGIC, bytes.fromhex(key), sink.length, sink.crc))
        os.replace(tmp, entry)
        tmp = None
        for old in entry.parent.glob(prefix + "*.pickle"):
            if old != entry:
                old.unlink(missing_ok=True)
    except Exception as error:  # noqa: BLE001 - a cache that cannot be written is only slower
        if not quiet:
            warn(f"cannot write {entry} ({error.__class__.__name__}: {error}); going on without it")
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


class _Checksummed:
    """A file seen through a counter: the length and crc32 of what is written to it or read from it."""

    def __init__(self, f) -> None:
        self.f, self.length, self.crc = f, 0, 0

    def _count(self, data) -> None:
        view = memoryview(data).cast("B")  # bytes, or the PickleBuffer of a large array
        self.crc = zlib.crc32(view, self.crc)
        self.length += view.nbytes

    def write(self, data) -> int:
        self._count(data)
        return self.f.write(data)

    def read(self, n: int = -1) -> bytes:
        data = self.f.read(n)
        self._count(data)
        return data

    def readline(self) -> bytes:
        data = self.f.readline()
        self._count(data)
        return data

    def readinto(self, buffer) -> int:
        n = self.f.readinto(buffer)
        self._count(memoryview(buffer).cast("B")[:n])
        return n


def restore(document: Document, lexicon: Lexicon, state: dict) -> Knowledge:
    """A fitted ``Knowledge`` from its document and learned state, without fitting."""
    knowledge = Knowledge(document, lexicon)
    knowledge.__dict__.update(state)
    return knowledge


def cached(path: str | Path, lexicon: Lexicon, build: Callable[[], Knowledge], *, model: str = "",
           use: bool = True) -> Knowledge:
    """``build()``'s knowledge, read from the cache when it holds an entry for this key, else
    built and written there for next time. Small files too: even words only, the shipped guide
    takes about 0.3 s to build (the places, the calibration) and 0.02 s to read back."""
    if not enabled(use):
        return build()
    try:
        key = cache_key(path, lexicon, model)
    except OSError:  # unreadable: building says why, with the proper error
        return build()
    found = read(path, key, model)
    if found:
        return restore(found[0], lexicon, found[1])
    knowledge = build()
    try:
        unchanged = cache_key(path, lexicon, model) == key
    except OSError:
        unchanged = False
    if unchanged:  # a file rewritten while it was being read is not stored under its old content's key
        write(path, key, knowledge, model=model, quiet=found is False)  # one warning a load at most
    return knowledge
