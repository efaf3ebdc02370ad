"""The on-disk index cache: a second load reads what the first wrote; a change of file, lexicon,
model or format rebuilds; a bad cache file or folder is a one-line warning and a rebuild, and
the answers are those of a fresh build. XDG_CACHE_HOME points at a temporary folder (conftest)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from conftest import DATA, damaged

from chatbot import answer, cache, load_knowledge
from chatbot.cli import main
from chatbot.index import Knowledge
from chatbot.progress import Progress
from chatbot.text import Lexicon, default_lexicon

QUESTIONS = ["Do I need a visa?", "when are fees due", "how do I pay", "what's the capital of France"]


@pytest.fixture
def pairs(tmp_path, monkeypatch) -> Path:
    """A small question/answer file, cached although it is small."""
    path = tmp_path / "pairs.jsonl"
    path.write_text((DATA / "pairs.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    return path


@pytest.fixture
def fits(monkeypatch) -> list[int]:
    """How many times an index was built."""
    count: list[int] = []
    fit = Knowledge.fit

    def counting(self, **options):
        count.append(1)
        return fit(self, **options)

    monkeypatch.setattr(Knowledge, "fit", counting)
    return count


def same(a, b) -> bool:
    """Equal, looking into arrays, sequences and dataclasses."""
    import dataclasses

    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b)
    if isinstance(a, list | tuple):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return type(a) is type(b) and all(same(getattr(a, f.name), getattr(b, f.name))
                                          for f in dataclasses.fields(a))
    return a == b


def replies(kb) -> list[tuple]:
    return [(r.text, r.confidence, r.source.id if r.source else None) for r in (answer(q, kb) for q in QUESTIONS)]


def entries() -> list[Path]:
    return sorted(cache.cache_dir().glob("*.pickle"))


def test_second_load_reads_the_cache(pairs, fits, capsys):
    first = load_knowledge(pairs)
    assert len(entries()) == 1 and len(fits) == 1
    second = load_knowledge(pairs)
    assert len(fits) == 1  # not built again
    assert replies(second) == replies(first)
    learned = [name for name in vars(first) if name.endswith("_")]
    assert learned and learned == [name for name in vars(second) if name.endswith("_")]
    for name in learned:
        assert same(vars(first)[name], vars(second)[name]), name
    assert capsys.readouterr().err == ""
    assert not list(cache.cache_dir().glob(".writing-*"))  # the temporary file was renamed


def test_cache_lives_under_xdg_cache_home(pairs, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "elsewhere"))
    load_knowledge(pairs)
    assert len(list((tmp_path / "elsewhere" / "careerbot").glob("*.pickle"))) == 1


def test_changed_file_rebuilds_and_replaces_the_old_entry(pairs, fits):
    load_knowledge(pairs)
    with pairs.open("a", encoding="utf-8") as f:
        f.write(json.dumps({"question": "Is there a library?", "answer": "The library opens at 8."}) + "\n")
    kb = load_knowledge(pairs)
    assert len(fits) == 2
    assert "library opens at 8" in answer("is there a library", kb).text
    assert len(entries()) == 1  # the entry of the old content is gone
    load_knowledge(pairs)
    assert len(fits) == 2


def test_changed_lexicon_model_or_format_rebuilds(pairs, fits, monkeypatch):
    load_knowledge(pairs)
    data = json.loads((Path(cache.__file__).parents[1] / "knowledge" / "lexicon.json").read_text(encoding="utf-8"))
    data["synonyms"]["visa"] = ["permit"]
    load_knowledge(pairs, lexicon=Lexicon.from_dict(data))
    assert len(fits) == 2
    load_knowledge(pairs, model_hash="minilm-int8-abc")
    assert len(fits) == 3
    load_knowledge(pairs, model_hash="minilm-int8-abc")
    assert len(fits) == 3
    monkeypatch.setattr(cache, "INDEX_FORMAT", cache.INDEX_FORMAT + 1)
    load_knowledge(pairs, model_hash="minilm-int8-abc")
    assert len(fits) == 4


def test_lexicon_hash_is_stable_and_sees_changes():
    lexicon = default_lexicon()
    assert cache.lexicon_hash(lexicon) == cache.lexicon_hash(lexicon)
    assert cache.lexicon_hash(lexicon) != cache.lexicon_hash(Lexicon.from_dict({"stopwords": ["the"]}))


@pytest.mark.parametrize("damage", ["truncated", "garbage", "flipped byte", "empty"])
def test_a_bad_cache_file_is_a_warning_and_a_rebuild(pairs, fits, capsys, damage):
    fresh = replies(load_knowledge(pairs, cache=False))
    load_knowledge(pairs)
    (entry,) = entries()
    damaged(entry, damage)
    capsys.readouterr()
    kb = load_knowledge(pairs)
    assert replies(kb) == fresh
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "index cache" in err and "rebuilding" in err
    assert len(fits) == 3
    load_knowledge(pairs)  # the rebuild wrote a good entry again
    assert len(fits) == 3 and capsys.readouterr().err == ""


def test_an_unwritable_cache_folder_is_a_warning(pairs, tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    fresh = replies(load_knowledge(pairs, cache=False))
    kb = load_knowledge(pairs)
    assert replies(kb) == fresh
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot write" in err


@pytest.mark.parametrize("off", ["env", "argument"])
def test_cache_can_be_turned_off(pairs, fits, monkeypatch, off):
    if off == "env":
        monkeypatch.setenv("CAREERBOT_CACHE", "0")
        load_knowledge(pairs)
        load_knowledge(pairs)
    else:
        load_knowledge(pairs, cache=False)
        load_knowledge(pairs, cache=False)
    assert len(fits) == 2 and entries() == []


def test_small_files_are_cached_when_matching_on_words_only(fits):
    """Building is not cheap even words only (the places, the calibration): kept too."""
    assert (DATA / "pairs.jsonl").stat().st_size < 32 * 1024
    load_knowledge(DATA / "pairs.jsonl", encoder=None)
    again = load_knowledge(DATA / "pairs.jsonl", encoder=None)
    assert len(fits) == 1 and len(entries()) == 1 and again.unit_vectors_ is None


def test_small_files_are_cached_with_the_sentence_model(fits):
    """Encoding every passage is not cheap: a small guide's vectors are worth keeping."""
    from chatbot.semantic import default_encoder

    if default_encoder() is None:
        pytest.skip("the semantic extra is not installed")
    load_knowledge(DATA / "pairs.jsonl")
    again = load_knowledge(DATA / "pairs.jsonl")
    assert len(fits) == 1 and len(entries()) == 1
    assert again.encoder_ is default_encoder() and again.unit_vectors_ is not None


def test_a_missing_file_is_still_the_knowledge_error(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="missing.jsonl"):
        load_knowledge(tmp_path / "missing.jsonl")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal_and_after_the_delay():
    quiet = io.StringIO()
    Progress(10, "indexing", stream=quiet, delay=0)(5)
    assert quiet.getvalue() == ""  # not a terminal
    early = Terminal()
    Progress(10, "indexing", stream=early, delay=60)(5)
    assert early.getvalue() == ""  # a quick load shows nothing
    late = Terminal()
    bar = Progress(10, "indexing", stream=late, delay=0)
    bar(5)
    assert "indexing [" in late.getvalue() and " 50%" in late.getvalue()
    bar.close()
    assert late.getvalue().endswith("\r")
    off = Terminal()
    Progress(10, "indexing", stream=off, delay=0, enabled=False)(5)
    assert off.getvalue() == ""


def test_json_output_never_asks_for_a_progress_bar(pairs, monkeypatch, capsys):
    asked = []
    import chatbot.api

    real = chatbot.api.load_knowledge

    def spy(path=None, **options):
        asked.append(options.get("progress"))
        return real(path, **options)

    monkeypatch.setattr(chatbot.api, "load_knowledge", spy)
    assert main(["ask", "do I need a visa", "--knowledge", str(pairs), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["answered"]
    assert main(["ask", "do I need a visa", "--knowledge", str(pairs)]) == 0
    assert asked == [False, None]


def test_a_file_changed_while_it_is_built_is_not_cached_under_its_old_key(pairs, fits, monkeypatch):
    real = Knowledge.fit

    def fit_then_edit(self, **options):
        with pairs.open("a", encoding="utf-8") as f:
            f.write(json.dumps({"question": "Is there a gym?", "answer": "Yes, on the ground floor."}) + "\n")
        return real(self, **options)

    monkeypatch.setattr(Knowledge, "fit", fit_then_edit)
    load_knowledge(pairs)
    assert entries() == []


def test_a_cached_guide_answers_as_a_fresh_one(monkeypatch, fits):
    """The TF-IDF path's learned state (a fitted scikit-learn vectorizer, sparse matrices, records)
    survives the round trip."""
    from conftest import SEED, SEED_CASES, read_cases

    questions = [c["question"] for c in read_cases(SEED_CASES) if "question" in c][::4]
    fresh = load_knowledge(SEED)  # built, and written to the cache
    cached = load_knowledge(SEED)
    assert len(fits) == 1 and len(entries()) == 1
    assert [answer(q, cached).text for q in questions] == [answer(q, fresh).text for q in questions]


def test_the_words_only_entry_and_the_models_live_side_by_side(fits):
    """Starting once with ``--no-semantic`` does not throw away the vectors the next start reads."""
    from chatbot.semantic import default_encoder

    if default_encoder() is None:
        pytest.skip("the semantic extra is not installed")
    for _ in range(2):
        load_knowledge(DATA / "pairs.jsonl", encoder=None)
        semantic = load_knowledge(DATA / "pairs.jsonl")
    assert len(fits) == 2 and len(entries()) == 2
    assert semantic.unit_vectors_ is not None
