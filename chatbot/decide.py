"""Candidates -> decision: the one place that chooses what kind of reply a question gets.

``decide`` reads a question's ``Candidates`` and prefers, in order: chit-chat; a decline for a
number too large or a question of no content words, or another career; an FAQ question asked
nearly word for word; a question across records (superlative, filter, comparison, ranked
table, "is X in Y?"); a value of a named record (or of the records the conversation is about,
or of the one record that has the attribute); a list of that attribute across records; a
record's summary; the best passage. It declines when the question is about something the
document does not contain, rather than give a figure for something else. The decision holds
data, not words: ``reply.compose`` words it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import Enum

from .candidates import Candidates, FieldMatch, Passage
from .compare import (
    Comparison,
    Filtered,
    InPlaces,
    Ranking,
    Superlative,
    compare_records,
    filter_records,
    in_places,
    matches_place,
    number,
    rank_records,
    superlative,
)
from .index import LOCATION, FieldKey, Knowledge, RecordKey
from .match import (
    ASKED_OF_BEFORE,
    asked_of,
    counts_fit,
    figure_asked_of,
    figure_in_passage,
    gives_no_figure,
    passage_confidence_score,
    reached_by_synonyms_only,
)
from .model import Record, Unit
from .smalltalk import Smalltalk
from .vocabulary import find_phrases


class Intent(Enum):
    """What kind of reply a question gets (``Reply.intent`` is the coarser public name)."""

    CHITCHAT = "chitchat"          # a greeting, thanks, "what can you do?"
    GOODBYE = "goodbye"
    DECLINE = "decline"            # see ``Decline`` for why
    PASSAGE = "passage"            # the best passage (or the FAQ entry asked nearly word for word)
    UNIT = "unit"                  # a passage the user picked by number
    VALUE = "value"                # a value of named records: "WGU's graduation rate is 49%."
    RECORD = "record"              # everything about named records
    LIST = "list"                  # one attribute listed across the records that have it
    SUPERLATIVE = "superlative"    # "which school is the cheapest?"
    FILTER = "filter"              # "schools under $10,000", "schools in Arizona"
    NONE_FOUND = "none_found"      # a filter no record passes
    IN_PLACE = "in_place"          # "is WGU in Utah?"
    COMPARE = "compare"            # "is Purdue Global cheaper than SNHU?"
    SIDE_BY_SIDE = "side_by_side"  # "compare WGU and Capella": every attribute
    RANKED = "ranked"              # "list the schools by tuition"


class Decline(Enum):
    """Why a question is declined; each value is the lexicon text that says so."""

    NOTHING = "decline"                  # no content word, or nothing ranked
    UNKNOWN = "decline_unknown"          # words the guide never mentions
    VALUE = "decline_value"              # a figure the guide does not give
    ABOUT = "decline_about"              # a yes or no about a record that none of its figures answers
    UNSURE = "decline_unsure"            # the best passage is below the decline threshold
    TOO_LARGE = "decline_too_large"      # a number larger than any figure
    SMALLTALK = "smalltalk"              # chit-chat that declines ("what time is it?")


Outcome = Superlative | Filtered | Comparison | Ranking | InPlaces


@dataclass(frozen=True)
class Decision:
    """A chosen reply, as data: what ``reply.compose`` words.

    ``records`` are the records the reply is about (for a declined figure, the record it was
    asked of); ``strength`` is how surely they were named (for a passage, or a declined one,
    its confidence); ``off_topic`` the share of the question a declined candidate misses.
    ``ranked`` are the passages behind alternatives and suggestions. ``places`` name the
    places that scope a reply across records; ``outcome`` is the computation it reports.
    """

    intent: Intent
    ranked: tuple[Passage, ...] = ()
    records: tuple[RecordKey, ...] = ()
    field: FieldKey | None = None
    strength: float = 0.0
    off_topic: float = 0.0
    reason: Decline | None = None
    words: str = ""
    unit: Unit | None = None
    explicit: bool = False
    both: bool = False  # a value weighed against its record's others of its kind ("in state vs out of state")
    smalltalk: Smalltalk | None = None
    places: tuple[str, ...] = ()
    bound: tuple[str, float, bool] | None = None
    yes_no: bool = False
    direction: str | None = None  # "high" or "low": what a superlative or comparison looks for
    rank_word: str = ""  # "second": a superlative asked for the second highest (or lowest) value
    upper: tuple[str, float, bool] | None = None  # a range's upper end, with ``bound`` its lower one
    outcome: Outcome | None = None
    cut: int | None = None  # the length the question was cut to, when it was
    # a filter on the price for others against ``field`` (("more" | "same", the residents' price)), or
    # on records that do not report ``field`` (("unreported", field))
    gap: tuple[str, FieldKey] | None = None
    more: tuple[FieldKey, ...] = ()  # attributes asked beside ``field`` ("in-state tuition and grad rate")
    figure: str | None = None  # the figure asked that a passage gives ("how many openings a year": "44,500")

    @property
    def confidence(self) -> float:
        return confidence(self)


# Confidence of each kind of reply, derived from the decision in one place (``confidence``).
# A value or a record's summary is as sure as its record was named; a reply across records
# rests on typed values and the lexicon's words, so it is fixed; a passage's confidence is
# calibrated per knowledge base (``calibrate``); a decline is 0 unless a candidate was turned
# down, when it keeps that candidate's confidence, scaled down by the share of the question
# the candidate misses.
VALUE_BASE, VALUE_SPAN = 0.6, 0.4      # a value: 0.6, plus up to 0.4 for how surely the record was named
RECORD_BASE, RECORD_SPAN = 0.5, 0.4    # a record's summary: 0.5, plus up to 0.4
LIST_CONFIDENCE = 0.75                 # an attribute listed across the records that have it
ACROSS_CONFIDENCE = 0.85               # a superlative, filter, comparison or ranked table
NONE_FOUND_CONFIDENCE = 0.8            # a filter that no record passes
CERTAIN = 1.0                          # chit-chat, a picked passage, an FAQ question asked word for word
REMEMBERED_STRENGTH = 0.9              # records taken from the conversation, or the attribute's owners

UNKNOWN_DECLINE = 0.6     # decline a passage when more than half of the question is unknown words


def value_confidence(strength: float) -> float:
    """A figure of a named record: ``VALUE_BASE``, plus up to ``VALUE_SPAN`` for how surely it was named."""
    return VALUE_BASE + VALUE_SPAN * min(1.0, strength)


def confidence(d: Decision) -> float:
    """How sure a reply is, from its decision (see the constants above)."""
    if d.intent is Intent.VALUE:
        return value_confidence(d.strength)
    if d.intent is Intent.RECORD:
        return RECORD_BASE + RECORD_SPAN * min(1.0, d.strength)
    if d.intent is Intent.LIST:
        return LIST_CONFIDENCE
    if d.intent is Intent.NONE_FOUND:
        return NONE_FOUND_CONFIDENCE
    if d.intent in (Intent.SUPERLATIVE, Intent.FILTER, Intent.IN_PLACE, Intent.COMPARE, Intent.SIDE_BY_SIDE,
                    Intent.RANKED):
        return ACROSS_CONFIDENCE
    if d.intent is Intent.PASSAGE:
        return d.strength
    if d.intent is Intent.DECLINE:
        return min(1.0, d.strength) * (1 - d.off_topic) if d.strength else 0.0
    return CERTAIN  # chit-chat, goodbye, a picked unit


def decide(c: Candidates) -> Decision:
    """Choose the reply to a question from its candidates."""
    decision = _decide(c)
    if decision.intent is Intent.PASSAGE and decision.unit is not None:  # "how many openings a year": 44,500
        decision = replace(decision, figure=figure_in_passage(c.query, c.kb, decision.unit))
    return replace(decision, cut=len(c.query.text)) if c.query.cut else decision


def field_value(record: Record, label: str) -> tuple[str, bool] | None:
    """The raw value of a label on a record and whether it is available; None if it has none."""
    if label == LOCATION:
        return (record.place, True) if record.place else None
    f = record.get(label)
    return (f.value.shown, f.value.available) if f else None


def _decline(reason: Decline, ranked: tuple[Passage, ...] = (), *, words: str = "", strength: float = 0.0,
             off_topic: float = 0.0, records: tuple[RecordKey, ...] = ()) -> Decision:
    return Decision(Intent.DECLINE, ranked, records, reason=reason, words=words, strength=strength,
                    off_topic=off_topic)


def _off_topic(c: Candidates, off_topic: int) -> float:
    """The share of the question's content words a declined candidate misses."""
    return off_topic / max(c.content, off_topic, 1)


def _decide(c: Candidates) -> Decision:
    kb, query = c.kb, c.query
    if c.smalltalk is not None:
        if c.smalltalk.declines:
            return Decision(Intent.DECLINE, reason=Decline.SMALLTALK, smalltalk=c.smalltalk)
        return Decision(Intent.GOODBYE if c.smalltalk.ends else Intent.CHITCHAT, smalltalk=c.smalltalk)
    if c.too_large:  # "schools under $10^400": no figure is that large
        return _decline(Decline.TOO_LARGE, words=c.too_large)
    if not query.terms and not c.ranked:
        return _decline(Decline.NOTHING)
    ranked = c.ranked
    if c.other_role:  # "how do I become a registered nurse?": another career than the guide's
        return _decline(Decline.UNKNOWN, ranked, words=query.words(c.other_role), strength=c.best,
                        off_topic=_off_topic(c, len(c.other_role)))

    # 1. An FAQ question asked nearly word for word is answered by its own answer.
    if c.near_copy is not None:
        first = (Passage(c.near_copy, 1.0),) + tuple(p for p in ranked if p.index != c.near_copy)
        return _passage(kb, first, CERTAIN)  # the question is the entry's own

    # 2. Questions across records: superlatives, filters, comparisons, ranked tables.
    if c.near_misses:
        # "university of arizona tuition": another school that shares a word with one listed
        missed = c.near_misses[0]
        city = set(kb.lexicon.terms((missed.record.place or "").split(",")[0]))
        terms = list(query.terms)
        # its name's words, and a city of the guide with the word typed after it ("san diego state")
        words = [t for i, t in enumerate(terms) if t in kb.kind_terms_ or t in missed.name_terms
                 or t in query.unknown or t in city or i and terms[i - 1] in city]
        return _decline(Decline.VALUE, ranked, words=query.words(words))
    if c.asked_thing:  # "what time is it in memphis": a thing no figure of the school there is
        return _decline(Decline.ABOUT, ranked, words=query.words(list(c.asked_thing)), records=(c.linked[0].key,))
    if c.unreported is not None:  # "which schools don't report a graduation rate"
        field, owners = c.unreported
        kept = tuple(k for k in owners if not k.record.get(field.label).value.available)
        return Decision(Intent.FILTER, records=owners, field=field, outcome=Filtered(kept, ()),
                        gap=("unreported", field))
    if c.price_gap is not None:  # "which schools charge out-of-state students more"
        return _price_gap(c)
    if c.residence is not None:  # "I live in Ohio, what would Purdue Global charge me": out-of-state tuition
        key, field = c.residence
        return Decision(Intent.VALUE, ranked, (key,), field, REMEMBERED_STRENGTH, explicit=True)
    across = _across(c)
    if across is not None:
        return across

    # 3. Records and their attributes, the previous reply's filling in what this one leaves out.
    if c.records:
        return _about_records(c) or _best_passage(c)
    if c.asks_another:  # "WGU tuition" then "what about harvard?": a school the guide does not list
        return _decline(Decline.VALUE, ranked, words=query.words(list(c.asks_another)))
    return _about_attribute(c) or _best_passage(c)


def _about_records(c: Candidates) -> Decision | None:
    """A question that names records: a value, a summary, or a decline for a figure they lack."""
    kb, query, ranked, keys = c.kb, c.query, c.ranked, c.records
    strength = c.linked[0].strength
    # the model's link only when no attribute these records lack is named ("what do they pay in-state"
    # of the career's figures, named by "pay": not the annual median)
    lacked = any(m.field.label != LOCATION for m in c.fields)
    located = c.fields_of(keys)
    fields = located or c.money_field(keys) or (() if lacked else c.record_semantic_field)
    if c.record_foreign:  # a figure would be about something else: "salary in california"
        return _decline(Decline.VALUE, ranked, words=query.words(c.record_foreign),
                        strength=value_confidence(strength), off_topic=_off_topic(c, len(c.record_foreign)))
    covering = _covering_passage(c)
    if covering is not None:  # "vet tech salary range lowest to highest": the passage with the range
        return covering
    if not fields and c.context.attribute and c.only_names:
        follow = kb.field_by_label_[c.context.attribute]
        if all(field_value(k.record, follow.label) is not None for k in keys):
            return Decision(Intent.VALUE, ranked, keys, follow, strength)  # "what about SNHU?"
    if fields and counts_fit(query, kb, fields[0].field):
        field = fields[0].field
        more = c.joined_fields(located) if located and located[0].field == field else ()
        return Decision(Intent.VALUE, ranked, keys, field, strength, explicit=c.explicit(field), both=c.both,
                        more=more)
    # a place asked only by the records' own names is no attribute asked ("… twin cities")
    other = tuple(m for m in c.fields if m.field.label != LOCATION or m in located)
    if other and other[0].field.label != LOCATION:
        field = other[0].field
        held = tuple(k for k in c.remembered if k.record.get(field.label) is not None)
        if held and all(k.record.own_section for k in keys) and not c.remembered_foreign:
            # "tell me about purdue global", then "what do out of staters pay": "pay" names the
            # career's figures, but the attribute asked is the record's the conversation is about
            return Decision(Intent.VALUE, ranked, held, field, REMEMBERED_STRENGTH, explicit=c.explicit(field),
                            both=c.both)
        # A figure these records do not have: say so, never give another record's figure.
        return Decision(Intent.DECLINE, ranked, keys[:1], field, reason=Decline.VALUE)
    if not other and c.asks_figure and c.record_unasked and any(
            k.record.fields or not re.search(r"\d", k.record.description or "") for k in keys):
        # "how many faculty members does SNHU have", "how much are IBEW union dues": a figure the
        # guide does not give (a resource without figures is described in words only)
        return _decline(Decline.VALUE, ranked, words=query.words(c.record_unasked), records=keys[:1])
    unasked = c.record_unasked if c.ask.yes_no else tuple(asked_of(query, kb, list(keys), c.record_unasked))
    if not other and unasked and all(link.by_place and not (link.key.name_terms & set(query.terms)) - c.ask.place_words
                                     for link in c.linked):
        return None  # "i live in arizona, is the southwest good for these jobs": a place, not the school there
    if not other and unasked and all(k.record.fields for k in keys):
        # "does wgu have a football team", "who is the president of snhu": something none of its
        # figures is about, asked of it
        words = " ".join(query.said.get(t, t) for t in unasked)
        return _decline(Decline.ABOUT, ranked, words=words, records=keys[:1])
    if not other and (len(keys) == 1 or all(k.record.fields for k in keys)) and _summary_fits(c, keys):
        return Decision(Intent.RECORD, ranked, keys, strength=strength)
    return None


_AMOUNT = re.compile(r"\$\s?\d[\d,.]*")


def _covering_passage(c: Candidates) -> Decision | None:
    """A passage among the three best that says every word of the question the records' figures
    are not about, besides the records' own words, and gives a sum of money as they do: "does the
    salary go up with experience" is answered by the FAQ entry on earning more with experience. A
    range asked (the lexicon's
    ``range_cues``: "salary range", "low end and high end") needs a passage with two amounts:
    "between $34,000 and $61,000" answers it better than the median alone."""
    kb, keys = c.kb, c.records
    text = f" {' '.join(c.query.stems)} "
    cues = [cue for cue in kb.lexicon.range_cues if f" {cue} " in text]  # "range", "low end"
    cue_words = {w for cue in cues for w in cue.split()}
    # (a word the guide never uses is in no passage, and says nothing here: "wat kinda salery range")
    unasked = [t for t in c.record_unasked if t not in kb.lexicon.fillers and t not in cue_words
               and t not in c.query.unknown]
    if not (unasked or cues) or c.asks_figure and not any(k.record.own_section for k in keys):
        return None
    own = {t for k in keys for t in k.name_terms}
    first = True
    for p in c.ranked[:3]:
        unit = kb.units_[p.index]
        # instead of the records' figures, a passage that gives figures of the kind (a sum of money)
        if unit.record is not None or len(_AMOUNT.findall(unit.text)) < (2 if cues else 1):
            continue
        said = set(kb.lexicon.terms(unit.title + " " + unit.text))
        # every such word, or, for the best such passage, some ("do dealerships pay better than
        # independent shops": the entry on what pay depends on, "… at dealerships often earning more")
        if own & said and (all(t in said for t in unasked) or first and any(t in said for t in unasked)):
            ranked = (p,) + tuple(q for q in c.ranked if q is not p)
            score = passage_confidence_score(c.query, kb, p.score)
            return _passage(kb, ranked, c.scale.confidence(score))
        first = False
    return None


def _summary_fits(c: Candidates, keys: tuple[RecordKey, ...]) -> bool:
    """Can a summary of these records answer the question? Not when it asks for a count or a share
    that none of their figures is ("what's the projected job growth % for pharmacy technicians"
    is not answered by the salary figures)."""
    labels = {f.label for k in keys for f in k.record.fields}
    return not labels or any(counts_fit(c.query, c.kb, c.kb.field_by_label_[label]) for label in labels)


def _about_attribute(c: Candidates) -> Decision | None:
    """A question that names an attribute but no record: the records the conversation is about,
    the guide's own figures, or every record that has it."""
    kb, query, ranked = c.kb, c.query, c.ranked
    fields: tuple[FieldMatch, ...] = c.fields
    followed = c.asked_of_remembered
    if followed is not None:  # "is SNHU on your list?", then "how many ppl go there"
        return Decision(Intent.VALUE, ranked, c.remembered, followed, REMEMBERED_STRENGTH)
    if not fields and c.own and not c.remembered:
        linked = c.own_semantic_field  # "what's a normal paycheck in this line of work"
        if linked and not c.own_foreign and _figure_fits(kb, linked[0].field, ranked, 5):
            return Decision(Intent.RECORD, ranked, c.own[:1], strength=linked[0].score)
        if ranked and _AMOUNT.search(kb.units_[ranked[0].index].text) and c.own_foreign:
            # "how much do nurses make": the passage giving the career's pay is not about nurses
            return _decline(Decline.VALUE, ranked, words=query.words(c.own_foreign),
                            off_topic=_off_topic(c, len(c.own_foreign)))
        return None
    if not fields:
        return None
    field = fields[0].field
    if not counts_fit(c.query, kb, field):  # "how many … in the united states": no place, no sum
        return None
    if c.remembered and all(field_value(k.record, field.label) is not None for k in c.remembered) \
            and not c.remembered_foreign:  # "what about its graduation rate?"
        return Decision(Intent.VALUE, ranked, c.remembered, field, REMEMBERED_STRENGTH, explicit=c.explicit(field),
                        both=c.both)
    if c.field_owners_named and _figure_fits(kb, field, ranked):
        owners = c.field_owners
        if c.field_owners_foreign:
            words = c.field_owners_foreign
            return _decline(Decline.VALUE, ranked, words=query.words(words),
                            strength=value_confidence(REMEMBERED_STRENGTH), off_topic=_off_topic(c, len(words)))
        if len(owners) == 1:
            return Decision(Intent.VALUE, ranked, owners, field, REMEMBERED_STRENGTH)
        if owners:
            return Decision(Intent.LIST, ranked, owners, field)
    return None


def _best_passage(c: Candidates) -> Decision:
    """The best passage, unless the question is mostly words or names the guide never mentions."""
    kb, ranked, unknown = c.kb, c.ranked, c.unknown
    if not ranked:
        return _decline(Decline.UNKNOWN if unknown else Decline.NOTHING, words=unknown)
    confidence = c.passage_confidence
    if not c.semantic and c.unknown_share >= UNKNOWN_DECLINE:
        return _decline(Decline.UNKNOWN, ranked, words=unknown, strength=confidence)
    if confidence < kb.decline_below and unknown:  # "capital of France": words the guide never uses
        return _decline(Decline.UNKNOWN, ranked, words=unknown, strength=confidence)
    if c.absent:  # "what time is it in London": the passage says nothing about London
        return _decline(Decline.UNKNOWN, ranked, words=c.query.words(c.absent), strength=confidence)
    if reached_by_synonyms_only(c.query, kb, ranked[0].index):  # "how do i make sourdough bread"
        return _decline(Decline.UNKNOWN, ranked, words=unknown or c.query.words(list(c.query.terms)),
                        strength=confidence)
    unit = kb.units_[ranked[0].index]
    if gives_no_figure(c.query, kb, unit):  # "how many paralegals are there in the US": no number
        asked = figure_asked_of(c.query, kb)
        words = " ".join(c.query.said.get(w, w) for w in asked) or c.query.words(list(c.query.terms))
        return _decline(Decline.VALUE, ranked, words=words, strength=confidence)
    return _passage(kb, ranked, confidence)


def _passage(kb: Knowledge, ranked: tuple[Passage, ...], confidence: float) -> Decision:
    if confidence < kb.decline_below:
        return _decline(Decline.UNSURE, ranked, strength=confidence)
    return Decision(Intent.PASSAGE, ranked, unit=kb.units_[ranked[0].index], strength=confidence)


def _figure_fits(kb: Knowledge, field: FieldKey, ranked: tuple[Passage, ...], n: int = 3) -> bool:
    """Is a figure listed across records what the question is about, rather than a passage?

    An attribute word can come from a synonym in a question about something else ("openings
    when my son finishes school" is not about graduation rates). With the semantic signal, the
    records that have the attribute (or their list) must be among the three best passages.
    """
    if kb.unit_vectors_ is None:
        return True
    owners = {k.unit.id for k in kb.records_with(field.label)}
    groups = {k.record.group for k in kb.records_with(field.label)}
    return any(kb.units_[i].id in owners or (kb.units_[i].kind == "list" and kb.units_[i].section in groups)
               for i, _ in ranked[:n])


def _across(c: Candidates) -> Decision | None:
    """A question across records, or None when the question is not one.

    A place in the question scopes it: "cheapest school in Texas" ranks only the schools in
    Texas, and says plainly when there are none, rather than naming the cheapest elsewhere.
    """
    kb, ask = c.kb, c.ask
    codes = kb.comparisons_.codes
    asked = [m for m in c.fields if m.field.label != LOCATION]
    ranking = ask.ranking
    # A place word scopes the question ("schools in Phoenix", "cheapest in Arizona") unless an
    # attribute is asked with no ranking, when it names the record ("phoenix tuition"), or the
    # question follows up on an attribute ("… graduation rate?" then "what about phoenix?").
    follow_up = bool(c.context.attribute) and not ranking
    scoped = bool(ask.places) and not follow_up and (ranking or not asked)
    places = tuple(codes.get(p, p) for p in ask.places)
    links = [link for link in c.linked if not (scoped and link.by_place)]
    if links:
        group = links[0].key.record.group
        links = [link for link in links if link.key.record.group == group]
    named = tuple(link.key for link in links)
    by_place = [link.key for link in c.linked if link.by_place and link.key not in named]
    if len(named) == 1 and ask.yes_no and (ask.implied or ask.direction) and len(by_place) == 1 \
            and by_place[0].record.group == named[0].record.group:
        # "is purdue global bigger than phoenix": a record compared with the one its place names
        return _compare(c, named + tuple(by_place))
    if len(named) >= 2 and (ask.compare or ask.implied or ask.direction):
        keys = tuple(link.key for link in sorted(links, key=lambda link: link.position))
        return _compare(c, keys)
    if len(named) == 1 and not ask.bound and not ask.yes_no:
        bound = _bound_by_record(c, named[0])
        if bound is not None:  # "which careers pay less than a patient services coordinator"
            return bound
    if len(named) == 1 and (ask.compare or (ask.direction and ask.yes_no)):
        # "is that more than a rad tech?" after a reply about another record: the two compared
        earlier = tuple(k for k in c.remembered if k.record.group == named[0].record.group and k != named[0])
        if earlier:
            return _compare(c, earlier + named)
    if named:
        own_name = {w for k in named for w in kb.lexicon.terms(k.record.name, keep_stopwords=True)}
        asked_places = ask.place_words - own_name  # "Southern New Hampshire University" asks no place
        if asked_places and ask.yes_no and not follow_up and all(k.record.place for k in named) \
                and not c.fields:  # a figure asked of a record without it is no place question
            return Decision(Intent.IN_PLACE, records=named, places=places,
                            outcome=in_places(named, ask.places, codes))  # "is WGU in Utah?"
        return None
    if not (scoped or ranking):
        return None
    if ask.yes_no and not scoped and len(c.remembered) == 1 and set(c.query.stems) & kb.lexicon.anaphora:
        return None  # "is it more for out of state students?" of the school just named: its own figure
    field = c.across_field
    if field is None and not scoped:
        return None
    owners = c.across_owners
    if len(owners) < 2:
        return None  # "what is the largest ocean": "largest" alone does not make it about schools
    if c.across_foreign:
        return None  # declined later, with its own words ("most expensive school in 2020")
    if scoped and not (ranking or ask.bound or c.fields or set(c.query.terms) & kb.kind_terms_) and c.query.unknown:
        return None  # "whats the capitol of oklahoma": a place, and words about something else than the records
    if scoped and not (ranking or ask.bound) and c.linked and _asked_of_name(c):
        return None  # "who is the president of university of phoenix-arizona": asked of the school, not a place
    if scoped or ask.bound:
        if ask.bound or not ranking:
            return _filter(c, field if ask.bound else None, owners, places)
        pool = tuple(k for k in owners if matches_place(k.record, ask.places, codes))
        if not pool:
            return _filter(c, None, owners, places)  # "None of the 6 schools in the guide is in Texas."
        if len(pool) == 2 and len(places) == 2 and field is not None and not ask.order:
            return _compare(c, pool)  # "which gateway is cheaper, wisconsin or kentucky": the two side by side
    else:
        pool = owners
        # "which schools have grad rates over 40%?" then "which of those is cheaper?": a ranking that
        # names neither records nor their kind ranks the records the last reply was about.
        earlier = tuple(k for k in c.remembered if k in owners)
        if len(earlier) >= 2 and not set(c.query.terms) & kb.kind_terms_:
            pool = earlier
    where = places if scoped else ()
    if field is None:  # "the poorest one in arizona": a place, but no figure to rank by
        return _filter(c, None, owners, places)
    direction = ask.direction_for(field, kb.comparisons_)  # "best graduation rate": the highest
    if ask.order and not (ask.implied and not direction):
        ranked = rank_records(pool, field.label, direction)
        return Decision(Intent.RANKED, records=pool, field=field, places=where, outcome=ranked)
    if direction:
        best = superlative(pool, field.label, direction, c.ask.rank)
        joined = c.joined_fields(c.fields)  # "which one has the smallest student body and where is it"
        more = tuple(f for f in (c.fields[0].field, *joined) if f != field) if joined else ()
        return Decision(Intent.SUPERLATIVE, records=pool, field=field, places=where, direction=direction,
                        outcome=best, rank_word=c.ask.rank_word, more=more)
    return None


def _price_gap(c: Candidates) -> Decision:
    """The schools whose price for others is higher than (or the same as) their price for residents,
    the largest difference first; those without both figures are left out and said to be."""
    gap, inside, outside, owners = c.price_gap
    missing = tuple(k for k in owners
                    if number(k.record, inside.label) is None or number(k.record, outside.label) is None)

    def difference(k: RecordKey) -> float:
        return number(k.record, outside.label) - number(k.record, inside.label)

    kept = tuple(sorted((k for k in owners if k not in missing and (difference(k) > 0 if gap == "more"
                                                                    else difference(k) == 0)),
                        key=lambda k: -difference(k)))
    return Decision(Intent.FILTER if kept else Intent.NONE_FOUND, records=owners, field=outside,
                    outcome=Filtered(kept, missing), gap=(gap, inside))


def _asked_of_name(c: Candidates) -> bool:
    """Is a word asked of a record the question names, put before "of", "at" or "for" and its name
    ("the president of university of phoenix-arizona"; but "we live in ohio" asks about a place,
    and "are any of these schools close to home" asks nothing of one school)?"""
    return bool(asked_of(c.query, c.kb, [link.key for link in c.linked], c.linked_unasked,
                         slots=ASKED_OF_BEFORE - {"in"}, beside=False))


def _bound_by_record(c: Candidates, key: RecordKey) -> Decision | None:
    """A bound given as another record's value: "schools cheaper than WGU", "careers that pay less
    than a paralegal" (the lexicon's "above"/"below" phrases, then the record's name)."""
    kb, stems = c.kb, c.query.stems
    vocab = kb.comparisons_
    for kind, phrases in (("above", vocab.above), ("below", vocab.below)):
        for i, phrase in find_phrases(stems, phrases):
            j = i + len(phrase)
            while j < len(stems) and stems[j] in kb.lexicon.stopwords and j < i + len(phrase) + 2:
                j += 1  # "less than a …", "cheaper than the …"
            if j >= len(stems) or not set(kb.lexicon.canonical([stems[j]])) & (key.name_terms | key.acronyms):
                continue
            field = c.across_field or kb.field_by_label_.get(c.context.attribute or "")
            value = field_value(key.record, field.label) if field is not None else None
            limit = key.record.get(field.label).value.number if value is not None else None
            if limit is None:
                return None
            owners = tuple(k for k in kb.records_with(field.label) if k.record.group == key.record.group and k != key)
            kept = filter_records(owners, label=field.label, bound=(kind, limit, False), places=(),
                                  codes=vocab.codes)
            return Decision(Intent.FILTER if kept.keep else Intent.NONE_FOUND, records=owners, field=field,
                            bound=(kind, limit, False), outcome=kept)
    return None


def _filter(c: Candidates, field: FieldKey | None, owners: tuple[RecordKey, ...],
            places: tuple[str, ...]) -> Decision:
    """The records that meet every condition asked: a place, a bound on a value, or both."""
    ask = c.ask
    bound = ask.bound if field is not None else None
    upper = ask.upper if field is not None else None
    kept = filter_records(owners, label=field.label if field else None, bound=bound, places=ask.places,
                          codes=c.kb.comparisons_.codes, upper=upper)
    intent = Intent.FILTER if kept.keep else Intent.NONE_FOUND
    return Decision(intent, records=owners, field=field, places=places, bound=bound, outcome=kept, upper=upper)


def _compare(c: Candidates, keys: tuple[RecordKey, ...]) -> Decision:
    """Named records compared on the attribute asked (or implied), or on every attribute."""
    matches = c.fields_of(keys) or (c.implied_fields_of(keys) if c.ask.implied else ())
    field = matches[0].field if matches else None
    remembered = c.kb.field_by_label_.get(c.context.attribute or "")
    if field is None and remembered is not None and c.only_names \
            and all(field_value(k.record, remembered.label) is not None for k in keys):
        field = remembered  # "what does a respiratory therapist earn", then "is that more than a rad tech?"
    if field is None or field.label == LOCATION:
        return Decision(Intent.SIDE_BY_SIDE, records=keys)
    better = c.kb.comparisons_.better  # "A vs B" on an attribute better high: the higher one named first
    direction = c.ask.direction or next((better[t] for t in field.terms if t in better), "low")
    return Decision(Intent.COMPARE, records=keys, field=field, yes_no=c.ask.yes_no, direction=direction,
                    outcome=compare_records(keys, field.label, direction))
