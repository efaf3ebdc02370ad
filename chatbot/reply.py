"""Candidates -> reply: a precise value, a record summary, a list, a passage, or a decline.

``respond`` is the one place that chooses. It prefers, in order: chit-chat; an FAQ question
asked nearly word for word; a value of a named record (or of the one record that has the attribute); a
list of that attribute across records; the best passage. It declines when the question is
about something the document does not contain, rather than give a figure for something else.
"""

from __future__ import annotations

from dataclasses import replace

from .compare import answer_across, records_in_asked_places
from .index import LOCATION, FieldKey, Knowledge, RecordKey
from .match import (
    Query,
    absent_names,
    figure_evidence,
    foreign_terms,
    link_records,
    make_query,
    match_fields,
    named_things,
    near_copy,
    near_misses,
    other_role,
    passage_confidence_score,
    rank_units,
    semantic_field,
    unknown_share,
)
from .model import Context, Record, Reply, Suggestion, Unit, Value
from .smalltalk import Smalltalk, default_smalltalk
from .text import too_large

UNKNOWN_DECLINE = 0.6     # decline a passage when more than half of the question is unknown words


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _label(label: str) -> str:
    return "location" if label == LOCATION else label.lower()


def _value_phrase(kb: Knowledge, field: FieldKey, raw: str) -> str:
    unit = next((kb.lexicon.value_units[t] for t in field.terms if t in kb.lexicon.value_units), None)
    return f"{raw} {unit}" if unit else raw


def field_value(record: Record, label: str) -> tuple[str, bool] | None:
    """The raw value of a label on a record and whether it is available; None if it has none."""
    if label == LOCATION:
        return (record.place, True) if record.place else None
    f = record.get(label)
    return (f.value.shown, f.value.available) if f else None


def _short(value: Value) -> str | None:
    """The precise value a reply may give: never one that cannot be read or that the guide gives twice."""
    return None if value.kind in ("unreadable", "conflict") else value.raw


def value_sentence(kb: Knowledge, record: Record, field: FieldKey, *, explicit: bool = False
                   ) -> tuple[str, str | None]:
    """One sentence stating a record's value, and the value itself: ("…is 20%.", "20%").

    The record's other values of the same kind follow in brackets ("(out-of-state tuition:
    …)") unless the question named this one explicitly ("out-of-state tuition")."""
    raw, available = field_value(record, field.label)
    lex = kb.lexicon
    label = _label(field.label)
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
                if not explicit and f.label != field.label and kb.field_by_label_[f.label].head == field.head]
    if siblings:
        others = "; ".join(f"{_label(f.label)}: {f.value.shown}" for f in siblings)
        sentence = f"{sentence[:-1]} ({others})."
    if record.note:
        sentence += " " + record.note
    return sentence, raw


def record_summary(record: Record) -> str:
    """Everything the document says about one record, compactly."""
    head = record.name + (f" ({record.acronym})" if record.acronym else "")
    if record.place:
        head += f", {record.place}"
    if record.fields:
        body = "; ".join(f"{_label(f.label)} {f.value.shown}" for f in record.fields)
        text = f"{head}: {body}."
    else:
        text = f"{head}: {record.description or ''}".rstrip(": ")
    if record.note:
        text += " " + record.note
    return text


def unit_text(unit: Unit) -> str:
    """What the user is shown for a passage."""
    if unit.record is not None:
        return record_summary(unit.record)
    if unit.kind == "fact" and unit.title != unit.section and not unit.text.startswith(unit.title):
        return f"{unit.title}: {unit.text}"
    return unit.text


NEAR_MISS = 0.15          # a declined question whose best passage scores this much gets "did you mean"


def suggestions(kb: Knowledge, ranked: list[tuple[int, float]], *, n: int = 3) -> list[Suggestion]:
    """Questions the bot can answer: near misses first, then one of each kind the document has."""
    t = kb.lexicon.question_templates
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
        out.append(Suggestion(t["own_field"].format(label=_label(own[0].record.fields[0].label))))
    if group:
        out.append(Suggestion(t["record_field"].format(label=_label(group[0].record.fields[0].label),
                                                       name=group[0].record.name)))
    out += [Suggestion(u.title, u) for u in kb.first_faqs_]
    unique = {s.question: s for s in reversed(out)}  # the first of equal questions wins
    return [unique[q] for q in dict.fromkeys(s.question for s in out)][:n]


def decline(kb: Knowledge, ranked: list[tuple[int, float]], *,
            reason: str = "decline", words: str = "", confidence: float = 0.0) -> Reply:
    """Say what the bot does not know, what it can answer, and 2-3 numbered questions to ask."""
    lex = kb.lexicon
    subject = kb.document.subject or kb.document.title
    offered = suggestions(kb, ranked)
    near = bool(ranked) and ranked[0][1] >= NEAR_MISS
    lines = [lex.text(reason, words=words),
             lex.text("can_answer", subject=subject, topics=", ".join(kb.topics_)) if kb.topics_
             else lex.text("can_answer_pairs", subject=subject),
             lex.text("did_you_mean" if near else "try")]
    lines += [f"  {n}. {s.question}" for n, s in enumerate(offered, 1)]
    alternatives = tuple(kb.units_[i] for i, _ in ranked[:3])
    return Reply("\n".join(lines), False, confidence, None, None, alternatives, "decline", tuple(offered))


def chitchat_reply(kb: Knowledge, kind: Smalltalk) -> Reply:
    subject = kb.document.subject or kb.document.title
    text = kind.reply.format(subject=subject, topics=", ".join(kb.topics_) or kb.document.title)
    if kind.declines:
        return Reply(text, False, 0.0, intent="decline")
    return Reply(text, True, 1.0, intent="goodbye" if kind.ends else "chitchat")


def reply_for_unit(kb: Knowledge, unit: Unit) -> Reply:
    """The reply that states one unit: what picking a numbered suggestion gives."""
    context = Context((unit.record.name,), None) if unit.record is not None else Context()
    return with_other_answers(kb, Reply(unit_text(unit), True, 1.0, None, unit, (), unit.kind, (), context))


def with_other_answers(kb: Knowledge, reply: Reply) -> Reply:
    """A reply from an FAQ entry that has several answers: the first, then the others offered by number.

    Typing a number (``Conversation``) answers with that answer; the offer replaces any suggestions.
    """
    unit = reply.source
    if not reply.answered or reply.intent != "faq" or unit is None or len(unit.answers) < 2:
        return reply
    others = unit.answers[1:]
    offered = tuple(Suggestion(_preview(a), replace(unit, text=a, answers=())) for a in others)
    head = kb.lexicon.text("one_more_answer" if len(others) == 1 else "more_answers", count=str(len(others)))
    lines = [reply.text, head] + [f"  {n}. {s.question}" for n, s in enumerate(offered, 1)]
    return replace(reply, text="\n".join(lines), suggestions=offered)


def _preview(text: str, width: int = 70) -> str:
    """The start of an answer, cut at a word: what a numbered offer shows of it."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    return text[:width].rsplit(" ", 1)[0].rstrip(",;:") + "\u2026"


def too_large_number(query: Query) -> str | None:
    """A number in the question beyond any figure a guide gives, shortened for a reply; else None."""
    huge = next((s for s in query.stems if too_large(s)), None)
    if huge is None:
        return None
    digits = huge.split(".")[0]
    return f"{digits[:6]}\u2026 ({len(digits)} digits)" if len(digits) > 12 else huge


def respond(question: str, kb: Knowledge, context: Context | None = None) -> Reply:
    """Answer one question from one knowledge base. Pure: reads ``kb``, never changes it.

    ``context`` is what the previous reply was about: a question that names an attribute but
    no record ("what about its graduation rate?"), or a record but no attribute ("what about
    SNHU?"), reuses the other half.
    """
    kind = default_smalltalk().match(question)
    if kind is not None:
        return chitchat_reply(kb, kind)
    query = make_query(question, kb)
    reply = with_other_answers(kb, _respond(query, kb, context or Context()))
    if query.cut:
        note = kb.lexicon.text("cut", limit=str(len(query.text)))
        reply = replace(reply, text=reply.text + "\n" + note)
    return reply


def _respond(query: Query, kb: Knowledge, context: Context) -> Reply:
    if huge := too_large_number(query):  # "schools under $10^400": no figure is that large
        return decline(kb, [], reason="decline_too_large", words=huge)
    if not query.terms:
        return decline(kb, [])
    ranked = rank_units(query, kb, k=6)
    unknown = query.words(query.unknown)
    best = ranked[0][1] if ranked else 0.0
    role = other_role(query, kb)
    if role:  # "how do I become a registered nurse?": another career than the guide's
        return decline(kb, ranked, reason="decline_unknown", words=query.words(role),
                       confidence=_scaled(best, len(role), query, kb))

    # 1. An FAQ question asked nearly word for word is answered by its own answer.
    for i, _ in ranked:
        if kb.units_[i].kind == "faq" and near_copy(query, kb, i):
            best = [(i, 1.0)] + [r for r in ranked if r[0] != i]
            return _passage(kb, best, 1.0)  # confidence 1: the question is the entry's own

    # 2. Questions across records: superlatives, filters, comparisons, ranked tables.
    linked = link_records(query, kb)
    if not linked:
        missed = near_misses(query, kb)
        if missed:
            # "university of arizona tuition": another school that shares a word with one listed
            words = [t for t in query.terms if t in kb.kind_terms_ or t in missed[0].name_terms or t in query.unknown]
            return decline(kb, ranked, reason="decline_value", words=query.words(words))
        if context.records:
            # "…grad rate at X?" then "and the florida one?": the one record in that place
            placed = records_in_asked_places(query, kb)
            if len(placed) == 1:
                linked = [(placed[0], 0.75)]
    across = answer_across(query, kb, linked, context)
    if across is not None:
        return across

    # 3. Records and their attributes, the previous reply's filling in what this one leaves out.
    remembered = [kb.record_by_name_[name] for name in context.records if name in kb.record_by_name_]
    if linked and not figure_evidence(query, kb, [k for k, _ in linked]):
        linked = []  # "how do I make sourdough bread": "make" reached the salary, nothing else did
    if linked:
        best_link = linked[0][1]
        group = linked[0][0].record.group
        keys = [k for k, _ in linked if k.record.group == group]
        fields = match_fields(query, kb, keys) or semantic_field(query, kb, keys)
        foreign = named_things(query, kb, keys) if any(k.record.fields for k in keys) else []
        if foreign:  # a figure would be about something else: "salary in california"
            return decline(kb, ranked, reason="decline_value", words=query.words(foreign),
                           confidence=_scaled(_value_confidence(best_link), len(foreign), query, kb))
        if not fields and context.attribute and _only_names(query, kb, keys):
            follow = kb.field_by_label_[context.attribute]
            if all(field_value(k.record, follow.label) is not None for k in keys):
                return _values(kb, keys, follow, ranked, best_link)  # "what about SNHU?"
        if fields:
            return _values(kb, keys, fields[0][0], ranked, best_link, query)
        other = match_fields(query, kb)
        if other and other[0][0].label != LOCATION:
            # A figure these records do not have: say so, never give another record's figure.
            return decline(kb, ranked, reason="decline_value",
                           words=f"the {_label(other[0][0].label)} of {keys[0].record.name}")
        if not other and _asks_figure(query, kb) and any(k.record.fields for k in keys):
            unasked = [t for t in foreign_terms(query, kb, keys) if t not in kb.lexicon.fillers]
            if unasked:  # "how many faculty members does SNHU have": a figure the guide does not give
                return decline(kb, ranked, reason="decline_value",
                               words=f"the {query.words(unasked)} of {keys[0].record.name}")
        if not other and (len(keys) == 1 or all(k.record.fields for k in keys)):
            return _summaries(kb, keys, ranked, best_link)
    else:
        fields = match_fields(query, kb)
        own = [k for k in kb.record_keys_ if k.record.own_section and k.record.fields]
        if not fields and own and not remembered:
            fields = semantic_field(query, kb, own)  # "what's a normal paycheck in this line of work"
            if fields and not named_things(query, kb, own) and _figure_fits(kb, fields[0][0], ranked, 5):
                return _summaries(kb, own[:1], ranked, fields[0][1])
            fields = []
        if fields and remembered:
            field = fields[0][0]
            if all(field_value(k.record, field.label) is not None for k in remembered) \
                    and not named_things(query, kb, remembered):
                return _values(kb, remembered, field, ranked, 0.9, query)  # "what about its graduation rate?"
        if fields and _names_field_owners(query, kb, fields[0][0]) and _figure_fits(kb, fields[0][0], ranked):
            field = fields[0][0]
            owners = kb.records_with(field.label)
            if not figure_evidence(query, kb, owners):
                owners = []
            foreign = named_things(query, kb, owners) if owners else []
            if foreign:
                return decline(kb, ranked, reason="decline_value", words=query.words(foreign),
                               confidence=_scaled(_value_confidence(0.9), len(foreign), query, kb))
            if len(owners) == 1:
                return _values(kb, owners, field, ranked, 0.9)
            if owners:
                return _across(kb, owners, field, ranked)

    # 4. The best passage.
    if not ranked:
        return decline(kb, ranked, reason="decline_unknown" if unknown else "decline",
                       words=unknown)
    semantic = query.vector is not None and kb.unit_vectors_ is not None
    confidence = kb.scale_.confidence(passage_confidence_score(query, kb, best))
    if not semantic and unknown_share(query, kb) >= UNKNOWN_DECLINE:
        return decline(kb, ranked, reason="decline_unknown", words=unknown, confidence=confidence)
    if confidence < kb.decline_below and unknown:  # "capital of France": words the guide never uses
        return decline(kb, ranked, reason="decline_unknown", words=unknown, confidence=confidence)
    absent = absent_names(query, kb, kb.units_[ranked[0][0]])
    if absent:  # "what time is it in London": the passage says nothing about London
        return decline(kb, ranked, reason="decline_unknown", words=query.words(absent), confidence=confidence)
    return _passage(kb, ranked, confidence)


def _value_confidence(strength: float) -> float:
    """A figure of a named record: 0.6, plus up to 0.4 for how surely the record was named."""
    return 0.6 + 0.4 * min(1.0, strength)


def _scaled(confidence: float, off_topic: int, query: Query, kb: Knowledge) -> float:
    """A declined candidate's confidence, scaled down by the share of the question it misses."""
    content = max(len(kb.match_terms(query.terms)), off_topic, 1)
    return min(1.0, confidence) * (1 - off_topic / content)


def _only_names(query: Query, kb: Knowledge, keys: list[RecordKey]) -> bool:
    """Does the question name these records and nothing else ("what about SNHU?", "and capella")?"""
    named = {t for k in keys for t in k.name_terms | k.acronyms}
    return all(t in named for t in kb.match_terms(query.terms))


def _asks_figure(query: Query, kb: Knowledge) -> bool:
    """Does the question ask for a figure ("how many…", "what percentage…")? The phrases are the
    lexicon's ``figure_cues``."""
    text = " ".join(query.stems)
    return any(f" {cue} " in f" {text} " for cue in kb.lexicon.figure_cues)


def _figure_fits(kb: Knowledge, field: FieldKey, ranked: list[tuple[int, float]], n: int = 3) -> bool:
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


def _names_field_owners(query: Query, kb: Knowledge, field: FieldKey) -> bool:
    """May an attribute asked without a record be listed across the records that have it?

    Yes for a figure ("what is the graduation rate"). A place is asked with a question word
    ("where…"), so it is listed only when the question also names the records' topic
    ("where are the schools"), not for "where can coordinators work".
    """
    if field.label != LOCATION:
        return True
    topics = {kb.topic_name(k.record.group) for k in kb.records_with(field.label)}
    topic_terms = {t for topic in topics for t in kb.match_terms(kb.lexicon.terms(topic))}
    return bool(topic_terms & set(query.terms))


def _passage(kb: Knowledge, ranked: list[tuple[int, float]], confidence: float) -> Reply:
    i = ranked[0][0]
    unit = kb.units_[i]
    alternatives = tuple(kb.units_[j] for j, _ in ranked[1:4])
    if confidence < kb.decline_below:
        return replace(decline(kb, ranked, reason="decline_unsure"), confidence=confidence)
    context = Context((unit.record.name,), None) if unit.record is not None else Context()
    return Reply(unit_text(unit), True, confidence, None, unit, alternatives, unit.kind, (), context)


def _values(kb: Knowledge, keys: list[RecordKey], field: FieldKey, ranked: list[tuple[int, float]],
            strength: float, query: Query | None = None) -> Reply:
    sentences, shorts = [], []
    explicit = query is not None and any(t in query.terms for t in field.terms if t != field.head)
    for key in keys:
        if field_value(key.record, field.label) is None:
            continue
        sentence, raw = value_sentence(kb, key.record, field, explicit=explicit)
        sentences.append(sentence)
        shorts.append(raw)
    source = keys[0].unit
    confidence = _value_confidence(strength)
    alternatives = tuple(kb.units_[i] for i, _ in ranked[:3] if kb.units_[i] is not source)
    short = shorts[0] if len(shorts) == 1 else None
    context = Context(tuple(k.record.name for k in keys), field.label)
    return Reply(" ".join(sentences), True, confidence, short, source, alternatives, "value", (), context)


def _summaries(kb: Knowledge, keys: list[RecordKey], ranked: list[tuple[int, float]],
               strength: float) -> Reply:
    rec = keys[0].record
    short = None
    if len(keys) == 1 and rec.own_section and rec.fields:
        # A section of figures (the salary): state each figure; the first is the headline.
        parts = [f"the {_label(f.label)} is {_value_phrase(kb, kb.field_by_label_[f.label], f.value.shown)}"
                 for f in rec.fields]
        text = f"{rec.name}: " + "; ".join(parts) + "." + (f" {rec.note}" if rec.note else "")
        short = _short(rec.fields[0].value)
    else:
        text = "\n".join(record_summary(k.record) for k in keys)
    source = keys[0].unit
    alternatives = tuple(kb.units_[i] for i, _ in ranked[:3] if kb.units_[i] is not source)
    context = Context(tuple(k.record.name for k in keys), None)
    return Reply(text, True, 0.5 + 0.4 * min(1.0, strength), short, source, alternatives, "record", (), context)


def _across(kb: Knowledge, owners: list[RecordKey], field: FieldKey,
            ranked: list[tuple[int, float]]) -> Reply:
    group = owners[0].record.group
    head = kb.lexicon.text("list_value", label=field.label, group_noun=kb.topic_name(group))
    rows = [f"  \u2022 {k.record.name}: {field_value(k.record, field.label)[0]}" for k in owners]
    section_unit = owners[0].unit
    context = Context(tuple(k.record.name for k in owners), field.label)
    return Reply(head + "\n" + "\n".join(rows), True, 0.75, None, section_unit,
                 tuple(k.unit for k in owners[1:4]), "list", (), context)
