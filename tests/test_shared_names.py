"""Names that share words: two records whose names share a word are told apart by the city or state
the question names ("gateway in kentucky"), and a word that is not the name's, typed between its
first words and its kind of institution in place of the words between, names another institution
("los angeles city college" is not Los Angeles Trade-Technical College), while the name typed whole
still names its school. The guides with shared names are written from
each guide of the template by renaming two of its schools; every expectation is read from records."""

from __future__ import annotations

import re

import pytest
from conftest import HELD, KNOWLEDGE, SEED, figures, schools, stated

from chatbot import answer, load_knowledge

GUIDES = [SEED, KNOWLEDGE / "samples" / "medical_records_technician.txt",
          HELD / "round2" / "guides" / "veterinary_technician.txt", HELD / "round4" / "guides" / "court_reporter.txt"]
SHARED = ("Gateway Technical College", "Gateway Community and Technical College")


@pytest.fixture(scope="module", params=GUIDES, ids=lambda p: p.stem)
def kb(request, knowledge_of):
    return knowledge_of(request.param)


@pytest.fixture(scope="module")
def renamed(kb, tmp_path_factory):
    """The guide with two schools in different states renamed to names that share "gateway"."""
    codes = kb.comparisons_.codes
    by_state = {}
    for k in schools(kb):
        state = (k.record.place or "").split(",")[-1].strip()
        if state in codes and figures(k.record):
            by_state.setdefault(state, k)
    (s1, k1), (s2, k2) = list(by_state.items())[:2]
    text = open(kb.document.path, encoding="utf-8").read()
    assert "gateway" not in text.lower()
    for key, name in ((k1, SHARED[0]), (k2, SHARED[1])):
        text = re.sub(rf"(?m)^{re.escape(key.record.name)}$", name, text)
    path = tmp_path_factory.mktemp("shared") / "guide.txt"
    path.write_text(text, encoding="utf-8")
    guide = load_knowledge(path, cache=False)
    named = {k.record.name: k for k in guide.record_keys_}
    return guide, (named[SHARED[0]], codes[s1]), (named[SHARED[1]], codes[s2])


def test_a_shared_name_word_and_a_state_name_the_school_there(renamed):
    guide, (first, state1), (second, state2) = renamed
    for key, state, other in ((first, state1, second), (second, state2, first)):
        for question in (f"gateway in {state.lower()} graduation rate", f"tuition at the gateway in {state}"):
            reply = answer(question, knowledge=guide)
            assert reply.answered and key.record.name in reply.text, (question, reply.text)
            assert not stated(reply.text) & (figures(other.record) - figures(key.record)), (question, reply.text)


def test_a_word_in_place_of_a_names_middle_words_names_another_institution(kb):
    tried = 0
    for key in schools(kb):
        words = key.record.name.split()
        kind = words[-1]
        if len(words) < 3 or not set(kb.lexicon.terms(kind)) & kb.kind_terms_ or "-" in key.record.name:
            continue
        other_kind = "university" if kind.lower() == "college" else "college"
        for typed in (f"{words[0].lower()} city {kind.lower()} tuition",  # another word in place of the middle
                      f"{words[0].lower()} {words[1].lower()} state {other_kind} tuition"):  # and another kind
            reply = answer(typed, knowledge=kb)
            assert not reply.answered and not stated(reply.text) & figures(key.record), (typed, reply.text)
        state = kb.comparisons_.codes.get((key.record.place or "").split(",")[-1].strip(), "the us").lower()
        name = key.record.name.lower()
        for whole in (f"{name} tuition", f"tuition at {name} in {state}"):  # the name itself still names it
            reply = answer(whole, knowledge=kb)
            assert reply.answered and key.record.name in reply.text, (whole, reply.text)
        tried += 1
    assert tried


def test_a_shared_name_word_alone_names_each_school_that_has_it(renamed):
    guide, (first, _), (second, _) = renamed
    for question in ("gateway tuition", "tell me about gateway", "gateway out of state tuition"):  # "of" is no place
        reply = answer(question, knowledge=guide)
        assert reply.answered and first.record.name in reply.text and second.record.name in reply.text, reply.text
        others = {f for k in schools(guide) if k not in (first, second) for f in figures(k.record)}
        assert not stated(reply.text) & (others - figures(first.record) - figures(second.record)), reply.text


def test_the_beginning_of_a_names_capitals_names_it(kb, tmp_path):
    """"tcat" for Tennessee College of Applied Technology-Nashville: the capitals' first four initials,
    when the name has more; never three ("nah" is not NAHAM)."""
    key = schools(kb)[0]
    name = "Northern College of Applied Technology-Westfield"
    text = re.sub(rf"(?m)^{re.escape(key.record.name)}$", name, open(kb.document.path, encoding="utf-8").read())
    path = tmp_path / "guide.txt"
    path.write_text(text, encoding="utf-8")
    guide = load_knowledge(path, cache=False)
    renamed = next(k for k in guide.record_keys_ if k.record.name == name)
    assert "ncat" in renamed.acronyms and "nca" not in renamed.acronyms
    reply = answer("ncat tuition", knowledge=guide)
    assert reply.answered and name in reply.text, reply.text


def test_letters_joined_by_an_ampersand_are_one_name(kb):
    """"a&m" is one word, so "<state> a&m tuition" names a school the guide does not list, even where a
    school's name begins with that state."""
    from chatbot.text import tokens

    assert tokens("Texas A&M, AT&T and Oregon Health & Science") == ["texas", "a&m", "at&t", "and", "oregon",
                                                                     "health", "science"]
    codes = kb.comparisons_.codes
    for key in schools(kb)[:3]:
        state = codes.get((key.record.place or "").split(",")[-1].strip())
        if not state:
            continue
        reply = answer(f"{state.lower()} a&m tuition", knowledge=kb)
        assert not reply.answered and not stated(reply.text) & figures(key.record), reply.text


def misspelled(word: str) -> str | None:
    """The word with its first and last vowels after the third letter written "y": two edits, as a
    name is misspelled by its sound ("hennipen" for Hennepin). None without two such vowels."""
    spots = [i for i, ch in enumerate(word) if i >= 3 and ch in "aeiou"]
    if len(spots) < 2:
        return None
    letters = list(word)
    letters[spots[0]] = letters[spots[-1]] = "y"
    return "".join(letters)


def test_a_name_misspelled_by_two_edits_still_names_its_school(kb):
    """A word only one school's name uses, seven letters or more, typed with two letters wrong: the
    school, and not another career ("<name> technical" is not another kind of technician)."""
    tried = 0
    for key in schools(kb):
        own = [w for w in re.findall(r"[A-Za-z]+", key.record.name) if len(w) >= 7
               and kb.name_frequency(w.lower()) == 1 and not set(kb.lexicon.terms(w)) & kb.kind_terms_]
        typo = misspelled(own[0].lower()) if own else None
        value = key.record.get("Graduation Rate")
        if typo is None or typo in kb.known_ or not value.value.available:
            continue
        reply = answer(f"{typo} graduation rate", knowledge=kb)
        assert reply.answered and value.value.shown in reply.text, (typo, reply.text)
        tried += 1
    if not tried:
        pytest.skip("no school name word long enough to misspell twice")
