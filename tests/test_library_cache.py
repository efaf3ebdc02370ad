"""A library's cache entry and its parallel build (``chatbot.library_cache``): a second load reads
the one entry the first wrote; a changed, added or removed file rebuilds only itself; a damaged
entry is a one-line warning and a rebuild; the files that could not be read are warned about (or,
strict, raised) again on a cached load; a build in worker processes answers as one in a single
process. On a library of five guides from the repository, matching on words only (but one test).
XDG_CACHE_HOME points at a temporary folder (conftest)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import damaged

from chatbot import KnowledgeError, Library, answer, cache, library_cache, load_knowledge
from chatbot.index import Knowledge

ROOT = Path(__file__).parents[1]
GUIDES = sorted((ROOT / "knowledge" / "samples").glob("*.txt"))
QUESTIONS = ["how much does a paralegal make", "pharmacy tech hourly pay", "which career pays the most?",
             "what education does a surgical technologist need", "what careers are there?",
             "what's the hourly median?", "do phlebotomists need a license"]


@pytest.fixture
def folder(tmp_path) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    for guide in GUIDES:
        shutil.copy(guide, site / guide.name)
    return site


@pytest.fixture
def fits(monkeypatch) -> list[str]:
    """The subjects of the knowledge bases fitted (a guide's career, or the careers' own one)."""
    done: list[str] = []
    fit = Knowledge.fit

    def counting(self, **options):
        done.append(self.document.subject or self.document.title)
        return fit(self, **options)

    monkeypatch.setattr(Knowledge, "fit", counting)
    return done


def replies(library: Library) -> list[tuple]:
    return [(r.text, r.guide, round(r.confidence, 9), r.source.id if r.source else None)
            for r in (answer(q, library) for q in QUESTIONS)]


def entries() -> list[Path]:
    return sorted(cache.cache_dir().glob("library-*.pickle"))


def test_a_second_load_reads_the_one_entry(folder, fits, capsys):
    first = load_knowledge(folder, encoder=None)
    assert len(entries()) == 1 and len(fits) == len(GUIDES) + 1  # the guides and the careers
    second = load_knowledge(folder, encoder=None)
    assert len(fits) == len(GUIDES) + 1  # nothing built again
    assert [g.career for g in second.guides] == [g.career for g in first.guides]
    assert replies(second) == replies(first)
    assert second.names_ == first.names_ and second.record_postings == first.record_postings
    assert capsys.readouterr().err == ""
    assert not list(cache.cache_dir().glob(".writing-*"))


def test_a_changed_file_rebuilds_only_itself(folder, fits):
    load_knowledge(folder, encoder=None)
    fits.clear()
    guide = folder / "paralegal.txt"
    text = guide.read_text(encoding="utf-8")
    guide.write_text(text.replace("Annual Median: $60,970", "Annual Median: $61,500"), encoding="utf-8")
    library = load_knowledge(folder, encoder=None)
    assert fits == ["Paralegal", library.careers.document.subject or library.careers.document.title]
    assert "$61,500" in answer("paralegal annual median salary", library).text
    assert len(entries()) == 1  # the entry of the old content is gone
    fits.clear()
    load_knowledge(folder, encoder=None)
    assert fits == []


def test_an_added_or_removed_file_rebuilds_only_itself(folder, fits, tmp_path):
    load_knowledge(folder, encoder=None)
    fits.clear()
    shutil.copy(ROOT / "tests" / "library" / "guides" / "dental_assistant.txt", folder)
    library = load_knowledge(folder, encoder=None)
    assert fits[0] == "Dental Assistant" and len(fits) == 2
    assert answer("how much do dental assistants make", library).guide == "dental_assistant"
    fits.clear()
    (folder / "paralegal.txt").unlink()
    library = load_knowledge(folder, encoder=None)
    assert len(fits) == 1  # the careers only
    assert "Paralegal" not in [g.career for g in library.guides] and len(library.guides) == len(GUIDES)
    assert replies(library) == replies(load_knowledge(folder, encoder=None, cache=False))
    assert len(entries()) == 1


@pytest.mark.parametrize("damage", ["truncated", "garbage", "flipped byte", "empty"])
def test_a_damaged_entry_is_a_warning_and_a_rebuild(folder, fits, capsys, damage):
    fresh = replies(load_knowledge(folder, encoder=None, cache=False))
    load_knowledge(folder, encoder=None)
    (entry,) = entries()
    damaged(entry, damage)
    capsys.readouterr()
    fits.clear()
    library = load_knowledge(folder, encoder=None)
    assert replies(library) == fresh
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "index cache" in err and "rebuilding" in err
    assert len(fits) == len(GUIDES) + 1
    fits.clear()
    load_knowledge(folder, encoder=None)  # the rebuild wrote a good entry again
    assert fits == [] and capsys.readouterr().err == ""


def test_a_changed_lexicon_or_model_rebuilds_everything(folder, fits):
    load_knowledge(folder, encoder=None)
    fits.clear()
    load_knowledge(folder, encoder=None, model_hash="another-model")
    assert len(fits) == len(GUIDES) + 1


def test_a_file_that_cannot_be_read_is_warned_about_again_from_the_cache(folder, fits):
    (folder / "broken.jsonl").write_text('{"question": "q", "answer": "a"}\n{not json\n', encoding="utf-8")
    first: list[str] = []
    load_knowledge(folder, encoder=None, warn=first.append)
    fits.clear()
    again: list[str] = []
    library = load_knowledge(folder, encoder=None, warn=again.append)
    assert fits == [] and again == first and any("broken.jsonl:2" in w for w in again)
    assert any(w.path.endswith("broken.jsonl") and w.line == 2 for w in library.warnings)
    with pytest.raises(KnowledgeError, match="broken.jsonl:2"):
        load_knowledge(folder, encoder=None, strict=True)


def test_the_cache_can_be_turned_off(folder, fits, monkeypatch):
    load_knowledge(folder, encoder=None, cache=False)
    monkeypatch.setenv("CAREERBOT_CACHE", "0")
    load_knowledge(folder, encoder=None)
    assert len(fits) == 2 * (len(GUIDES) + 1) and entries() == []


def test_an_unwritable_cache_folder_is_a_warning(folder, tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    library = load_knowledge(folder, encoder=None)
    assert replies(library) == replies(load_knowledge(folder, encoder=None, cache=False))
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot write" in err


@pytest.mark.skipif(not library_cache._can_fork(), reason="worker processes are forked")
def test_a_build_in_worker_processes_answers_as_one_in_a_single_process(folder, monkeypatch):
    monkeypatch.setattr(library_cache, "PARALLEL_FROM", 2)
    monkeypatch.setattr(library_cache, "CHUNK", 2)
    (folder / "broken.jsonl").write_text("{not json\n", encoding="utf-8")
    warned: dict[str, list[str]] = {"1": [], "2": []}
    built = {}
    for workers in ("1", "2"):
        monkeypatch.setenv("CAREERBOT_WORKERS", workers)
        built[workers] = load_knowledge(folder, encoder=None, cache=False, warn=warned[workers].append)
    serial, parallel = built["1"], built["2"]
    assert [g.career for g in parallel.guides] == [g.career for g in serial.guides]
    assert replies(parallel) == replies(serial)
    assert warned["2"] == warned["1"] and len(warned["1"]) == 1
    for a, b in zip(serial.guides, parallel.guides, strict=True):
        assert a.knowledge.scale_ == b.knowledge.scale_
        assert a.knowledge.unit_df_ == b.knowledge.unit_df_
        assert b.knowledge.comparisons_ is parallel.guides[0].knowledge.comparisons_  # one, shared


def test_with_the_model_the_vectors_come_back_and_the_encoder_is_set(tmp_path):
    from chatbot.semantic import default_encoder

    if default_encoder() is None:
        pytest.skip("the semantic extra is not installed")
    site = tmp_path / "two"
    site.mkdir()
    for name in ("medical_records_technician.txt", "surgical_technologist.txt"):
        shutil.copy(ROOT / "knowledge" / "samples" / name, site / name)
    first = load_knowledge(site)
    again = load_knowledge(site)
    assert all(g.knowledge.encoder_ is default_encoder() for g in again.guides)
    assert again.careers.encoder_ is default_encoder() and again.career_vectors_ is not None
    assert replies(again) == replies(first)


@pytest.mark.skipif(not library_cache._can_fork(), reason="worker processes are forked")
def test_with_the_model_workers_give_the_same_vectors_and_answers(tmp_path, monkeypatch):
    """The guides and the careers' knowledge base fitted in workers (``fit_apart``), with the model."""
    from chatbot.semantic import default_encoder

    if default_encoder() is None:
        pytest.skip("the semantic extra is not installed")
    monkeypatch.setattr(library_cache, "PARALLEL_FROM", 2)
    site = tmp_path / "two"
    site.mkdir()
    for name in ("medical_records_technician.txt", "surgical_technologist.txt"):
        shutil.copy(ROOT / "knowledge" / "samples" / name, site / name)
    built = {}
    for workers in ("1", "2"):
        monkeypatch.setenv("CAREERBOT_WORKERS", workers)
        built[workers] = load_knowledge(site, cache=False)
    serial, parallel = built["1"], built["2"]
    assert replies(parallel) == replies(serial)
    for a, b in [(g.knowledge, h.knowledge) for g, h in zip(serial.guides, parallel.guides, strict=True)] + [
            (serial.careers, parallel.careers)]:
        assert (a.unit_vectors_ == b.unit_vectors_).all() and a.scale_ == b.scale_
        assert b.encoder_ is default_encoder()
