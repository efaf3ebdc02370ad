"""A library of guides: one bot for a folder of career guides and question/answer files.

Each guide keeps its own knowledge base, built and cached as a single one is. On top of them
the library keeps two small things:

- the **careers**: a knowledge base whose records are the careers themselves, each with the
  figures its guide gives for the career as a whole (the record named after its own section:
  "Pharmacy Technician Salary"). Questions across careers ("which career pays the most?",
  "careers with a median above $50,000", "does a surgical technologist earn more than a
  pharmacy technician?") are ordinary questions across records there, answered by the same
  decision stage as "which school is the cheapest?" in one guide;
- the **names**: what names each career (its title, typed in full, clipped — "rad tech",
  "surg techs" —, misspelled or by its initials, "MAs") and which guide lists each school or
  organisation, so that a question is routed to the guide it is about.

``respond`` routes one question: across careers, to the one guide it names (a career or a
record only that guide has), to the conversation's current career, or, when it could belong
to several guides and names none, to a clarifying reply that lists the likeliest careers,
numbered. It never answers from an arbitrary guide.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from .candidates import gather
from .decide import Decision, Intent, decide
from .index import Knowledge
from .match import OTHER_ROLE_SIMILARITY, ROLE_MARGIN, link_records, make_query
from .model import Context, Field, GuideWarning, KnowledgeError, Record, Reply, Suggestion, Unit, Value
from .names import Mention, NameIndex, career_words
from .parse import Document, Section
from .reply import compose, reply_for_unit
from .reply import respond as respond_in_guide
from .text import Lexicon

SUFFIXES = (".txt", ".md", ".markdown", ".csv", ".jsonl", ".ndjson")
CLARIFY_LIMIT = 5  # careers a clarifying reply lists at most
SCREENED = 8       # guides asked, at most, when a question names no career and nothing only one guide has
RECORD_CANDIDATES = 16  # guides a named school is looked for in, once its rarer words narrow them this far
ACROSS = frozenset({Intent.SUPERLATIVE, Intent.FILTER, Intent.NONE_FOUND, Intent.COMPARE, Intent.SIDE_BY_SIDE,
                    Intent.RANKED})


@dataclass
class Guide:
    """One knowledge file of a library: its name (the file's stem), career and knowledge base."""

    name: str
    path: Path
    career: str
    knowledge: Knowledge

    @property
    def file(self) -> str:
        return self.path.name


@dataclass
class Library:
    """Several guides as one knowledge base (see the module's docstring)."""

    path: str
    guides: list[Guide]
    careers: Knowledge
    lexicon: Lexicon
    warnings: tuple[GuideWarning, ...] = ()
    career_units: dict[str, tuple[int, Unit]] = field(default_factory=dict)  # careers unit id -> its guide's unit
    labels: dict[str, str] = field(default_factory=dict)  # careers label -> the guides' label
    names_: list[tuple[tuple[str, ...], str]] = field(default_factory=list)  # per guide: name words, initials
    career_vectors_: object = None  # the careers' names as the sentence model reads them

    # ------------------------------------------------------------ finding guides

    def find(self, name: str) -> Guide | None:
        """The guide a name picks: its career, its file's name or stem, or a career named in it."""
        key = name.strip().lower()
        for g in self.guides:
            if key in (g.career.lower(), g.name.lower(), g.file.lower()):
                return g
        found = {m.guide for m in career_mentions(self, name) if m.how in ("full", "initials")}
        return self.guides[found.pop()] if len(found) == 1 else None

    def guide_of(self, name: str | None) -> int | None:
        if name is None:
            return None
        for i, g in enumerate(self.guides):
            if g.name == name:
                return i
        return None

    def current(self, context: Context) -> int | None:
        """The guide a conversation is about: the one its last reply came from, or the one career
        a reply across careers was about ("which career pays the least?")."""
        if context.guide is not None:
            return self.guide_of(context.guide)
        if len(context.records) == 1:
            for i, g in enumerate(self.guides):
                if g.career == context.records[0]:
                    return i
        return None

    @cached_property
    def record_postings(self) -> tuple[dict[str, list[tuple[int, int, float]]], dict[str, float]]:
        """Each name term of the guides' records (schools, organisations): where it occurs (guide,
        record, the record name's total weight) and its weight, rarer terms weighing more."""
        names = [(gi, ri, terms) for gi, g in enumerate(self.guides)
                 for ri, key in enumerate(getattr(g.knowledge, "record_keys_", ()))
                 if not key.record.own_section
                 for terms in [key.name_terms - g.knowledge.lexicon.fillers - g.knowledge.subject_terms_] if terms]
        df: dict[str, int] = {}
        for _, _, terms in names:
            for t in terms:
                df[t] = df.get(t, 0) + 1
        weight = {t: math.log(1 + len(names) / n) for t, n in df.items()}
        postings: dict[str, list[tuple[int, int, float]]] = {}
        for gi, ri, terms in names:
            total = sum(weight[t] for t in sorted(terms))  # the same sum however the set iterates
            for t in terms:
                postings.setdefault(t, []).append((gi, ri, total))
        return postings, weight

    @cached_property
    def name_index(self) -> NameIndex:
        return NameIndex(self.names_, [g.career for g in self.guides])

    @property
    def topics_(self) -> list[str]:
        return [g.career for g in self.guides]


# ---------------------------------------------------------------- loading

def library_files(paths: list[Path]) -> list[Path]:
    """The knowledge files a list of files and folders holds, in a stable order. In a folder, hidden
    files and question sets (``NAME.questions.jsonl``, what ``chatbot eval`` reads) are not knowledge."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in SUFFIXES
                            and not f.name.startswith(".") and not f.stem.endswith(".questions"))
        else:
            files.append(p)
    return list(dict.fromkeys(files))


def build_library(paths: list[Path], load: Callable[[Path], Knowledge], lexicon: Lexicon, *, strict: bool = False,
                  warn: Callable[[str], None] | None = None, label: str = "",
                  fit: Callable[[Knowledge], Knowledge] | None = None) -> Library:
    """Load every knowledge file of ``paths`` (files or folders) with ``load`` and put them together.

    A file that cannot be read is skipped with a warning naming it (and its line), unless
    ``strict``; a library with no readable file is an error. ``fit(knowledge)`` fits the careers'
    knowledge base (default: ``knowledge.fit()``; ``chatbot.library_cache`` fits it in a worker).
    """
    files = library_files(paths)
    guides: list[Guide] = []
    warnings: list[GuideWarning] = []
    for f in files:
        try:
            kb = load(f)
        except KnowledgeError as e:
            if strict:
                raise
            warnings.append(GuideWarning(e.path, e.line, f"skipped: {e.reason}"))
            if warn is not None:
                warn(f"chatbot: warning: {e} (skipped)")
            continue
        doc = kb.document
        career = doc.subject or doc.title or f.stem
        warnings += doc.warnings
        guides.append(Guide(_unique(f.stem, guides), f, career, kb))
    if not guides:
        where = label or ", ".join(str(p) for p in paths)
        raise KnowledgeError(where, "no knowledge file could be read" if files else
                             f"no knowledge files ({', '.join(SUFFIXES)}) in it")
    library = Library(label or ", ".join(str(p) for p in paths), guides, None, lexicon, tuple(warnings))
    library.careers = _careers(library, fit)
    _index_names(library)
    encoder = library.careers.encoder_
    if encoder is not None:
        library.career_vectors_ = encoder.encode([g.career for g in library.guides])
    return library


def _unique(name: str, guides: list[Guide]) -> str:
    names = {g.name for g in guides}
    n, out = 1, name
    while out in names:
        n += 1
        out = f"{name}-{n}"
    return out


def _careers(library: Library, fit: Callable[[Knowledge], Knowledge] | None = None) -> Knowledge:
    """The careers as records: each guide's figures for the career as a whole, labelled with their
    section's topic ("Annual Median" of "Pharmacy Technician Salary" -> "Annual Median Salary")."""
    lex = library.lexicon
    group = lex.text("careers")
    records, units = [], []
    for gi, g in enumerate(library.guides):
        kb = g.knowledge
        fields: list[Field] = []
        note, lines, source = None, (0, 0), None
        for unit in kb.units_:
            rec = unit.record
            if unit.kind != "record" or rec is None or not rec.own_section:
                continue
            topic = kb.topic_name(rec.group)
            for f in rec.fields:
                label = f.label if topic.lower() in f.label.lower() or not topic else f"{f.label} {topic}"
                library.labels[label] = f.label
                fields.append(Field(label, f.value, f.line))
            note, lines, source = note or rec.note, rec.lines if source is None else lines, source or unit
        records.append(Record(g.career, group, tuple(fields), lines, note=note))
        library.career_units[f"career-{gi + 1}"] = (gi, source)
    records = _not_given(library, records)
    for gi, (g, record) in enumerate(zip(library.guides, records, strict=True)):
        units.append(Unit(f"career-{gi + 1}", "record", group, g.career, _career_text(record), record.lines, record))
    body = group + "\n" + "\n".join(f"\u2022 {g.career}" for g in library.guides)
    units.append(Unit("careers", "list", group, group, body, (0, 0)))
    document = Document(library.path, group, "", (Section(group, (0, 0)),), tuple(units), tuple(records), "guide")
    encoder = library.guides[0].knowledge.encoder_
    careers = Knowledge(document, lex, encoder=encoder, pieces=False)
    careers = fit(careers) if fit is not None else careers.fit()
    careers.encoder_ = encoder
    careers.topics_ = library.topics_
    return careers


def _not_given(library: Library, records: list[Record]) -> list[Record]:
    """Each guide's career with every figure some career has: one its guide does not give is not
    available, so a ranking across careers says which careers it left out ("… is not reported
    for 1 of 14 careers"). A question/answer file is no career and gets none."""
    labels = list(dict.fromkeys(f.label for r in records for f in r.fields))
    missing = Value(library.lexicon.text("na"), "na")
    out = []
    for g, record in zip(library.guides, records, strict=True):
        have = {f.label for f in record.fields}
        if g.knowledge.document.kind == "guide" and len(have) < len(labels):
            record = replace(record, fields=record.fields + tuple(Field(label, missing, 0)
                                                                  for label in labels if label not in have))
        out.append(record)
    return out


def _career_text(record: Record) -> str:
    return "\n".join([record.name] + [f"{f.label}: {f.value.raw}" for f in record.fields]
                     + ([record.note] if record.note else []))


def _index_names(library: Library) -> None:
    """The words that name each career (``Library.record_postings`` indexes the records' names)."""
    for g in library.guides:
        library.names_.append(career_words(g.career))


# ---------------------------------------------------------------- naming careers

def career_mentions(library: Library, question: str) -> list[Mention]:
    """Every career of the library the question names (``names.NameIndex.mentions``)."""
    return library.name_index.mentions(question, library.lexicon.stopwords)


def _named(library: Library, question: str) -> tuple[list[int], list[int], str]:
    """The guides a question names surely, those it only suggests, and the question with each sure
    mention written as the career's name (``names.NameIndex.named``)."""
    return library.name_index.named(question, library.lexicon.stopwords)


# ---------------------------------------------------------------- answering

def respond(question: str, library: Library, context: Context | None = None) -> Reply:
    """Answer one question from a library (see the module's docstring for the routing)."""
    context = context or Context()
    current = library.current(context)
    named, maybe, text = _named(library, question)

    d, asks_careers, follow = _careers_decision(library, text, context, current)
    if d.intent in ACROSS or (d.intent is Intent.LIST and asks_careers) \
            or (d.intent in (Intent.VALUE, Intent.RECORD) and len(named) > 1) \
            or (d.intent is Intent.VALUE and follow):  # "what about paralegals?" after a figure
        return _from_careers(library, compose(d, library.careers))
    if len(named) == 1:
        return _in_guide(library, named[0], text, context, current)
    if len(named) > 1:
        return _clarify(library, named, question)
    owners = _record_owners(library, question)
    if len(owners) == 1:
        return _in_guide(library, owners[0], question, context, current)
    if owners:
        if current in owners:
            return _in_guide(library, current, question, context, current)
        suggested = [g for g in owners if g in maybe]  # "houston community college tuition for dental assisting"
        if len(suggested) == 1:
            return _in_guide(library, suggested[0], question, context, current)
        return _clarify(library, owners, question)
    if maybe:
        if current is not None:  # a word of another career's name ("medical knowledge") does not leave this one…
            reply = _in_guide(library, current, question, context, current)
            if reply.answered or current in maybe:
                return reply  # …unless this career's guide has no answer
        replies = [(g, respond_in_guide(question, library.guides[g].knowledge)) for g in maybe]
        answering = [g for g, r in replies if r.answered]
        if len(answering) == 1:
            return _in_guide(library, answering[0], question, context, current)
        if answering:
            return _clarify(library, answering, question)
        if current is None:  # "what does a dental hygienist make": the career it suggests says no
            return _declined(library, replies[0][1])
    if current is not None:
        return _in_guide(library, current, question, context, current)
    if d.unit is not None and d.unit.kind == "list" and asks_careers:  # "what careers do you have?"
        return _from_careers(library, compose(d, library.careers))
    return _unrouted(library, question)


def _careers_context(library: Library, context: Context, current: int | None) -> Context:
    """The conversation's context as the careers see it: the current career and its attribute."""
    if current is None:
        return Context(context.records, context.attribute)
    labels = {v: k for k, v in library.labels.items()}
    return Context((library.guides[current].career,), labels.get(context.attribute or ""))


def _careers_decision(library: Library, text: str, context: Context, current: int | None
                      ) -> tuple[Decision, bool, bool]:
    """What the careers' knowledge base decides for a question, whether it names their kind
    ("careers", "jobs"), and whether it only names careers after a reply about a figure ("what
    about paralegals?"): a question across careers, or such a follow-up, is answered from there."""
    kb = library.careers
    candidates = gather(text, kb, _careers_context(library, context, current))
    follow = bool(candidates.records) and bool(candidates.context.attribute) and candidates.only_names
    return decide(candidates), bool(set(candidates.query.terms) & kb.kind_terms_), follow


def _from_careers(library: Library, reply: Reply) -> Reply:
    """A reply of the careers' knowledge base, cited from the guides its figures come from."""
    def source(unit: Unit | None) -> tuple[str | None, Unit | None]:
        if unit is None or unit.id not in library.career_units:
            return None, unit
        gi, original = library.career_units[unit.id]
        return library.guides[gi].name, original or unit

    guide, unit = source(reply.source)
    alternatives = tuple(u for _, u in map(source, reply.alternatives) if u is not None)
    context = reply.context or Context()
    return replace(reply, source=unit, alternatives=alternatives, guide=guide,
                   context=Context(context.records, context.attribute, None))


def _in_guide(library: Library, gi: int, question: str, context: Context, current: int | None) -> Reply:
    """A question for one guide; the conversation's context carries over within the same career,
    and only its attribute to another ("surg tech annual median", then "what about phlebotomists")."""
    g = library.guides[gi]
    if gi != current:
        label = context.attribute
        if label is not None and context.guide is None:
            label = library.labels.get(label, label)
        labels = {f.label for f in getattr(g.knowledge, "fields_", ())}
        context = Context((), label if label in labels else None)
    reply = respond_in_guide(question, g.knowledge, context)
    return _tagged(reply, g)


def _tagged(reply: Reply, g: Guide) -> Reply:
    ctx = reply.context or Context()
    suggestions = tuple(replace(s, guide=g.name) for s in reply.suggestions)
    return replace(reply, guide=g.name, context=Context(ctx.records, ctx.attribute, g.name), suggestions=suggestions)


def _record_owners(library: Library, question: str) -> list[int]:
    """Guides with a school or organisation the question names (other than a career's own figures),
    those that name it most completely."""
    terms = set(library.lexicon.terms(question))
    overlap = {}
    for gi in _record_candidates(library, question):  # the share of a name the question's words cover
        keys = [k for k in library.guides[gi].knowledge.record_keys_ if not k.record.own_section and k.name_terms]
        overlap[gi] = max((len(k.name_terms & terms) / len(k.name_terms) for k in keys), default=0.0)
    top = max(overlap.values(), default=0.0)
    strengths = {}
    for gi in sorted(g for g, share in overlap.items() if share > 0 and share >= top - 0.25):
        kb = library.guides[gi].knowledge
        linked = [s for key, s in link_records(make_query(question, kb), kb) if not key.record.own_section]
        if linked:
            strengths[gi] = max(linked)
    # the guides naming it most completely: "Concorde Career College-San Diego", not another campus
    best = max(strengths.values(), default=0.0)
    return [gi for gi, s in strengths.items() if s >= best - 1e-9]


def _record_candidates(library: Library, question: str) -> set[int]:
    """The guides worth asking whether the question names one of their records: those with a
    record whose name the question's words cover best, each word weighted by its rarity across
    the library's names ("kalamazoo" more than "health", which hundreds of schools' names have);
    the best ``RECORD_CANDIDATES``."""
    postings, weight = library.record_postings
    covered: dict[tuple[int, int], float] = {}
    for t in sorted(set(library.lexicon.terms(question))):
        for gi, ri, total in postings.get(t, ()):
            covered[(gi, ri)] = covered.get((gi, ri), 0.0) + weight[t] / total
    best: dict[int, float] = {}
    for (gi, _), share in covered.items():
        best[gi] = max(best.get(gi, 0.0), share)
    return set(sorted(best, key=lambda g: (-best[g], g))[:RECORD_CANDIDATES])


def _unrouted(library: Library, question: str) -> Reply:
    """A question that names no career and nothing only one guide has: chit-chat, a decline when
    no guide answers it, the one guide that does, or a clarifying reply listing those that do."""
    d = decide(gather(question, library.careers))
    careers_reply = compose(d, library.careers)
    if d.smalltalk is not None:
        text = (d.smalltalk.library or d.smalltalk.reply).format(
            count=len(library.guides), careers=_careers_list(library), subject=library.lexicon.text("careers"),
            topics=_careers_list(library))
        return replace(careers_reply, text=text)
    for gi in other_careers(library, question):
        # "what does a dental hygienist make": a word like an occupation, and the guide of the career
        # nearest to it declines the question as being about another one
        near = respond_in_guide(question, library.guides[gi].knowledge)
        if not near.answered:
            return _declined(library, near)
    screened = _screen(library, question)
    replies = [(gi, respond_in_guide(question, library.guides[gi].knowledge)) for gi in screened]
    answering = [(gi, r) for gi, r in replies if r.answered]
    # A career's own figures (its salary) asked with its head noun but another modifier ("physical
    # therapist hourly wage": the respiratory therapist guide reads "therapist" as its own, the
    # other guides decline another occupation) are asked about, not stated.
    own = len(answering) == 1 and len(replies) > 1 and answering[0][1].source is not None \
        and answering[0][1].source.record is not None and answering[0][1].source.record.own_section \
        and _head_only(library, library.guides[answering[0][0]].career, question)
    if len(answering) == 1 and not own:
        return _tagged(answering[0][1], library.guides[answering[0][0]])
    if answering:
        answering.sort(key=lambda pair: -pair[1].confidence)
        return _clarify(library, [gi for gi, _ in answering], question)
    return _declined(library, replies[0][1] if replies else careers_reply)


def _head_only(library: Library, career: str, question: str) -> bool:
    """Does the question use a career's head noun ("therapist") but not the rest of its name?"""
    words = career.split()
    asked = set(library.lexicon.terms(question))
    return len(words) > 1 and set(library.lexicon.terms(words[-1])) <= asked \
        and not set(library.lexicon.terms(" ".join(words[:-1]))) <= asked


def _declined(library: Library, reply: Reply) -> Reply:
    """A guide's decline, said for the library: its reason, then what the library covers."""
    reason = reply.text.splitlines()[0] if reply.text else library.lexicon.text("decline")
    text = reason + "\n" + library.lexicon.text("can_answer_library", count=str(len(library.guides)),
                                                careers=_careers_list(library))
    return Reply(text, False, reply.confidence, intent="decline")


def other_careers(library: Library, question: str) -> list[int]:
    """The guides to ask whether the question is about another career: for each word of it that
    the sentence model finds close to a career of the library and closer to an occupation than to
    anything else (the lexicon's ``role_anchors``: "hygienist", "dentist", but also "skills"), the
    guide of the career nearest to it. Empty without the model."""
    kb = library.careers
    if kb.encoder_ is None or kb.role_vectors_ is None or library.career_vectors_ is None:
        return []
    lex = library.lexicon
    query = make_query(question, kb)
    words = [w for w in dict.fromkeys(query.stems) if w.isalpha() and len(w) >= 4 and w not in lex.stopwords
             and w not in lex.fillers and lex.canonical([w]) == [w] and w not in kb.field_terms_]
    if not words:
        return []
    vectors = kb.encoder_.encode(words)
    near = (vectors @ library.career_vectors_.T).max(axis=1)
    role, other = kb.role_vectors_ @ vectors.T
    nearest = (vectors @ library.career_vectors_.T).argmax(axis=1)
    return list(dict.fromkeys(int(g) for g, n, r, o in zip(nearest, near, role, other, strict=True)
                              if n >= OTHER_ROLE_SIMILARITY and r - o >= ROLE_MARGIN))


def _screen(library: Library, question: str) -> list[int]:
    """The guides worth asking a question that names none: those sharing its rarer words, else all
    (the first ``SCREENED``)."""
    terms = set(library.lexicon.terms(question))
    scored = sorted((-sum(1 for t in terms if g.knowledge.unit_frequency(t)), gi)
                    for gi, g in enumerate(library.guides))
    return [gi for _, gi in scored[:SCREENED]]


def _careers_list(library: Library, limit: int = 12) -> str:
    names = [g.career for g in library.guides]
    more = len(names) - limit
    shown = ", ".join(names[:limit])
    return shown + (library.lexicon.text("and_more", count=str(more)) if more > 0 else "")


def _clarify(library: Library, guides: list[int], question: str) -> Reply:
    """Which career? The likeliest ones, numbered; typing a number answers the question in that guide."""
    guides = list(dict.fromkeys(guides))[:CLARIFY_LIMIT]
    lex = library.lexicon
    lines = [lex.text("clarify")] + [lex.text("numbered", n=str(n), text=library.guides[gi].career)
                                     for n, gi in enumerate(guides, 1)]
    suggestions = tuple(Suggestion(question, None, library.guides[gi].name) for gi in guides)
    return Reply("\n".join(lines), True, 0.5, intent="clarify", suggestions=suggestions)


def suggestion_reply(library: Library, chosen: Suggestion, context: Context) -> Reply:
    """The reply to a picked suggestion: a passage of a guide, or a question asked in one."""
    gi = library.guide_of(chosen.guide)
    if gi is None:
        return respond(chosen.question, library, context)
    g = library.guides[gi]
    if chosen.unit is not None:
        return _tagged(reply_for_unit(g.knowledge, chosen.unit), g)
    same = context if context.guide == g.name else Context(guide=g.name)
    return _in_guide(library, gi, chosen.question, same, gi)
