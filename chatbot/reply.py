"""Decision -> reply: the words, from the lexicon's ``texts``, filled in with keyword arguments.

``respond`` runs the pipeline for one question: ``candidates.gather`` (what matching finds),
``decide.decide`` (the one place that chooses) and ``compose`` (the words). Nothing here
chooses; every sentence is a lexicon text, so the wording is data.
"""

from __future__ import annotations

from dataclasses import replace

from .candidates import Passage, gather
from .compare import Comparison, Filtered, InPlaces, Ranking, Superlative, unusable
from .decide import Decision, Decline, Intent, decide, field_value
from .index import LOCATION, FieldKey, Knowledge, RecordKey
from .model import Context, Record, Reply, Suggestion, Unit, Value
from .names import own_career
from .text import Lexicon

NEAR_MISS = 0.15          # a declined question whose best passage scores this much gets "did you mean"

# What ``Reply.intent`` says for each kind of decision (a passage says its unit's kind).
REPLY_INTENT = {
    Intent.CHITCHAT: "chitchat", Intent.GOODBYE: "goodbye", Intent.DECLINE: "decline",
    Intent.VALUE: "value", Intent.RECORD: "record", Intent.LIST: "list",
    Intent.SUPERLATIVE: "across", Intent.FILTER: "across", Intent.NONE_FOUND: "across", Intent.IN_PLACE: "across",
    Intent.COMPARE: "compare", Intent.SIDE_BY_SIDE: "compare", Intent.RANKED: "list",
}


def respond(question: str, kb: Knowledge, context: Context | None = None) -> Reply:
    """Answer one question from one knowledge base. Pure: reads ``kb``, never changes it.

    ``context`` is what the previous reply was about: a question that names an attribute but
    no record ("what about its graduation rate?"), or a record but no attribute ("what about
    SNHU?"), reuses the other half.
    """
    return compose(decide(gather(own_career_named(question, kb), kb, context)), kb)


def own_career_named(question: str, kb: Knowledge) -> str:
    """The question with the guide's own career, named by a short form ("rad tech", "surg techs",
    "medical asistant"), written as the guide names it, so that it is read as the subject."""
    subject = kb.document.subject
    if not subject:
        return question
    named, _, text = own_career(subject).named(question, kb.lexicon.stopwords)
    return text if named else question


def compose(d: Decision, kb: Knowledge) -> Reply:
    """The reply that words a decision."""
    reply = with_other_answers(kb, _compose(d, kb))
    if d.cut is not None:
        reply = replace(reply, text=reply.text + "\n" + kb.lexicon.text("cut", limit=str(d.cut)))
    return reply


def _compose(d: Decision, kb: Knowledge) -> Reply:
    lex = kb.lexicon
    if d.smalltalk is not None:
        subject = kb.document.subject or kb.document.title
        text = d.smalltalk.reply.format(subject=subject, topics=", ".join(kb.topics_) or kb.document.title)
        return Reply(text, d.intent is not Intent.DECLINE, d.confidence, intent=REPLY_INTENT[d.intent])
    if d.intent is Intent.DECLINE:
        words = d.words
        if d.records and d.reason is Decline.ABOUT:  # "football team at Western Governors University"
            # said not to be known, then what the guide does give of the record: "do they just let
            # everybody in at X" is answered by its admission rate even when the words cannot tell
            key = d.records[0]
            text = "\n".join((lex.text(d.reason.value, words=lex.text("about_of", what=words, name=key.record.name)),
                              lex.text("it_gives", summary=record_summary(lex, key.record))))
            return Reply(text, False, d.confidence, None, key.unit, (), "decline", (),
                         Context((key.record.name,)))
        if d.records:  # a figure these records do not have: "the graduation rate of Capella University"
            words = lex.text("figure_of", what=words or _label(lex, d.field.label), name=d.records[0].record.name)
        return decline(kb, d.ranked, reason=d.reason.value, words=words, confidence=d.confidence)
    if d.intent in (Intent.PASSAGE, Intent.UNIT):
        unit = d.unit
        alternatives = tuple(kb.units_[p.index] for p in d.ranked[1:4])
        context = Context((unit.record.name,), None) if unit.record is not None else Context()
        return Reply(unit_text(lex, unit), True, d.confidence, d.figure, unit, alternatives, unit.kind, (), context)
    if d.intent is Intent.VALUE:
        return _values(kb, d)
    if d.intent is Intent.RECORD:
        return _summaries(kb, d)
    if d.intent is Intent.LIST:
        return _list(kb, d)
    text, keys, label, short = _across(kb, d)
    context = Context(tuple(k.record.name for k in keys), label)
    source = keys[0].unit if keys else None
    return Reply(text, True, d.confidence, short, source, tuple(k.unit for k in keys[1:4]), REPLY_INTENT[d.intent],
                 (), context)


# ---------------------------------------------------------------- words for records and values

def _label(lex: Lexicon, label: str) -> str:
    return lex.text("location") if label == LOCATION else label.lower()


def _capital(text: str) -> str:
    return text[0].upper() + text[1:]


def _names(lex: Lexicon, names: list[str], joiner: str = "and") -> str:
    """"A", "A and B", "A, B and C"."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" {lex.text(joiner)} " + names[-1]


def _record_names(lex: Lexicon, keys: tuple[RecordKey, ...] | list[RecordKey]) -> str:
    return _names(lex, [k.record.name for k in keys])


def _value_phrase(kb: Knowledge, field: FieldKey, raw: str) -> str:
    unit = next((kb.lexicon.value_units[t] for t in field.terms if t in kb.lexicon.value_units), None)
    return f"{raw} {unit}" if unit else raw


def _short(value: Value) -> str | None:
    """The precise value a reply may give: never one that cannot be read or that the guide gives twice."""
    return None if value.kind in ("unreadable", "conflict") else value.raw


def value_sentence(kb: Knowledge, record: Record, field: FieldKey, *, explicit: bool = False,
                   both: bool = False) -> tuple[str, str | None]:
    """One sentence stating a record's value, and the value itself: ("…is 20%.", "20%").

    The record's other values of the same kind follow in brackets when they are the same figure
    ("(out-of-state tuition: $7,404)"), unless the question named this one explicitly
    ("out-of-state tuition"). A different figure is not given unasked: the question named one
    value, and the sentence says which ("in-state tuition"). ``both``: the question weighs them
    against each other ("in state vs out of state"), so they follow whatever they are."""
    raw, available = field_value(record, field.label)
    lex = kb.lexicon
    label = _label(lex, field.label)
    if not available:
        value = record.get(field.label).value
        if value.kind in ("unreadable", "conflict"):  # say so; never pick one value, never a figure
            return lex.text(value.kind, name=record.name, label=label, raw=value.raw), None
        return lex.text("not_available", name=record.name, article=_article(label), label=label,
                        raw=raw), raw
    phrase = _value_phrase(kb, field, raw)
    key = "own_value" if record.own_section else "value"
    sentence = lex.text(key, name=record.name, label=label, value=phrase)
    siblings = [f for f in record.fields
                if not explicit and f.label != field.label and kb.field_by_label_[f.label].head == field.head
                and (f.value.shown == raw or (both and f.value.available))]
    if siblings:
        others = "; ".join(lex.text("label_value", label=_label(lex, f.label), value=f.value.shown) for f in siblings)
        sentence = lex.text("with_others", sentence=sentence[:-1], others=others)
    if record.note:
        sentence += " " + record.note
    return sentence, raw


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def record_summary(lex: Lexicon, record: Record) -> str:
    """Everything the document says about one record, compactly."""
    head = lex.text("record_acronym", name=record.name, acronym=record.acronym) if record.acronym else record.name
    if record.place:
        head = lex.text("record_place", name=head, place=record.place)
    if record.fields:
        figures = "; ".join(lex.text("record_figure", label=_label(lex, f.label), value=f.value.shown)
                            for f in record.fields)
        text = lex.text("record_summary", head=head, figures=figures)
    else:
        text = lex.text("record_described", head=head, description=record.description or "").rstrip(": ")
    if record.note:
        text += " " + record.note
    return text


def unit_text(lex: Lexicon, unit: Unit) -> str:
    """What the user is shown for a passage."""
    if unit.record is not None:
        return record_summary(lex, unit.record)
    if unit.kind == "fact" and unit.title != unit.section and not unit.text.startswith(unit.title):
        return lex.text("label_value", label=unit.title, value=unit.text)
    return unit.text


def _alternatives(kb: Knowledge, ranked: tuple[Passage, ...], source: Unit) -> tuple[Unit, ...]:
    return tuple(kb.units_[p.index] for p in ranked[:3] if kb.units_[p.index] is not source)


def _values(kb: Knowledge, d: Decision) -> Reply:
    sentences, shorts = [], []
    for key in d.records:
        for field in (d.field, *d.more):
            if field_value(key.record, field.label) is None:
                continue
            sentence, raw = value_sentence(kb, key.record, field, explicit=d.explicit or field != d.field,
                                           both=d.both)
            sentences.append(sentence)
            shorts.append(raw)
    source = d.records[0].unit
    short = shorts[0] if len(shorts) == 1 else None
    context = Context(tuple(k.record.name for k in d.records), d.field.label)
    return Reply(" ".join(sentences), True, d.confidence, short, source, _alternatives(kb, d.ranked, source),
                 "value", (), context)


def _summaries(kb: Knowledge, d: Decision) -> Reply:
    lex = kb.lexicon
    rec = d.records[0].record
    short = None
    if len(d.records) == 1 and rec.own_section and rec.fields:
        # A section of figures (the salary): state each figure; the first is the headline.
        figures = "; ".join(lex.text("own_figure", label=_label(lex, f.label),
                                     value=_value_phrase(kb, kb.field_by_label_[f.label], f.value.shown))
                            for f in rec.fields)
        text = lex.text("own_summary", name=rec.name, figures=figures) + (f" {rec.note}" if rec.note else "")
        short = _short(rec.fields[0].value)
    else:
        text = "\n".join(record_summary(lex, k.record) for k in d.records)
    source = d.records[0].unit
    context = Context(tuple(k.record.name for k in d.records), None)
    return Reply(text, True, d.confidence, short, source, _alternatives(kb, d.ranked, source), "record", (), context)


def _list(kb: Knowledge, d: Decision) -> Reply:
    lex, owners, field = kb.lexicon, d.records, d.field
    head = lex.text("list_value", label=field.label, group_noun=kb.topic_name(owners[0].record.group))
    rows = [lex.text("row", name=k.record.name, value=field_value(k.record, field.label)[0]) for k in owners]
    context = Context(tuple(k.record.name for k in owners), field.label)
    return Reply(head + "\n" + "\n".join(rows), True, d.confidence, None, owners[0].unit,
                 tuple(k.unit for k in owners[1:4]), "list", (), context)


# ---------------------------------------------------------------- words for questions across records

def _noun(kb: Knowledge, records: tuple[RecordKey, ...]) -> str:
    """What the records are called, from their section's topic: "Best Schools" -> "schools"."""
    topic = kb.topic_name(records[0].record.group).split()
    return topic[-1].lower() if topic else kb.lexicon.text("records")


def _raw(lex: Lexicon, record: Record, label: str) -> str:
    f = record.get(label)
    return f.value.shown if f is not None else lex.text("na")


def _format_bound(kb: Knowledge, label: str, value: float) -> str:
    kinds = {f.value.kind for k in kb.records_with(label) for f in k.record.fields if f.label == label}
    if "money" in kinds:
        return f"${value:,.0f}" if value == int(value) else f"${value:,.2f}"
    if "percent" in kinds:
        return f"{value:,.0f}%" if value == int(value) else f"{value:g}%"
    return f"{value:,.0f}" if value == int(value) else f"{value:,}"


def _missing_note(lex: Lexicon, label: str, missing: tuple[RecordKey, ...], total: int, noun: str) -> str:
    """Which records have no value to rank ("… is not reported for 1 of 6 schools (Capella University). "),
    then which have one that cannot be read or is given twice; each sentence followed by a space."""
    unusable_note = _unusable_note(lex, missing, label, "then_left_out")
    missing = tuple(k for k in missing if not unusable(k.record, label))
    if not missing:
        return unusable_note
    said = _capital(_label(lex, label))
    values = dict(label=said, count=str(len(missing)), total=str(total), noun=noun)
    if len(missing) <= 2:
        note = lex.text("not_reported_named", names=", ".join(k.record.name for k in missing), **values)
    else:
        note = lex.text("not_reported", **values)
    return note + " " + unusable_note


def _unusable_note(lex: Lexicon, keys: tuple[RecordKey, ...], label: str, then: str) -> str:
    """Say which records' values could not be read or are given twice, and what follows ("it is left out")."""
    notes = []
    for kind, key in (("unreadable", "unreadable_values"), ("conflict", "conflicting_values")):
        which = [k for k in keys if unusable(k.record, label) == kind]
        if which:
            notes.append(lex.text(key, label=_label(lex, label), names=_record_names(lex, which), then=lex.text(then)))
    return "".join(note + " " for note in notes)


def _across(kb: Knowledge, d: Decision) -> tuple[str, tuple[RecordKey, ...], str | None, str | None]:
    """The text of a reply across records, the records it is about, its attribute and its short value."""
    lex, outcome = kb.lexicon, d.outcome
    where = f" {lex.text('or')} ".join(d.places)
    if d.intent is Intent.IN_PLACE:
        assert isinstance(outcome, InPlaces)
        lines = [lex.text("in_place_yes", name=k.record.name, place=k.record.place) if yes
                 else lex.text("in_place_no", name=k.record.name, place=k.record.place, places=where)
                 for k, yes in outcome.answers]
        return " ".join(lines), d.records, LOCATION, None
    if d.intent is Intent.SIDE_BY_SIDE:
        return _side_by_side(lex, d.records), d.records, None, None
    if d.intent is Intent.COMPARE:
        assert isinstance(outcome, Comparison)
        return _comparison(lex, d, outcome), d.records, d.field.label, None
    if d.intent in (Intent.FILTER, Intent.NONE_FOUND):
        assert isinstance(outcome, Filtered)
        return _filtered(kb, d, outcome, where), outcome.keep, d.field.label if d.field else LOCATION, None
    noun = _noun(kb, d.records)
    scope = " " + lex.text("in_places", places=where) if d.places else ""
    if d.intent is Intent.RANKED:
        assert isinstance(outcome, Ranking)
        text = _ranking(lex, d.field.label, outcome, noun.capitalize() + scope)
        return text, outcome.ordered + outcome.missing, d.field.label, None
    noun += scope
    label = _label(lex, d.field.label)
    assert isinstance(outcome, Superlative)
    note = _missing_note(lex, d.field.label, outcome.missing, len(d.records), noun)
    if not outcome.winners:
        return note + lex.text("none_report"), (), d.field.label, None
    names = _record_names(lex, outcome.winners)
    word = lex.text("highest" if d.direction == "high" else "lowest")
    if outcome.rank > 1:  # "the second highest"
        word = lex.text("nth", ordinal=d.rank_word, word=word)
    text = lex.text("superlative" if len(outcome.winners) == 1 else "superlative_tie", names=names, word=word,
                    label=label,
                    value=_raw(lex, outcome.winners[0].record, d.field.label))
    if note:
        text = note + lex.text("of_the_rest", text=text)
    elif d.places:
        text = lex.text("of_the", noun=noun, text=text)
    if len(outcome.winners) == 1:  # "… and where is it": the winner's other attributes asked
        record = outcome.winners[0].record
        text = " ".join([text, *(value_sentence(kb, record, f, explicit=True)[0] for f in d.more
                                 if field_value(record, f.label) is not None)])
    return text, outcome.winners, d.field.label, names  # "which school…": the school


def _filtered(kb: Knowledge, d: Decision, outcome: Filtered, where: str) -> str:
    lex, owners, field = kb.lexicon, d.records, d.field
    noun = _noun(kb, owners)
    if d.gap is not None and d.gap[0] == "unreported" and field is not None:  # "which schools don't report …"
        values = dict(label=_label(lex, field.label), total=str(len(owners)), noun=noun)
        if not outcome.keep:
            return lex.text("unreported_none", **values)
        rows = [lex.text("row_place", name=k.record.name, place=k.record.place) if k.record.place
                else lex.text("row", name=k.record.name, value=lex.text("na")) for k in outcome.keep]
        values["label"] = _capital(values["label"])
        return lex.text("unreported_head", count=str(len(outcome.keep)), **values) + "\n" + "\n".join(rows)
    said, none = [], []
    if d.places:
        said.append(lex.text("in_places", places=where))
        none.append(lex.text("none_in", places=where))
    if d.bound and field is not None:
        kind, limit, inclusive = d.bound
        word = ("at_least" if inclusive else "over") if kind == "above" else ("at_most" if inclusive else "under")
        wanted = lex.text("bound", label=_label(lex, field.label), word=lex.text(word),
                          bound=_format_bound(kb, field.label, limit))
        if d.upper is not None:  # "between $20 and $25"
            wanted = lex.text("bound_between", label=_label(lex, field.label),
                              low=_format_bound(kb, field.label, limit),
                              high=_format_bound(kb, field.label, d.upper[1]))
        said.append(lex.text("filter_with", condition=wanted))
        none.append(lex.text("none_with", condition=wanted))
    note = _missing_note(lex, field.label, outcome.missing, len(owners), noun) if field is not None else ""
    if d.gap is not None and field is not None:  # "which schools charge out-of-state students more"
        kind, inside = d.gap
        wanted = lex.text(f"gap_{kind}", outside=_label(lex, field.label), inside=_label(lex, inside.label))
        said.append(wanted)
        none.append(lex.text("none_with", condition=wanted))
    if not outcome.keep:
        conditions = f" {lex.text('and')} ".join(none)
        text = lex.text("none_found", count=str(len(owners)), noun=noun, conditions=conditions) + " " + note
        return text.strip()
    if field is not None and d.gap is not None:
        inside = d.gap[1]
        rows = [lex.text("row_pair", name=k.record.name, first=_raw(lex, k.record, inside.label),
                         first_label=_label(lex, inside.label), second=_raw(lex, k.record, field.label),
                         second_label=_label(lex, field.label)) for k in outcome.keep]
    elif field is not None and d.bound:
        rows = [lex.text("row", name=k.record.name, value=_raw(lex, k.record, field.label)) for k in outcome.keep]
    else:
        rows = [lex.text("row_place", name=k.record.name, place=k.record.place) for k in outcome.keep]
    head = lex.text("filter_head", noun=noun.capitalize(), conditions=" ".join(said))
    return head + "\n" + "\n".join(rows) + (f"\n{note.strip()}" if note else "")


def _side_by_side(lex: Lexicon, keys: tuple[RecordKey, ...]) -> str:
    head = lex.text("side_by_side_head", names=f" {lex.text('versus')} ".join(k.record.name for k in keys))
    rows = []
    if any(k.record.place for k in keys):
        rows.append(lex.text("row", name=lex.text("location"),
                             value=" | ".join(k.record.place or lex.text("na") for k in keys)))
    rows += [lex.text("row", name=_label(lex, f.label), value=" | ".join(_raw(lex, k.record, f.label) for k in keys))
             for f in keys[0].record.fields]
    return head + "\n" + "\n".join(rows)


def _comparison(lex: Lexicon, d: Decision, outcome: Comparison) -> str:
    keys, label = d.records, d.field.label
    said = _label(lex, label)
    values = "; ".join(lex.text("name_value", name=k.record.name, value=_raw(lex, k.record, label)) for k in keys)
    text = lex.text("compare_values", label=_capital(said), values=values)
    if outcome.missing:
        absent = [k for k in outcome.missing if not unusable(k.record, label)]
        missing = " " + lex.text("compare_missing", names=_record_names(lex, absent)) if absent else ""
        unusable_note = _unusable_note(lex, outcome.missing, label, "then_not_compared")
        return f"{text}{missing} {unusable_note}".rstrip()
    winners = outcome.winners
    if len(winners) == len(keys):
        verdict = lex.text("same_no" if d.yes_no else "same", label=said)
    else:
        high = d.direction == "high"
        word = ("higher" if high else "lower") if len(keys) == 2 else ("highest" if high else "lowest")
        verdict = lex.text("compare_winner" if len(winners) == 1 else "compare_winners",
                           names=_record_names(lex, winners), word=lex.text(word), label=said)
        if d.yes_no:
            verdict = lex.text("verdict_yes" if keys[0] in winners else "verdict_no", verdict=verdict)
    return f"{text} {verdict}"


def _ranking(lex: Lexicon, label: str, outcome: Ranking, noun: str) -> str:
    order = lex.text("highest_first" if outcome.descending else "lowest_first")
    rows = [lex.text("numbered", n=str(i), text=lex.text("label_value", label=k.record.name,
                                                         value=_raw(lex, k.record, label)))
            for i, k in enumerate(outcome.ordered, 1)]
    text = lex.text("ranked_head", noun=noun, label=_label(lex, label), order=order) + "\n" + "\n".join(rows)
    absent = [k for k in outcome.missing if not unusable(k.record, label)]
    if absent:
        text += "\n" + lex.text("not_reported_list", names=", ".join(k.record.name for k in absent))
    if len(absent) < len(outcome.missing):
        text += "\n  " + _unusable_note(lex, outcome.missing, label, "then_left_out").rstrip()
    return text


# ---------------------------------------------------------------- declines, suggestions, picked passages

def suggestions(kb: Knowledge, ranked: tuple[Passage, ...], *, n: int = 3) -> list[Suggestion]:
    """Questions the bot can answer: near misses first, then one of each kind the document has."""
    t = kb.lexicon.question_templates
    lex = kb.lexicon
    out: list[Suggestion] = []

    def ask_about(unit: Unit) -> str:
        if unit.kind == "faq":
            return unit.title
        if unit.record is not None:
            return t["entity"].format(name=unit.record.name)
        return t["topic"].format(title=unit.title)

    for i, score in ranked:
        if score >= NEAR_MISS:
            out.append(Suggestion(ask_about(kb.units_[i]), kb.units_[i]))
    own = [k for k in kb.record_keys_ if k.record.own_section and k.record.fields]
    group = [k for k in kb.record_keys_ if not k.record.own_section and k.record.fields]
    if own:
        out.append(Suggestion(t["own_field"].format(label=_label(lex, own[0].record.fields[0].label))))
    if group:
        out.append(Suggestion(t["record_field"].format(label=_label(lex, group[0].record.fields[0].label),
                                                       name=group[0].record.name)))
    out += [Suggestion(u.title, u) for u in kb.first_faqs_]
    unique = {s.question: s for s in reversed(out)}  # the first of equal questions wins
    return [unique[q] for q in dict.fromkeys(s.question for s in out)][:n]


def decline(kb: Knowledge, ranked: tuple[Passage, ...], *,
            reason: str = Decline.NOTHING.value, words: str = "", confidence: float = 0.0) -> Reply:
    """Say what the bot does not know, what it can answer, and 2-3 numbered questions to ask."""
    lex = kb.lexicon
    subject = kb.document.subject or kb.document.title
    offered = suggestions(kb, ranked)
    near = bool(ranked) and ranked[0][1] >= NEAR_MISS
    lines = [lex.text(reason, words=words),
             lex.text("can_answer", subject=subject, topics=", ".join(kb.topics_)) if kb.topics_
             else lex.text("can_answer_pairs", subject=subject),
             lex.text("did_you_mean" if near else "try")]
    lines += [lex.text("numbered", n=str(n), text=s.question) for n, s in enumerate(offered, 1)]
    alternatives = tuple(kb.units_[i] for i, _ in ranked[:3])
    return Reply("\n".join(lines), False, confidence, None, None, alternatives, "decline", tuple(offered))


def reply_for_unit(kb: Knowledge, unit: Unit) -> Reply:
    """The reply that states one unit: what picking a numbered suggestion gives."""
    return compose(Decision(Intent.UNIT, unit=unit), kb)


def with_other_answers(kb: Knowledge, reply: Reply) -> Reply:
    """A reply from an FAQ entry that has several answers: the first, then the others offered by number.

    Typing a number (``Conversation``) answers with that answer; the offer replaces any suggestions.
    """
    unit = reply.source
    if not reply.answered or reply.intent != "faq" or unit is None or len(unit.answers) < 2:
        return reply
    others = unit.answers[1:]
    offered = tuple(Suggestion(_preview(a), replace(unit, text=a, answers=())) for a in others)
    lex = kb.lexicon
    head = lex.text("one_more_answer" if len(others) == 1 else "more_answers", count=str(len(others)))
    lines = [reply.text, head] + [lex.text("numbered", n=str(n), text=s.question) for n, s in enumerate(offered, 1)]
    return replace(reply, text="\n".join(lines), suggestions=offered)


def _preview(text: str, width: int = 70) -> str:
    """The start of an answer, cut at a word: what a numbered offer shows of it."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    return text[:width].rsplit(" ", 1)[0].rstrip(",;:") + "\u2026"
