"""Question -> candidates: everything matching finds for one question, computed once.

``gather`` reads a question against a knowledge base (and the conversation's context) and
returns one frozen ``Candidates``: the passages ranked, the records named and how surely, the
attributes asked, what the question asks across records (a direction, a bound, places), the
things it names that the guide has no figure for, and the scores a decline is judged by.
``decide`` reads it and chooses; nothing here chooses a reply.

What every question needs is computed in ``gather``. What only some replies need (the records
named, what is asked across records, the named things a figure would not be about, which may
call the sentence model) is computed on first read and kept (``functools.cached_property``),
so each item is computed at most once, and only when it is needed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from functools import cached_property
from typing import NamedTuple

from .calibrate import Scale
from .compare import matches_place
from .index import LOCATION, FieldKey, Knowledge, RecordKey
from .match import (
    CLIP_MIN,
    PLACE_SLOT_BEFORE,
    Query,
    absent_names,
    asked_kind,
    asks_count,
    asks_cue,
    asks_money,
    fields_for_terms,
    figure_evidence,
    foreign_terms,
    kinds_of,
    labels_typed,
    link_records,
    make_query,
    match_fields,
    named_things,
    near_copy,
    near_misses,
    other_role,
    passage_confidence_score,
    rank_units,
    same_root,
    semantic_field,
    unknown_share,
)
from .model import Context
from .names import another_of_its_kind
from .semantic import similarities
from .smalltalk import Smalltalk, default_smalltalk, semantic_smalltalk
from .text import number_value, stem, tokens, too_large
from .vocabulary import find_phrases

RANKED_PASSAGES = 6       # passages ranked for each question
CONTEXT_PLACE_LINK = 0.75  # how surely "the florida one" names the one record there, after a reply about records


class Passage(NamedTuple):
    """A ranked unit: its position in ``kb.units_`` and its fused (lexical and semantic) score."""

    index: int
    score: float


class Link(NamedTuple):
    """A record the question names, how surely (0-1], and whether only through a place word."""

    key: RecordKey
    strength: float
    by_place: bool = False  # "schools in Arizona" names University of Phoenix-Arizona only by its place
    position: int = 0       # where the question first names it, for "compare A and B" in that order


class FieldMatch(NamedTuple):
    """An attribute the question asks for, with its label weight (or the model's similarity)."""

    field: FieldKey
    score: float


@dataclass(frozen=True)
class Ask:
    """What a question across records asks for."""

    direction: str | None = None            # "high" or "low"
    implied: str | None = None              # an attribute's canonical word ("tuition")
    bound: tuple[str, float, bool] | None = None  # ("above" | "below", number, inclusive)
    bound_word: str | None = None           # the bound's number as the question wrote it
    upper: tuple[str, float, bool] | None = None  # "between $20 and $25": ("below", 25, True), with bound above 20
    upper_word: str | None = None
    compare: bool = False
    order: bool = False
    places: tuple[str, ...] = ()            # region codes and city names asked about
    place_words: frozenset[str] = frozenset()
    yes_no: bool = False
    valued: str | None = None               # "good" ("best") or "bad" ("worst"): a direction per attribute
    rank: int = 1                           # "the second highest": 2
    rank_word: str = ""                     # the ordinal as the lexicon writes it ("second")

    @property
    def ranking(self) -> bool:
        """Does the question rank or bound a value ("cheapest", "under $10,000", "by tuition")?"""
        return bool(self.bound or self.direction or self.implied or self.order or self.valued)

    def direction_for(self, field: FieldKey, vocab) -> str | None:
        """The direction asked for this attribute: the one said, or the better (worse) value of an
        attribute the lexicon says is better high or low ("best graduation rate" -> highest)."""
        if self.direction or not self.valued:
            return self.direction
        better = next((vocab.better[t] for t in field.terms if t in vocab.better), None)
        if better is None:
            return None
        return better if self.valued == "good" else ("low" if better == "high" else "high")


def read_ask(query: Query, kb: Knowledge) -> Ask:
    """Find the direction, bound, comparison, ordering and places a question asks about."""
    vocab = kb.comparisons_
    stems = query.stems
    # "easiest school to get into": the phrase with the records' kind word inside it
    implied = find_phrases(stems, vocab.implied) or find_phrases(
        tuple(w for w in stems if w not in kb.kind_terms_), vocab.implied)
    implied_attr, direction = vocab.implied[implied[0][1]] if implied else (None, None)
    bound, bound_word, upper, upper_word = None, None, None, None
    for i, phrase in find_phrases(stems, vocab.between):  # "between $20 and $25"
        j = i + len(phrase)
        if j + 2 < len(stems) and stems[j + 1] in vocab.joins and all(
                stems[k][0].isdigit() and number_value(stems[k]) is not None for k in (j, j + 2)):
            low, high = sorted((number_value(stems[j]), number_value(stems[j + 2])))
            bound, bound_word = ("above", low, True), stems[j]
            upper, upper_word = ("below", high, True), stems[j + 2]
    for kind in ("above", "below") if bound is None else ():
        for i, phrase in find_phrases(stems, getattr(vocab, kind)):
            j = i + len(phrase)
            if j < len(stems) and stems[j][0].isdigit() and number_value(stems[j]) is not None:
                bound, bound_word = (kind, number_value(stems[j]), phrase in vocab.inclusive), stems[j]
                break
        if bound:
            break
    if direction is None and bound is None:
        direction = "high" if find_phrases(stems, vocab.high) else "low" if find_phrases(stems, vocab.low) else None
    superlative = direction is not None  # "smallest", "highest": a word of the lexicon's
    if direction is None and bound is None:
        direction = semantic_direction(query, kb)
        superlative = direction is not None
    places, place_words = [], set()
    for _, phrase in find_phrases(stems, vocab.regions):
        places.append(vocab.regions[phrase])
        place_words.update(phrase)
    for word in re.findall(r"\b[A-Z]{2}\b", query.text):  # "in AZ": codes count when written in capitals
        if word in vocab.codes:
            places.append(word)
            place_words.add(word.lower())
    for _, city_stems in find_phrases(stems, kb.cities_):
        places.append(kb.cities_[city_stems])
        place_words.update(city_stems)
    for _, phrase in query.places:  # "schools in the midwest": an area of states, found by make_query
        if phrase in vocab.areas:
            places.append(vocab.areas[phrase])
            place_words.update(phrase)
    valued = "good" if find_phrases(stems, vocab.good) else "bad" if find_phrases(stems, vocab.bad) else None
    ordinals = dict(vocab.ordinals)
    ordinal = find_phrases(stems, ordinals)
    rank = ordinals[ordinal[0][1]] if ordinal and (direction or valued or implied) else 1
    word = next((" ".join(p) for p, n in vocab.ordinals if n == rank), "") if rank > 1 else ""  # "2nd": "second"
    return Ask(direction=direction, rank=rank, rank_word=word, implied=implied_attr, bound=bound,
               bound_word=bound_word, upper=upper, upper_word=upper_word, valued=valued,
               compare=bool(find_phrases(stems, vocab.compare)), order=bool(find_phrases(stems, vocab.order)) or (
                   not superlative and bool(find_phrases(stems, vocab.order_unless_one))),
               places=tuple(dict.fromkeys(places)), place_words=frozenset(place_words),
               yes_no=bool(stems) and stems[0] in vocab.yes_no)


DIRECTION_SIMILARITY = 0.45  # a word this close to the "high" (or "low") words asks for a ranking…
DIRECTION_MARGIN = 0.08      # …when it is this much closer to them than to the other side


def semantic_direction(query: Query, kb: Knowledge) -> str | None:
    """"poorest", "priciest", "biggest": a superlative the lexicon does not list, read by the
    sentence model as the nearest of its "high" and "low" words. Only words the guide never
    uses and that end like an English superlative ("-est") are tried."""
    if kb.encoder_ is None or kb.direction_vectors_ is None:
        return None
    words = [w for w in query.unknown if w.endswith("est") and len(w) > 4]
    if not words:
        return None
    vectors, directions = kb.direction_vectors_
    for vector in kb.encoder_.encode(words):
        sims = vectors @ vector
        high = max(float(s) for s, d in zip(sims, directions, strict=True) if d == "high")
        low = max(float(s) for s, d in zip(sims, directions, strict=True) if d == "low")
        if max(high, low) >= DIRECTION_SIMILARITY and abs(high - low) >= DIRECTION_MARGIN:
            return "high" if high > low else "low"
    return None


def records_in_places(kb: Knowledge, ask: Ask) -> list[RecordKey]:
    """The records located in the places the question names ("the florida one")."""
    if not ask.places:
        return []
    codes = kb.comparisons_.codes
    return [k for k in kb.record_keys_ if k.record.place and matches_place(k.record, ask.places, codes)]


def named_only_by_place(key: RecordKey, query: Query, ask: Ask, kb: Knowledge) -> bool:
    """Is a record linked only through a place word ("schools in Arizona" and "…Phoenix-Arizona")?

    Category words ("school", which "University" maps to) do not count as naming it.
    """
    if set(query.terms) & key.acronyms:
        return False
    matched = (key.name_terms & set(query.terms)) - kb.category_terms_
    return bool(matched) and matched <= ask.place_words


def _position(query: Query, key: RecordKey) -> int:
    spots = [i for i, t in enumerate(query.terms) if t in key.name_terms or t in key.acronyms]
    return min(spots) if spots else len(query.terms)


def _field_of_kind(kb: Knowledge, text: str) -> FieldKey | None:
    """For "schools under $10,000": the first attribute whose values are of the bound's type."""
    kind = "money" if "$" in text else "percent" if "%" in text else "count"
    for field in kb.fields_:
        owners = kb.records_with(field.label)
        if len(owners) >= 2 and any(f.value.kind == kind for k in owners for f in k.record.fields
                                    if f.label == field.label):
            return field
    return None


def too_large_number(query: Query) -> str | None:
    """A number in the question beyond any figure a guide gives, shortened for a reply; else None."""
    huge = next((s for s in query.stems if too_large(s)), None)
    if huge is None:
        return None
    digits = huge.split(".")[0]
    return f"{digits[:6]}\u2026 ({len(digits)} digits)" if len(digits) > 12 else huge


def _fields(pairs: list[tuple[FieldKey, float]]) -> tuple[FieldMatch, ...]:
    return tuple(FieldMatch(f, s) for f, s in pairs)


@dataclass(frozen=True)
class Candidates:
    """Everything matching found for one question: what ``decide`` chooses from.

    ``ranked``: the best passages. ``linked``: the records named, strongest first (after a
    reply about records, "the florida one" links the one record there). ``near_misses``:
    records that share a place word with another thing the question names, when none is
    linked. ``fields``: attributes named by a label word; ``implied_fields`` the same with the
    attribute a word like "cheapest" implies. ``ask``: the direction, bound and places asked.
    ``records``: the named records of the first one's group, once the question is shown to be
    about their figures (else empty).

    The fields are found for every question; the properties are read when ``decide`` first
    needs them and kept, so a question answered early (an FAQ copied word for word, another
    career) costs no more than it did.
    """

    kb: Knowledge = dataclass_field(repr=False, compare=False)
    query: Query
    context: Context = Context()
    smalltalk: Smalltalk | None = None
    too_large: str | None = None
    ranked: tuple[Passage, ...] = ()
    other_role: tuple[str, ...] = ()
    near_copy: int | None = None
    fields: tuple[FieldMatch, ...] = ()
    remembered: tuple[RecordKey, ...] = ()
    content: int = 0

    # -------------------------------------------------------------- read on first use, once
    @cached_property
    def ask(self) -> Ask:
        return read_ask(self.query, self.kb)

    def _link(self, key: RecordKey, strength: float) -> Link:
        ask, query = self.ask, self.query
        by_place = bool(ask.places) and named_only_by_place(key, query, ask, self.kb)
        return Link(key, strength, by_place, _position(query, key))

    @cached_property
    def _named(self) -> tuple[tuple[Link, ...], tuple[RecordKey, ...]]:
        """``linked`` and ``near_misses``, found together."""
        query, kb, context = self.query, self.kb, self.context
        # Of records named, one that has an attribute asked comes first, however surely the others
        # are named: "how much do out of state students pay at purdue global" names the salary
        # ("pay") more surely than the school, but out-of-state tuition is the school's.
        asked = {m.field.label for m in self.fields}
        found = sorted(link_records(query, kb),
                       key=lambda pair: (not asked & {f.label for f in pair[0].record.fields}, -pair[1]) if asked
                       else (-pair[1],))
        linked = tuple(self._link(k, s) for k, s in found)
        missed: tuple[RecordKey, ...] = ()
        if context.records and set(query.stems) & kb.comparisons_.others:
            # "and the other texas school?": not the record the last reply was about
            linked = tuple(link for link in linked if link.key.record.name not in context.records)
            if not linked:
                placed = [k for k in records_in_places(kb, self.ask) if k.record.name not in context.records]
                if len(placed) == 1:
                    linked = (self._link(placed[0], CONTEXT_PLACE_LINK),)
            return linked, missed
        if not linked:
            missed = tuple(near_misses(query, kb))
            placed = records_in_places(kb, self.ask) if not missed and context.records else []
            if len(placed) == 1:  # "…grad rate at X?" then "and the florida one?": the one record there
                linked = (self._link(placed[0], CONTEXT_PLACE_LINK),)
        return linked, missed

    @property
    def linked(self) -> tuple[Link, ...]:
        return self._named[0]

    @property
    def near_misses(self) -> tuple[RecordKey, ...]:
        return self._named[1]

    @cached_property
    def asked_thing(self) -> tuple[str, ...]:
        """What an opening "what <thing> is…" asks, when it is no attribute, kind or place of the
        records the question names: "what *time* is it in memphis" (a school's city)."""
        keys = [link.key for link in self.linked]
        kind = asked_kind(self.query, self.kb) if keys and not any(k.record.own_section for k in keys) else set()
        if not kind:
            return ()
        foreign = set(foreign_terms(self.query, self.kb, keys))
        return tuple(t for t in kind if t in foreign and t not in self.kb.kind_terms_
                     and t not in self.ask.place_words and not fields_for_terms((t,), self.kb))

    @cached_property
    def records(self) -> tuple[RecordKey, ...]:
        linked = self.linked
        if not linked:
            return ()
        keys = [link.key for link in linked]
        # "…graduation rate?" then "and the one in california?": the attribute asked before is the evidence
        follow_up = bool(self.context.attribute) and self._names_only(keys[:1])
        if not follow_up and not figure_evidence(self.query, self.kb, keys):
            return ()
        group = linked[0].key.record.group
        return tuple(link.key for link in linked if link.key.record.group == group)

    @cached_property
    def own(self) -> tuple[RecordKey, ...]:
        """The guide's own figures (the salary): records named after their own section."""
        return tuple(k for k in self.kb.record_keys_ if k.record.own_section and k.record.fields)

    @cached_property
    def asks_figure(self) -> bool:
        """Does the question ask for a figure ("how many…", "what percentage…")? The phrases are the
        lexicon's ``figure_cues``."""
        return asks_cue(self.query, self.kb.lexicon.figure_cues)

    @cached_property
    def implied_fields(self) -> tuple[FieldMatch, ...]:
        if not self.ask.implied:
            return ()
        return _fields(fields_for_terms(self.query.terms + (self.ask.implied,), self.kb))

    @cached_property
    def bound_field(self) -> FieldKey | None:
        return _field_of_kind(self.kb, self.query.text) if self.ask.bound else None

    # -------------------------------------------------------------- derived, each computed once
    @property
    def best(self) -> float:
        return self.ranked[0].score if self.ranked else 0.0

    @property
    def unknown(self) -> str:
        """The words the guide never uses, as typed."""
        return self.query.words(self.query.unknown)

    def fields_of(self, keys: tuple[RecordKey, ...] | list[RecordKey]) -> tuple[FieldMatch, ...]:
        """``fields`` that these records have (a place counts as the "Location" attribute), asked by
        a word of the question other than the records' own names ("Pasadena City College tuition"
        does not ask for its city)."""
        where = bool(self.query.stems) and self.query.stems[-1] in PLACE_SLOT_BEFORE  # "what state is X in"
        typed = labels_typed(self.query, self.kb, list(keys)) if self.fields else []
        return tuple(m for m in _allowed(self.fields, keys) if _asked_beyond_names(m.field, self.query, keys)
                     or m.field in typed or (m.field.label == LOCATION and where))

    def joined_fields(self, fields: tuple[FieldMatch, ...]) -> tuple[FieldKey, ...]:
        """Attributes asked beside the first of ``fields`` when the question joins them (the lexicon's
        ``attribute_joiners``: "AACC in-state tuition and grad rate"): each named by a word of the
        question that the attributes before it lack ("tuition" names out-of-state tuition too, but
        in-state tuition was named by it first)."""
        stems = f" {' '.join(self.query.stems)} "
        if len(fields) < 2 or not any(f" {j} " in stems for j in self.kb.lexicon.attribute_joiners):
            return ()
        said = set(self.query.terms)
        covered, more = set(fields[0].field.terms), []
        for m in fields[1:]:
            if said & set(m.field.terms) - covered and m.field not in more:
                more.append(m.field)
            covered |= set(m.field.terms)
        return tuple(more)

    def implied_fields_of(self, keys: tuple[RecordKey, ...] | list[RecordKey]) -> tuple[FieldMatch, ...]:
        """``implied_fields`` that these records have."""
        return _allowed(self.implied_fields, keys)

    def explicit(self, field: FieldKey) -> bool:
        """Does the question name this attribute beyond its head word ("out-of-state tuition"), and
        weigh it against nothing (``both``)?"""
        return not self.both and any(t in self.query.terms for t in field.terms if t != field.head)

    @property
    def both(self) -> bool:
        """Does a question about one record compare ("in state vs out of state")? Then its values
        of the kind asked are all given."""
        return self.ask.compare and len(self.records) < 2

    def money_field(self, keys: tuple[RecordKey, ...]) -> tuple[FieldMatch, ...]:
        """The first sum-of-money attribute of these records, when the question asks a sum of money
        and names no attribute of theirs by its head word: "how much is ashford a year" ("a year"
        is the annual median's modifier, and Ashford University has no salary)."""
        typed = labels_typed(self.query, self.kb) if self.fields else []
        # "how much is capella": a money cue and the record's name, nothing else
        bare = not self.fields and self._names_only(keys) and asks_cue(self.query, self.kb.lexicon.money_cues)
        if not keys or not (bare or asks_money(self.query, self.kb)) or any(
                m.field.head in self.query.terms or m.field in typed for m in self.fields):
            return ()  # an attribute named by its head or its label's words: "what do they pay in-state"
        labels = [f.label for f in keys[0].record.fields if f.value.kind == "money"
                  and all(k.record.get(f.label) is not None for k in keys)]
        return tuple(FieldMatch(self.kb.field_by_label_[label], 0.0) for label in labels[:1])

    @cached_property
    def record_semantic_field(self) -> tuple[FieldMatch, ...]:
        """The attribute of ``records`` the sentence model links, when no label word names one."""
        return _fields(semantic_field(self.query, self.kb, list(self.records)))

    @cached_property
    def record_foreign(self) -> tuple[str, ...]:
        """Words naming something the figures of ``records`` are not about ("salary in california")."""
        if not any(k.record.fields for k in self.records):
            return ()
        return tuple(named_things(self.query, self.kb, list(self.records)))

    @cached_property
    def linked_unasked(self) -> tuple[str, ...]:
        """``record_unasked`` of every record linked, by name or by place."""
        return self._unasked([link.key for link in self.linked])

    @cached_property
    def record_unasked(self) -> tuple[str, ...]:
        """Content words no figure of ``records`` is about, fillers aside ("faculty members")."""
        return self._unasked(list(self.records))

    def _unasked(self, keys: list[RecordKey]) -> tuple[str, ...]:
        return tuple(t for t in foreign_terms(self.query, self.kb, keys) if t not in self.kb.lexicon.fillers)

    @cached_property
    def residence(self) -> tuple[RecordKey, FieldKey] | None:
        """The one school the question names and the price that the state the asker lives in asks of it:
        "I live in Ohio, what would I pay at Purdue Global" asks Purdue Global's (Indiana) out-of-state
        tuition, "kapiolani tuition for hawaii residents" Kapiolani's (Hawaii) in-state tuition. None
        unless the question asks a sum of money of a school whose record has both prices
        (``residence_fields``) and names one state outside its name."""
        kb, query = self.kb, self.query
        if self.ask.ranking:  # "cheapest school in texas or california": schools ranked, no asker's state
            return None
        schools = [link.key for link in self.linked if not link.key.record.own_section]  # not "pay" (the salary)
        remembered = not schools and len(self.remembered) == 1 and not self.remembered[0].record.own_section
        if remembered:  # "tell me about purdue global", then "what would i pay if i don't live in indiana"
            schools = list(self.remembered)
        if len(schools) != 1 or not schools[0].record.place:
            return None
        key = schools[0]
        pair = residence_fields(kb, key)
        if pair is None:
            return None
        regions = kb.comparisons_.regions
        name = {stem(t) for t in tokens(key.record.name)}
        stems, kinds, canon = query.stems, kb.kind_terms_, kb.lexicon.canonical
        # not a state made a name by a kind of institution: "university of texas at san antonio",
        # "university of south florida", "the other texas school"
        states = [(i, phrase) for i, phrase in query.places if phrase in regions and not set(phrase) <= name
                  and not any(k > 0 and stems[k] == "of" and set(canon([stems[k - 1]])) & kinds for k in (i - 1, i - 2))
                  and not (i + len(phrase) < len(stems) and set(canon([stems[i + len(phrase)]])) & kinds)]
        if len(states) != 1:
            return None
        at, state = states[0]
        # "someone from outside texas", "if i'm not a pennsylvania resident": not from there
        before = f" {' '.join(stems[max(0, at - 3):at])} "
        away = any(f" {cue} " in before for cue in kb.lexicon.residence_negations)
        # a price asked: by its words, by a word for any sum of money, the career's pay among them ("what
        # would I pay"), or a money cue
        asked = any(m.field in pair or "money" in kinds_of(kb, m.field.label) for m in self.fields) \
            or any(link.key.record.own_section and any(f.value.kind == "money" for f in link.key.record.fields)
                   for link in self.linked) or asks_money(query, kb) or asks_cue(query, kb.lexicon.money_cues) \
            or any(f in pair for f, _ in semantic_field(query, kb, [key], floor=0.0))  # "what would X charge me"
        if not asked or remembered and self._pay_nearer(list(pair)):  # not "what's the salary in ohio"
            return None
        home = key.record.place.rsplit(",", 1)[-1].strip()
        resident = regions[state] == home and not away
        if kb.lexicon.residence_term in query.terms:  # the price for others asked by name: a state elsewhere
            return (key, pair[1]) if not resident else None  # agrees ("out of state cost at X in WI")
        return key, (pair[0] if resident else pair[1])

    def _names_a_record_beyond(self, words: set[str]) -> bool:
        """Is a record linked by a word of the question besides ``words`` and kinds of institution?"""
        others = set(self.query.terms) - words - self.kb.kind_terms_
        return any((link.key.name_terms | link.key.acronyms) & others for link in self.linked)

    @cached_property
    def unreported(self) -> tuple[FieldKey, tuple[RecordKey, ...]] | None:
        """An attribute asked across records with a word for "not reported" ("which schools don't
        report a graduation rate"), and the records that have it (as a value or as N/A). None when a
        record is named by a word besides the attribute's, or no attribute is named."""
        kb, query = self.kb, self.query
        if not asks_cue(query, kb.lexicon.unreported_cues):
            return None
        field = next((m.field for m in self.fields if m.field.label != LOCATION), None)
        if field is None:
            return None
        if self._names_a_record_beyond(set(kb.lexicon.terms(field.label))):
            return None
        owners = tuple(kb.records_with(field.label))
        return (field, owners) if len(owners) >= 2 else None

    @cached_property
    def price_gap(self) -> tuple[str, FieldKey, FieldKey, tuple[RecordKey, ...]] | None:
        """A question across schools about how their price for others compares with their price for
        residents ("which schools charge out-of-state students more", "which charge the same no
        matter what state you live in"): the lexicon's ``price_gap`` word ("more" or "same"), the
        residents' price, the others' price and the schools that have both. None when it is not one:
        a school named, a bound ("more than $10,000"), no word of the prices."""
        kb, query = self.kb, self.query
        if self.ask.bound or not kb.lexicon.price_gap \
                or (self.remembered and set(query.stems) & kb.lexicon.anaphora):  # "is it more for out of staters?"
            return None
        owners: dict[tuple[FieldKey, FieldKey], list[RecordKey]] = {}
        for key in kb.record_keys_:
            pair = residence_fields(kb, key) if not key.record.own_section else None
            if pair is not None:
                owners.setdefault(pair, []).append(key)
        if not owners:
            return None
        pair, keys = max(owners.items(), key=lambda item: len(item[1]))
        gap = next((kind for kind in ("same", "more") if asks_cue(query, kb.lexicon.price_gap.get(kind, ()))), None)
        named = {m.field for m in self.fields}
        # "more" needs the others' price named ("out-of-state students"); "same" either ("whether or
        # not you live in that state")
        words = set(kb.lexicon.terms(pair[0].label)) | set(kb.lexicon.terms(pair[1].label))
        if len(keys) < 2 or gap is None or not (pair[1] in named or (gap == "same" and words & set(query.terms))):
            return None
        if self._names_a_record_beyond(words):
            return None  # a school named, not only by a word of the prices ("state" of Indian River State College)
        return gap, pair[0], pair[1], tuple(keys)

    @cached_property
    def asks_another(self) -> tuple[str, ...]:
        """After a figure of a record, the words of a follow-up that asks it of something the guide
        lacks ("what about harvard?" after "WGU tuition"); else empty."""
        query, kb = self.query, self.kb
        if not self.context.attribute or not self.context.records or self.linked or self.fields:
            return ()
        stems = query.stems
        if not any(stems[:len(o)] == o and len(stems) > len(o) for o in kb.lexicon.follow_up_openers):
            return ()
        content = kb.match_terms(query.terms)
        return tuple(content) if content and all(t in query.unknown for t in content) else ()

    @cached_property
    def only_names(self) -> bool:
        """Does the question name ``records`` and nothing else ("what about SNHU?", "and capella",
        "and the other texas school?")?"""
        return self._names_only(self.records)

    def _names_only(self, keys) -> bool:
        named = {t for k in keys for t in k.name_terms | k.acronyms} | self.kb.comparisons_.others
        if keys and self.ask.places and all(matches_place(k.record, self.ask.places, self.kb.comparisons_.codes)
                                            for k in keys):
            named |= self.ask.place_words  # the records' own state or city
        return bool(keys) and all(t in named or (len(t) >= CLIP_MIN and any(n.startswith(t) for n in named))
                                  for t in self.kb.match_terms(self.query.terms))  # "lincoln tech"

    @cached_property
    def own_semantic_field(self) -> tuple[FieldMatch, ...]:
        """The attribute of the guide's own figures the model links ("a normal paycheck")."""
        return _fields(semantic_field(self.query, self.kb, list(self.own)))

    @cached_property
    def own_foreign(self) -> tuple[str, ...]:
        return tuple(named_things(self.query, self.kb, list(self.own)))

    @cached_property
    def remembered_foreign(self) -> tuple[str, ...]:
        return tuple(named_things(self.query, self.kb, list(self.remembered)))

    @cached_property
    def field_owners(self) -> tuple[RecordKey, ...]:
        """The records with the first attribute asked, if the question is about their figures."""
        if not self.fields:
            return ()
        owners = self.kb.records_with(self.fields[0].field.label)
        return tuple(owners) if figure_evidence(self.query, self.kb, owners) else ()

    @cached_property
    def field_owners_foreign(self) -> tuple[str, ...]:
        return tuple(named_things(self.query, self.kb, list(self.field_owners))) if self.field_owners else ()

    @cached_property
    def field_owners_named(self) -> bool:
        """May the first attribute asked without a record be listed across the records that have it?

        Yes for a figure ("what is the graduation rate"). A place is asked with a question word
        ("where…"), so it is listed only when the question also names the records' topic
        ("where are the schools"), not for "where can coordinators work".
        """
        field = self.fields[0].field
        if field.label != LOCATION:
            return True
        kb = self.kb
        topics = {kb.topic_name(k.record.group) for k in kb.records_with(field.label)}
        topic_terms = {t for topic in topics for t in kb.match_terms(kb.lexicon.terms(topic))}
        return bool(topic_terms & set(self.query.terms))

    @cached_property
    def across_field(self) -> FieldKey | None:
        """The attribute a question across records ranks or bounds (never the place): of the
        attributes named, the first that several records have ("which schools charge less than
        $10k a year": the tuition, not the career's annual median that "a year" also names)."""
        kb = self.kb
        # ("which of these places is the biggest": "places" names the location, never ranked)
        named = tuple(m for m in self.fields if m.field.label != LOCATION)
        shared = tuple(m for m in named if len(kb.records_with(m.field.label)) >= 2)
        if named and not shared and self.ask.bound:  # "under 10k a year": a sum of money, as a year's pay is
            kinds = kinds_of(kb, named[0].field.label)
            shared = tuple(FieldMatch(f, 0.0) for f in kb.fields_
                           if len(kb.records_with(f.label)) >= 2 and kinds_of(kb, f.label) & kinds)[:1]
        implied = tuple(m for m in self.implied_fields if m.field.label != LOCATION) if self.ask.implied else ()
        return _first(shared) or _first(implied) or (self.bound_field if self.ask.bound else None) or _first(named) \
            or self.followed_field

    @cached_property
    def asked_of_remembered(self) -> FieldKey | None:
        """The attribute a follow-up that points back at the one record just answered asks without
        naming it: "is there a school in arizona" then "how much is it" (its first sum of money; "how
        much to go there per year" too, where "a year" only qualifies the career's pay), "is SNHU on
        your list?" then "how many ppl go there" (the attribute the sentence model links)."""
        kb, query = self.kb, self.query
        if self.records or len(self.remembered) != 1 or not set(query.stems) & kb.lexicon.anaphora:
            return None
        key = self.remembered[0]
        if key.record.own_section or not key.record.fields or self.fields_of(self.remembered) \
                or any(m.field.head in query.terms for m in self.fields):
            return None
        if asks_cue(query, kb.lexicon.money_cues) and not asks_count(query, kb):
            money = [kb.field_by_label_[f.label] for f in key.record.fields if f.value.kind == "money"]
            said = [t for t in query.terms if t not in kb.lexicon.fillers]  # "how much is it": nothing but it
            return money[0] if money and not (said and self._pay_nearer(money)) else None
        linked = semantic_field(query, kb, [key])
        return linked[0][0] if linked else None

    def _pay_nearer(self, prices: list[FieldKey]) -> bool:
        """Does the sentence model put the question nearer the career's own sums of money than these
        prices of a record ("how much do they make", not "how much is it")? Without it, no."""
        kb = self.kb
        if self.query.vector is None or kb.field_vectors_ is None:
            return False
        vector = kb.encoder_.encode([self.query.text])[0]  # as typed, not read as about the career
        pay = [f for k in self.own for f in k.record.fields if f.value.kind == "money"]
        rows = {f.label: i for i, f in enumerate(kb.fields_)}
        near = kb.field_vectors_ @ vector
        return bool(pay) and max(near[rows[f.label]] for f in pay) > max(near[rows[f.label]] for f in prices)

    @cached_property
    def followed_field(self) -> FieldKey | None:
        """The last reply's attribute, for a question that ranks by a direction alone and says nothing
        else ("which school has the highest grad rate", then "and the lowest?")."""
        kb, ask, attribute = self.kb, self.ask, self.context.attribute
        if not attribute or not ask.direction or ask.implied or ask.bound or self.fields or self.records:
            return None
        words, fillers = kb.comparisons_.words, kb.lexicon.fillers
        if any(t not in words and t not in fillers for t in self.query.terms):
            return None
        field = kb.field_by_label_.get(attribute)
        return field if field is not None and len(kb.records_with(attribute)) >= 2 else None

    @cached_property
    def across_owners(self) -> tuple[RecordKey, ...]:
        """The records that have ``across_field`` (or a place), if the question is about them."""
        field = self.across_field
        owners = self.kb.records_with(field.label if field else LOCATION)
        # A phrase of the lexicon that names the attribute ("hardest to get into") is evidence
        # enough when the question has no other word the guide lacks ("the largest ocean" has).
        implied = bool(self.ask.implied) and not self.query.unknown
        followed = field is not None and field == self.followed_field
        return tuple(owners) if implied or followed or figure_evidence(self.query, self.kb, owners) else ()

    @cached_property
    def across_foreign(self) -> tuple[str, ...]:
        """Words naming something else than ``across_owners`` ("most expensive school in 2020")."""
        ask, words = self.ask, self.kb.comparisons_.words
        return tuple(t for t in named_things(self.query, self.kb, list(self.across_owners))
                     if t not in words and t not in ask.place_words and t not in (ask.bound_word, ask.upper_word))

    @cached_property
    def semantic(self) -> bool:
        return self.query.vector is not None and self.kb.unit_vectors_ is not None

    @cached_property
    def scale(self) -> Scale:
        """The scale of the question's confidence (``Knowledge.scale_for``)."""
        return self.kb.scale_for(self.query.vector)

    @cached_property
    def passage_confidence(self) -> float:
        """The best passage's calibrated confidence (0.5 at the knowledge base's decline point)."""
        return self.scale.confidence(passage_confidence_score(self.query, self.kb, self.best))

    @cached_property
    def unknown_share(self) -> float:
        return unknown_share(self.query, self.kb)

    @cached_property
    def absent(self) -> tuple[str, ...]:
        """Places and names the question asks about that the best passage does not mention."""
        return tuple(absent_names(self.query, self.kb, self.kb.units_[self.ranked[0].index]))


def residence_fields(kb: Knowledge, key: RecordKey) -> tuple[FieldKey, FieldKey] | None:
    """A record's price for a resident and for someone from another state: two sums of money of the
    same kind ("Tuition"), the second's label marked by the lexicon's ``residence_term``
    ("Out-of-State Tuition"), the first's not ("In-State Tuition"). None when it has no such pair."""
    mark = kb.lexicon.residence_term
    if not mark:
        return None
    money = [kb.field_by_label_[f.label] for f in key.record.fields if f.value.kind == "money"]
    for outside in (f for f in money if mark in f.terms):
        inside = [f for f in money if f.head == outside.head and mark not in f.terms]
        if len(inside) == 1:
            return inside[0], outside
    return None


def _first(fields: tuple[FieldMatch, ...]) -> FieldKey | None:
    return fields[0].field if fields else None


def _asked_beyond_names(field: FieldKey, query: Query, keys) -> bool:
    """Does a word of the question name this attribute, besides the words of the records' names?"""
    names = {t for k in keys for t in k.name_terms}
    return any(sum(w == t or same_root(w, t) for w in query.terms) > (t in names) for t in field.terms)


def _allowed(fields: tuple[FieldMatch, ...], keys) -> tuple[FieldMatch, ...]:
    """The attributes some of ``keys`` have, in order: ``match_fields`` limited to those records."""
    allowed = {f.label for k in keys for f in k.record.fields}
    if any(k.record.place for k in keys):
        allowed.add(LOCATION)
    return tuple(m for m in fields if m.field.label in allowed)


def _another_of_its_kind(question: str, query: Query, kb: Knowledge) -> tuple[str, ...]:
    """"surg techs" in a guide about radiologic technologists: another career, as terms of the query."""
    if not kb.document.subject:
        return ()
    known = kb.known_ | {typed for typed, _ in query.corrected}  # a name misspelled is no other career's word
    words = another_of_its_kind(question, kb.document.subject, known, kb.lexicon.stopwords)
    stems = [stem(w.lower()) for w in words]
    return tuple(t for t in query.terms if t in stems) or tuple(stems)


FOLLOW_UP_TERMS = 3  # a follow-up read with the question before it has at most this many content words


def _continues(query: Query, context: Context, kb: Knowledge, fields: tuple[FieldMatch, ...]) -> bool:
    """Does a short question point back to the one last answered ("does it go up over time?")?
    It holds a word of the lexicon's ``anaphora``, few content words, and names no attribute
    and no record of its own: then its passages are ranked with that question read before it."""
    if not context.topic or fields or not set(query.stems) & kb.lexicon.anaphora:
        return False
    return len(kb.match_terms(query.terms)) <= FOLLOW_UP_TERMS and not link_records(query, kb)


def _ends_asking_where(query: Query, kb: Knowledge) -> bool:
    """Does the question end on "in" after a record's name, its kind or a pronoun ("what state is
    ashford university in", "what city is it in")? Not after a verb: "who gets in" asks about
    admission."""
    stems = query.stems
    if len(stems) < 2 or stems[-1] not in PLACE_SLOT_BEFORE:
        return False
    before = stems[-2]
    return (before in kb.lexicon.anaphora or any(before in k.acronyms for k in kb.record_keys_)
            or any(t in kb.name_df_ or t in kb.kind_terms_ for t in kb.lexicon.canonical([before])))


def gather(question: str, kb: Knowledge, context: Context | None = None) -> Candidates:
    """Read one question against a knowledge base: every candidate ``decide`` may choose from.

    Chit-chat (a pattern, or a short message the sentence model finds close to one), a number
    too large for any figure and a question of no content words stop the reading early: nothing
    else is needed to answer them. With the model, a question of function words only ("what do
    they do") is read by the model as about the guide's career instead.
    """
    context = context or Context()
    kind = default_smalltalk().match(question)
    if kind is not None:
        return Candidates(kb, Query(question, (), (), (), False), context, smalltalk=kind)
    query = make_query(question, kb)
    words_only = not query.terms and any(w.isalpha() for w in query.stems)  # "what do they do", not "😀"
    if words_only and query.vector is not None and kb.document.subject:
        # "what do they do": a question of nothing but function words is about the guide's career
        query = replace(query, vector=kb.encoder_.encode([f"{question} ({kb.document.subject})"])[0])
    content = [t for t in query.terms if t not in kb.lexicon.fillers]  # known to the guide or not
    fields = _fields(match_fields(query, kb))
    if _ends_asking_where(query, kb) and LOCATION in kb.field_by_label_ and not any(
            m.field.label == LOCATION for m in fields):
        # "what state is ashford university in": a question that ends on "in" asks where
        fields = (FieldMatch(kb.field_by_label_[LOCATION], 1.0),) + fields
    follow_up = bool(context.records) and bool(fields)  # "where is it?" after a school's figure
    if (query.vector is not None and kb.unit_vectors_ is not None and len(kb.unit_vectors_) and not follow_up
            and semantic_smalltalk(kb.encoder_).may_be(question, len(content))):
        nearest = float(similarities(kb.unit_vectors_, query.vector).max())
        kind = semantic_smalltalk(kb.encoder_).match(question, query.vector, nearest, len(content))
        if kind is not None:  # "hey, what do you do?", "thanks, that was useful"
            return Candidates(kb, query, context, smalltalk=kind)
    huge = too_large_number(query)
    if huge or not (query.terms or (words_only and query.vector is not None)):  # the model reads "what do they do"
        return Candidates(kb, query, context, too_large=huge)
    ranking = query
    if _continues(query, context, kb, fields):  # "does it go up over time?" after "whats the salary"
        ranking = make_query(f"{context.topic} {question}", kb)
    ranked = tuple(Passage(i, s) for i, s in rank_units(ranking, kb, k=RANKED_PASSAGES))
    faq = next((p.index for p in ranked if kb.units_[p.index].kind == "faq" and near_copy(query, kb, p.index)), None)
    return Candidates(
        kb, query, context,
        ranked=ranked,
        other_role=tuple(other_role(query, kb)) or _another_of_its_kind(question, query, kb),
        near_copy=faq,
        fields=fields,
        remembered=tuple(kb.record_by_name_[n] for n in context.records if n in kb.record_by_name_),
        content=len(kb.match_terms(query.terms)),
    )
