"""Units -> index: TF-IDF matrices, the vocabulary, and what is known about records and fields.

``Knowledge`` follows scikit-learn's estimator habits: settings in ``__init__``, all the work
in ``fit()``, learned state in attributes ending in ``_``. Answering never mutates it, so one
fitted instance serves many threads.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .calibrate import Scale, in_domain
from .model import KnowledgeError, Record, Unit
from .parse import Document
from .semantic import DIMENSIONS, ENTRY_TOKENS, Encoder, default_encoder
from .text import Lexicon, stem, tokens
from .vocabulary import build_vocabulary, direction_vectors, encoded, regions

LOCATION = "Location"  # the pseudo-field of a record's place line
# Confidence is calibrated per knowledge base so that 0.5 is the score that OFF_TOPIC_QUANTILE of
# general off-topic questions stay below (see ``calibrate`` and the README, "Calibration"); a
# passage below DECLINE_BELOW is declined. `chatbot eval SET --calibrate` lets an owner move it.
DECLINE_BELOW = 0.5
OFF_TOPIC_QUANTILE = 0.95
# A question about the career (closer to it than OFF_TOPIC_QUANTILE of the off-topic questions) is
# read on the scale whose 0.5 is this quantile instead (``Knowledge.scale_for``).
NEAR_QUANTILE = 0.85
# A question whose nearest neighbour, by the sentence model, is one of the guide's passages rather
# than another general question, by more than DOMAIN_QUANTILE of the off-topic questions are (each
# judged against the others), is in the guide's domain ("do i need to be good with computers"): it
# is read on the scale whose 0.5 is DOMAIN_SCALE_QUANTILE of the off-topic questions' best scores.
DOMAIN_QUANTILE = 0.9
DOMAIN_SCALE_QUANTILE = 0.5
TYPICAL_QUANTILE = 0.8  # the nearest cosine most off-topic questions (4 in 5) stay below: below it, no link
# The weight of the semantic similarity in a passage's score; the rest is the lexical score. A
# guide's passages are also compared word piece by word piece (``match.piece_scores``), which earns
# the model more weight there.
SEMANTIC_WEIGHT = 0.7
PIECES_WEIGHT = 0.85


PIECE_SCALE = 127.0  # a unit vector's parts are kept as int8, this many to 1: a quarter of float32's bytes


def packed_pieces(rows: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Units' word-piece vectors in one int8 matrix, with where each unit's rows start (and the end)."""
    starts = np.zeros(len(rows) + 1, dtype=np.int64)
    starts[1:] = np.cumsum([len(r) for r in rows])
    matrix = np.concatenate(rows) if rows else np.zeros((0, DIMENSIONS), dtype=np.float32)
    return np.round(matrix * PIECE_SCALE).astype(np.int8), starts


def _initials(name: str) -> frozenset[str]:
    """The initials of a name of two or more words, as a user would type them: "psc"."""
    words = re.findall(r"[A-Za-z]+", name)
    return frozenset({"".join(w[0] for w in words).lower()}) if len(words) >= 2 else frozenset()


def _require_vocabulary(docs: list[list[str]], path: str) -> None:
    """A document must have at least one word to rank by, or it cannot answer anything."""
    if not any(docs):
        raise KnowledgeError(path, "has no words to answer from: every word in it is a common word "
                                   "such as 'the' or 'of'")


def _identity(terms: list[str]) -> list[str]:
    return terms


def with_bigrams(terms: list[str]) -> list[str]:
    """Terms plus their adjacent pairs, so "graduation rate" outranks "rate" alone."""
    return terms + [f"{a} {b}" for a, b in zip(terms, terms[1:], strict=False)]


@dataclass(frozen=True)
class RecordKey:
    """How a question can name one record: its distinctive name terms and its acronyms."""

    record: Record
    unit: Unit
    name_terms: frozenset[str]
    acronyms: frozenset[str]
    about: frozenset[str] = frozenset()  # every word a figure of this record may be asked with


@dataclass(frozen=True)
class FieldKey:
    """One attribute label used by some records, with the terms a question would use for it."""

    label: str
    terms: tuple[str, ...]
    head: str
    order: int


def _semantic_text(unit: Unit, *, whole: bool = False) -> str:
    """What the sentence model reads of a unit: its title and text; of a list, its title and the
    bullets' titles only (the sentences shown after them would blur what the list is about), unless
    ``whole``."""
    text = unit.text
    if unit.kind == "list" and not whole:
        text = "\n".join(line.split(": ", 1)[0] for line in text.splitlines())
    return unit.title + "\n" + text if unit.title not in text else text


def _written_initials(words: list[str]) -> set[str]:
    """Initials a name writes as single letters ("W.T. Harlan"), typed run together: "wt"."""
    found, run = set(), []
    for word in [*words, ""]:
        if len(word) == 1:
            run.append(word.lower())
            continue
        if len(run) >= 2:
            found.add("".join(run))
        run = []
    return found


def _state_initials(words: list[str], lex: Lexicon) -> set[str]:
    """Initials of a name's words before a US state, with the state's code: "umn" of University of
    Minnesota-Twin Cities, "uva" of University of Virginia ("of" and other stopwords left out)."""
    states = build_vocabulary(lex).regions
    stems = [stem(w.lower()) for w in words]
    for i in range(1, len(stems)):
        for n in (2, 1):
            code = states.get(tuple(stems[i:i + n]))
            if code is None:
                continue
            lead = "".join(w[0].lower() for w, s in zip(words[:i], stems[:i], strict=True)
                           if s not in lex.stopwords)
            return {lead + code.lower()} if lead and len(lead) + len(code) >= 3 else set()
    return set()


def faq_vectors(whole: np.ndarray, rows: list[int], questions: np.ndarray) -> np.ndarray:
    """Units' vectors with each FAQ entry's (``rows``) replaced by the normalised mean of its whole
    text's vector and its question's (``questions``, in the order of ``rows``)."""
    out = whole.copy()
    if rows:
        both = whole[rows] + questions
        out[rows] = both / np.maximum(np.linalg.norm(both, axis=1, keepdims=True), 1e-12)
    return out


class Knowledge:
    """A parsed document, indexed for answering. Build with ``Knowledge(doc).fit()``."""

    def __init__(self, document: Document, lexicon: Lexicon, *, title_weight: int = 2,
                 decline_below: float = DECLINE_BELOW, scorer: str = "auto", k1: float = 1.5, b: float = 0.75,
                 answer_weight: float = 0.2, encoder: Encoder | None | str = "auto",
                 semantic_weight: float | None = None, pieces: bool = True) -> None:
        self.document = document
        self.pieces = pieces  # a guide's units' word-piece vectors are kept (``unit_pieces_``): not in a library
        self.lexicon = lexicon
        self.title_weight = title_weight
        self.decline_below = decline_below
        self.scorer = scorer
        self.k1 = k1
        self.b = b
        self.answer_weight = answer_weight
        self.encoder = encoder
        self.semantic_weight = semantic_weight

    # ------------------------------------------------------------ fitting
    def fit(self, *, progress: Callable[[int], None] | None = None) -> Knowledge:
        """Index the document; ``progress(n)`` is told as each ``n`` more texts are read (large pair files)."""
        doc, lex = self.document, self.lexicon
        for memory in ("_spelled", "_unpacked"):  # what answering remembers of an earlier fit
            self.__dict__.pop(memory, None)
        self.units_: tuple[Unit, ...] = doc.units
        self.subject_terms_ = frozenset(lex.terms(doc.subject)) | _initials(doc.subject)
        subject_stems = tuple(stem(t) for t in tokens(doc.subject))
        self.initials_ = {i: subject_stems for i in _initials(doc.subject)}
        self.topics_ = self._topics()
        self.first_faqs_ = tuple(u for u in doc.units if u.kind == "faq")[:3]

        # Question/answer pairs are ranked by BM25 over the questions (stopwords kept: "how do I",
        # "can I" carry meaning in real users' questions) plus a little evidence from the answers;
        # a guide by TF-IDF cosine and coverage over titles, sections and text.
        self.scorer_ = ("bm25" if doc.kind == "pairs" else "tfidf") if self.scorer == "auto" else self.scorer
        section_terms = {s.title: self._section_terms(s.title) for s in doc.sections}
        if self.scorer_ == "bm25":
            # Every stem the document uses, before synonyms: what a question may be spelled towards.
            words = self._fit_bm25(progress)
            _require_vocabulary([list(self.bm25_vocabulary_)], doc.path)
            self.unit_df_ = {}
            self.list_topics_ = []
            self.list_title_stems_ = []
            self.title_stems_ = []
        else:
            # Each unit's title and text are tokenised and stemmed once; every index is built from that.
            title_stems = [[stem(t) for t in tokens(u.title)] for u in doc.units]
            text_stems = [[stem(t) for t in tokens(u.text)] for u in doc.units]
            words = set()
            for a, b in zip(title_stems, text_stems, strict=True):
                words.update(a)
                words.update(b)
            self._fit_tfidf(section_terms, title_stems, text_stems)
        for section in doc.sections:
            words.update(stem(t) for t in tokens(section.title))
        for unit in doc.units:  # an FAQ entry's other phrasings and answers
            for text in unit.questions[1:] + unit.answers[1:]:
                words.update(stem(t) for t in tokens(text))

        self.record_keys_ = self._record_keys(words)
        self.name_df_ = Counter(t for k in self.record_keys_ for t in k.name_terms)
        self.fields_ = self._field_keys()
        self.field_by_label_ = {f.label: f for f in self.fields_}
        label_df = Counter(t for f in self.fields_ for t in set(f.terms))
        self.field_weights_ = {t: math.log(1 + len(self.fields_) / n) for t, n in label_df.items()}
        self.category_terms_ = frozenset(lex.synonyms.values())
        # Words that say what kind of thing a record is: a general word two or more records' names
        # share ("university" -> school), or a record section's topic noun ("resources"). A word
        # beside one names a thing: "harvard university", "university of arizona".
        kinds = {t for t, n in self.name_df_.items() if n >= 2 and t in self.category_terms_}
        for key in self.record_keys_:
            topic = self.topic_name(key.record.group).split()
            if topic and not key.record.own_section:
                kinds.update(lex.terms(topic[-1]))
        self.kind_terms_ = frozenset(kinds - lex.stopwords)
        self.section_terms_ = {title: frozenset(terms) for title, terms in section_terms.items()}
        self.record_keys_ = [self._with_about(k) for k in self.record_keys_]
        # The city of each record's place, as stems, for "which school is in Salt Lake City?".
        self.cities_ = {}
        for key in self.record_keys_:
            city = (key.record.place or "").split(",")[0].strip()
            if city:
                self.cities_.setdefault(tuple(stem(t) for t in tokens(city)), city)
        self.record_cities_ = [(k.record.place or "").split(",")[0].strip() for k in self.record_keys_
                               if k.record.place]
        # The nouns an attribute is asked by: each label's head ("tuition") and the name of a
        # section's own figures ("salary").
        self.field_terms_ = frozenset(t for f in self.fields_ for t in f.terms)
        self.attribute_heads_ = frozenset({f.head for f in self.fields_ if f.head}
                                          | {t for k in self.record_keys_ if k.record.own_section
                                             for t in k.name_terms})
        self.record_by_name_ = {}
        for key in self.record_keys_:
            self.record_by_name_.setdefault(key.record.name, key)
        # Words a value question may use whatever it asks about: labels, fillers, canonical words.
        self.generic_terms_ = frozenset({t for f in self.fields_ for t in lex.terms(f.label)}
                                        | lex.fillers | lex.qualifiers | set(lex.synonyms.values()))

        self.comparisons_ = build_vocabulary(lex)
        vocab = set(words)
        for key in self.record_keys_:
            vocab.update(key.acronyms)
        vocab.update(_initials(doc.subject))
        lexicon_words = {w for phrase in lex.synonyms for w in phrase} | set(lex.synonyms.values())
        lexicon_words |= self.comparisons_.words
        self.known_ = frozenset(vocab | lexicon_words | lex.stopwords | lex.fillers)
        self.spell_choices_ = sorted(w for w in vocab | lexicon_words if len(w) >= 3 and w.isalpha())
        self._fit_semantic()
        from .calibrate import domain_margin, scales, semantic_threshold, subject_threshold

        self.direction_vectors_ = direction_vectors(self.encoder_, lex)

        self.scale_, self.near_scale_, self.domain_scale_ = scales(
            self, (OFF_TOPIC_QUANTILE, NEAR_QUANTILE, DOMAIN_SCALE_QUANTILE))
        self.subject_null_ = subject_threshold(self, OFF_TOPIC_QUANTILE)
        self.domain_margin_ = domain_margin(self, DOMAIN_QUANTILE)
        self.semantic_null_ = semantic_threshold(self, OFF_TOPIC_QUANTILE)
        self.semantic_typical_ = semantic_threshold(self, TYPICAL_QUANTILE)
        self.unit_index_ = {u.id: i for i, u in enumerate(self.units_)}
        return self

    def scale_for(self, vector: np.ndarray | None) -> Scale:
        """The confidence scale of a question with this sentence vector: ``domain_scale_`` when it
        is in the guide's domain (``in_domain``); ``near_scale_`` when the model puts it closer to
        the guide's career than most off-topic questions come (``subject_null_``); else ``scale_``."""
        if vector is not None and in_domain(self, vector):
            return self.domain_scale_
        near = getattr(self, "near_scale_", None)
        if near is not None and vector is not None and self.subject_null_ is not None \
                and float(vector @ self.subject_vector_) > self.subject_null_:
            return near
        return self.scale_

    def _field_description(self, field: FieldKey) -> str:
        """What the sentence model compares a question with to link an attribute: the label, the
        topic of its records' section and the lexicon's words for it ("Best Schools: In-State
        Tuition (cost, price, fee…)")."""
        owners = self.records_with(field.label)
        topic = self.topic_name(owners[0].record.group) if owners else ""
        terms = list(field.terms)
        if owners and owners[0].record.own_section:  # "Salary: Annual Median (pay, wage, income…)"
            terms = sorted(owners[0].name_terms) + terms
            topic = owners[0].record.name
        words = [w for t in terms for w in self.lexicon.variants(t) if " " not in w][:16]
        label = "location" if field.label == LOCATION else field.label
        return f"{topic}: {label}" + (f" ({', '.join(words)})" if words else "")

    def _fit_semantic(self) -> None:
        """Sentence vectors of every unit, of each attribute label and of the guide's subject."""
        self.encoder_ = default_encoder() if self.encoder == "auto" else self.encoder
        self.semantic_weight_ = SEMANTIC_WEIGHT if self.semantic_weight is None else self.semantic_weight
        self.unit_pieces_ = None
        if self.encoder_ is None:
            self.unit_vectors_ = self.field_vectors_ = self.subject_vector_ = None
            self.role_vectors_ = self.person_vectors_ = None
            return
        # A unit is matched by its whole text and, where its title is a question of its own (an FAQ
        # entry), by that question alone too: one vector, the normalised mean of the two. (It was
        # the better of two cosines; the mean ranks as well or better on CovidFAQ and StackFAQ and
        # halves what a question reads: README, "The semantic signal's cost".)
        # An entry's question + answer is read to its opening (ENTRY_TOKENS): its question has a
        # vector of its own, and at 20,000 entries the answers' tokens are most of a first load.
        texts = [_semantic_text(u) for u in self.units_]
        asked = [i for i, u in enumerate(self.units_) if u.kind == "faq"]
        labels = [self._field_description(f) for f in self.fields_]
        subject = [self.document.subject] if self.document.subject else []
        whole = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        whole[asked] = self.encoder_.encode([texts[i] for i in asked], limit=ENTRY_TOKENS)
        rest = sorted(set(range(len(texts))) - set(asked))
        # A guide's passages (not question/answer pairs: thousands of them) keep their word pieces'
        # vectors too, from the same runs; an FAQ entry's and a list's from a run of its whole text
        # (the entry's vector reads its opening, the list's its bullets' titles only).
        by_pieces = self.pieces and self.scorer_ != "bm25"
        vectors, pieces = self.encoder_.encode_with_pieces(
            [texts[i] for i in rest] + [self.units_[i].title for i in asked] + labels + subject, pieces=by_pieces)
        whole[rest] = vectors[:len(rest)]
        vectors = vectors[len(rest):]
        if by_pieces:
            rows = dict(zip(rest, pieces[:len(rest)], strict=True))
            entries = set(asked)
            whole_text = [i for i, u in enumerate(self.units_) if i in entries or u.kind == "list"]
            rows.update(zip(whole_text, self.encoder_.encode_with_pieces(
                [_semantic_text(self.units_[i], whole=True) for i in whole_text])[1], strict=True))
            self.unit_pieces_ = packed_pieces([rows[i] for i in range(len(texts))])
        self.unit_vectors_ = faq_vectors(whole, asked, vectors[:len(asked)])
        self.field_vectors_ = vectors[len(asked):len(asked) + len(labels)]
        # Encoded on their own, as the single words they are compared with are.
        anchors = list(self.lexicon.role_anchors or ())
        self.role_vectors_ = encoded(self.encoder_, tuple(anchors)) if anchors else None
        persons = tuple(self.lexicon.person_anchors or ())
        self.person_vectors_ = encoded(self.encoder_, persons) if persons else None
        self.subject_vector_ = vectors[-1] if subject else None

    def pieces_of(self, i: int) -> np.ndarray:
        """The word pieces' vectors of unit ``i`` (``Encoder.pieces``), as float32 rows, unpacked once."""
        unpacked = self.__dict__.setdefault("_unpacked", {})  # (not pickled: the cache keeps names ending in _)
        rows = unpacked.get(i)
        if rows is None:
            matrix, starts = self.unit_pieces_
            rows = unpacked[i] = matrix[starts[i]:starts[i + 1]].astype(np.float32) / PIECE_SCALE
        return rows

    def _fit_tfidf(self, section_terms: dict[str, list[str]], title_stems: list[list[str]],
                   text_stems: list[list[str]]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        lex, doc = self.lexicon, self.document
        full_docs, title_docs = [], []
        for unit, t_stems, b_stems in zip(doc.units, title_stems, text_stems, strict=True):
            title_terms = self.match_terms(lex.canonical(t_stems))
            if unit.title == unit.section:  # a passage titled only by its section
                title, section = self.match_terms(section_terms.get(unit.section, [])), []
            else:
                title, section = title_terms, self.match_terms(section_terms.get(unit.section, []))
            body = self.match_terms(lex.canonical(b_stems))
            full_docs.append(with_bigrams(title * self.title_weight + section + body))
            title_docs.append(with_bigrams([t for t in title_terms if t not in self.subject_terms_]))

        _require_vocabulary(full_docs, doc.path)
        common = dict(analyzer=_identity, sublinear_tf=True, lowercase=False)
        self.full_vectorizer_ = TfidfVectorizer(**common)
        self.full_matrix_ = self.full_vectorizer_.fit_transform(full_docs).tocsr()
        self.vocabulary_ = self.full_vectorizer_.vocabulary_
        self.idf_ = self.full_vectorizer_.idf_
        # Which unit uses which term, for the coverage half of the score.
        self.presence_ = (self.full_matrix_ > 0).astype("float32").tocsr()
        # Python ints, not numpy scalars: a tenth of the size in memory and in the cache
        self.unit_df_ = dict(zip(self.full_vectorizer_.get_feature_names_out(),
                                 self.presence_.sum(axis=0).A1.astype(int).tolist(), strict=True))
        # Titles in the same vocabulary, so a question word no title uses still counts against it.
        self.title_matrix_ = self.full_vectorizer_.transform(title_docs).tocsr()
        # List passages answer a question that names nothing but their section's topic.
        self.list_topics_ = [(i, frozenset(self.match_terms(lex.terms(self.topic_name(u.section)))))
                             for i, u in enumerate(doc.units) if u.kind == "list"]
        # Titles of their own (a bullet's "Organizational Skills"), as stems without stopwords, for
        # a question that uses every word of one.
        skip = lex.stopwords | self.subject_terms_
        self.title_stems_ = [(i, t) for i, u in enumerate(doc.units)
                             if u.kind in ("fact", "faq") and u.title != u.section
                             and (t := frozenset(stem(w) for w in tokens(u.title)) - skip)]
        # Titles of their own (a bullet's "Organizational Skills"), as stems without stopwords, for
        # a question that uses every word of one.
        skip = lex.stopwords | self.subject_terms_
        self.title_stems_ = [(i, t) for i, u in enumerate(doc.units)
                             if u.kind in ("fact", "faq") and u.title != u.section
                             and (t := frozenset(stem(w) for w in tokens(u.title)) - skip)]
        self.list_title_stems_ = [(i, frozenset(stem(t) for t in tokens(self.topic_name(u.section))))
                                  for i, u in enumerate(doc.units) if u.kind == "list"]

    def _fit_bm25(self, progress: Callable[[int], None] | None = None) -> set[str]:
        """BM25 weights per (unit, term) for questions and answers apart, by column, so a question
        reads only its own words' columns; built from every text's terms in one vectorised pass
        (``bm25.term_texts``). Returns every stem the document uses."""
        from . import bm25

        units = self.document.units
        vocabulary, (questions, answers), words = bm25.term_texts(
            # An entry asked in several ways is found by any of its phrasings.
            [["\n".join(u.questions) if u.questions else u.title for u in units], [u.text for u in units]],
            self.lexicon, progress=progress)
        self.bm25_vocabulary_ = vocabulary
        self.bm25_parts_ = tuple(bm25.Postings.from_matrix(*bm25.weights(bm25.counts(texts, len(vocabulary)),
                                                                         self.k1, self.b), weight)
                                 for texts, weight in ((questions, 1.0), (answers, self.answer_weight)))
        return words

    def title_set(self, i: int) -> frozenset[str]:
        """Unit ``i``'s title as a set of terms, stopwords kept and the guide's subject left out
        (for the near-copy test, which needs it for a few candidates only)."""
        return frozenset(self.lexicon.terms(self.units_[i].title, keep_stopwords=True)) - self.subject_terms_

    def match_terms(self, terms: list[str] | tuple[str, ...]) -> list[str]:
        """The terms TF-IDF sees: fillers ("tell", "need") and attribute-only words ("where")
        say nothing about which passage answers."""
        skip = self.lexicon.fillers | self.lexicon.attribute_only
        return [t for t in terms if t not in skip]

    def title_terms(self, text: str) -> list[str]:
        """Terms for title matching: every title is about the guide's subject, so it is left out."""
        return [t for t in self.match_terms(self.lexicon.terms(text)) if t not in self.subject_terms_]

    def _section_terms(self, title: str) -> list[str]:
        return [t for t in self.lexicon.terms(title) if t not in self.subject_terms_]

    def topic_name(self, title: str) -> str:
        """A section title without the career's name and connecting words: "Best Schools"."""
        subject = self.document.subject
        text = title.rstrip(":")
        if subject:
            text = re.sub(re.escape(subject), " ", text, flags=re.I)
        words = text.split()
        connectors = self.lexicon.topic_connectors
        for i, word in enumerate(words):
            if i > 0 and word.lower() in connectors:
                words = words[:i]
                break
        while words and (words[-1].lower() in connectors or words[-1].lower() in ("a", "an", "the")):
            words.pop()
        return " ".join(words).strip(" -:,") or title

    def _topics(self) -> list[str]:
        with_units = {u.section for u in self.document.units}
        return [self.topic_name(s.title) for s in self.document.sections if s.title in with_units]

    def _record_keys(self, words: set[str]) -> list[RecordKey]:
        lex = self.lexicon
        unit_of = {id(u.record): u for u in self.document.units if u.record is not None}
        keys = []
        for rec in self.document.records:
            terms = set(lex.terms(rec.name))
            if rec.own_section:
                terms -= self.subject_terms_
            acronyms = set()
            if rec.acronym:
                acronyms.add(rec.acronym.lower())
            name_words = re.findall(r"[A-Za-z]+", rec.name)
            if len(name_words) >= 2 and not rec.own_section:
                every = "".join(w[0] for w in name_words).lower()
                capital = "".join(w[0] for w in name_words if w[0].isupper()).lower()
                # every initial, the capitals' initials, and the beginnings of both ("tstc" for Texas
                # State Technical College-Waco; of four or more capitals, "tcat" for Tennessee College of
                # Applied Technology-Nashville, but not "nah" of NAHAM)
                acronyms.update(a for a in (every, capital, *(every[:n] for n in range(3, len(every))),
                                            *(capital[:n] for n in range(4, len(capital)))) if len(a) >= 3)
            # the initials up to a state, written as its code: "umn" for University of Minnesota-Twin Cities
            if not rec.own_section:
                acronyms.update(_state_initials(name_words, lex))
                acronyms.update(_written_initials(name_words))  # "wt" for W.T. Harlan Technical College
            # as a question's words are read: "ardms" is stemmed to "ardm"
            acronyms.update(s for a in list(acronyms) if len(s := stem(a)) >= 3)
            keys.append(RecordKey(rec, unit_of[id(rec)], frozenset(terms), frozenset(acronyms)))
        # A generated acronym that is an ordinary word, or that two records share, names nobody.
        counts = Counter(a for k in keys for a in k.acronyms)
        ordinary = words | self.lexicon.stopwords | self.lexicon.fillers

        def keeps(key: RecordKey, acronym: str) -> bool:
            written = acronym in {(key.record.acronym or "").lower(), stem((key.record.acronym or "").lower())}
            return counts[acronym] == 1 and (written or acronym not in ordinary)

        return [RecordKey(k.record, k.unit, k.name_terms, frozenset(a for a in k.acronyms if keeps(k, a)))
                for k in keys]

    def _with_about(self, key: RecordKey) -> RecordKey:
        """A record's name, acronyms, section, place, note and values: what its figures are about."""
        rec = key.record
        about = set(key.name_terms | key.acronyms | self.section_terms_.get(rec.group, frozenset()))
        region = (rec.place or "").rpartition(",")[2].strip()
        for text in (rec.place, rec.note, regions().get(region), *(f.value.raw for f in rec.fields)):
            if text:
                about |= set(self.lexicon.terms(text))
        return RecordKey(rec, key.unit, key.name_terms, key.acronyms, frozenset(about))

    def _field_keys(self) -> list[FieldKey]:
        labels: dict[str, int] = {}
        for rec in self.document.records:
            for f in rec.fields:
                labels.setdefault(f.label, len(labels))
            if rec.place:
                labels.setdefault(LOCATION, len(labels))
        keys = []
        weak = self.lexicon.fillers | self.lexicon.qualifiers
        for label, order in labels.items():
            # "In-State Tuition" is asked for by "tuition"; "state" alone selects nothing.
            terms = tuple(t for t in self.lexicon.terms(label) if t not in weak)
            terms = terms or tuple(self.lexicon.terms(label))
            keys.append(FieldKey(label, terms, terms[-1] if terms else "", order))
        return keys

    # ------------------------------------------------------------ look-ups used when answering
    def per_entry(self, row_scores):
        """Scores of phrasing rows -> one score per entry: the best of its phrasings."""
        import numpy as np

        starts = getattr(self, "phrasing_starts_", None)
        return row_scores if starts is None else np.maximum.reduceat(row_scores, starts)

    def name_frequency(self, term: str) -> int:
        """How many records' names use ``term``."""
        return self.name_df_.get(term, 0)

    def unit_frequency(self, term: str) -> int:
        """How many units use ``term``."""
        return self.unit_df_.get(term, 0)

    def records_with(self, label: str) -> list[RecordKey]:
        if label == LOCATION:
            return [k for k in self.record_keys_ if k.record.place]
        return [k for k in self.record_keys_ if k.record.get(label) is not None]

    def field_weight(self, term: str) -> float:
        """Inverse frequency of a term among field labels: "graduation" weighs more than "rate"."""
        return self.field_weights_.get(term, 0.0)
