"""A library of guides (``chatbot.library``): loading a folder, routing each question to the guide of
the career it names, questions across careers, clarifying questions, conversations and evaluation.

Every expectation is computed from the guides' own careers, records and figures, on a library of
seven guides of the template (the shipped one, four samples and two written for the library tests).
Most tests match on words only, so that the library loads in about a second; the model's own part
(declining a career no guide covers) has a test of its own.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from chatbot import Conversation, KnowledgeError, Library, answer, evaluate, load_knowledge
from chatbot.evaluate import Case
from chatbot.semantic import installed

ROOT = Path(__file__).parents[1]
GUIDES = [ROOT / "knowledge" / "patient_services_coordinator.txt"] + [
    ROOT / "knowledge" / "samples" / f"{name}.txt"
    for name in ("pharmacy_technician", "surgical_technologist", "phlebotomy_technician", "paralegal")
] + [ROOT / "tests" / "library" / "guides" / f"{name}.txt" for name in ("dental_assistant", "medical_assistant")]
SAMPLE = ROOT / "knowledge" / "samples" / "medical_records_technician.txt"  # every single-guide test's twin


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("site")
    for guide in GUIDES:
        shutil.copy(guide, site / guide.name)
    return site


@pytest.fixture(scope="module")
def library(folder) -> Library:
    return load_knowledge(folder, encoder=None)


def salary(library: Library, career: str) -> dict[str, str]:
    """A career's own figures, as its guide gives them: label -> raw value."""
    guide = library.find(career)
    return {f.label: f.value.raw for r in guide.knowledge.document.records if r.own_section for f in r.fields}


def first_label(library: Library) -> str:
    return next(iter(salary(library, library.guides[0].career)))


# ---------------------------------------------------------------- loading


def test_a_folder_loads_every_guide_with_its_career(library, folder):
    assert isinstance(library, Library)
    assert sorted(g.file for g in library.guides) == sorted(p.name for p in folder.iterdir())
    for g in library.guides:
        assert g.career == g.knowledge.document.subject
        assert library.find(g.career) is g and library.find(g.name) is g


def test_a_file_that_cannot_be_read_is_skipped_with_its_name_unless_strict(folder, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(folder, site)
    (site / "broken.jsonl").write_text('{"question": "q", "answer": "a"}\n{not json\n', encoding="utf-8")
    warned: list[str] = []
    library = load_knowledge(site, encoder=None, warn=warned.append)
    assert len(library.guides) == len(GUIDES)
    assert any("broken.jsonl" in w and ":2" in w for w in warned)
    assert any(w.path.endswith("broken.jsonl") and w.line == 2 for w in library.warnings)
    with pytest.raises(KnowledgeError, match="broken.jsonl:2"):
        load_knowledge(site, encoder=None, strict=True)


def test_a_folder_without_knowledge_files_is_an_error(tmp_path):
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    with pytest.raises(KnowledgeError, match="no knowledge files"):
        load_knowledge(tmp_path, encoder=None)


def test_a_list_of_files_is_a_library_too(tmp_path):
    library = load_knowledge(GUIDES[:2], encoder=None)
    assert [g.career for g in library.guides] == [load_knowledge(p, encoder=None).document.subject
                                                  for p in GUIDES[:2]]


# ---------------------------------------------------------------- routing


def test_a_question_naming_a_career_is_answered_from_its_guide(library):
    label = first_label(library)
    for g in library.guides:
        reply = answer(f"{g.career} {label.lower()}", library)
        assert reply.guide == g.name, (g.career, reply.text)
        assert reply.short == salary(library, g.career)[label]


def test_careers_are_named_in_plural_clipped_and_misspelled_forms(library):
    label = first_label(library)
    for g in library.guides:
        words = g.career.split()
        forms = [g.career.lower() + "s", " ".join(w[:4] for w in words) + "s",
                 g.career.replace(words[-1], words[-1][:-2] + words[-1][-1] + words[-1][-2])]
        for form in forms:
            reply = answer(f"what is the {label.lower()} for {form}", library)
            assert reply.guide == g.name and reply.short == salary(library, g.career)[label], (form, reply.text)


def test_initials_typed_in_capitals_name_the_one_career_they_fit(library):
    label = first_label(library)
    initials: dict[str, list[str]] = {}
    for g in library.guides:
        if len(g.career.split()) > 1:
            initials.setdefault("".join(w[0] for w in g.career.split()).upper(), []).append(g.career)
    for letters, careers in initials.items():
        reply = answer(f"{letters}s {label.lower()}", library)
        if len(careers) == 1:
            assert reply.short == salary(library, careers[0])[label], (letters, reply.text)
        else:
            assert reply.intent == "clarify" and all(c in reply.text for c in careers)


def test_a_record_only_one_guide_has_routes_there_and_one_several_have_asks(library):
    owners: dict[str, list] = {}
    for g in library.guides:
        for r in g.knowledge.document.records:
            if not r.own_section and r.fields and any(f.value.available for f in r.fields):
                owners.setdefault(r.name, []).append((g, r))
    single = [(name, found[0]) for name, found in owners.items() if len(found) == 1][:10]
    shared = [(name, found) for name, found in owners.items() if len(found) > 1]
    assert single and shared, "the test library has schools of one guide and schools of several"
    for name, (g, record) in single:
        field = next(f for f in record.fields if f.value.available and f.value.number is not None)
        reply = answer(f"what is the {field.label.lower()} at {name}?", library)
        assert reply.guide == g.name and field.value.raw in reply.text, (name, reply.text)
    for name, found in shared:
        reply = answer(f"{name} {found[0][1].fields[0].label.lower()}?", library)
        assert reply.intent == "clarify", (name, reply.text)
        assert {g.career for g, _ in found} <= {s.guide and library.guides[library.guide_of(s.guide)].career
                                               for s in reply.suggestions}


def test_a_question_naming_no_career_asks_which_and_a_number_answers_it(library):
    label = first_label(library)
    conversation = Conversation(library)
    reply = conversation.ask(f"what's the {label.lower()}?")
    assert reply.intent == "clarify" and len(reply.suggestions) >= 2
    assert not any(v in reply.text for g in library.guides for v in salary(library, g.career).values())
    pick = library.guides[library.guide_of(reply.suggestions[1].guide)]
    reply = conversation.ask("2")
    assert reply.guide == pick.name and reply.short == salary(library, pick.career)[label]
    assert conversation.career == pick.career


def test_the_current_career_carries_over_until_another_is_named(library):
    labels = list(salary(library, library.guides[0].career))
    first, second = library.guides[1], library.guides[2]
    conversation = Conversation(library)
    assert conversation.ask(f"{first.career} {labels[0].lower()}").guide == first.name
    reply = conversation.ask(f"and the {labels[1].lower()}?")
    assert reply.guide == first.name and reply.short == salary(library, first.career)[labels[1]]
    reply = conversation.ask(f"what about {second.career}?")
    assert reply.guide == second.name and reply.short == salary(library, second.career)[labels[1]]
    started = Conversation(library, career=first.name)
    assert started.career == first.career
    assert started.ask(f"{labels[0].lower()}?").short == salary(library, first.career)[labels[0]]
    with pytest.raises(ValueError):
        Conversation(library, career="astronaut")


# ---------------------------------------------------------------- across careers


def figures(library: Library, label: str) -> dict[str, float]:
    return {g.career: next(f.value.number for r in g.knowledge.document.records if r.own_section
                           for f in r.fields if f.label == label) for g in library.guides}


def test_which_career_pays_the_most_and_the_least(library):
    label = first_label(library)
    values = figures(library, label)
    top, bottom = max(values, key=values.get), min(values, key=values.get)
    reply = answer("which career pays the most?", library)
    assert top in reply.text and salary(library, top)[label] in reply.text and reply.guide == library.find(top).name
    reply = answer("the lowest paying career?", library)
    assert bottom in reply.text and salary(library, bottom)[label] in reply.text


def test_two_named_careers_are_compared(library):
    label = first_label(library)
    a, b = library.guides[3].career, library.guides[4].career
    values = figures(library, label)
    reply = answer(f"who earns more, a {a.lower()} or a {b.lower()}?", library)
    assert salary(library, a)[label] in reply.text and salary(library, b)[label] in reply.text
    winner = a if values[a] > values[b] else b
    assert f"{winner} has the higher" in reply.text


def test_careers_above_a_bound_are_listed_and_only_those(library):
    label = first_label(library)
    values = figures(library, label)
    ordered = sorted(values.values())
    bound = (ordered[len(ordered) // 2 - 1] + ordered[len(ordered) // 2]) / 2
    reply = answer(f"careers with a median above ${bound:,.0f}", library)
    for career, value in values.items():
        assert (career in reply.text) == (value > bound), (career, reply.text)


def test_a_follow_up_on_a_career_from_a_ranking_goes_to_its_guide(library):
    label = first_label(library)
    values = figures(library, label)
    bottom = min(values, key=values.get)
    conversation = Conversation(library)
    conversation.ask("which career pays the least?")
    assert conversation.career == bottom
    reply = conversation.ask("what skills do i need")
    assert reply.guide == library.find(bottom).name


def test_what_careers_are_there_lists_them(library):
    reply = answer("what careers do you have?", library)
    assert all(g.career in reply.text for g in library.guides)


@pytest.mark.skipif(not installed(), reason="the sentence model (careerbot[semantic]) is not installed")
def test_with_the_model_a_career_no_guide_covers_is_declined(tmp_path):
    for guide in GUIDES[1:6]:  # five guides, the dental one among them: the model encodes every passage
        shutil.copy(guide, tmp_path / guide.name)
    library = load_knowledge(tmp_path)
    figures_ = {v for g in library.guides for v in salary(library, g.career).values()}
    for question in ("what does a dentist make", "pharmacist salary", "how much do dental hygienists earn"):
        reply = answer(question, library)
        assert not reply.answered and reply.intent == "decline", (question, reply.text)
        assert not any(v in reply.text for v in figures_)
    assert answer("pharmacy techs salary", library).answered


@pytest.mark.skipif(not installed(), reason="the semantic extra is not installed")
def test_with_the_model_one_guides_own_figure_needs_its_career_named(tmp_path):
    """"physical therapist hourly wage": the other guides decline another occupation, and the
    respiratory therapist guide, which reads "therapist" as its own, does not state its figure."""
    for guide in [ROOT / "tests" / "heldout" / "guides" / "respiratory_therapist.txt"] + GUIDES[1:4]:
        shutil.copy(guide, tmp_path / guide.name)
    library = load_knowledge(tmp_path)
    figures_ = {v for g in library.guides for v in salary(library, g.career).values()}
    reply = answer("physical therapist hourly wage", library)
    assert reply.short is None and not any(v in reply.text for v in figures_), reply.text
    hourly = next(v for k, v in salary(library, "Respiratory Therapist").items() if "hour" in k.lower())
    assert answer("respiratory therapist hourly wage", library).short == hourly


# ---------------------------------------------------------------- the command and evaluation


def test_eval_reports_routing_and_per_guide_figures(library):
    g = library.guides[2]
    label = first_label(library)
    cases = [Case("a", (f"{g.career} {label.lower()}",), expect=(salary(library, g.career)[label],), guide=g.name),
             Case("b", (f"{label.lower()}?",), expect=(salary(library, g.career)[label],), guide=g.name)]
    summary = evaluate(cases, library).summary
    assert summary.routing == 0.5 and summary.per_guide == {g.name: (1, 2)}


def test_the_command_takes_a_folder(folder, cli):
    label = first_label(load_knowledge(folder, encoder=None))
    run = cli("ask", "which career pays the most?", "-k", str(folder), "--no-semantic", "--json")
    assert run.returncode == 0 and json.loads(run.stdout)["guide"] is not None
    run = cli("inspect", "-k", str(folder), "--no-semantic")
    assert run.returncode == 0 and f"a library of {len(GUIDES)} guides" in run.stdout
    run = cli("ask", f"{label} of a pharmacy tech", "-k", str(folder), "--no-semantic")
    assert run.returncode == 0 and "[source: pharmacy_technician:" in run.stdout


def test_chat_switches_careers(folder, cli):
    run = cli("chat", "-k", str(folder), "--no-semantic",
              stdin="/career paralegal\nsalary\n/careers\n/career astronaut\n")
    out = run.stdout
    assert run.returncode == 0
    assert "Now answering about: Paralegal." in out and "[source: paralegal:" in out
    assert "  * Paralegal" in out and "No guide for 'astronaut'" in out


# ---------------------------------------------------------------- across records, in a guide or a library


def _schools(kb) -> tuple[list, str]:
    """A guide's records of the largest group with a money figure, and that figure's label."""
    groups: dict[str, list] = {}
    for r in kb.document.records:
        if not r.own_section and any(f.value.kind == "money" for f in r.fields):
            groups.setdefault(r.group, []).append(r)
    records = max(groups.values(), key=len)
    label = next(f.label for f in records[0].fields if f.value.kind == "money")
    return [r for r in records if r.get(label) and r.get(label).value.number is not None], label


@pytest.mark.parametrize("guide", [GUIDES[0], SAMPLE, GUIDES[1]], ids=lambda p: p.stem)
def test_second_cheapest_a_range_and_cheaper_than_a_named_record(guide):
    kb = load_knowledge(guide, encoder=None)
    records, label = _schools(kb)
    values = sorted({r.get(label).value.number for r in records})
    second = [r.name for r in records if r.get(label).value.number == values[1]]
    reply = answer("which school is the second cheapest?", kb)
    assert reply.short in second and "second lowest" in reply.text, reply.text
    low, high = values[0], values[-2]
    reply = answer(f"schools with {label.lower()} between ${low:,.0f} and ${high:,.0f}", kb)
    for r in records:
        assert (r.name in reply.text) == (low <= r.get(label).value.number <= high), (r.name, reply.text)
    middle = next(r for r in records if r.get(label).value.number == values[len(values) // 2])
    reply = answer(f"which schools are cheaper than {middle.name}?", kb)
    limit = middle.get(label).value.number
    for r in records:
        if r is not middle:
            assert (r.name in reply.text) == (r.get(label).value.number < limit), (r.name, reply.text)


def test_careers_that_pay_less_than_a_named_career_and_the_second_highest(library):
    label = first_label(library)
    values = figures(library, label)
    ordered = sorted(values, key=values.get)
    middle = ordered[len(ordered) // 2]
    reply = answer(f"which careers pay less than a {middle.lower()}?", library)
    for career, value in values.items():
        if career != middle:
            assert (career in reply.text) == (value < values[middle]), (career, reply.text)
    reply = answer("what's the second highest paying career", library)
    assert ordered[-2] in reply.text and salary(library, ordered[-2])[label] in reply.text


@pytest.mark.parametrize("guide", [*GUIDES[:3], SAMPLE, *GUIDES[-2:]], ids=lambda p: p.stem)
def test_a_single_guide_reads_its_own_career_clipped(guide):
    kb = load_knowledge(guide, encoder=None)
    career = kb.document.subject
    label, raw = next((f.label, f.value.raw) for r in kb.document.records if r.own_section for f in r.fields)
    clipped = " ".join(w[:4] for w in career.split()) + "s"
    reply = answer(f"{clipped} {label.lower()}", kb)
    assert reply.short == raw, (clipped, reply.text)


def test_tab_completes_career_names_and_the_welcome_names_them(library):
    from chatbot.chat import complete, guide_phrases, welcome

    phrases = guide_phrases(library)
    for g in library.guides:
        assert g.career in phrases and f"/career {g.career}" in phrases
        prefix = g.career[:5].lower()
        assert (g.career, 5) in complete(f"salary of {prefix}", phrases)
    text = welcome(library)
    assert f"{len(library.guides)} careers" in text and "/career NAME" in text


def test_a_career_whose_guide_gives_no_figure_is_said_to_be_left_out(tmp_path):
    for guide in GUIDES[:5]:
        shutil.copy(guide, tmp_path / guide.name)
    target = tmp_path / GUIDES[2].name
    doc = load_knowledge(target, encoder=None).document
    own = next(r for r in doc.records if r.own_section)
    section = next(s for s in doc.sections if s.title == own.group)
    lines = target.read_text(encoding="utf-8").splitlines(keepends=True)
    target.write_text("".join(lines[:section.lines[0] - 1] + lines[section.lines[1]:]), encoding="utf-8")
    library = load_knowledge(tmp_path, encoder=None)
    reply = answer("which career pays the most?", library)
    career = library.find(target.stem).career
    assert reply.answered and f"not reported for 1 of {len(library.guides)} careers ({career})" in reply.text, \
        reply.text


@pytest.mark.parametrize("guide", [*GUIDES[:3], SAMPLE, *GUIDES[-2:]], ids=lambda p: p.stem)
def test_a_single_guide_declines_another_career_of_its_kind(guide):
    """"surg techs hourly pay" asked of a radiologic technologist guide: the head noun of the guide's
    career after a word that is neither in its name nor in the guide is another career."""
    kb = load_knowledge(guide, encoder=None)
    head = kb.document.subject.split()[-1].lower()
    label, raw = next((f.label, f.value.raw) for r in kb.document.records if r.own_section for f in r.fields)
    for modifier in ("zorbic", "quuxish"):
        reply = answer(f"{modifier} {head[:4]}s {label.lower()}", kb)
        assert not reply.answered and raw not in reply.text, reply.text
    assert answer(f"{kb.document.subject.lower()}s {label.lower()}", kb).short == raw
