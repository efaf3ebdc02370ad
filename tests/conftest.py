"""Shared fixtures: both guides, loaded once per session; every user file under tmp_path."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from chatbot import load_knowledge
from chatbot.api import default_knowledge_path

DATA = Path(__file__).parent / "data"
GOLDEN = Path(__file__).parent / "golden"
KNOWLEDGE = Path(__file__).parents[1] / "knowledge"
SEED = default_knowledge_path()
SAMPLE = KNOWLEDGE / "samples" / "medical_records_technician.txt"
SEED_CASES = KNOWLEDGE / "patient_services_coordinator.questions.jsonl"
SAMPLE_CASES = KNOWLEDGE / "samples" / "medical_records_technician.questions.jsonl"
GUIDES = {"seed": SEED, "sample": SAMPLE}


def console_script() -> str:
    """The installed ``chatbot`` command: beside this Python, whether or not its folder is on PATH."""
    name = "chatbot.exe" if sys.platform == "win32" else "chatbot"
    script = Path(sys.executable).parent / name
    assert script.exists(), f"the console script is installed with the package ({script})"
    return str(script)


def read_cases(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session", autouse=True)
def _session_cache(tmp_path_factory):
    """Knowledge loaded by session- and module-wide fixtures caches under a temporary folder too."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("session-cache")))
        yield


@pytest.fixture(scope="session")
def seed_kb():
    return load_knowledge(SEED)


@pytest.fixture(scope="session")
def sample_kb():
    return load_knowledge(SAMPLE)


@pytest.fixture(scope="session", params=["seed", "sample"])
def guide_kb(request, seed_kb, sample_kb):
    """Each guide in turn: a test using this runs on both documents."""
    return {"seed": seed_kb, "sample": sample_kb}[request.param]


@pytest.fixture(autouse=True)
def _user_dirs(tmp_path_factory, monkeypatch):
    """Every user file (history, logs, caches) goes to a fresh folder of its own, apart from tmp_path."""
    user = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("XDG_DATA_HOME", str(user / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(user / "cache"))
    (user / "home").mkdir()
    monkeypatch.setenv("HOME", str(user / "home"))
