"""Shared fixtures: both guides, loaded once per session; every user file under tmp_path.

The tests import the working tree (pytest's ``pythonpath``), and every process a test
starts runs the working tree too (``PYTHONPATH`` below), never an installed copy. The
command is tested in this process through ``main(argv)`` (the ``cli`` fixture); each command
also has one end-to-end test in a process of its own (``run_chatbot``).
"""

from __future__ import annotations

import copy
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from chatbot import default_knowledge, load_knowledge
from chatbot.api import default_knowledge_path

ROOT = Path(__file__).parents[1]
DATA = Path(__file__).parent / "data"
GOLDEN = Path(__file__).parent / "golden"
KNOWLEDGE = ROOT / "knowledge"
SEED = default_knowledge_path()
SAMPLE = KNOWLEDGE / "samples" / "medical_records_technician.txt"
SEED_CASES = KNOWLEDGE / "patient_services_coordinator.questions.jsonl"
SAMPLE_CASES = KNOWLEDGE / "samples" / "medical_records_technician.questions.jsonl"
HELD = ROOT / "tests" / "heldout"
# Every guide of the template in the repository: the shipped one, the samples and the held-out rounds'.
TEMPLATE_GUIDES = sorted({SEED, *(KNOWLEDGE / "samples").glob("*.txt"), *HELD.glob("*/guides/*.txt"),
                          *HELD.glob("guides/*.txt")})


def schools(kb) -> list:
    """The guide's schools: records of their own group with a graduation rate."""
    return [k for k in kb.record_keys_ if not k.record.own_section and k.record.get("Graduation Rate")]


def figures(record) -> set[str]:
    """The figures a record gives, as the guide writes them."""
    return {f.value.shown for f in record.fields if f.value.available}


def stated(text: str) -> set[str]:
    """The figures a reply states: percentages, sums of money, counts of four digits or more."""
    return set(re.findall(r"\d[\d,.]*%|\$[\d,]+|\b\d[\d,]{3,}\b", text))
GUIDES = {"seed": SEED, "sample": SAMPLE}


def console_script() -> str:
    """The installed ``chatbot`` command: beside this Python, whether or not its folder is on PATH."""
    name = "chatbot.exe" if sys.platform == "win32" else "chatbot"
    script = Path(sys.executable).parent / name
    assert script.exists(), f"the console script is installed with the package ({script})"
    return str(script)


def run_chatbot(*args: str, stdin: str | None = None, cwd: Path, script: bool = False
                ) -> subprocess.CompletedProcess:
    """The command as a user runs it, in a process of its own: ``python -m chatbot ARGS``, or the
    console script with ``script=True``; from ``cwd``, which should not be the checkout."""
    command = [console_script()] if script else [sys.executable, "-m", "chatbot"]
    return subprocess.run([*command, *args], input=stdin, capture_output=True, text=True, cwd=cwd, timeout=120,
                          env={**os.environ, "NO_COLOR": "1"})


def read_cases(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session", autouse=True)
def _session_cache(tmp_path_factory):
    """Knowledge loaded by session- and module-wide fixtures caches under a temporary folder too, and the
    home folder is a temporary one (onnxruntime writes under ~/.cache when the sentence model loads)."""
    user = tmp_path_factory.mktemp("session-user")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(user / "cache"))
        patch.setenv("XDG_DATA_HOME", str(user / "data"))
        (user / "home").mkdir()
        patch.setenv("HOME", str(user / "home"))
        yield


@pytest.fixture(scope="session")
def seed_kb():
    """The shipped guide: the very knowledge ``answer()`` uses by default, so it is built once, not twice."""
    kb = default_knowledge()
    assert kb.document.path == str(SEED)
    return kb


@pytest.fixture(scope="session")
def sample_kb():
    return load_knowledge(SAMPLE)


@pytest.fixture(scope="session")
def sample_words_kb():
    """The second guide on words only, for tests whose subject is not the sentence model (escaping)."""
    return load_knowledge(SAMPLE, encoder=None)


@pytest.fixture(scope="session", params=["seed", "sample"])
def guide_kb(request, seed_kb, sample_kb):
    """Each guide in turn: a test using this runs on both documents."""
    return {"seed": seed_kb, "sample": sample_kb}[request.param]


class Remembering:
    """A knowledge base's own encoder, computing each call's texts once: the same question encoded again
    (by another test of the same question set, or by ``answer()`` then ``Conversation.ask()``) reads the
    vectors the first call got. A call is remembered whole (the model quantises per batch), so every
    vector is the one the model gives for that call."""

    def __init__(self, encoder) -> None:
        self.encoder, self.seen, self.calls = encoder, {}, 0

    def encode(self, texts, **options) -> np.ndarray:
        self.calls += 1
        key = (tuple(texts), options.get("limit"))
        if key not in self.seen:
            self.seen[key] = self.encoder.encode(texts, **options)
        return self.seen[key].copy()

    def __getattr__(self, name: str):
        return getattr(self.encoder, name)  # the rest of the encoder as it is (its vocabulary: ``words``)


@pytest.fixture(scope="session")
def remembering():
    """``remembering(kb)``: a copy of ``kb`` whose encoder is ``Remembering`` the real one, one for each
    knowledge base a session, so tests that ask the same questions of a guide encode them once. The
    tests of the encoder itself (threads, timings, calibration) use the knowledge bases as they are."""
    copies: dict[int, tuple] = {}  # id(kb): (kb, its copy); kb is kept, so its id is not reused

    def of(kb):
        if id(kb) not in copies:
            assert kb.encoder_ is not None
            remembered = copy.copy(kb)
            remembered.encoder_ = Remembering(kb.encoder_)
            copies[id(kb)] = (kb, remembered)
        return copies[id(kb)][1]

    return of


@pytest.fixture(scope="session")
def knowledge_of(seed_kb, sample_kb):
    """``load_knowledge(path)`` with the sentence model, built once a session for each guide: the shipped
    and second guides are ``seed_kb`` and ``sample_kb`` themselves. Not cached on disk (a test's cache
    folder is its own); tests/test_cache.py tests the cache."""
    loaded = {SEED.resolve(): seed_kb, SAMPLE.resolve(): sample_kb}

    def of(path: Path):
        path = Path(path).resolve()
        if path not in loaded:
            loaded[path] = load_knowledge(path, cache=False)
        return loaded[path]

    return of


@pytest.fixture(scope="session")
def _warm_cache_dir(tmp_path_factory, seed_kb, sample_kb) -> Path:
    """A cache folder holding the entries that loading the shipped and second guides writes."""
    from chatbot import cache
    from chatbot.semantic import model_hash

    folder = tmp_path_factory.mktemp("warm-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(folder))
        for path, kb in ((SEED, seed_kb), (SAMPLE, sample_kb)):
            cache.write(path, cache.cache_key(path, kb.lexicon, model_hash()), kb)
    assert len(list((folder / "careerbot").iterdir())) == 2
    return folder / "careerbot"


@pytest.fixture
def warm_cache(_warm_cache_dir):
    """The shipped and second guides' index cache entries, copied into this test's cache folder: a process
    the test starts, or ``main(argv)`` given ``--knowledge``, reads their indexes as a user's second run
    does, where building them again cost one to two seconds a load. Building and writing them is tested
    in this process (tests/test_cache.py) and in a process of its own, from a cold cache
    (``test_eval_end_to_end``)."""
    shutil.copytree(_warm_cache_dir, Path(os.environ["XDG_CACHE_HOME"]) / "careerbot")


@pytest.fixture(autouse=True)
def _user_dirs(tmp_path_factory, monkeypatch):
    """Every user file (history, logs, caches) goes to a fresh folder of its own, apart from tmp_path; every
    process a test starts imports the working tree."""
    user = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("XDG_DATA_HOME", str(user / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(user / "cache"))
    (user / "home").mkdir()
    monkeypatch.setenv("HOME", str(user / "home"))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))


@pytest.fixture
def cli(capsys, monkeypatch):
    """``chatbot ARGS`` in this process: ``main(argv)``, its exit status and captured output, with
    ``stdin`` as piped input. Returns what ``run_chatbot`` returns, so tests read alike."""
    from chatbot.cli import main

    def run(*argv: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        capsys.readouterr()
        try:
            status = main(list(argv))
        except SystemExit as exit:  # argparse: --help, bad arguments
            status = exit.code if isinstance(exit.code, int) else 1
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(["chatbot", *argv], status, out, err)

    return run


DAMAGES = ["truncated", "garbage", "flipped byte", "empty"]


def damaged(entry: Path, how: str) -> None:
    """Damage a cache file in place: cut in half, random bytes, one byte flipped, or emptied."""
    data = entry.read_bytes()
    if how == "truncated":
        entry.write_bytes(data[:len(data) // 2])
    elif how == "garbage":
        entry.write_bytes(os.urandom(len(data)))
    elif how == "flipped byte":
        middle = len(data) // 2
        entry.write_bytes(data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:])
    else:
        entry.write_bytes(b"")
