"""Question -> candidates: spelling repair, record and field linking, passage ranking.

Each function scores one thing and says why in its docstring; ``reply`` decides between them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from dataclasses import field as dataclass_field

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from .index import FieldKey, Knowledge, RecordKey, with_bigrams
from .text import stem, tokens

MAX_QUESTION_CHARS = 1000
# Each repair searches the whole vocabulary; a question of hundreds of unknown words on a large
# knowledge base took 600 ms. Past this many repairs, unknown words stay unknown.
MAX_SPELL_REPAIRS = 8
RARE_UNITS = 3  # a name word used in at most this many units can name its record alone
COSINE_WEIGHT = 0.5  # the rest of a passage's score is its coverage of the question
LIST_SCORE = 0.9  # the score of a section's list when the question names only that section's topic


@dataclass(frozen=True)
class Query:
    """A question as the matcher sees it.

    ``terms`` are canonical terms (spelling repaired, synonyms mapped, stopwords dropped);
    ``unknown`` are the content words the document never uses, even allowing for typos.
    """

    text: str
    terms: tuple[str, ...]
    unknown: tuple[str, ...]
    corrected: tuple[tuple[str, str], ...]
    cut: bool
    said: dict[str, str] = dataclass_field(default_factory=dict)  # term -> the word the user typed
    stems: tuple[str, ...] = ()  # every word, spelling repaired, before synonyms and stopwords
    all_terms: tuple[str, ...] = ()  # canonical terms with the stopwords kept

    def words(self, terms: list[str] | tuple[str, ...]) -> str:
        """Terms as the user wrote them, for a reply: "texa" -> "texas"."""
        return ", ".join(dict.fromkeys(self.said.get(t, t) for t in terms))


def edit_budget(word: str) -> int:
    """How many edits a misspelling of ``word`` may have: none under 5 letters, 1 to 9, 2 beyond."""
    n = len(word)
    return 0 if n < 5 else 1 if n <= 9 else 2


def spell(word: str, kb: Knowledge) -> str | None:
    """The document word closest to a word the document does not know, if within the edit budget.

    Edit distance counting a swapped pair of letters as one edit (optimal string alignment):
    "salery" -> "salary", "capela" -> "capella" and "salray" -> "salary" are one edit; "france"
    is two edits from "face" and stays unknown; short words are never repaired ("nhs" stays).
    """
    budget = edit_budget(word)
    if not budget or not word.isalpha():
        return None
    hits = process.extract(word, kb.spell_choices_, scorer=OSA.distance, score_cutoff=budget, limit=8)
    if not hits:
        return None
    # Fewest edits first; between equals, the longest shared beginning ("asford" -> "ashford", not "afford").
    return min(hits, key=lambda h: (h[1], -len(os.path.commonprefix([word, h[0]]))))[0]


def make_query(question: str, kb: Knowledge) -> Query:
    """Tokenise, repair spelling against the document's vocabulary, and map synonyms."""
    cut = len(question) > MAX_QUESTION_CHARS
    text = question[:MAX_QUESTION_CHARS]
    stems, unknown, corrected, said = [], [], [], {}
    repairs = MAX_SPELL_REPAIRS
    for token in tokens(text):
        s = stem(token)
        if s not in kb.known_ and not s[0].isdigit():
            fixed, repairs = (spell(s, kb), repairs - 1) if repairs > 0 and edit_budget(s) else (None, repairs)
            if fixed is not None:
                corrected.append((s, fixed))
                s = fixed
            else:
                unknown.append(s)
        said.setdefault(s, token)
        if s in kb.initials_:  # "psc" -> patient service coordinator
            stems.extend(kb.initials_[s])
            continue
        stems.append(s)
    all_terms = kb.lexicon.canonical(stems, keep_stopwords=True)
    terms = [t for t in all_terms if t not in kb.lexicon.stopwords]
    return Query(text, tuple(terms), tuple(dict.fromkeys(unknown)), tuple(corrected), cut, said, tuple(stems),
                 tuple(all_terms))


def link_records(query: Query, kb: Knowledge) -> list[tuple[RecordKey, float]]:
    """Records the question names, strongest first, with a strength in (0, 1].

    A record is named by one of its acronyms (1.0), or by a term of its name that no other
    record's name uses ("capella", "purdue", "salary"), scored by the share of its name matched.
    Generic name words ("university") and category words ("college" -> school) name nobody on
    their own, except that a section's own figures are named by its topic ("salary"). A word
    that only part of a long name shares must also be rare in the document: "administrative"
    does not name the American Association of Healthcare Administrative Management.
    """
    terms = set(query.terms)
    fillers = kb.lexicon.fillers
    categories = kb.category_terms_
    found = []
    for key in kb.record_keys_:
        if terms & key.acronyms:
            found.append((key, 1.0))
            continue
        matched = key.name_terms & terms
        share = len(matched) / max(len(key.name_terms), 1)
        distinctive = [t for t in matched if kb.name_frequency(t) == 1 and t not in fillers
                       and (key.record.own_section or t not in categories)
                       and (key.record.own_section or share >= 0.5 or kb.unit_frequency(t) <= RARE_UNITS)]
        if not distinctive:
            continue
        found.append((key, 0.5 + 0.5 * share))
    found.sort(key=lambda pair: -pair[1])
    return found


def match_fields(query: Query, kb: Knowledge, keys: list[RecordKey] | None = None
                 ) -> list[tuple[FieldKey, float]]:
    """Attribute labels the question asks for, best first.

    Each label term the question uses adds its inverse frequency among labels; a label needs
    at least one such term. Ties go to the label matched more completely, then to the one
    the document lists first (so "tuition" means in-state tuition, "median" the annual one).
    """
    terms = set(query.terms)
    allowed = None
    if keys is not None:
        allowed = {f.label for k in keys for f in k.record.fields}
        if any(k.record.place for k in keys):
            allowed.add("Location")
    scored = []
    for field in kb.fields_:
        if allowed is not None and field.label not in allowed:
            continue
        matched = [t for t in field.terms if t in terms]
        if not matched:
            continue
        weight = sum(kb.field_weight(t) for t in matched)
        scored.append((field, weight, len(matched) / len(field.terms)))
    scored.sort(key=lambda s: (-s[1], -s[2], s[0].order))
    return [(f, w) for f, w, _ in scored]


def bm25_scores(query: Query, kb: Knowledge) -> np.ndarray:
    """BM25 of the question against each entry's question, plus ``answer_weight`` times against
    its answer; divided by what an entry using each question word once would score, so 1 is a
    full match. Only the columns of the question's own words are read. An entry asked in
    several ways scores by its best phrasing."""
    (questions, q_idf), (answers, a_idf) = kb.bm25_questions_, kb.bm25_answers_
    counts: dict[int, int] = {}
    for t in query.all_terms:
        j = kb.bm25_vocabulary_.get(t)
        if j is not None:
            counts[j] = counts.get(j, 0) + 1
    asked = np.zeros(questions.shape[0], dtype=np.float32)  # one row per phrasing of a question
    raw = np.zeros(answers.shape[0], dtype=np.float32)
    full = 0.0
    for j, n in counts.items():
        for matrix, idf, weight, out in ((questions, q_idf, 1.0, asked), (answers, a_idf, kb.answer_weight, raw)):
            start, end = matrix.indptr[j], matrix.indptr[j + 1]
            out[matrix.indices[start:end]] += np.float32(weight * n) * matrix.data[start:end]
            full += weight * n * idf[j]
    raw += kb.per_entry(asked)
    return raw / np.float32(full) if full > 0 else raw


def rank_units(query: Query, kb: Knowledge, *, k: int = 5) -> list[tuple[int, float]]:
    """Units by TF-IDF cosine between the question and each unit's title, section and text.

    The score is the larger of the whole-unit cosine and the title-only cosine (which finds
    an FAQ question asked nearly word for word), so both a paraphrase and a near-copy rank high.
    A section's list scores ``LIST_SCORE`` when every content word of the question is in that
    section's topic name ("what skills…" -> the list of skills).
    """
    if kb.scorer_ == "bm25":
        return _top(bm25_scores(query, kb), k)
    about = [t for t in kb.match_terms(query.terms) if t not in kb.subject_terms_]
    terms = with_bigrams(about or kb.match_terms(query.terms))
    if not terms:
        return []
    vector = query_vector(terms, kb)
    full = kb.full_matrix_ @ vector
    title = kb.title_matrix_ @ query_vector(with_bigrams(about), kb)
    score = COSINE_WEIGHT * np.maximum(full, title) + (1 - COSINE_WEIGHT) * coverage(vector, kb)
    asked = set(kb.match_terms(query.terms))
    for i, topic in kb.list_topics_:
        if asked and asked <= topic:
            score[i] = max(score[i], LIST_SCORE)
    return _top(score, k)


def _top(score: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The ``k`` best (unit, score) pairs with a positive score, best first.

    For a large knowledge base, ``k`` passes of argmax (a fast linear scan each) cost less than
    a partition of the whole array; ``score`` is the caller's own and is consumed.
    """
    if len(score) <= 4096:
        order = np.argsort(-score, kind="stable")[:k]
        return [(int(i), float(score[i])) for i in order if score[i] > 0]
    best = []
    for _ in range(k):
        i = int(np.argmax(score))
        if score[i] <= 0:
            break
        best.append((i, float(score[i])))
        score[i] = -np.inf
    return best


def foreign_terms(query: Query, kb: Knowledge, keys: list[RecordKey]) -> list[str]:
    """Content words that a value of these records cannot be about.

    A figure answers the question only if every content word is about the figure: the
    records' names, acronyms, places, notes and values, attribute labels, the guide's subject
    and the records' section, or a general word (a filler or a synonym's canonical word).
    "Salary in California" has "california" left over, "salary in 2010" has "2010": the guide
    gives no salary for either.
    """
    allowed = set(kb.subject_terms_) | kb.generic_terms_
    for key in keys:
        allowed |= key.about
    return [t for t in query.terms if t not in allowed]


def other_role(query: Query, kb: Knowledge) -> list[str]:
    """The career a question names after "become a", "work as a", … when it is not the guide's.

    "How do I become a registered nurse?" in a guide about medical records technicians names
    "registered nurse": the guide cannot answer it, even though it mentions nurses. Returns
    the words (empty when no other career is named, or the guide has no subject).
    """
    if not kb.subject_terms_:
        return []
    stems = query.stems
    lex = kb.lexicon
    for marker in lex.role_markers:
        n = len(marker)
        for i in range(len(stems) - n + 1):
            if stems[i:i + n] != marker:
                continue
            words = []
            for w in stems[i + n:i + n + 3]:
                if w in lex.stopwords:
                    break
                words.append(w)
            named = [w for w in lex.canonical(words) if w not in lex.fillers]
            if named and not set(named) & kb.subject_terms_:
                return named
    return []


def near_copy(query: Query, kb: Knowledge, i: int) -> bool:
    """Is the question unit ``i``'s title (an FAQ question) asked nearly word for word?

    Compared as sets of words, stopwords included and the guide's subject left out: every
    content word of the question is in the title, and the question has at least half of the
    title's words. "What salary can I expect?" is a near copy of "What salary can I expect
    as a …?"; "salary" alone is not, and goes to the salary figures.
    """
    lex = kb.lexicon
    asked = set(query.all_terms) - kb.subject_terms_
    title = kb.title_sets_[i]
    content = {t for t in asked if t not in lex.stopwords and t not in lex.fillers}
    return bool(asked) and content <= title and len(asked & title) >= 0.5 * len(title)


def query_vector(terms: list[str], kb: Knowledge) -> np.ndarray:
    """The question's TF-IDF vector, as the fitted vectorizer would make it, without its overhead.

    Sublinear term frequency times the learned idf, l2-normalised; terms outside the
    vocabulary are dropped. Equal to ``full_vectorizer_.transform([terms])`` (a test checks it).
    """
    vector = np.zeros(len(kb.idf_))
    counts: dict[int, int] = {}
    for t in terms:
        j = kb.vocabulary_.get(t)
        if j is not None:
            counts[j] = counts.get(j, 0) + 1
    if counts:
        idx = np.fromiter(counts, dtype=np.int64)
        tf = np.fromiter(counts.values(), dtype=np.float64)
        vector[idx] = (1.0 + np.log(tf)) * kb.idf_[idx]
        vector /= np.sqrt(np.dot(vector[idx], vector[idx]))
    return vector


def coverage(vector, kb: Knowledge) -> np.ndarray:
    """For each unit, the share of the question's IDF weight that the unit uses at all.

    Cosine alone punishes a long passage for its length; coverage does not, so a passage that
    uses every word of the question ("which states have the most jobs") is not outranked by a
    short title that uses one of them.
    """
    weights = np.zeros(len(kb.idf_))
    rows = np.flatnonzero(vector)
    weights[rows] = kb.idf_[rows]
    total = weights.sum()
    if not total:
        return np.zeros(kb.presence_.shape[0])
    return (kb.presence_ @ weights) / total


def unknown_share(query: Query, kb: Knowledge) -> float:
    """The share of the question's content words (fillers aside) that the document never uses."""
    content = len(kb.match_terms(query.terms))
    return len(query.unknown) / content if content else 1.0
