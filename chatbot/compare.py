"""Questions across records: superlatives, filters, comparisons and ranked tables.

"Which school is the cheapest?", "schools with a graduation rate above 40%", "are there any
schools in Arizona?", "is Purdue Global cheaper than SNHU?", "list the schools by tuition".
The words for directions, bounds and implied attributes are data (``comparisons`` in
lexicon.json; US states in places.json); the logic runs on the values' types. A value that
is not available (N/A) is left out of every ranking, and the reply says so.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cache

from .index import LOCATION, FieldKey, Knowledge, RecordKey
from .match import Query, figure_evidence, match_fields, named_things
from .model import Context, Record, Reply
from .shipped import shipped_file
from .text import number_value, stem, tokens

Phrase = tuple[str, ...]


def _phrases(words: list[str]) -> frozenset[Phrase]:
    return frozenset(tuple(stem(t) for t in tokens(w)) for w in words)


@dataclass(frozen=True)
class Vocabulary:
    """The comparison words of a lexicon and the places, as stem phrases."""

    implied: dict[Phrase, tuple[str, str]]
    high: frozenset[Phrase]
    low: frozenset[Phrase]
    above: frozenset[Phrase]
    below: frozenset[Phrase]
    inclusive: frozenset[Phrase]
    compare: frozenset[Phrase]
    order: frozenset[Phrase]
    regions: dict[Phrase, str]  # "new hampshire" -> "NH"
    codes: dict[str, str]       # "NH" -> "New Hampshire"
    yes_no: frozenset[str]      # first words of a yes-or-no question: "is", "does"
    world: frozenset[Phrase] = frozenset()  # countries and large cities: "london", "new york"
    world_starts: dict[str, tuple[Phrase, ...]] = dataclass_field(default_factory=dict)  # first word -> those places

    @property
    def words(self) -> frozenset[str]:
        """Every stem these phrases use, so they are neither unknown nor off-topic words."""
        groups = [self.implied, self.high, self.low, self.above, self.below, self.inclusive, self.compare,
                  self.order, self.regions]
        return frozenset(w for group in groups for phrase in group for w in phrase)


@cache
def _place_data() -> dict:
    return json.loads(shipped_file("places.json").read_text(encoding="utf-8"))


def _places() -> dict[str, str]:
    return dict(_place_data()["regions"])


def build_vocabulary(lexicon) -> Vocabulary:
    """The comparison words of a lexicon, and the places, as stem phrases (built once, in ``fit``)."""
    data = lexicon.comparisons
    codes = _places()
    world = frozenset(tuple(stem(t) for t in tokens(name))
                      for name in _place_data().get("countries", []) + _place_data().get("cities", []))
    starts: dict[str, list[Phrase]] = {}
    for phrase in world:  # 6,000 places: a question looks up only those its own words begin
        if phrase:
            starts.setdefault(phrase[0], []).append(phrase)
    return Vocabulary(
        implied={tuple(stem(t) for t in tokens(w)): (stem(a), d) for w, (a, d) in data.get("implied", {}).items()},
        high=_phrases(data.get("high", [])), low=_phrases(data.get("low", [])),
        above=_phrases(data.get("above", [])), below=_phrases(data.get("below", [])),
        inclusive=_phrases(data.get("inclusive", [])),
        compare=_phrases(data.get("compare", [])), order=_phrases(data.get("order", [])),
        regions={tuple(stem(t) for t in tokens(name)): code for code, name in codes.items()},
        codes=codes,
        yes_no=frozenset(stem(w) for w in data.get("yes_no", [])),
        world=world,
        world_starts={w: tuple(ps) for w, ps in starts.items()},
    )


def _find(stems: tuple[str, ...], phrases) -> list[tuple[int, Phrase]]:
    """Where each phrase occurs in ``stems``: (position, phrase), longest phrases first.

    Only phrases whose first word is in the question are tried, so a question of eight words
    against fifty state names costs a few set look-ups.
    """
    present = set(stems)
    found = []
    for phrase in sorted((p for p in phrases if p and p[0] in present), key=len, reverse=True):
        n = len(phrase)
        for i in range(len(stems) - n + 1):
            if stems[i:i + n] == phrase:
                found.append((i, phrase))
    return found


@dataclass(frozen=True)
class Ask:
    """What a question across records asks for."""

    direction: str | None = None            # "high" or "low"
    implied: str | None = None              # an attribute's canonical word ("tuition")
    bound: tuple[str, float, bool] | None = None  # ("above" | "below", number, inclusive)
    bound_word: str | None = None           # the bound's number as the question wrote it
    compare: bool = False
    order: bool = False
    places: tuple[str, ...] = ()            # region codes and city names asked about
    place_words: frozenset[str] = frozenset()
    yes_no: bool = False


def read_ask(query: Query, kb: Knowledge) -> Ask:
    """Find the direction, bound, comparison, ordering and places a question asks about."""
    vocab = kb.comparisons_
    stems = query.stems
    implied = _find(stems, vocab.implied)
    implied_attr, direction = vocab.implied[implied[0][1]] if implied else (None, None)
    bound, bound_word = None, None
    for kind in ("above", "below"):
        for i, phrase in _find(stems, getattr(vocab, kind)):
            j = i + len(phrase)
            if j < len(stems) and stems[j][0].isdigit() and number_value(stems[j]) is not None:
                bound, bound_word = (kind, number_value(stems[j]), phrase in vocab.inclusive), stems[j]
                break
        if bound:
            break
    if direction is None and bound is None:
        direction = "high" if _find(stems, vocab.high) else "low" if _find(stems, vocab.low) else None
    if direction is None and bound is None:
        direction = semantic_direction(query, kb)
    places, place_words = [], set()
    for _, phrase in _find(stems, vocab.regions):
        places.append(vocab.regions[phrase])
        place_words.update(phrase)
    for word in re.findall(r"\b[A-Z]{2}\b", query.text):  # "in AZ": codes count when written in capitals
        if word in vocab.codes:
            places.append(word)
            place_words.add(word.lower())
    for _, city_stems in _find(stems, kb.cities_):
        places.append(kb.cities_[city_stems])
        place_words.update(city_stems)
    return Ask(direction=direction, implied=implied_attr, bound=bound, bound_word=bound_word,
               compare=bool(_find(stems, vocab.compare)), order=bool(_find(stems, vocab.order)),
               places=tuple(dict.fromkeys(places)), place_words=frozenset(place_words),
               yes_no=bool(stems) and stems[0] in vocab.yes_no)


def records_in_asked_places(query: Query, kb: Knowledge) -> list[RecordKey]:
    """The records located in the places the question names ("the florida one")."""
    ask = read_ask(query, kb)
    if not ask.places:
        return []
    return [k for k in kb.record_keys_ if k.record.place and _matches_place(k.record, ask, kb.comparisons_.codes)]


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


def direction_vectors(kb: Knowledge):
    """The lexicon's "high" and "low" words, encoded once when the knowledge base is fitted."""
    if kb.encoder_ is None:
        return None
    data = kb.lexicon.comparisons
    words = [(w, "high") for w in data.get("high", [])] + [(w, "low") for w in data.get("low", [])]
    return kb.encoder_.encode([w for w, _ in words]), [d for _, d in words]


def named_only_by_place(key: RecordKey, query: Query, ask: Ask, kb: Knowledge) -> bool:
    """Is a record linked only through a place word ("schools in Arizona" and "…Phoenix-Arizona")?

    Category words ("school", which "University" maps to) do not count as naming it.
    """
    if set(query.terms) & key.acronyms:
        return False
    matched = (key.name_terms & set(query.terms)) - kb.category_terms_
    return bool(matched) and matched <= ask.place_words


# ---------------------------------------------------------------- helpers for the replies

def _label(label: str) -> str:
    return "location" if label == LOCATION else label.lower()


def _noun(kb: Knowledge, records: list[RecordKey]) -> str:
    """What the records are called, from their section's topic: "Best Schools" -> "schools"."""
    topic = kb.topic_name(records[0].record.group).split()
    return topic[-1].lower() if topic else "records"


def _number(record: Record, label: str) -> float | None:
    f = record.get(label)
    return f.value.number if f is not None and f.value.available else None


def _raw(record: Record, label: str) -> str:
    f = record.get(label)
    return f.value.shown if f is not None else "N/A"


def _format_bound(kb: Knowledge, label: str, number: float) -> str:
    kinds = {f.value.kind for k in kb.records_with(label) for f in k.record.fields if f.label == label}
    if "money" in kinds:
        return f"${number:,.0f}" if number == int(number) else f"${number:,.2f}"
    if "percent" in kinds:
        return f"{number:,.0f}%" if number == int(number) else f"{number:g}%"
    return f"{number:,.0f}" if number == int(number) else f"{number:,}"


def _missing_note(kb: Knowledge, field_label: str, missing: list[RecordKey], total: int, noun: str) -> str:
    unusable = _unusable_note(kb, missing, field_label, "then_left_out")
    missing = [k for k in missing if not _unusable(k.record, field_label)]
    if not missing:
        return unusable
    label = _label(field_label)
    names = f" ({', '.join(k.record.name for k in missing)})" if len(missing) <= 2 else ""
    return f"{label[0].upper() + label[1:]} is not reported for {len(missing)} of {total} {noun}{names}. " + unusable


def _unusable(record: Record, label: str) -> str | None:
    """"unreadable" or "conflict" when the record's value cannot be ranked for that reason, else None."""
    f = record.get(label)
    return f.value.kind if f is not None and f.value.kind in ("unreadable", "conflict") else None


def _unusable_note(kb: Knowledge, keys: list[RecordKey], label: str, then: str) -> str:
    """Say which records' values could not be read or are given twice, and what follows ("it is left out")."""
    texts = kb.lexicon.texts
    notes = []
    for kind, key in (("unreadable", "unreadable_values"), ("conflict", "conflicting_values")):
        which = [k for k in keys if _unusable(k.record, label) == kind]
        if which:
            notes.append(texts[key].format(label=_label(label), names=_names(which), then=texts[then]))
    return "".join(note + " " for note in notes)


def _names(keys: list[RecordKey]) -> str:
    names = [k.record.name for k in keys]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _reply(text: str, keys: list[RecordKey], label: str | None, short: str | None = None,
           confidence: float = 0.85, intent: str = "across") -> Reply:
    context = Context(tuple(k.record.name for k in keys), label)
    source = keys[0].unit if keys else None
    return Reply(text, True, confidence, short, source, tuple(k.unit for k in keys[1:4]), intent, (), context)


def _field_for(query: Query, kb: Knowledge, ask: Ask, keys: list[RecordKey] | None) -> FieldKey | None:
    """The attribute asked about: named in the question, or implied by a word like "cheapest"."""
    fields = match_fields(query, kb, keys)
    if fields:
        return fields[0][0]
    if ask.implied:
        implied = Query(query.text, query.terms + (ask.implied,), (), (), False)
        fields = match_fields(implied, kb, keys)
        if fields:
            return fields[0][0]
    return None


def _mention_order(query: Query, keys: list[RecordKey]) -> list[RecordKey]:
    def first(key: RecordKey) -> int:
        spots = [i for i, t in enumerate(query.terms) if t in key.name_terms or t in key.acronyms]
        return min(spots) if spots else len(query.terms)
    return sorted(keys, key=first)


# ---------------------------------------------------------------- the answers

def answer_across(query: Query, kb: Knowledge, linked: list[tuple[RecordKey, float]],
                  context: Context | None = None) -> Reply | None:
    """A reply to a question across records, or None when the question is not one.

    A place in the question scopes it: "cheapest school in Texas" ranks only the schools in
    Texas, and says plainly when there are none, rather than naming the cheapest elsewhere.
    """
    ask = read_ask(query, kb)
    asked = [f for f, _ in match_fields(query, kb) if f.label != LOCATION]
    ranking = bool(ask.bound or ask.direction or ask.implied or ask.order)
    # A place word scopes the question ("schools in Phoenix", "cheapest in Arizona") unless an
    # attribute is asked with no ranking, when it names the record ("phoenix tuition"), or the
    # question follows up on an attribute ("… graduation rate?" then "what about phoenix?").
    follow_up = bool(context and context.attribute) and not ranking
    scoped = bool(ask.places) and not follow_up and (ranking or not asked)
    named = [k for k, _ in linked if not (scoped and named_only_by_place(k, query, ask, kb))]
    if named:
        group = named[0].record.group
        named = [k for k in named if k.record.group == group]
    if len(named) >= 2 and (ask.compare or ask.implied or ask.direction):
        return _compare(query, kb, ask, _mention_order(query, named))
    if named:
        own_name = {w for k in named for w in kb.lexicon.terms(k.record.name)}
        asked_places = ask.place_words - own_name  # "Southern New Hampshire University" asks no place
        if asked_places and ask.yes_no and not follow_up and all(k.record.place for k in named) \
                and not match_fields(query, kb):  # a figure asked of a record without it is no place question
            return _in_place(kb, ask, named)  # "is WGU in Utah?"
        return None
    if not (scoped or ranking):
        return None
    field = _field_for(query, kb, ask, None) or (_field_of_kind(kb, query) if ask.bound else None)
    if field is not None and field.label == LOCATION:
        field = None
    if field is None and not scoped:
        return None
    owners = kb.records_with(field.label if field else LOCATION)
    if len(owners) < 2 or not figure_evidence(query, kb, owners):
        return None  # "what is the largest ocean": "largest" alone does not make it about schools
    foreign = [t for t in named_things(query, kb, owners)
               if t not in kb.comparisons_.words and t not in ask.place_words and t != ask.bound_word]
    if foreign:
        return None  # the caller declines with its own words ("most expensive school in 2020")
    if scoped or ask.bound:
        if ask.bound or not ranking:
            return _filter(kb, ask, field if ask.bound else None, owners)
        pool = [k for k in owners if _matches_place(k.record, ask, kb.comparisons_.codes)]
        if not pool:
            return _filter(kb, ask, None, owners)  # "None of the 6 schools in the guide is in Texas."
    else:
        pool = owners
    where = f" in {' or '.join(kb.comparisons_.codes.get(p, p) for p in ask.places)}" if scoped else ""
    if field is None:  # "the poorest one in arizona": a place, but no figure to rank by
        return _filter(kb, ask, None, owners)
    if ask.order and not (ask.implied and not ask.direction):
        return _ranked(kb, ask, field, pool, where)
    if ask.direction:
        return _superlative(kb, ask, field, pool, where)
    return None


def _superlative(kb: Knowledge, ask: Ask, field: FieldKey, owners: list[RecordKey], where: str = "") -> Reply:
    label = _label(field.label)
    rated = [(k, _number(k.record, field.label)) for k in owners]
    available = [(k, n) for k, n in rated if n is not None]
    missing = [k for k, n in rated if n is None]
    noun = _noun(kb, owners) + where
    note = _missing_note(kb, field.label, missing, len(owners), noun)
    if not available:
        return _reply(f"{note}None of them reports it.", [], field.label, intent="across")
    best = (max if ask.direction == "high" else min)(n for _, n in available)
    winners = [k for k, n in available if n == best]
    word = "highest" if ask.direction == "high" else "lowest"
    verb = "has" if len(winners) == 1 else "have"
    text = f"{_names(winners)} {verb} the {word} {label}: {_raw(winners[0].record, field.label)}."
    if note:
        text = note + "Of the rest, " + text
    elif where:
        text = f"Of the {noun}, {text}"
    return _reply(text, winners, field.label, short=_names(winners))  # "which school…": the school


def _filter(kb: Knowledge, ask: Ask, field: FieldKey | None, owners: list[RecordKey]) -> Reply:
    """The records that meet every condition asked: a place, a bound on a value, or both."""
    codes = kb.comparisons_.codes
    noun = _noun(kb, owners)
    keep, missing, said, none = list(owners), [], [], []
    if ask.places:
        where = " or ".join(codes.get(p, p) for p in ask.places)
        keep = [k for k in keep if _matches_place(k.record, ask, codes)]
        said.append(f"in {where}")
        none.append(f"is in {where}")
    if ask.bound and field is not None:
        kind, limit, inclusive = ask.bound

        def passes(n: float) -> bool:
            if kind == "above":
                return n >= limit if inclusive else n > limit
            return n <= limit if inclusive else n < limit

        missing = [k for k in keep if _number(k.record, field.label) is None]
        keep = sorted((k for k in keep if k not in missing and passes(_number(k.record, field.label))),
                      key=lambda k: _number(k.record, field.label) * (-1 if kind == "above" else 1))
        word = ("at least" if inclusive else "over") if kind == "above" else ("at most" if inclusive else "under")
        wanted = f"{_label(field.label)} {word} {_format_bound(kb, field.label, limit)}"
        said.append(f"with {wanted}")
        none.append(f"has {wanted}")
    note = _missing_note(kb, field.label, missing, len(owners), noun) if field is not None else ""
    if not keep:
        text = f"None of the {len(owners)} {noun} in the guide {' and '.join(none)}. {note}"
        return _reply(text.strip(), [], field.label if field else LOCATION, confidence=0.8)
    condition = " ".join(said)
    if field is not None and ask.bound:
        rows = [f"  \u2022 {k.record.name}: {_raw(k.record, field.label)}" for k in keep]
    else:
        rows = [f"  \u2022 {k.record.name} ({k.record.place})" for k in keep]
    text = f"{noun.capitalize()} {condition}:\n" + "\n".join(rows) + (f"\n{note.strip()}" if note else "")
    return _reply(text, keep, field.label if field is not None else LOCATION)


def _field_of_kind(kb: Knowledge, query: Query) -> FieldKey | None:
    """For "schools under $10,000": the first attribute whose values are of the bound's type."""
    text = query.text
    kind = "money" if "$" in text else "percent" if "%" in text else "count"
    for field in kb.fields_:
        owners = kb.records_with(field.label)
        if len(owners) >= 2 and any(f.value.kind == kind for k in owners for f in k.record.fields
                                    if f.label == field.label):
            return field
    return None


def _place_of(record: Record) -> tuple[str, str]:
    city, _, region = (record.place or "").partition(",")
    return city.strip(), region.strip()


def _matches_place(record: Record, ask: Ask, codes: dict[str, str]) -> bool:
    city, region = _place_of(record)
    return any(p == region or p == city or codes.get(p) == region for p in ask.places)


def _in_place(kb: Knowledge, ask: Ask, named: list[RecordKey]) -> Reply:
    codes = kb.comparisons_.codes
    where = " or ".join(codes.get(p, p) for p in ask.places)
    lines = []
    for k in named:
        yes = _matches_place(k.record, ask, codes)
        lines.append(f"{'Yes' if yes else 'No'}: {k.record.name} is in {k.record.place}"
                     + ("." if yes else f", not {where}."))
    return _reply(" ".join(lines), named, LOCATION)


def _compare(query: Query, kb: Knowledge, ask: Ask, keys: list[RecordKey]) -> Reply:
    field = _field_for(query, kb, ask, keys)
    if field is None or field.label == LOCATION:
        labels = [f.label for f in keys[0].record.fields]
        head = " vs ".join(k.record.name for k in keys) + ":"
        rows = []
        if any(k.record.place for k in keys):
            rows.append("  \u2022 location: " + " | ".join(k.record.place or "N/A" for k in keys))
        rows += ["  \u2022 " + _label(lab) + ": " + " | ".join(_raw(k.record, lab) for k in keys)
                 for lab in labels]
        return _reply(head + "\n" + "\n".join(rows), keys, None, intent="compare")
    label = _label(field.label)
    side = "; ".join(f"{k.record.name} {_raw(k.record, field.label)}" for k in keys)
    text = f"{label[0].upper() + label[1:]}: {side}."
    rated = [(k, _number(k.record, field.label)) for k in keys]
    missing = [k for k, n in rated if n is None]
    if missing:
        absent = [k for k in missing if not _unusable(k.record, field.label)]
        said = f" {_names(absent)} does not report it (N/A), so they cannot be compared on it." if absent else ""
        unusable = _unusable_note(kb, missing, field.label, "then_not_compared")
        return _reply(f"{text}{said} {unusable}".rstrip(), keys, field.label, intent="compare")
    direction = ask.direction or "low"
    best = (max if direction == "high" else min)(n for _, n in rated)
    winners = [k for k, n in rated if n == best]
    if len(winners) == len(keys):
        verdict = f"They have the same {label}."
        if ask.yes_no:
            verdict = "No: " + verdict[0].lower() + verdict[1:]
    else:
        word = ("higher" if direction == "high" else "lower") if len(keys) == 2 else \
            ("highest" if direction == "high" else "lowest")
        verdict = f"{_names(winners)} {'has' if len(winners) == 1 else 'have'} the {word} {label}."
        if ask.yes_no:
            verdict = ("Yes: " if keys[0] in winners else "No: ") + verdict
    return _reply(f"{text} {verdict}", keys, field.label, intent="compare")


def _ranked(kb: Knowledge, ask: Ask, field: FieldKey, owners: list[RecordKey], where: str = "") -> Reply:
    label = _label(field.label)
    rated = [(k, _number(k.record, field.label)) for k in owners]
    available = [(k, n) for k, n in rated if n is not None]
    missing = [k for k, n in rated if n is None]
    kinds = {f.value.kind for k, _ in available for f in k.record.fields if f.label == field.label}
    descending = ask.direction == "high" if ask.direction else "money" not in kinds
    available.sort(key=lambda kn: -kn[1] if descending else kn[1])
    order = "highest first" if descending else "lowest first"
    rows = [f"  {i}. {k.record.name}: {_raw(k.record, field.label)}" for i, (k, _) in enumerate(available, 1)]
    text = f"{_noun(kb, owners).capitalize()}{where} by {label} ({order}):\n" + "\n".join(rows)
    absent = [k for k in missing if not _unusable(k.record, field.label)]
    if absent:
        text += "\n  Not reported: " + ", ".join(k.record.name for k in absent) + "."
    if len(absent) < len(missing):
        text += "\n  " + _unusable_note(kb, missing, field.label, "then_left_out").rstrip()
    return _reply(text, [k for k, _ in available] + missing, field.label, intent="list")
