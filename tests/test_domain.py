"""The guide's domain, told by the sentence model: a question whose nearest neighbour is one of the
guide's passages rather than a general off-topic question (by a margin the guide itself gives) is
about the guide, and its best passage is read on a nearer scale ("do i need to be good with
computers"); trivia is not ("what's the capital of france"). What is asked of a place by a word the
guide lacks is not in a passage about the place ("the capitol of arizona"); a follow-up that asks
the last figure of a thing the guide lacks is declined ("what about harvard?", "harvard's"); and a
school's figures reached without its name are not given for another school ("what does harvard
charge"). Every expectation is read from the guide's own records and passages, on every guide of the
template in the repository."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import HELD, ROOT, SEED, TEMPLATE_GUIDES, schools, stated

from chatbot import Conversation, answer
from chatbot.calibrate import in_domain, off_topic_questions, off_topic_vectors
from chatbot.candidates import gather
from chatbot.index import DOMAIN_QUANTILE

GUIDES = TEMPLATE_GUIDES
OTHER_SCHOOL = "harvard"  # in no guide of the repository (checked below)


@pytest.fixture(scope="module", params=GUIDES, ids=lambda p: p.stem)
def kb(request, knowledge_of):
    kb = knowledge_of(request.param)
    assert OTHER_SCHOOL not in kb.known_
    return kb


def figures(kb) -> set[str]:
    return {f.value.shown for k in kb.record_keys_ for f in k.record.fields if f.value.available}


def test_the_margin_keeps_most_off_topic_questions_out_of_the_domain(kb):
    """Each off-topic question, judged against the others (never itself), is in the domain about as
    often as the margin's quantile says, and the margin's scale is nearer than the others."""
    off = off_topic_vectors(kb.encoder_)
    share = np.mean([in_domain(kb, v) for v in off[:40]])  # each matches itself: never in the domain
    assert share == 0.0
    among = off @ off.T
    np.fill_diagonal(among, -1.0)
    contrast = (off @ kb.unit_vectors_.T).max(axis=1) - among.max(axis=1)
    assert np.mean(contrast > kb.domain_margin_) <= 1 - DOMAIN_QUANTILE + 0.01
    assert kb.domain_scale_.threshold <= kb.near_scale_.threshold <= kb.scale_.threshold


def test_a_passages_own_words_are_in_the_domain_and_trivia_is_not(kb):
    titles = [u.title for u in kb.units_ if u.kind == "fact" and u.title != u.section][:5]
    assert titles
    for title in titles:
        assert in_domain(kb, gather(f"tell me about {title.lower()}", kb).query.vector), title
    trivia = [q for q in ("who painted the mona lisa", "how do magnets work", "what's the longest river in the world")
              if q not in off_topic_questions()]
    for question in trivia:
        assert not in_domain(kb, gather(question, kb).query.vector), question
        assert not answer(question, knowledge=kb).answered, question


@pytest.mark.parametrize(("guide", "question", "passage"), [
    (SEED, "do i need to be good w computors", "Technical Proficiency"),
    (SEED, "how good do you need to be at thinking on your feet?", "Problem-Solving Skills"),
    (HELD / "round2" / "guides" / "veterinary_technician.txt", "do you need to be physically strong for this",
     "Physical Stamina"),
], ids=["seed-computers", "seed-feet", "vet-strong"])
def test_a_question_about_the_job_in_words_the_guide_lacks_gets_its_passage(guide, question, passage, knowledge_of):
    kb = knowledge_of(guide)
    assert gather(question, kb).query.unknown  # words the guide lacks
    reply = answer(question, knowledge=kb)
    assert reply.answered and reply.text.startswith(passage), reply.text


def test_what_is_asked_of_a_place_by_a_word_the_guide_lacks_is_declined(kb):
    places = sorted({k.record.place.split(",")[-1].strip() for k in schools(kb) if k.record.place})
    states = [kb.comparisons_.codes[p] for p in places if p in kb.comparisons_.codes]
    assert states
    for state in states[:2]:
        for question in (f"whats the capitol of {state.lower()}", f"what's the weather like in {state}"):
            reply = answer(question, knowledge=kb)
            assert not reply.answered, (question, reply.text)
        assert answer(f"schools in {state.lower()}", knowledge=kb).answered


def test_a_follow_up_asking_the_last_figure_of_a_school_the_guide_lacks_is_declined(kb):
    key = schools(kb)[0]
    first = f"{key.record.name} tuition"
    for follow in (f"what about {OTHER_SCHOOL}?", f"and {OTHER_SCHOOL}", f"what about {OTHER_SCHOOL}'s"):
        chat = Conversation(kb)
        assert chat.ask(first).answered
        reply = chat.ask(follow)
        assert not reply.answered and not stated(reply.text) & figures(kb), (follow, reply.text)
    other = schools(kb)[1]
    chat = Conversation(kb)
    chat.ask(first)
    reply = chat.ask(f"what about {other.record.name}?")  # a school the guide lists: its figure
    assert reply.answered and other.record.name in reply.text, reply.text


def test_a_school_the_guide_lacks_put_where_a_name_goes_gets_no_schools_figures(kb, request):
    if Path(kb.document.path).stem == "licensed_practical_nurse":  # a known failure, run and kept strict
        request.node.add_marker(pytest.mark.xfail(strict=True, reason=(
            "'charge' is a word of this guide ('charge nurse'): 'what does harvard charge' reaches that passage, "
            "and nothing in the question marks 'harvard' as a name")))
    for question in (f"what does {OTHER_SCHOOL} charge", f"how much does {OTHER_SCHOOL} charge",
                     f"whats {OTHER_SCHOOL}'s tuition"):
        reply = answer(question, knowledge=kb)
        assert not reply.answered and not stated(reply.text) & figures(kb), (question, reply.text)


def test_a_word_the_guide_lacks_where_an_institutions_name_goes_is_declined(kb):
    """"is there a <career> program at harvard": no passage about programs mentions harvard."""
    subject = kb.document.subject.lower()
    for question in (f"is there a {subject} program at {OTHER_SCHOOL}",
                     f"which school is better, mine or the one at {OTHER_SCHOOL}"):
        reply = answer(question, knowledge=kb)
        assert not reply.answered and OTHER_SCHOOL in reply.text, (question, reply.text)


def test_a_file_of_question_answer_pairs_has_no_domain_margin():
    """Its entries are questions themselves: no nearer scale for questions near them (with one, about
    one StackFAQ user's question in eight was answered from CovidFAQ)."""
    from chatbot import load_knowledge

    kb = load_knowledge(ROOT / "tests" / "data" / "pairs.jsonl", cache=False)
    assert kb.unit_vectors_ is not None and kb.domain_margin_ is None
    assert not in_domain(kb, kb.unit_vectors_[0])
    assert kb.scale_for(kb.unit_vectors_[0]) is kb.scale_
