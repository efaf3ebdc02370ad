"""A state the asker lives in, with a school's price: the school's price for a resident when the
school is in that state, for someone from another state when it is not ("I live in Ohio, what would
Purdue Global charge me" is Purdue Global's out-of-state tuition). A state made a name by a kind of
institution is no residence ("tuition at university of <state>"). Every expectation is read from the
guide's own records, on every guide of the template in the repository whose schools have both prices."""

from __future__ import annotations

import pytest
from conftest import TEMPLATE_GUIDES

from chatbot import answer
from chatbot.candidates import residence_fields

GUIDES = TEMPLATE_GUIDES


@pytest.fixture(scope="module", params=GUIDES, ids=lambda p: p.stem)
def kb(request, knowledge_of):
    return knowledge_of(request.param)


def priced(kb):
    """Schools with different prices for residents and others, each with (resident, other) shown."""
    out = []
    for key in kb.record_keys_:
        pair = residence_fields(kb, key) if not key.record.own_section and key.record.place else None
        if pair is None:
            continue
        inside, outside = (key.record.get(f.label) for f in pair)
        if inside.value.available and outside.value.available and inside.value.shown != outside.value.shown:
            out.append((key, inside.value.shown, outside.value.shown))
    return out


def states_of(kb):
    codes = kb.comparisons_.codes
    return {key: codes.get(key.record.place.rsplit(",", 1)[-1].strip()) for key in kb.record_keys_
            if key.record.place}


def priced_with_states(kb):
    """Up to three schools of ``priced`` whose state their name leaves out, as (name, resident's price,
    others' price, its state, a state no school is in nor named after); the test skips without any."""
    schools = priced(kb)
    if not schools:
        pytest.skip("no school of this guide charges residents and others differently")
    states = states_of(kb)
    names = " ".join(k.record.name.lower() for k in kb.record_keys_)
    elsewhere = next(s for s in ("Vermont", "Wyoming", "Montana", "Delaware") if s.lower() not in names
                     and s not in states.values())
    return [(key.record.name, inside, outside, states[key], elsewhere) for key, inside, outside in schools[:3]
            if states[key] is not None and states[key].lower() not in key.record.name.lower()]


def test_a_state_the_asker_lives_in_picks_the_schools_price(kb):
    for name, inside, outside, home, elsewhere in priced_with_states(kb):
        for question in (f"i live in {elsewhere.lower()}, what would {name.lower()} cost me",
                         f"{name} tuition for {elsewhere} residents",
                         f"i live in {elsewhere.lower()}, what's the out of state tuition at {name.lower()}"):
            reply = answer(question, knowledge=kb)
            assert reply.answered and outside in reply.text and inside not in reply.text, (question, reply.text)
        for question in (f"we live in {home}, how much is {name.lower()}",
                         f"{name.lower()} tuition for {home} residents"):
            reply = answer(question, knowledge=kb)
            assert reply.answered and inside in reply.text and outside not in reply.text, (question, reply.text)
        for question in (f"what would someone from outside {home.lower()} pay at {name.lower()}",
                         f"i'm not a {home.lower()} resident, what would {name.lower()} cost me"):  # not from there
            reply = answer(question, knowledge=kb)
            assert reply.answered and outside in reply.text and inside not in reply.text, (question, reply.text)
        asked = f"what is the out of state cost at {name.lower()} in {home.lower()}"  # the price asked by name
        reply = answer(asked, knowledge=kb)
        assert reply.answered and outside in reply.text and inside not in reply.text, (asked, reply.text)


def test_a_state_made_a_name_by_a_kind_is_no_residence(kb):
    schools = priced(kb)
    if not schools:
        pytest.skip("no school of this guide charges residents and others differently")
    states = states_of(kb)
    for key, inside, outside in schools[:3]:
        home = states[key]
        if home is None or home.lower() in key.record.name.lower():
            continue
        reply = answer(f"tuition at university of {home.lower()}", knowledge=kb)
        assert not ({inside, outside} & set(reply.text.split())), reply.text


def test_which_schools_charge_others_more_or_the_same(kb):
    """Across schools, the ones whose price for others is higher than (or the same as) their price
    for residents: exactly those, read from the records, with both prices."""
    both = []
    for key in kb.record_keys_:
        pair = residence_fields(kb, key) if not key.record.own_section else None
        if pair is not None and all(key.record.get(f.label).value.available for f in pair):
            both.append((key, *(key.record.get(f.label).value for f in pair)))
    if len(both) < 2:
        pytest.skip("fewer than two schools with both prices")
    more = {k.record.name for k, inside, outside in both if outside.number > inside.number}
    same = {k.record.name for k, inside, outside in both if outside.number == inside.number}
    names = {k.record.name for k, _, _ in both}
    for question, expected in (("which schools charge out-of-state students more", more),
                               ("which schools charge the same no matter what state you live in", same)):
        reply = answer(question, knowledge=kb)
        listed = {n for n in names if n in reply.text}
        assert listed == expected or (not expected and not reply.answered), (question, reply.text)
    reply = answer("which schools charge out-of-state students more than $5,000", knowledge=kb)  # a bound
    assert "higher than their" not in reply.text, reply.text


def test_which_records_do_not_report_an_attribute(kb):
    """"which schools don't report a graduation rate": exactly the schools whose value is N/A, read
    from the records; "every one reports it" when none is."""
    for field in kb.fields_:
        owners = kb.records_with(field.label)
        if len(owners) < 2 or field.label == "Location":
            continue
        lacking = {k.record.name for k in owners if not k.record.get(field.label).value.available}
        reply = answer(f"which schools are missing {field.label.lower()}", knowledge=kb)
        listed = {k.record.name for k in owners if k.record.name in reply.text}
        assert reply.answered and listed == lacking, (field.label, reply.text)


def test_the_one_school_in_a_state_is_named_by_it(kb):
    """"the utah school", "tuition at the school in utah": the one school in that state, when there is
    one; "schools in utah" still lists, and "is there a school in utah" still answers where."""
    from collections import Counter

    states = states_of(kb)
    schools = [k for k in kb.record_keys_ if not k.record.own_section and k.record.get("Graduation Rate")
               and states.get(k)]
    counts = Counter(states[k] for k in schools)
    names = " ".join(k.record.name.lower() for k in kb.record_keys_)
    tried = 0
    for key in schools:
        state = states[key]
        grad = key.record.get("Graduation Rate").value
        if counts[state] != 1 or any(w in names.split() for w in state.lower().split()) or not grad.available:
            continue
        for question in (f"what's the graduation rate at the {state.lower()} school",
                         f"graduation rate at the school in {state}"):
            reply = answer(question, knowledge=kb)
            assert reply.answered and key.record.name in reply.text and grad.shown in reply.text, (question, reply.text)
            assert not any(k.record.name in reply.text for k in schools if k is not key), (question, reply.text)
        for question in (f"schools in {state.lower()}", f"is there a school in {state.lower()}"):
            reply = answer(question, knowledge=kb)
            assert reply.answered and key.record.name in reply.text, (question, reply.text)
        tried += 1
    if not tried:
        pytest.skip("no state with exactly one school whose name leaves the state out")


def test_a_price_asked_by_the_model_and_a_negation_contracted_pick_the_schools_price(kb):
    """"I live in <elsewhere>, what would <school> charge me": "charge" is no word of the lexicon, the
    sentence model puts the question nearest the school's price; "i don't live in <home>" is not from
    there. After "tell me about <school>", the same questions ask its price; "what's the salary in
    <elsewhere>" does not."""
    from chatbot import Conversation

    for name, inside, outside, home, elsewhere in priced_with_states(kb):
        for question in (f"I live in {elsewhere} — what would {name} charge me?",
                         f"i don't live in {home.lower()}, what would {name.lower()} charge me"):
            reply = answer(question, knowledge=kb)
            assert reply.answered and outside in reply.text and inside not in reply.text, (question, reply.text)
        chat = Conversation(kb)
        chat.ask(f"tell me about {name}")
        reply = chat.ask(f"what would i pay if i don't live in {home.lower()}")
        assert reply.answered and outside in reply.text and inside not in reply.text, reply.text
        chat = Conversation(kb)
        chat.ask(f"tell me about {name}")
        reply = chat.ask(f"what's the salary in {elsewhere.lower()}")
        assert not {inside, outside} & set(reply.text.replace(".", " ").split()), reply.text
