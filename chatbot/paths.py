"""Where the files shipped with the package are, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path


def knowledge_dir() -> Path:
    """The shipped knowledge folder: the installed ``chatbot.knowledge`` package data, or, in a
    source checkout (where the package folder has no ``knowledge``), the checkout's ``knowledge/``."""
    try:
        from importlib import resources

        return Path(str(resources.files("chatbot.knowledge")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "knowledge"


def shipped(name: str) -> Path:
    """A file shipped in the knowledge folder, by its path relative to it."""
    return knowledge_dir() / name
