"""Everyday wording: words that are not misspellings, occupations told from workplaces, "for …"
phrases, attributes asked with a verb, chit-chat the patterns miss, count questions a passage
cannot answer, list passages that answer by themselves. Each on the shipped guide and on a
second and third guide of the same template, read through the guide's own records and names."""

from __future__ import annotations

import pytest
from conftest import KNOWLEDGE, SAMPLE, SEED

from chatbot import Conversation, answer
from chatbot.match import _close_to_subject, make_query, named_things
from chatbot.text import stem

GUIDES = [SEED, SAMPLE, KNOWLEDGE / "samples" / "paralegal.txt"]


@pytest.fixture(scope="module", params=GUIDES, ids=lambda p: p.stem)
def kb(request, knowledge_of):
    return knowledge_of(request.param)


def schools(kb):
    return [k.record for k in kb.record_keys_ if not k.record.own_section and k.record.get("Graduation Rate")]


def subject_plural(kb) -> str:
    return kb.document.subject.lower() + "s"


def test_a_list_passage_shows_each_bullet_with_its_first_sentence(kb):
    facts = {u.title: u.text for u in kb.units_ if u.kind == "fact"}
    checked = 0
    for unit in kb.units_:
        if unit.kind != "list" or unit.record is not None:
            continue
        for line in unit.text.splitlines()[1:]:
            title, _, sentence = line.removeprefix("\u2022 ").partition(": ")
            if title in facts and sentence:
                assert facts[title].startswith(sentence), (title, sentence)
                assert sentence[-1] in ".!?" or sentence == facts[title]
                checked += 1
    assert checked >= 5


def test_an_english_word_is_not_repaired_into_another(kb):
    query = make_query("lots of students never finish, is the salery good", kb)
    assert "never" in query.stems and "ever" not in query.stems
    assert "salary" in query.terms  # a misspelling still is


def test_occupations_are_other_careers_and_workplaces_relatives_are_not(kb):
    assert not any(_close_to_subject(w, kb) for w in ("clinic", "son", "kid", "paperwork", "living"))
    assert any(_close_to_subject(w, kb) for w in ("electrician", "plumber", "teacher", "surgeon"))


def test_a_for_phrase_naming_the_guides_own_career_is_not_a_qualifier(kb):
    hourly = next(f for k in kb.record_keys_ if k.record.own_section for f in k.record.fields
                  if "hour" in f.label.lower())
    reply = answer(f"hourly wage for {subject_plural(kb)}", knowledge=kb)
    assert reply.answered and hourly.value.shown in reply.text


def test_a_for_phrase_after_an_attribute_still_narrows_it(kb):
    school = schools(kb)[0]
    reply = answer(f"{school.name} tuition for veterans", knowledge=kb)
    assert not reply.answered
    assert school.get("In-State Tuition").value.shown not in reply.text


def test_an_attribute_asked_with_its_verb(kb):
    for school in schools(kb)[:3]:
        rate = school.get("Graduation Rate").value
        reply = answer(f"my kid is looking at {school.name}. how many students actually graduate there?",
                       knowledge=kb)
        assert reply.answered and rate.shown in reply.text, reply.text


def test_once_a_record_is_named_a_verb_synonym_is_no_owner_slot(kb):
    school = schools(kb)[0]
    query = make_query(f"is {school.name} legit? what percentage of kids make it to graduation", kb)
    keys = [k for k in kb.record_keys_ if k.record is school]
    assert stem("kids") not in named_things(query, kb, keys)


@pytest.mark.parametrize("message", ["thanks, that was useful", "hey, what do you do?", "ok cool"])
def test_chitchat_the_patterns_miss_is_read_by_the_model(kb, message):
    reply = answer(message, knowledge=kb)
    assert reply.intent == "chitchat" and reply.source is None


@pytest.mark.parametrize("message", ["translate hello to french", "lol"])
def test_a_request_with_a_greeting_word_is_not_chitchat(kb, message):
    assert answer(message, knowledge=kb).intent != "chitchat"


def test_a_follow_up_is_never_read_as_chitchat(kb):
    chat = Conversation(knowledge=kb)
    school = schools(kb)[0]
    chat.ask(f"what is the tuition at {school.name}")
    reply = chat.ask("where exactly is it")
    assert reply.intent != "chitchat" and not reply.text.startswith("I can't help")


def test_a_count_no_passage_gives_is_declined(kb):
    reply = answer(f"how many {subject_plural(kb)} are there in the united states", knowledge=kb)
    assert not reply.answered
    assert kb.document.subject.lower() in reply.text.lower()  # says what it has no figure for


def test_a_question_of_function_words_is_read_by_the_model(kb):
    reply = answer("what do they do", knowledge=kb)
    assert reply.answered and reply.source is not None and reply.source.kind in ("fact", "faq", "list")


def test_best_and_worst_follow_the_attributes_better_direction(kb):
    rated = [s for s in schools(kb) if s.get("Graduation Rate").value.available]
    rates = {s.name: s.get("Graduation Rate").value.number for s in rated}
    top, bottom = max(rates, key=rates.get), min(rates, key=rates.get)
    best = answer("which school has the best graduation rate", knowledge=kb)
    assert best.intent == "across" and best.short == top, best.text
    worst = answer("which school has the worst graduation rate", knowledge=kb)
    assert worst.short == bottom, worst.text
    tuition = {s.name: s.get("In-State Tuition").value.number for s in schools(kb)
               if s.get("In-State Tuition").value.available}
    assert answer("which school has the best tuition", knowledge=kb).short == min(tuition, key=tuition.get)


def test_a_share_is_not_answered_by_sums_of_money(kb):
    from chatbot.match import gives_no_figure

    salary = next(k.unit for k in kb.record_keys_ if k.record.own_section and k.record.fields)
    share = make_query("what percent is employment expected to grow", kb)
    count = make_query(f"how many {subject_plural(kb)} are there", kb)
    assert gives_no_figure(share, kb, salary)  # money, no percentage
    assert gives_no_figure(count, kb, salary)  # only sums of money
    school = kb.record_keys_[[k.record for k in kb.record_keys_].index(schools(kb)[0])].unit
    assert not gives_no_figure(make_query("what percent graduate", kb), kb, school)
    assert not gives_no_figure(make_query("how many students are enrolled", kb), kb, school)


@pytest.mark.parametrize("question", ["how do i make sourdough bread", "how do i make a paper airplane"])
def test_a_passage_reached_only_through_a_synonym_needs_the_model(kb, question):
    reply = answer(question, knowledge=kb)
    assert not reply.answered, reply.text


@pytest.mark.parametrize("guide", sorted((KNOWLEDGE / "samples").glob("*.txt")) + [SEED], ids=lambda p: p.stem)
def test_the_careers_own_words_name_no_record(guide, knowledge_of):
    """"surgical technologist job description" is about the career, not the Association of Surgical
    Technologists; the record's acronym still names it."""
    from chatbot.match import link_records

    kb = knowledge_of(guide)
    subject = kb.document.subject
    linked = [k.record.name for k, _ in link_records(make_query(f"{subject} job description", kb), kb)
              if not k.record.own_section]
    assert linked == []
    for key in kb.record_keys_:
        if key.acronyms and not key.record.own_section:
            acronym = sorted(key.acronyms)[0]
            assert key in [k for k, _ in link_records(make_query(f"what is {acronym}", kb), kb)]


def test_a_lexicon_phrase_names_its_attribute_even_with_the_kind_word_inside_or_none(kb):
    rates = {s.name: s.get("Admission Rate").value.number for s in schools(kb)
             if s.get("Admission Rate") is not None and s.get("Admission Rate").value.available}
    assert rates  # every guide here has a school that reports it
    hardest = answer("which one is hardest to get into", knowledge=kb)
    easiest = answer("easiest school to get into", knowledge=kb)
    assert hardest.short == min(rates, key=rates.get), hardest.text
    assert easiest.short == max(rates, key=rates.get), easiest.text
    assert not answer("what is the largest ocean", knowledge=kb).answered


def test_a_ranking_follow_up_ranks_the_records_just_listed(kb):
    def number(school, label):
        f = school.get(label)
        return f.value.number if f is not None and f.value.available else None

    rated = [s for s in schools(kb) if number(s, "Graduation Rate") is not None and number(s, "In-State Tuition")]
    low, high = min(number(s, "Graduation Rate") for s in rated), max(number(s, "Graduation Rate") for s in rated)
    chat = Conversation(knowledge=kb)
    bound = low + (high - low) / 3
    listed = [s for s in rated if number(s, "Graduation Rate") > bound]
    chat.ask(f"which schools have a graduation rate over {bound:.0f}%")
    reply = chat.ask("which of those is cheapest")
    assert len(listed) >= 2 and reply.short == min(listed, key=lambda s: number(s, "In-State Tuition")).name


@pytest.mark.parametrize("question", ["how hard is it to get into {name} — really?", "is {name} ... hard to get into",
                                      "how hard is getting into {name}'s program"])
def test_a_record_named_beside_punctuation_alone_gets_a_reply(kb, question):
    """The model reads such a question without the record's name: a dash or an ellipsis standing
    alone as a word, or a possessive, is no word of a name (a dash once crashed it)."""
    reply = answer(question.format(name=schools(kb)[0].name), knowledge=kb)
    assert isinstance(reply.text, str) and reply.text
