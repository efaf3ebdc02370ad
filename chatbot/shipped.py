"""Where the files the bot ships with are: the default guide, its question set and the word lists.

Installed, they are the package data ``chatbot.knowledge`` (pyproject.toml maps the
checkout's ``knowledge/`` folder to it). Run from a source checkout, where ``chatbot/`` has
no ``knowledge`` subpackage, they are that ``knowledge/`` folder beside the package. Every
module reads them through ``shipped_file``, so both work alike.
"""

from __future__ import annotations

from functools import cache
from importlib import resources, util
from pathlib import Path


@cache
def shipped_dir() -> Path:
    """The folder of the shipped files: the installed package data, else the checkout's ``knowledge/``."""
    if util.find_spec("chatbot.knowledge") is not None:
        return Path(str(resources.files("chatbot.knowledge")))
    return Path(__file__).resolve().parent.parent / "knowledge"


def shipped_file(name: str) -> Path:
    """One shipped file, by its name inside the knowledge folder ("lexicon.json", "samples/...")."""
    return shipped_dir() / name
