"""Question -> candidates: spelling repair, record and field linking, passage ranking.

Each function scores one thing and says why in its docstring; ``reply`` decides between them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from functools import lru_cache

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from .index import LOCATION, PIECES_WEIGHT, FieldKey, Knowledge, RecordKey, with_bigrams
from .model import Unit
from .semantic import similarities
from .text import Lexicon, root, stem, tokens
from .vocabulary import find_phrases

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
    vector: np.ndarray | None = dataclass_field(default=None, compare=False, repr=False)  # sentence vector
    places: tuple[tuple[int, tuple[str, ...]], ...] = ()  # (position, stems) of each place it names
    read: str = ""  # the text the sentence model read: misspellings and initials replaced

    def words(self, terms: list[str] | tuple[str, ...]) -> str:
        """Terms as the user wrote them, for a reply: "texa" -> "texas"."""
        return ", ".join(dict.fromkeys(self.said.get(t, t) for t in terms))


NAME_SPELL_LENGTH = 6  # a word this long may be a name misspelled by one edit more than edit_budget


def edit_budget(word: str) -> int:
    """How many edits a misspelling of ``word`` may have: none under 5 letters, 1 to 9, 2 beyond."""
    n = len(word)
    return 0 if n < 5 else 1 if n <= 9 else 2


def spell(word: str, kb: Knowledge, *, typed: str | None = None) -> str | None:
    """The document word closest to a word the document does not know, if within the edit budget.

    Edit distance counting a swapped pair of letters as one edit (optimal string alignment):
    "salery" -> "salary", "capela" -> "capella" and "salray" -> "salary" are one edit; "france"
    is two edits from "face" and stays unknown; short words are never repaired ("nhs" stays).
    """
    budget = edit_budget(typed or word)  # by the length as typed: "skils" (stem "skil") -> "skill"
    if not budget or not word.isalpha():
        return None
    memory = kb.__dict__.setdefault("_spelled", {})  # (not pickled: the cache keeps attributes ending in _)
    key = (word, typed)
    if key not in memory:
        found = _spell(word, kb, typed, budget)
        if len(memory) >= SPELL_MEMORY:
            return found
        memory[key] = found
    return memory[key]


SPELL_MEMORY = 50_000  # words typed whose repair is remembered, per knowledge base


def _spell(word: str, kb: Knowledge, typed: str | None, budget: int) -> str | None:
    # A name is misspelled by its sound ("hennipen" for Hennepin): one edit more, for no English word,
    # towards a word only one record's name uses that begins as the typed word does (one search).
    by_sound = len(word) >= NAME_SPELL_LENGTH and not is_word(typed or word, kb)
    found = process.extract(word, kb.spell_choices_, scorer=OSA.distance, score_cutoff=budget + by_sound, limit=8)
    hits = [h for h in found if h[1] <= budget] or [h for h in found if kb.name_df_.get(h[0]) == 1
                                                    and h[0][:3] == word[:3]]
    if not hits:
        return None
    # Fewest edits first; between equals, a word the typed one only left letters out of (the commonest
    # slip: "electricans" -> "electricians", not "electrical"), then the word more passages use
    # ("coordinater" -> "coordinator", not "coordinate"), then the longest shared beginning ("asford"
    # -> "ashford", not "afford").
    return min(hits, key=lambda h: (h[1], not _left_out(word, h[0]), -kb.unit_df_.get(h[0], 0),
                                    -len(os.path.commonprefix([word, h[0]]))))[0]


def _left_out(typed: str, word: str) -> bool:
    """Is ``typed`` ``word`` with letters left out ("electrican" of "electrician")?"""
    letters = iter(word)
    return len(typed) < len(word) and all(ch in letters for ch in typed)


def is_word(token: str, kb: Knowledge) -> bool:
    """Is a token an English word as typed ("never", "clinic"), not a misspelling ("salery")?
    Told by the sentence model's vocabulary; without the model, no token is known to be a word."""
    return kb.encoder_ is not None and token.lower() in kb.encoder_.words


def make_query(question: str, kb: Knowledge, *, vector: np.ndarray | None = None) -> Query:
    """Tokenise, repair spelling against the document's vocabulary, and map synonyms; with the
    semantic signal on, also encode the question (or take its ``vector`` when already known)."""
    cut = len(question) > MAX_QUESTION_CHARS
    text = question[:MAX_QUESTION_CHARS]
    stems, unknown, corrected, said = [], [], [], {}
    repaired = {}  # a word as typed -> what the sentence model is given instead
    repairs = MAX_SPELL_REPAIRS
    for token in tokens(text):
        s = stem(token)
        if s not in kb.known_ and not s[0].isdigit():
            fixed, repairs = (spell(s, kb, typed=token), repairs - 1) if repairs > 0 and edit_budget(token) \
                else (None, repairs)
            if fixed is not None and is_word(token, kb) and fixed not in kb.name_df_:
                fixed = None  # a word is not a misspelling ("never" is not "ever"), except of a name ("rankin")
            if fixed is not None:
                corrected.append((s, fixed))
                repaired[token] = fixed
                s = fixed
            else:
                unknown.append(s)
        said.setdefault(s, token)
        if s in kb.initials_:  # "psc" -> patient service coordinator
            stems.extend(kb.initials_[s])
            repaired[token] = kb.document.subject
            continue
        stems.append(s)
    for i, word in _short_forms(stems, unknown, kb).items():  # "st paul" for Saint Paul College
        corrected.append((stems[i], word))
        repaired[said.get(stems[i], stems[i])] = word
        unknown.remove(stems[i])
        said.setdefault(word, said.get(stems[i], stems[i]))
        stems[i] = word
    all_terms = kb.lexicon.canonical(stems, keep_stopwords=True)
    terms = [t for t in all_terms if t not in kb.lexicon.stopwords]
    read = _repaired(text, repaired) if kb.encoder_ is not None and text.strip() else ""
    if vector is None and read:
        vector = kb.encoder_.encode([read])[0]
    query = Query(text, tuple(terms), tuple(dict.fromkeys(unknown)), tuple(corrected), cut, said, tuple(stems),
                  tuple(all_terms), vector, read=read)
    return replace(query, places=tuple(_places_named(query, kb)))


def _repaired(text: str, repaired: dict[str, str]) -> str:
    """The question with its misspellings and initials replaced, as the sentence model reads it."""
    for typed, fixed in repaired.items():
        text = re.sub(rf"\b{re.escape(typed)}\b", fixed, text, flags=re.I)
    return text


CLIP_MIN = 4  # a typed word this long or longer may be the beginning of a name's word ("tech")


def link_records(query: Query, kb: Knowledge) -> list[tuple[RecordKey, float]]:
    """Records the question names, strongest first, with a strength in (0, 1].

    A record is named by one of its acronyms (1.0), or by a term of its name that no other
    record's name uses ("capella", "purdue", "salary"), scored by the share of its name matched.
    Generic name words ("university") and category words ("college" -> school) name nobody on
    their own, except that a section's own figures are named by its topic ("salary"); nor do the
    words of the guide's career ("surgical technologist job description" does not name the
    Association of Surgical Technologists, which its acronym still names). A word that only part
    of a long name shares must also be rare in the document: "administrative" does not name the
    American Association of Healthcare Administrative Management.
    """
    terms = _outside_labels(query, kb) - asked_kind(query, kb)
    fillers = kb.lexicon.fillers
    categories = kb.category_terms_
    places = {w for _, phrase in place_mentions(query, kb) for w in phrase} | set(query.stems) & {
        w for phrase in kb.comparisons_.regions for w in phrase}
    cities = {kb.cities_[phrase] for _, phrase in find_phrases(query.stems, kb.cities_)}
    found, covered = [], {}
    for key in kb.record_keys_:
        if terms & key.acronyms:
            found.append((key, 1.0))
            continue
        matched = key.name_terms & terms
        # A word typed clipped beside a whole one ("lincoln tech" for Lincoln Technical Institute,
        # "penn college" for Pennsylvania College of Technology) counts towards how much of the name
        # is matched, and names the record when the word it begins is the record's own.
        clipped = _clipped(key, query, kb, matched) if matched and len(matched) < len(key.name_terms) else {}
        share = min(1.0, (len(matched) + len(clipped)) / max(len(key.name_terms), 1))
        distinctive = [t for t in list(matched) + list(clipped.values()) if kb.name_frequency(t) == 1
                       and t not in fillers
                       and (key.record.own_section or t not in categories)
                       and (key.record.own_section or t not in kb.subject_terms_)  # the career, not a record
                       and (key.record.own_section or share >= 0.5 or kb.unit_frequency(t) <= RARE_UNITS)]
        city = (key.record.place or "").split(",")[0].strip()
        if not distinctive and city in cities and sum(c == city for c in kb.record_cities_) == 1:
            if not _kind_of(query, kb, set(kb.lexicon.terms(city))) and not _city_named_on(query, kb, key, city):
                found.append((key, PLACE_LINK))  # "the phoenix school", "the san diego one": the one school there
            continue
        whole = share == 1 and len(key.name_terms) > 1 and _in_order(key, query, kb)  # "medical assistant"
        if not (distinctive or whole) or near_miss(key, query, kb, places):
            continue
        found.append((key, 0.5 + 0.5 * share))
        covered[key] = matched | set(clipped)
    # A record named only by words that name another one as well, which the question names more
    # fully, is not meant: "lincoln tech" is Lincoln Technical Institute, not also Ivy Tech.
    found = [(k, s) for k, s in found
             if k not in covered or not any(covered[k] < covered[o] for o in covered if o is not k)]
    if not found:  # places named, not a word of one ("of" of "district of columbia")
        found = _shared_name(query, kb, terms, {w for _, phrase in place_mentions(query, kb) for w in phrase}) \
            or _the_one_in_a_state(query, kb)
    found.sort(key=lambda pair: -pair[1])
    return found


def _city_named_on(query: Query, kb: Knowledge, key: RecordKey, city: str) -> bool:
    """Is the record's city typed as the start of another name, followed by a word that is not the
    record's, nor a stopword, filler, kind of institution, state or attribute word, but one the
    guide uses ("san diego state" is not the one school in San Diego; "the san diego one", "san
    diego tuition" are)?"""
    stems, canon = query.stems, kb.lexicon.canonical
    words = set(kb.lexicon.terms(key.record.name))
    for i, phrase in find_phrases(stems, {tuple(stem(t) for t in tokens(city)): city}):
        j = i + len(phrase)
        nxt = canon([stems[j]]) if j < len(stems) else []
        if not nxt or stems[j] in query.unknown or nxt[0] in words:
            continue
        if not any(nxt[0] in group for group in (kb.lexicon.stopwords, kb.lexicon.fillers, kb.attribute_heads_,
                                                 kb.field_terms_, kb.kind_terms_, kb.category_terms_)) \
                and (stems[j],) not in kb.comparisons_.regions and stems[j].upper() not in kb.comparisons_.codes:
            return True
    return False


def _the_one_in_a_state(query: Query, kb: Knowledge) -> list[tuple[RecordKey, float]]:
    """The one school in a state the question names, when it asks for one ("the utah school", "the
    school in utah", "the one in utah": a kind word typed singular, or "one"). [] when the state has
    none or several, or the kind is plural ("schools in utah" lists them)."""
    regions, codes = kb.comparisons_.regions, kb.comparisons_.codes
    states = {regions[phrase] for _, phrase in query.places if phrase in regions}
    if len(states) != 1:
        return []
    singular = any(t in kb.kind_terms_ and not query.said.get(t, t).endswith("s") for t in query.stems) \
        or "one" in query.stems
    stems = query.stems
    there = any(w in kb.comparisons_.yes_no and n == "there" for w, n in zip(stems, stems[1:], strict=False))
    if not singular or there:  # "is there a school near us": whether there is one, asked of the state
        return []
    state = states.pop()
    there = [k for k in kb.record_keys_ if not k.record.own_section and k.record.fields and k.record.place
             and k.record.place.rsplit(",", 1)[-1].strip() in (state, codes.get(state))]
    return [(there[0], PLACE_LINK)] if len(there) == 1 else []


SHARED_NAME_RECORDS = 3  # a name word this many records share or fewer, with a place, names the one there
PLACE_LINK = 0.75  # how surely a city or state names the one record there ("the phoenix school")
SHARED_LINK = 0.5  # how surely a word a few names share names each of them


def _shared_name(query: Query, kb: Knowledge, terms: set[str], places: set[str]) -> list[tuple[RecordKey, float]]:
    """The few records (``SHARED_NAME_RECORDS`` or fewer) whose names share a word the question types
    that the guide uses nowhere else ("gateway", of Gateway Technical College and Gateway Community
    and Technical College): the one in the city or state the question names ("gateway in kentucky"),
    or, with no place named, each of them ("gateway tuition"). [] when the place has none or several."""
    codes, shared, there = kb.comparisons_.codes, [], []
    for key in kb.record_keys_:
        if key.record.own_section or not key.record.fields:  # schools, not "american" organisations
            continue
        words = [t for t in key.name_terms & terms if 1 < kb.name_frequency(t) <= SHARED_NAME_RECORDS
                 and kb.unit_frequency(t) <= kb.name_frequency(t) + 1  # its records' and their list's
                 and t not in kb.kind_terms_ and t not in kb.category_terms_ and t not in kb.lexicon.fillers
                 and t not in places]
        if not words or near_miss(key, query, kb, places):  # not "idaho state university"
            continue
        shared.append(key)
        city, _, region = (key.record.place or "").partition(",")
        if (set(kb.lexicon.terms(city)) | set(kb.lexicon.terms(codes.get(region.strip(), "")))) & places:
            there.append(key)
    if places:
        return [(there[0], PLACE_LINK)] if len(there) == 1 else []
    return [(key, SHARED_LINK) for key in shared]


def _clipped(key: RecordKey, query: Query, kb: Knowledge, matched: set[str]) -> dict[str, str]:
    """Words of the question that begin a word of the record's name right next to a word of the
    name it typed whole (past kinds of institution and stopwords), on the same side, with the word
    each begins: "tech" in "lincoln tech" (Lincoln Technical Institute) and in "pennsylvania tech"
    (Pennsylvania College of Technology); not "health" in "health services administration" (Healthcare
    Administration Certification Board)."""
    name = kb.lexicon.canonical([stem(w) for w in tokens(key.record.name)])
    terms = list(query.terms)
    found = {}
    for i, t in enumerate(terms):
        if t in matched or len(t) < CLIP_MIN or not t.isalpha():
            continue
        for step in (-1, 1):
            j = i + step
            if not (0 <= j < len(terms)) or terms[j] not in matched:
                continue
            for k, n in enumerate(name):
                if n != terms[j]:
                    continue
                m = k - step  # the name's next word on that side, past kinds of institution and stopwords
                while 0 <= m < len(name) and _generic(name[m], kb) and not name[m].startswith(t):
                    m -= step
                if 0 <= m < len(name) and name[m].startswith(t) and name[m] != t:
                    found[t] = name[m]
    return found


SHORT_FORM = 3  # a word of this many letters or fewer may be another written short ("st" of "saint")


def _shortened(a: str, b: str) -> bool:
    """Is one of two words the other written short the usual way: of two or three letters, its first
    and last letters with letters of it between, in order ("st" of "saint", "mt" of "mount")?"""
    short, long = sorted((a, b), key=len)
    return 2 <= len(short) <= SHORT_FORM < len(long) and short.isalpha() and short[0] == long[0] \
        and short[-1] == long[-1] and _left_out(short, long)


def _short_forms(stems: list[str], unknown: list[str], kb: Knowledge) -> dict[int, str]:
    """Words the guide lacks that are a record's name word written short, or written out where the
    guide writes it short, typed beside the word that follows or precedes it in that name: "st paul"
    for Saint Paul College, "saint cloud" for St. Cloud Technical College. Position -> name word."""
    found = {}
    ends = None
    for i, s in enumerate(stems):
        if s not in unknown or len(s) < 2:
            continue
        if ends is None:
            ends = _name_word_ends(tuple(_name_and_city(kb, key)[0] for key in kb.record_keys_))
        for n, before, after in ends.get((s[0], s[-1]), ()):
            if _shortened(s, n) and (before is not None and 0 < i and stems[i - 1] == before
                                     or after is not None and i + 1 < len(stems) and stems[i + 1] == after):
                found[i] = n
    return found


@lru_cache(maxsize=64)
def _name_word_ends(names: tuple[str, ...]) -> dict[tuple[str, str], list[tuple[str, str | None, str | None]]]:
    """Every word of these names (stems joined by spaces) by its first and last letters, with the
    words before and after it in its name (None at an end)."""
    ends: dict[tuple[str, str], list[tuple[str, str | None, str | None]]] = {}
    for name in names:
        words = name.split()
        for k, n in enumerate(words):
            if n:
                ends.setdefault((n[0], n[-1]), []).append(
                    (n, words[k - 1] if k else None, words[k + 1] if k + 1 < len(words) else None))
    return ends


def _generic(word: str, kb: Knowledge) -> bool:
    """A stopword or a kind of institution: what a shortened name leaves out ("oregon tech")."""
    return word in kb.lexicon.stopwords or bool(set(kb.lexicon.canonical([word])) & kb.kind_terms_)


def _in_order(key: RecordKey, query: Query, kb: Knowledge) -> bool:
    """Does the question hold the record's whole name as one run of words ("a medical assistant",
    not "medical … assistant")? Then it names the record even when no word of it is its own."""
    name = [t for t in kb.lexicon.canonical([stem(w) for w in tokens(key.record.name)])]
    terms = list(query.terms)
    n = len(name)
    return n > 1 and any(terms[i:i + n] == name for i in range(len(terms) - n + 1))


def asked_kind(query: Query, kb: Knowledge) -> set[str]:
    """The word between an asking word that opens the question and its verb ("what *state* is
    rasmussen university in"): the kind of thing asked, which names no record (Indian River State
    College)."""
    stems = query.stems
    if len(stems) > 3 and stems[0] in kb.lexicon.asking_words and stems[1] not in kb.lexicon.stopwords \
            and stems[2] in kb.comparisons_.yes_no:  # "what state *is*", "which city *does*"
        return set(kb.lexicon.canonical([stems[1]]))
    return set()


def _outside_labels(query: Query, kb: Knowledge) -> set[str]:
    """The question's terms, but for those that spell out an attribute's whole label in a row: in
    "in-state tuition under $14,850", "state" is the label's, not Indian River State College's;
    nor are the words of two or more of a label's words typed in its order ("cheapest school for
    in-state students", "out of state"), unless typed elsewhere in the question too."""
    terms = list(query.terms)
    spent = [False] * len(terms)
    for field in kb.fields_:
        label = kb.lexicon.terms(field.label)
        n = len(label)
        if n < 2:
            continue
        for i in range(len(terms) - n + 1):
            if terms[i:i + n] == label:
                spent[i:i + n] = [True] * n
    kept = {t for t, used in zip(terms, spent, strict=True) if not used}
    stems = list(query.stems)
    in_label = [False] * len(stems)
    for runs in _label_runs(tuple(f.label for f in kb.fields_), kb.lexicon.stopwords):
        for run in runs.every:
            n = len(run)
            for i in range(len(stems) - n + 1):
                if tuple(stems[i:i + n]) == run:
                    in_label[i:i + n] = [True] * n
    if not any(in_label):
        return kept
    canon = kb.lexicon.canonical
    outside = set(canon([s for s, used in zip(stems, in_label, strict=True) if not used]))
    inside = set(canon([s for s, used in zip(stems, in_label, strict=True) if used]))
    return {t for t in kept if t in outside or t not in inside}


def near_misses(query: Query, kb: Knowledge) -> list[RecordKey]:
    """Records whose names share a place word with another thing the question names ("university
    of arizona", "georgia tech", "university of miami"): the question is about something the guide
    does not list, and none of these records' figures answers it."""
    mentions = place_mentions(query, kb)
    if not mentions and "of" not in query.stems and not set(query.terms) & kb.kind_terms_ and not query.unknown \
            and not find_phrases(query.stems, kb.cities_):
        return []  # no test below can hold: no place or city named, no "university of …", no kind word, no new word
    places = {w for _, phrase in mentions for w in phrase} | set(query.stems) & {
        w for phrase in kb.comparisons_.regions for w in phrase}
    out = []
    stems = set(query.stems)
    for key in kb.record_keys_:
        name_text, city = _name_and_city(kb, key)
        if not (city & stems or any(w in name_text for w in stems)):
            continue  # neither test can hold: no word of the question is in its name or its city
        if key.record.own_section or set(query.terms) & key.acronyms:
            continue
        town = (key.record.place or "").split(",")[0].strip()
        if near_miss(key, query, kb, places) or (city and _kind_of(query, kb, city)
                                                   and not any(f"of {c}" in name_text for c in city)) \
                or (town and _city_named_on(query, kb, key, town)):
            out.append(key)  # "university of phoenix" is University of Phoenix-Arizona, though in Phoenix
    return out


_NAMES: dict[tuple[int, str, str], tuple[str, frozenset[str]]] = {}


def _name_and_city(kb: Knowledge, key: RecordKey) -> tuple[str, frozenset[str]]:
    """A record's name as stems joined by spaces, and its city's terms, computed once a process."""
    k = (id(kb.lexicon), key.record.name, key.record.place or "")
    found = _NAMES.get(k)
    if found is None:
        found = (" ".join(stem(t) for t in tokens(key.record.name)),
                 frozenset(kb.lexicon.terms((key.record.place or "").split(",")[0])))
        if len(_NAMES) < 200_000:
            _NAMES[k] = found
    return found


def _kind_of(query: Query, kb: Knowledge, words: set[str]) -> bool:
    """Is one of ``words`` named as "<kind> of <word>" ("university of miami")?"""
    stems, canon = query.stems, kb.lexicon.canonical
    return any(w in words and i > 1 and stems[i - 1] == "of" and set(canon([stems[i - 2]])) & kb.kind_terms_
               for i, w in enumerate(stems))


def near_miss(key: RecordKey, query: Query, kb: Knowledge, places: set[str]) -> bool:
    """Does the question name another thing that shares a place word with this record's name?

    "ohio state", "georgia tech": a place word of the name followed by a word that is not;
    "university of arizona", "university of houston": a kind word, "of" and the place. Either
    way it is another school than Ohio Valley Technical College, University of Phoenix-Arizona
    or Houston Community College, and none of their figures answers it.
    """
    if key.record.own_section:
        return False
    stems = query.stems
    canon = kb.lexicon.canonical
    words = set(kb.lexicon.terms(key.record.name))
    name_text = " ".join(stem(t) for t in tokens(key.record.name))
    regions = kb.comparisons_.regions
    for i, phrase in place_mentions(query, kb):
        if not set(phrase) & places or " ".join(phrase) not in name_text:
            continue
        j = i + len(phrase)
        nxt = canon([stems[j]]) if j < len(stems) else []
        # "phoenix arizona campus": the place ends the name (not "minnesota duluth", where the name
        # goes on with "twin cities")
        inside = i > 0 and name_text.endswith(f"{stems[i - 1]} {' '.join(phrase)}")
        if phrase in regions and not inside and nxt and nxt[0] not in words and nxt[0] not in kb.lexicon.stopwords \
                and nxt[0] not in kb.lexicon.fillers and nxt[0] not in kb.attribute_heads_ \
                and nxt[0] not in kb.field_terms_ and not _clips_next(stems[j], phrase, name_text, kb, stems[:i]):
            return True  # "ohio state", "georgia tech"
        if i > 1 and stems[i - 1] == "of" and set(canon([stems[i - 2]])) & kb.kind_terms_ \
                and f"of {' '.join(phrase)}" not in name_text:
            return True  # "university of arizona", "university of new hampshire"
    spots = {i + k for i, phrase in place_mentions(query, kb) for k in range(len(phrase))}
    if _other_kind_after(key, stems, kb, name_text, spots) or _replaced_name_word(key, query, kb, name_text) \
            or _other_middle(key, stems, kb, name_text) or _replaced_rest(key, query, kb, name_text):
        return True
    name = key.name_terms - kb.kind_terms_
    for i, w in enumerate(stems):  # "university of houston" and Houston Community College
        if i > 1 and w in name and stems[i - 1] == "of" and set(canon([stems[i - 2]])) & kb.kind_terms_ \
                and f"of {w}" not in name_text:
            return True
    return False


def _clips_next(typed: str, phrase: tuple[str, ...], name_text: str, kb: Knowledge,
                before: list[str] | tuple[str, ...] = ()) -> bool:
    """Is ``typed``, after a place that begins a run of the name, the beginning of the name's next
    word that is not a kind of institution or a stopword, or the initials of the rest of the
    name? "oregon tech" is Oregon Institute of Technology and "kansas city kansas cc" Kansas City
    Kansas Community College; "georgia tech" is not Georgia Northwestern Technical College
    ("northwestern" is left out). The name's words before the place must be kinds and stopwords,
    or typed (``before``: the question's words before the place)."""
    if not typed.isalpha() or len(typed) < 2:
        return False
    words = name_text.split()
    n = len(phrase)
    for i in range(len(words) - n + 1):
        if tuple(words[i:i + n]) != tuple(phrase):
            continue
        lead = words[:i]
        if not (all(_generic(w, kb) for w in lead) or (lead and list(before[-len(lead):]) == lead)):
            continue  # "georgia tech" leaves out "central" of Central Georgia Technical College
        rest = [w for w in words[i + n:] if w not in kb.lexicon.stopwords]
        if len(rest) >= 2 and typed == "".join(w[0] for w in rest):
            return True
        if len(typed) < CLIP_MIN:
            continue
        for w in words[i + n:]:
            if w.startswith(typed) and w != typed:
                return True
            if not _generic(w, kb):
                break
    return False


def _replaced_name_word(key: RecordKey, query: Query, kb: Knowledge, name_text: str) -> bool:
    """Is a word the guide lacks typed where the name has another word, before a word only this
    record's name uses? "lincoln tech" is not Ivy Tech Community College: "lincoln" stands where
    its name has "ivy". Not a beginning of a word of its name ("st. pete college").

    So is a place or another record's name word typed before the rest of this name, word for word
    to its kind of institution: "jackson state university" is not Idaho State University, nor
    "oregon health & science university" Baptist Health Sciences University."""
    words = name_text.split()
    stems, unknown = query.stems, set(query.unknown)
    places = {w for _, phrase in place_mentions(query, kb) for w in phrase}
    for i in range(1, len(stems)):
        typed, word = stems[i - 1], stems[i]
        if word not in words or words.index(word) == 0 or typed in words:
            continue
        j = words.index(word)
        if typed not in unknown:
            if (typed in places or _names_another(typed, words, kb)) and not set(kb.lexicon.canonical([word])) \
                    & kb.kind_terms_ and _rest_to_kind(stems, i, words, j, kb) \
                    and not any(f" {typed} {word} " in f" {_name_and_city(kb, other)[0]} " for other in kb.record_keys_
                                if other is not key):  # "houston community college" is another record
                return True
            continue
        if not any(kb.name_frequency(t) == 1 for t in kb.lexicon.canonical([word])):
            continue  # a word many names use ("community", "state") is no name of its own
        # A word of the name clipped ("lincoln tech denver") or the initials of the words before it
        # ("uc blue ash": University of Cincinnati) is the name as typed.
        lead = [w for w in words[:j] if w not in kb.lexicon.stopwords]
        initials = {"".join(w[0] for w in lead[k:]) for k in range(len(lead))}
        if not any(w.startswith(typed) for w in words) and typed not in initials:
            return True
    return False


def _replaced_rest(key: RecordKey, query: Query, kb: Knowledge, name_text: str) -> bool:
    """Is a word the guide lacks typed right after words of the name, where the name goes on with a
    word of its own the question does not type? "purdue university global" is not Purdue
    University-Main Campus, nor "purdue fort wayne" Purdue University Global. Not a word after the
    whole name or its last own word ("capella flexpath", "capella university reviews"), nor the
    beginning of the word it stands for or the initials of the words that follow ("tulsa cc")."""
    if not key.record.fields:
        return False
    words = name_text.split()
    stems, unknown = query.stems, set(query.unknown)
    for i in range(1, len(stems)):
        word, typed = stems[i - 1], stems[i]
        run = []  # the name's words typed in a row up to here
        for w in reversed(stems[:i]):
            if w not in words:
                break
            run.append(w)
        if typed not in unknown or not run or typed in words or not any(
                kb.name_frequency(t) == 1 and kb.unit_frequency(t) <= RARE_UNITS for t in kb.lexicon.canonical(run)):
            continue  # the words before must name this record on their own: "purdue university", not "health"
        rest = [w for w in words[words.index(word) + 1:] if not _generic(w, kb)]
        after = [w for w in words[words.index(word) + 1:] if w not in kb.lexicon.stopwords]
        initials = {"".join(w[0] for w in after[:n]) for n in range(1, len(after) + 1)}  # "florida iu"
        j = i + 1
        while j < len(stems) and stems[j] in unknown:  # "fort wayne"
            j += 1
        # where a name goes: before an attribute or a kind of institution, or last ("does southern
        # report an admission rate" is a verb)
        then = set(kb.lexicon.canonical([stems[j]])) if j < len(stems) else set()
        slot = j == len(stems) or bool(then & (kb.attribute_heads_ | kb.field_terms_ | kb.kind_terms_))
        if rest and rest[0] not in stems and not rest[0].startswith(typed) and typed not in initials and slot:
            return True
    return False


def _other_middle(key: RecordKey, stems: list[str] | tuple[str, ...], kb: Knowledge, name_text: str) -> bool:
    """Does a word that is not the name's stand between its first words and its kind of institution,
    in place of the name's words between them, or before another kind? "los angeles city college" is
    not Los Angeles Trade-Technical College, nor "san diego state university" San Diego Mesa College.
    Not a word beside the whole name ("capella online university"), nor the record's own city or
    state ("gateway kentucky college")."""
    words = name_text.split()
    canon, stop = kb.lexicon.canonical, kb.lexicon.stopwords
    own_place = set(kb.lexicon.terms(key.record.place or ""))
    for i in range(len(stems)):
        n = 0
        while i + n < len(stems) and n < len(words) and stems[i + n] == words[n]:
            n += 1
        j = i + n
        # the words typed must be the name's own: not only "the" (The Joint Commission), nor the
        # career's ("hvac training schools" and HVAC Excellence)
        if j + 1 >= len(stems) or not any(w not in stop and w not in kb.subject_terms_ and not _generic(w, kb)
                                          for w in words[:n]):
            continue
        typed, then = stems[j], stems[j + 1]
        if typed in words or typed in stop or typed in own_place or set(canon([typed])) & kb.kind_terms_ \
                or any(w.startswith(typed) for w in words):  # "st. pete college": a word clipped
            continue
        rest = words[n:]
        if not set(canon([then])) & kb.kind_terms_:
            continue
        if then not in words:  # another kind than the name's: "san diego state university", San Diego Mesa College
            return True
        if then in rest and any(w not in stop for w in rest[:rest.index(then)]):
            return True
    return False


def _names_another(typed: str, words: list[str], kb: Knowledge) -> bool:
    """Is ``typed`` a word of another record's name, not of the name spelled by ``words``?"""
    return typed not in words and typed not in kb.lexicon.stopwords \
        and any(kb.name_frequency(t) for t in kb.lexicon.canonical([typed])
                if t not in kb.kind_terms_ and t not in kb.subject_terms_)  # the career's words name no record


def _rest_to_kind(stems: list[str] | tuple[str, ...], i: int, words: list[str], j: int, kb: Knowledge) -> bool:
    """Do the question's words from ``i`` spell the name's words from ``j`` up to and including a
    kind of institution ("state university" of Idaho State University)?"""
    for k, w in enumerate(words[j:]):
        if i + k >= len(stems) or stems[i + k] != w:
            return False
        if set(kb.lexicon.canonical([w])) & kb.kind_terms_:
            return True
    return False


def _other_kind_after(key: RecordKey, stems: list[str] | tuple[str, ...], kb: Knowledge, name_text: str,
                      places: set[int] = frozenset()) -> bool:
    """Does a run of this record's name words end in a kind word its name does not use?

    "phoenix college" is not University of Phoenix-Arizona, nor "florida state university"
    Florida State College at Jacksonville: the kind of institution typed ("college",
    "university", as written, before the lexicon makes both "school") is another one than the
    record's, so the question names another institution. So does a run that goes on through
    another record's name words or a place (``places``: positions in ``stems``) to a kind word
    ("western new hampshire university" is neither Western Governors University nor Southern New
    Hampshire University).
    """
    words = name_text.split()
    own = set(words)
    canon = kb.lexicon.canonical
    i = 0
    while i < len(stems):
        j = i
        # the run goes on through another record's name words: "jackson state university" is not
        # Jackson College
        while j < len(stems) and (stems[j] in own or j > i and (j in places or _names_another(stems[j], words, kb))) \
                and not set(canon([stems[j]])) & kb.kind_terms_:
            j += 1
        named = set(canon(list(stems[i:j]))) & (key.name_terms - kb.kind_terms_)  # not only "the"
        kind = set(canon([stems[j]])) if j < len(stems) else set()
        mixed = any(s not in own for s in stems[i:j])  # "western new hampshire university": another's words
        # A kind word as typed that is the kind itself ("the phoenix school") names no other kind.
        if named and kind & kb.kind_terms_ and (mixed or stems[j] not in own and stems[j] not in kind):
            return True
        i = j + 1 if j > i else i + 1
    return False


def match_fields(query: Query, kb: Knowledge, keys: list[RecordKey] | None = None
                 ) -> list[tuple[FieldKey, float]]:
    """Attribute labels the question asks for, best first.

    Each label term the question uses adds its inverse frequency among labels; a label needs
    at least one such term. A label whose head word (its noun: "tuition") is asked comes before
    one matched only by a modifier ("cost under $10,000 a year" is tuition, not the annual
    median). Ties go to the label matched more completely, then to the one the document lists
    first (so "tuition" means in-state tuition, "median" the annual one).

    In a message of several sentences, the attributes its last sentence names come first: "my kid
    was accepted to Ashford but lots of students never finish. how many actually graduate?" asks
    for the graduation rate, not the admission rate.
    """
    found = fields_for_terms(query.terms, kb, keys)
    typed = labels_typed(query, kb, keys)
    if typed:  # "what do they pay in-state": the label's own words in its order name it
        weights = dict(found)
        found = [(f, weights.get(f, 1.0)) for f in typed] + [(f, w) for f, w in found if f not in typed]
    if len(found) < 2:
        return found
    sentences = [s for s in _SENTENCE.findall(query.text) if any(ch.isalnum() for ch in s)]
    if len(sentences) < 2:
        return found
    asked = set(kb.lexicon.terms(sentences[-1]))
    first = [(f, w) for f, w in found if any(t in asked or any(same_root(a, t) for a in asked) for t in f.terms)]
    return first + [(f, w) for f, w in found if (f, w) not in first]


_SENTENCE = re.compile(r"[^.!?]+[.!?]*")


def labels_typed(query: Query, kb: Knowledge, keys: list[RecordKey] | None = None) -> list[FieldKey]:
    """Attributes whose label has two or more of its words typed in its order, a run of words no
    other label has: "in-state" names In-State Tuition ("state tuition" names neither alone)."""
    allowed = None if keys is None else {f.label for k in keys for f in k.record.fields}
    stems = f" {' '.join(query.stems)} "
    return [field for field, runs in zip(kb.fields_, _label_runs(tuple(f.label for f in kb.fields_),
                                                                  kb.lexicon.stopwords), strict=True)
            if (allowed is None or field.label in allowed) and any(f" {r} " in stems for r in runs.own)]


@dataclass(frozen=True)
class _LabelRuns:
    every: tuple[tuple[str, ...], ...]  # runs of two or more of the label's stems, in its order
    own: tuple[str, ...]                # of those ending on a word of substance, the ones no other label has


@lru_cache(maxsize=256)
def _label_runs(labels: tuple[str, ...], stopwords: frozenset[str]) -> tuple[_LabelRuns, ...]:
    """Each label's runs of words, worked out once for a set of labels: "in state" is In-State
    Tuition's own ("state tuition" is also Out-of-State Tuition's); a run must end on a word of
    substance ("in state", not "out of": "out of the MA schools")."""
    words = [tuple(stem(t) for t in tokens(label)) for label in labels]
    every = [tuple(w[i:i + n] for n in range(2, len(w) + 1) for i in range(len(w) - n + 1)) for w in words]
    out = []
    for k, runs in enumerate(every):
        others = [" ".join(w) for j, w in enumerate(words) if j != k]
        own = tuple(" ".join(r) for r in runs if r[-1] not in stopwords
                    and not any(" ".join(r) in other for other in others))
        out.append(_LabelRuns(runs, own))
    return tuple(out)


def fields_for_terms(terms: tuple[str, ...], kb: Knowledge, keys: list[RecordKey] | None = None
                     ) -> list[tuple[FieldKey, float]]:
    """``match_fields`` for a question's terms given apart (with an implied attribute's word added)."""
    terms = set(terms)
    terms |= {t for w in list(terms) if w not in kb.field_terms_ for t in kb.field_terms_ if same_root(w, t)}
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
        scored.append((field, weight, len(matched) / len(field.terms), field.head in terms))
    scored.sort(key=lambda s: (-s[3], -s[1], -s[2], s[0].order))
    return [(f, w) for f, w, _, _ in scored]


def same_root(a: str, b: str) -> bool:
    """Are two words one root with different endings ("graduate" and "graduation", "enroll" and
    "enrollment")? They share a beginning of six letters or more that is most of the shorter word."""
    n = len(os.path.commonprefix([a, b]))
    return n >= 6 and n >= 0.75 * min(len(a), len(b)) and a.isalpha() and b.isalpha()


FIELD_SIMILARITY = 0.35  # the sentence model links an attribute this close to the question…
FIELD_MARGIN = 0.08      # …and this much closer than any attribute of another kind (in-state and
                         # out-of-state tuition are one kind: the first listed is meant, as with words)
_CLAUSE = re.compile(r"[^.!?;]+[.!?;]*")


def semantic_field(query: Query, kb: Knowledge, keys: list[RecordKey], *, floor: float = FIELD_SIMILARITY
                   ) -> list[tuple[FieldKey, float]]:
    """The attribute the sentence model finds the question asks about, when no label word is used.

    "how hard is it to get into SNHU" -> admission rate, "how big is ashford, student-wise" ->
    enrollment. Each attribute is described by its label, its section's topic and its synonyms
    from the lexicon. The model reads the question without the records' names, clause by clause
    ("my son is looking at davenport. how many kids actually graduate there?": the clause that
    links an attribute most clearly counts); only a clear winner counts (``FIELD_SIMILARITY``,
    ``FIELD_MARGIN``). ``floor``: the similarity the winner needs (0 where the question has already
    said it asks some figure of these records: "I live in Ohio, what would Purdue Global charge me").
    """
    if query.vector is None or kb.field_vectors_ is None:
        return []
    allowed = {f.label for k in keys for f in k.record.fields}
    if not allowed:
        return []
    if any(k.record.place for k in keys):
        allowed.add(LOCATION)  # a rival only: a place is asked with "where", never linked here
    if asks_count(query, kb):  # "how many … are there": a count or a share, never a sum of money
        allowed = {label for label in allowed if label == LOCATION or kinds_of(kb, label) & {"count", "percent"}}
    rows = [i for i, f in enumerate(kb.fields_) if f.label in allowed]
    if not any(kb.fields_[i].label != LOCATION for i in rows):
        return []
    vectors = _field_question_vectors(query, kb, keys)
    best_field, best_margin, best_sim = None, 0.0, 0.0
    for vector in vectors:
        sims = kb.field_vectors_[rows] @ vector
        order = np.argsort(-sims)
        top = kb.fields_[rows[order[0]]]
        rivals = [float(sims[j]) for j in order[1:] if kb.fields_[rows[j]].head != top.head]
        margin = float(sims[order[0]]) - (rivals[0] if rivals else 0.0)
        if top.label != LOCATION and float(sims[order[0]]) >= floor and margin >= FIELD_MARGIN \
                and margin > best_margin:
            first = min((kb.fields_[rows[j]] for j in order if kb.fields_[rows[j]].head == top.head),
                        key=lambda f: f.order)
            best_field, best_margin, best_sim = first, margin, float(sims[order[0]])
    return [(best_field, best_sim)] if best_field is not None else []


def kinds_of(kb: Knowledge, label: str) -> set[str]:
    """The kinds of value an attribute holds where it is given (money, percent, count…)."""
    return {f.value.kind for k in kb.records_with(label) for f in k.record.fields
            if f.label == label and f.value.available}


def asks_count(query: Query, kb: Knowledge) -> bool:
    """Does the question ask for a count or a share (the lexicon's ``count_cues`` and
    ``share_cues``: "how many…", "what percent…")?"""
    return asks_cue(query, kb.lexicon.count_cues) or asks_share(query, kb)


def asks_share(query: Query, kb: Knowledge) -> bool:
    """Does the question ask for a share ("what percent…", the lexicon's ``share_cues``, or a
    percent sign on no number: "job growth %")?"""
    return asks_cue(query, kb.lexicon.share_cues) or bool(_BARE_PERCENT.search(query.text))


_BARE_PERCENT = re.compile(r"(?:^|[^\d\s.,])\s*%")


def asks_cue(query: Query, cues: tuple[str, ...]) -> bool:
    """Does the question say one of these phrases of the lexicon (as stems, word for word)?"""
    text = f" {' '.join(query.stems)} "
    return any(f" {cue} " in text for cue in cues)


def counts_fit(query: Query, kb: Knowledge, field: FieldKey) -> bool:
    """May this attribute answer the question? Not a count question ("how many…", "what
    percent…") with an attribute that holds no count or share (a sum of money, a place)."""
    return not asks_count(query, kb) or bool(kinds_of(kb, field.label) & {"count", "percent"})


def _field_question_vectors(query: Query, kb: Knowledge, keys: list[RecordKey]) -> list[np.ndarray]:
    """The question as the model reads it for an attribute: each clause without the records' names
    (and with something left to read), and the whole question when it names no record."""
    names = {t for k in keys if not k.record.own_section for t in k.name_terms | k.acronyms}
    fixed = dict(query.corrected)  # a name misspelled is left out too: "is ashfrod hard to get into"
    clauses = [c.strip() for c in _CLAUSE.findall(query.text) if c.strip()]
    variants = []
    for clause in clauses:
        kept = [w for w in clause.split() if not any(stem(t) in names or fixed.get(stem(t)) in names
                                                     for t in tokens(w))]
        text = " ".join(w for w in kept if tokens(w))
        content = [t for t in tokens(text) if stem(t) not in kb.lexicon.stopwords | kb.lexicon.fillers]
        if content and text != query.text.strip():  # "what about SNHU?" leaves nothing to read
            variants.append(text)
    variants = list(dict.fromkeys(variants))
    # A record's name pulls the whole question toward its commonest attribute ("what about SNHU?"
    # is not about tuition): a question that names records is read only without the names.
    vectors = [] if names else [query.vector]
    if variants and kb.encoder_ is not None:
        vectors.extend(kb.encoder_.encode(variants))
    return vectors


def bm25_top(query: Query, kb: Knowledge, k: int) -> list[tuple[int, float]]:
    """The ``k`` best entries by BM25 of the question against each entry's question, plus
    ``answer_weight`` times against its answer; divided by what an entry using each question
    word once would score, so 1 is a full match. Only the question's own words are read: a rare
    word's postings, a frequent word's full row of weights (``bm25.Postings``)."""
    from .bm25 import top_k

    return top_k(_bm25_counts(query, kb), kb.bm25_parts_, k)


def bm25_scores(query: Query, kb: Knowledge) -> np.ndarray:
    """Every entry's BM25 score (as ``bm25_top`` scores them), for fusing with the semantic one."""
    from .bm25 import scores

    counts = _bm25_counts(query, kb)
    full = sum(part.weight * n * part.idf[j] for j, n in counts.items() for part in kb.bm25_parts_)
    raw = scores(counts, kb.bm25_parts_)
    return raw / np.float32(full) if full > 0 else raw


def _bm25_counts(query: Query, kb: Knowledge) -> dict[int, int]:
    counts: dict[int, int] = {}
    for t in query.all_terms:
        j = kb.bm25_vocabulary_.get(t)
        if j is not None:
            counts[j] = counts.get(j, 0) + 1
    return counts


def rank_units(query: Query, kb: Knowledge, *, k: int = 5) -> list[tuple[int, float]]:
    """The ``k`` best units for the question, by ``passage_scores``, best first. Question/answer
    pairs matched on words only take the postings-only path (``bm25_top``), which never builds
    the whole score array."""
    if kb.scorer_ == "bm25" and (query.vector is None or kb.unit_vectors_ is None):
        return bm25_top(query, kb, k)
    return _top(passage_scores(query, kb), k)


def passage_scores(query: Query, kb: Knowledge) -> np.ndarray:
    """Every unit's score for the question: the lexical score fused with the semantic one.

    Lexical: BM25 for question/answer pairs, TF-IDF cosine and coverage for a guide. With the
    semantic signal on, ``semantic_weight`` of the score is the cosine between the question's
    and the unit's sentence vectors (negative cosines count as 0). The two are summed rather
    than one replacing the other: words find names and figures, the model finds paraphrases.
    A guide's best units (``PIECES_RERANKED``) are then put in the order of a fusion weighing the
    model more (``PIECES_WEIGHT``), half of its part how nearly the units match the question's
    word pieces (``piece_scores``); the scores by rank are kept, so that the best score, which a
    confidence is read from, stays on the scale the guide was calibrated on.
    """
    lexical = bm25_scores(query, kb) if kb.scorer_ == "bm25" else tfidf_scores(query, kb)
    if query.vector is None or kb.unit_vectors_ is None:
        return lexical
    semantic = similarities(kb.unit_vectors_, query.vector)  # the same bits as ``@``, faster on a busy machine
    semantic = np.maximum(semantic, 0.0)
    w = kb.semantic_weight_
    fused = (1 - w) * lexical + w * semantic
    if kb.unit_pieces_ is not None and query.read:
        # A guide's best units are put in the order of a fusion that weighs the model more, half of
        # its part the units' word pieces' match (``piece_scores``); the scores by rank stay as they
        # were, so a confidence means what the knowledge base's calibration says.
        w = PIECES_WEIGHT
        ordering = (1 - w) * lexical + w * semantic
        best = np.argsort(-ordering, kind="stable")[:PIECES_RERANKED]
        ordering = ordering[best] + w * (piece_scores(query, kb, best, semantic[best]) - semantic[best]) / 2
        fused[best[np.argsort(-ordering, kind="stable")]] = np.sort(fused[best])[::-1]
    # "what are organizational skills": the passage whose own title uses the most of the question's
    # words, when all of that title's words are in the question, comes first.
    asked = set(query.stems)
    overlap = [(len(title & asked), len(title) == len(title & asked), fused[i], i) for i, title in kb.title_stems_]
    if overlap:
        best = max(overlap)
        if best[1]:
            fused[best[3]] = max(fused[best[3]], float(fused.max()) + 1e-6)
    for i in _named_lists(query, kb):  # "what skills…": the section's list
        fused[i] = max(fused[i], float(fused.max()) + 1e-6)
    return fused


PIECES_RERANKED = 20  # a guide's best units (weighing the model more) that are compared word piece by word piece


def piece_scores(query: Query, kb: Knowledge, units: np.ndarray, semantic: np.ndarray) -> np.ndarray:
    """Late interaction: how well the question's word pieces are matched in each unit, on the scale
    of the units' sentence similarities ``semantic``.

    Each of the question's pieces (its stopwords left out) is matched with the piece of the unit
    nearest it in the model's space, and the unit scores the mean of those similarities: a unit
    that says each thing asked somewhere scores high even when the rest of it is about something
    else, which a whole passage's vector blurs. The scores are put on the sentence similarities'
    scale (the same mean and spread over these units), since only their order among them counts.
    """
    pieces, vectors = kb.encoder_.pieces(query.read)
    stop = kb.lexicon.stopwords
    asked = [i for i, p in enumerate(pieces) if p not in stop] or list(range(len(pieces)))
    if not asked or len(units) < 2:
        return semantic
    vectors = vectors[asked]
    # per unit: the mean over the question's pieces of the similarity of the nearest one
    scores = np.array([float((vectors @ rows.T).max(axis=1).mean()) if len(rows := kb.pieces_of(int(i))) else 0.0
                       for i in units])
    spread = float(scores.std())
    if spread == 0:
        return semantic
    return (scores - scores.mean()) / spread * float(semantic.std()) + float(semantic.mean())


def tfidf_scores(query: Query, kb: Knowledge) -> np.ndarray:
    """Units by TF-IDF cosine between the question and each unit's title, section and text.

    The score is the larger of the whole-unit cosine and the title-only cosine (which finds
    an FAQ question asked nearly word for word), so both a paraphrase and a near-copy rank high.
    A section's list scores ``LIST_SCORE`` when every content word of the question is in that
    section's topic name ("what skills…" -> the list of skills).
    """
    about = [t for t in kb.match_terms(query.terms) if t not in kb.subject_terms_]
    terms = with_bigrams(about or kb.match_terms(query.terms))
    if not terms:
        return np.zeros(len(kb.units_))
    vector = query_vector(terms, kb)
    full = kb.full_matrix_ @ vector
    title = kb.title_matrix_ @ query_vector(with_bigrams(about), kb)
    score = COSINE_WEIGHT * np.maximum(full, title) + (1 - COSINE_WEIGHT) * coverage(vector, kb)
    for i in _asked_lists(query, kb):
        score[i] = max(score[i], LIST_SCORE)
    return score


def _asked_lists(query: Query, kb: Knowledge) -> list[int]:
    """List passages whose section topic holds every content word of the question ("what skills…")."""
    asked = set(kb.match_terms(query.terms))
    return [i for i, topic in kb.list_topics_ if asked and asked <= topic]


def _named_lists(query: Query, kb: Knowledge) -> list[int]:
    """List passages whose section title uses every content word of the question as the user
    typed it, not through a synonym: "what skills do I need" names the skills list, "job
    outlook" does not name the job market list (the FAQ on the outlook answers it)."""
    lex = kb.lexicon
    skip = lex.stopwords | lex.fillers | lex.attribute_only | kb.subject_terms_
    asked = {w for w in query.stems if w not in skip and not w[0].isdigit()}
    return [i for i, stems in kb.list_title_stems_ if asked and asked <= stems]


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
    names = {n for key in keys for n in key.name_terms}
    runs = {i for key in keys for i in _run_initials(key.record.name, kb)}
    return [t for t in query.terms if t not in allowed and not _begins_one(t, names) and t not in runs
            and not _derived_from_subject(t, kb)]  # "welding salary range": the welder's own work


def _derived_from_subject(word: str, kb: Knowledge) -> bool:
    """Is ``word`` a derived form whose root begins a word of the career's ("welding", "nursing"),
    and no person by the sentence model ("radiologist" shares its root with a radiologic
    technologist)? Not a clipped word ("tech" of "minnesota tech" is a name's word)."""
    if len(word) < 5 or not any(s[:4] == word[:4] for s in kb.subject_terms_):
        return False  # cannot share a root of four letters: the stemmer is not even loaded
    base = root(word)
    return base != word and len(base) >= 4 and any(s.startswith(base) for s in kb.subject_terms_) \
        and not _a_person(word, kb)


def _a_person(word: str, kb: Knowledge) -> bool:
    """Does the sentence model put ``word`` closer to a person than to an activity (the lexicon's
    ``person_anchors``)? True without the model: a derived word is then never taken for the career."""
    vectors = getattr(kb, "person_vectors_", None)
    if kb.encoder_ is None or vectors is None:
        return True
    person, activity = vectors @ kb.encoder_.encode([word])[0]
    return float(person) > float(activity)


def _run_initials(name: str, kb: Knowledge) -> set[str]:
    """The initials of two to four words in a row of a name, stopwords passed over: "cc" of
    Hillsborough Community College, "uc" of University of Cincinnati-Blue Ash College."""
    words = [w.lower() for w in tokens(name) if w.isalpha() and stem(w) not in kb.lexicon.stopwords]
    return {"".join(w[0] for w in words[i:i + n]) for n in range(2, 5) for i in range(len(words) - n + 1)}


def _begins_one(term: str, words: set[str]) -> bool:
    """Is ``term`` the beginning of one of ``words``, typed clipped ("penn" of "pennsylvania")?"""
    return len(term) >= CLIP_MIN and term.isalpha() and any(w.startswith(term) and w != term for w in words)


OTHER_ROLE_SIMILARITY = 0.3  # a word this close to the guide's career is another career ("nurse", "surgeon")…
ROLE_MARGIN = 0.08  # …if it is this much closer to an occupation than to anything else ("clinic" is not)
NAME_SLOT_BEFORE = frozenset({"at"})  # "tuition at harvard"
SUBJECT_SLOT_BEFORE = frozenset({"doe", "do", "did"})  # "what does harvard charge" (stems: "does" is "doe")
# After these and a record's name comes its verb, not what is asked of it: "what would purdue global
# charge me" (only for that: a new word after "would" is no name, "which school would hurt my wallet").
VERB_AFTER_NAME_BEFORE = SUBJECT_SLOT_BEFORE | frozenset({"would", "will", "can", "could", "should", "might"})
PLACE_SLOT_BEFORE = frozenset({"in", "near", "from", "around"})  # "salary in tokyo"


def typed_possessives(text: str, lexicon: Lexicon) -> frozenset[str]:
    """Words typed as an owner, with "'s", that no determiner before makes a common noun: "what
    about harvard's" (not "my son's", "the school's"; nor a stopword: "what's", "it's")."""
    out, before = set(), ""
    for w, owner in re.findall(r"([A-Za-z][A-Za-z\-]*)(['\u2019]s\b)?", text):
        word = w.lower()
        if owner and stem(word) not in lexicon.stopwords and before not in lexicon.determiners:
            out.update(stem(t) for t in tokens(word))
        before = word
    return frozenset(out)


def typed_capitals(text: str) -> frozenset[str]:
    """Words the user typed with a capital where English needs none: "the tuition at Harvard".

    The first word of each sentence and "I" ("I'm") do not count, and nothing counts in a question
    typed in title case or in capitals throughout, where capitals say nothing.
    """
    seen, rest, first = [], [], True
    for w in re.findall(r"[A-Za-z][A-Za-z'\-]*|[.!?]", text):
        if w in ".!?":
            first = True
            continue
        if not first and w.split("'")[0] != "I":  # "I", "I'm", "I'd", "I've"
            rest.append(w)
            if w[0].isupper():
                seen.append(w)
        elif len(w) >= 2 and w.isupper():  # an acronym, even first: "UNC Charlotte acceptance rate"
            seen.append(w)
        first = False
    long_words = [w for w in rest if len(w) > 3]
    if len(long_words) >= 2 and sum(w[0].isupper() for w in long_words) / len(long_words) > 0.6:
        return frozenset()
    return frozenset(stem(t) for w in seen for t in tokens(w))


def place_mentions(query: Query, kb: Knowledge) -> tuple[tuple[int, tuple[str, ...]], ...]:
    """Places the question names, as (position, stems), found once by ``make_query``."""
    return query.places


def _places_named(query: Query, kb: Knowledge) -> list[tuple[int, tuple[str, ...]]]:
    """A US state or area of states anywhere ("salary in ohio", "in the midwest"); a country or large
    city only where a place goes ("in london", "near tokyo") or typed with a capital ("London"),
    since many city names are ordinary words ("normal", "mobile")."""
    vocab = kb.comparisons_
    stems = query.stems
    capitals = typed_capitals(query.text)
    found = list(find_phrases(stems, vocab.regions))
    taken = {i for i, p in found for i in range(i, i + len(p))}
    # an area of states, unless its word is part of a state's or the guide's city's name: "the
    # midwest", not "south dakota" or "west lafayette"
    taken_or_city = taken | {i for i, p in find_phrases(stems, kb.cities_) for i in range(i, i + len(p))}
    for i, phrase in find_phrases(stems, getattr(vocab, "areas", {})):
        if not taken_or_city & set(range(i, i + len(phrase))):
            found.append((i, phrase))
            taken.update(range(i, i + len(phrase)))
    candidates = [p for w in set(stems) for p in vocab.world_starts.get(w, ())]
    for i, phrase in find_phrases(stems, candidates):
        if i in taken or phrase in vocab.regions:
            continue
        if (i > 0 and stems[i - 1] in PLACE_SLOT_BEFORE) or phrase[0] in capitals \
                or _campus_slot(query, kb, i, phrase):
            found.append((i, phrase))
            taken.update(range(i, i + len(phrase)))
    return found


def _campus_slot(query: Query, kb: Knowledge, i: int, phrase: tuple[str, ...]) -> bool:
    """Is a city the guide never mentions typed right after a word of a school's name, where a
    campus goes ("purdue fort wayne", "capella dallas")? Then it is a place, and that school there
    is another one than the guide lists."""
    if i == 0 or not all(w in query.unknown for w in phrase):
        return False
    before = kb.lexicon.canonical([query.stems[i - 1]])
    return bool(before) and before[0] not in kb.kind_terms_ and before[0] not in kb.lexicon.stopwords and any(
        before[0] in k.name_terms for k in kb.record_keys_ if not k.record.own_section and k.record.fields)


def named_things(query: Query, kb: Knowledge, keys: list[RecordKey], *, careers: bool = True) -> list[str]:
    """The words of a figure question that name something the figures of ``keys`` are not about.

    The open-world test: a word the guide lacks is neutral ("what's a normal paycheck", "could
    my son live on it") unless the question names a specific thing with it, told by how the
    question is built, not by a word list: a year or an amount ("salary in 2015", "tuition for
    $5"); a place ("salary in california", "…in Tokyo"); a word typed with a capital
    ("Harvard"), or put where a name goes ("tuition at harvard", "harvard university",
    "university of arizona"); or, for a career's own figures, a word the sentence model finds
    close to the career itself ("nurse salary": another career).
    """
    stems = list(query.stems)
    capitals = typed_capitals(query.text)
    owners = typed_possessives(query.text, kb.lexicon)
    kinds = kb.kind_terms_
    canon = kb.lexicon.canonical
    own = careers and any(k.record.own_section for k in keys)
    foreign = foreign_terms(query, kb, keys)
    named_words = {t for k in keys for t in k.name_terms | k.acronyms}
    name_stems = {stem(t) for k in keys for t in tokens(k.record.name)}
    # A place the records are in names nothing else: "the other texas school" of one in Houston, TX.
    places = {w for _, phrase in place_mentions(query, kb) for w in phrase} - named_words \
        - {t for k in keys if k.record.place and not k.record.own_section for t in k.about}
    typed_names = bool(named_words & (set(stems) - _in_phrases(stems, kb)))  # not "state" of "out of state"
    named = []
    for term in foreign:
        typed = stem(query.said.get(term, term))
        if own and _names_subject(typed, kb):  # "how much do techs make": the career itself, clipped
            continue
        spots = [i for i, w in enumerate(stems) if w in (typed, term)]
        before = {stems[i - 1] for i in spots if i > 0}
        after = {t for i in spots if (j := _next_word(stems, i)) is not None for t in canon([stems[j]])}
        after |= {t for i in spots if (j := _next_word(stems, i)) is not None for t in _attribute_phrase(stems, j, kb)}
        of_kind = any(i > 1 and stems[i - 1] == "of" and set(canon([stems[i - 2]])) & kinds for i in spots)
        qualifier = any(_qualifies(stems, i, kb, named_words) for i in spots)  # "tuition for graduate students"
        superlative = typed.endswith("est") and kb.direction_vectors_ is not None  # "poorest": a direction
        # "stanford tuition", "harvard cost"; but once the question has named its record, only an
        # attribute's own word makes an owner slot ("ashford… kids never finish": "finish" is a verb).
        literal = {stems[j] for i in spots if (j := _next_word(stems, i)) is not None}
        labelled = {t for i in spots if (j := _next_word(stems, i)) is not None for t in _label_run(stems, j, kb)}
        heads = (after if not typed_names else literal) | labelled  # "harvard in-state tuition"
        owner = (typed not in kb.known_ and not superlative and bool(heads & kb.attribute_heads_)
                 and not any(i > 0 and stems[i - 1] in named_words for i in spots)  # "ashford univ tuition"
                 and not _weightless(query, kb, query.said.get(term, term)))  # "wat kinda salery range"
        if (_is_year_or_amount(term, query.text)
                or typed in places or term in places
                or typed in capitals or typed in owners
                or before & NAME_SLOT_BEFORE
                or (not own and before & SUBJECT_SLOT_BEFORE)  # a school's figure: "what does harvard charge"
                or (after & kinds and term not in kinds) or of_kind or owner or qualifier
                or own and (_close_to_subject(typed, kb) or _heads_occupation(stems, spots, query, kb))):
            named.append(term)
    # A place made a name by a kind word ("university of utah", "ohio university") names another
    # thing even where the place itself is one of these records' places.
    for i, phrase in place_mentions(query, kb):
        j = i + len(phrase)
        before_kind = i > 1 and stems[i - 1] == "of" and set(canon([stems[i - 2]])) & kinds
        # "the texas school" names a record by its state: the kind itself, typed, makes no name
        after_kind = j < len(stems) and set(canon([stems[j]])) & kinds and stems[j] not in kinds
        if (before_kind or after_kind) and not set(phrase) <= name_stems:
            named.extend(w for w in phrase if w not in named)
    return named


WEIGHTLESS = 0.9  # a question without a word this close to itself (cosine) was not about a thing it names


def _weightless(query: Query, kb: Knowledge, typed: str) -> bool:
    """Does the sentence model barely notice a word before an attribute: the question without it reads
    nearly the same ("wat kinda salery range": 0.96, "what these coordinators typically bring home":
    0.98), as a question without the name whose figure it asks never does ("whats harvard tuition":
    0.65, "stanford salary": 0.47)? Without the model, no word is."""
    if kb.encoder_ is None or query.vector is None:
        return False
    without = re.sub(rf"(?<!\w){re.escape(typed)}(?!\w)", " ", query.text, flags=re.I)
    if without == query.text or not without.strip():
        return False
    whole, rest = kb.encoder_.encode([query.text])[0], kb.encoder_.encode([without])[0]
    return float(whole @ rest) >= WEIGHTLESS


def _attribute_phrase(stems: list[str], j: int, kb: Knowledge) -> list[str]:
    """An attribute described by a phrase of the lexicon's that begins at ``j``, with the word after
    it: "out of state cost" is nonresident tuition. [] if none begins there."""
    synonyms = kb.lexicon.synonyms
    for n in range(kb.lexicon.longest_phrase, 1, -1):
        target = synonyms.get(tuple(stems[j:j + n]))
        if target is not None and target in kb.field_terms_:
            return [target, *kb.lexicon.canonical(list(stems[j + n:j + n + 1]))]
    return []


def _label_run(stems: list[str], j: int, kb: Knowledge) -> list[str]:
    """The head of an attribute whose label of two or more words is typed whole from ``j`` ("uopx
    in-state tuition": "tuition"), or []."""
    for field in kb.fields_:
        run = [stem(t) for t in tokens(field.label)]
        if len(run) > 1 and stems[j:j + len(run)] == run:
            return [field.head]
    return []


def _in_phrases(stems: list[str], kb: Knowledge) -> set[str]:
    """The words of ``stems`` inside a phrase of the lexicon's ("out of state", "move up")."""
    synonyms, longest, out = kb.lexicon.synonyms, kb.lexicon.longest_phrase, set()
    for i in range(len(stems)):
        for n in range(2, min(longest, len(stems) - i) + 1):
            if tuple(stems[i:i + n]) in synonyms:
                out.update(stems[i:i + n])
    return out


def _qualifies(stems: list[str], i: int, kb: Knowledge, named_words: set[str]) -> bool:
    """Is the word at ``i`` part of a "for …" phrase that narrows a figure ("tuition for graduate
    students", "SNHU for veterans")? The phrase must follow an attribute or a record's name, and
    must not be the guide's own career ("wage for medical records techs"), nor narrow something
    else ("scrubbing in on surgeries for a living")."""
    canon = kb.lexicon.canonical
    for j in range(max(1, i - 3), i):
        if stems[j] != "for":
            continue
        before = stems[j - 1]
        if not (set(canon([before])) & (kb.attribute_heads_ | kb.field_terms_) or before in named_words):
            continue
        phrase = stems[j + 1:i + 2]
        if not any(_names_subject(w, kb) for w in phrase):
            return True
    return False


def _names_subject(word: str, kb: Knowledge) -> bool:
    """Is a word the guide's career, or the start of one of its words ("techs" for a technician),
    or derived from the same root ("welding" for a welder; not "pharmacist" for a pharmacy
    technician)?"""
    return word in kb.subject_terms_ or (len(word) >= 3 and any(s.startswith(word.rstrip("s"))
                                                               for s in kb.subject_terms_)) \
        or _derived_from_subject(word, kb)


def _heads_occupation(stems: list[str], spots: list[int], query: Query, kb: Knowledge) -> bool:
    """Does a word end a two-word name of another occupation ("occupational *therapists*" in a
    guide about occupational therapy assistants)? The model reads a word alone less surely than
    the phrase it ends; a word followed by one of the career's own words ("experienced therapy
    assistants") is a modifier of the career, not the end of another's name; and the word must be
    one the guide uses (for the therapists its career works under), not slang for the career
    itself ("hvac guy")."""
    said = {v: k for k, v in query.said.items()}
    repaired = {fixed for _, fixed in query.corrected}  # read as the guide writes them: "dental asistant"

    def word(w: str) -> str:
        return w if w in repaired else query.said.get(w, said.get(w, w))

    for i in spots:
        j = _next_word(stems, i)
        if i == 0 or stems[i - 1] in kb.lexicon.stopwords or (j is not None and stems[j] in kb.subject_terms_) \
                or _names_subject(stems[i], kb) or stems[i] not in kb.known_:
            continue  # "records techs": the career, clipped; "hvac guy": a word the guide never uses for anyone
        phrase = f"{word(stems[i - 1])} {word(stems[i])}"
        if _close_to_subject(phrase, kb):
            return True
    return False


ASKED_OF_BEFORE = frozenset({"of", "at", "in", "for"})  # "the president of snhu", "the weather in phoenix"
PLACE_OWNER_BEFORE = frozenset({"of", "in"})  # "the capitol *of* arizona", "the weather *in* texas"


def asked_of(query: Query, kb: Knowledge, keys: list[RecordKey], terms: tuple[str, ...], *,
             slots: frozenset[str] = ASKED_OF_BEFORE, beside: bool = True) -> list[str]:
    """Of ``terms``, the words put where what is asked of a record goes: before one of ``slots``
    ("of", "at", "in", "for") and the record's name or city ("the president of snhu", "the weather
    in phoenix", "a football team at wgu"); with ``beside``, also right after its name ("wgu
    football") or between an opening asking word and its verb ("what *time* is it in memphis").
    Not a word beside it otherwise ("what's the deal with ashford", "wait, is st. pete college in
    st petersburg?")."""
    stems = list(query.stems)
    names = {stem(t) for k in keys for t in tokens(k.record.name)}
    names |= {t for k in keys for t in k.name_terms | k.acronyms}
    names |= {stem(t) for k in keys if not k.record.own_section for t in tokens((k.record.place or "").split(",")[0])}
    kind = asked_kind(query, kb) if beside else set()
    out = []
    for term in terms:
        if term in kind:
            out.append(term)
            continue
        typed = stem(query.said.get(term, term))
        for i, w in enumerate(stems):
            if w not in (typed, term):
                continue
            j = _next_word(stems, i)
            while j is not None and stems[j] in kb.lexicon.stopwords and stems[j] not in slots:
                j = _next_word(stems, j)  # "the weather *like* in phoenix"
            before = j is not None and stems[j] in slots and bool(set(stems[j + 1:j + 4]) & names)
            start = i  # the name typed before the word, if any
            while start > 0 and stems[start - 1] in names:
                start -= 1
            # after "does <name>" or "would <name>" comes its verb ("what does snhu charge", "what would
            # purdue global charge me"), not what is asked of it
            after = beside and start < i and not (start > 0 and stems[start - 1] in VERB_AFTER_NAME_BEFORE)
            if before or after:
                out.append(term)
                break
    return out


def _next_word(stems: list[str], i: int) -> int | None:
    """The position of the word after ``stems[i]``, passing over stray numbers and single letters
    (what is left of an escape sequence or a typo: "harvard \\x1b[31m tuition")."""
    for j in range(i + 1, len(stems)):
        if len(stems[j]) > 1 and not stems[j][0].isdigit():
            return j
    return None


def _is_year_or_amount(term: str, text: str) -> bool:
    """A year ("2015") or a number written as money or a percentage: a figure for something specific."""
    if not term[0].isdigit():
        return False
    if re.fullmatch(r"(19|20)\d\d", term):
        return True
    return bool(re.search(r"\$\s?" + re.escape(term[:2]), text.replace(",", ""))
                or re.search(re.escape(term) + r"\s?%", text.replace(",", "")))


def figure_evidence(query: Query, kb: Knowledge, keys: list[RecordKey]) -> bool:
    """Is a question that reaches these records' figures only through the lexicon's synonyms
    really about them? "how do I make sourdough bread" reaches the salary through "make".

    Yes when the question types a word of a record's name or of an attribute label itself
    ("salary", "tuition", "wgu"), when the semantic signal is off, or when the sentence model
    finds the question closer to one of the records than 95% of the general off-topic
    questions come to any passage (``semantic_null_``, calibrated per knowledge base).
    """
    if kb.unit_vectors_ is None or query.vector is None:
        return True
    words = {t for k in keys for t in k.name_terms | k.acronyms} | kb.field_terms_ | kb.attribute_heads_
    typed = set(query.stems)  # as typed (spelling repaired), before the lexicon's synonyms
    if any(t in words and t in typed for t in query.terms):
        return True
    rows = [kb.unit_index_[k.unit.id] for k in keys if k.unit.id in kb.unit_index_]
    return any(float(kb.unit_vectors_[i] @ query.vector) >= kb.semantic_null_ for i in rows)


def figure_asked_of(query: Query, kb: Knowledge) -> list[str]:
    """The words a count question asks a count of: those after its cue ("how many *paralegals*
    are there…", the lexicon's ``count_cues``), up to the next function word; [] if none."""
    stems = list(query.stems)
    for cue in kb.lexicon.count_cues + kb.lexicon.share_cues:
        words = cue.split()
        for i in range(len(stems) - len(words) + 1):
            if stems[i:i + len(words)] == words:
                after = []
                for w in stems[i + len(words):]:
                    if w in kb.lexicon.stopwords or w in kb.lexicon.fillers:
                        if after:
                            break
                        continue
                    after.append(w)
                return after[:4]
    return []


def gives_no_figure(query: Query, kb: Knowledge, unit) -> bool:
    """Does the question ask for a count or a share that a passage cannot give? A count needs a
    number that is not a sum of money (in digits or words), a share a percentage: "how many
    paralegals are there in the united states" is not answered by a paragraph about where
    paralegals work, nor "what percent is employment expected to grow" by the salary figures."""
    text = unit.text.replace(unit.title, " ")  # not its title: "Best Schools … in U.S. 2024" counts nothing
    if asks_money(query, kb):  # "how much does the journeyman exam cost": a sum of money
        return not re.search(r"\$\s?\d", text)
    if not asks_count(query, kb):
        return False
    if asks_share(query, kb):  # "what percent…": a percentage, not a salary
        return not re.search(r"\d\s?%|\bpercent", text, flags=re.I)
    if re.search(r"(?<![$\d,.])\d", text):  # a number that is not a sum of money
        return False
    return not (set(tokens(text)) & kb.lexicon.number_words)


# A figure of each kind as a passage writes it: a share, a sum of money, a count in thousands.
# (each begins only where a run of digits does, and never gives back what it read: linear time)
_FIGURES = {"percent": re.compile(r"(?<![\d,.])\d[\d,.]*+\s?%"), "money": re.compile(r"\$\s?+\d[\d,]*+(?:\.\d+)?"),
            "count": re.compile(r"(?<![\d$.,])\d{1,3}(?:,\d{3})++(?![\d%])")}


def figure_in_passage(query: Query, kb: Knowledge, unit: Unit) -> str | None:
    """The figure a question asking one finds in a passage: "how many openings a year" -> 44,500
    in a passage on job availability that also gives the number of jobs and their growth.

    The kind asked (a share for "what percent…", a count for "how many…", a sum of money for
    "how much…") picks the passage's figures of that kind. Of several, the one whose next words
    the question uses ("44,500 openings"), or else the one of the sentence the sentence model
    puts nearest the question (without the model, the sentence sharing most of its terms), when
    that sentence holds only one."""
    kind = "percent" if asks_share(query, kb) else "count" if asks_cue(query, kb.lexicon.count_cues) \
        else "money" if asks_money(query, kb) else None
    if kind is None or unit.record is not None:
        return None
    pattern = _FIGURES[kind]
    sentences = [s for s in re.split(r"(?<=[.!?])\s+|\n", unit.text) if pattern.search(s)]
    found = {m.group().strip() for s in sentences for m in pattern.finditer(s)}
    if len(found) <= 1:
        return found.pop() if found else None
    # (the career's own words say nothing of which: "807,000 automotive service technician jobs")
    asked = set(query.stems) - kb.lexicon.stopwords - {stem(w) for w in tokens(kb.document.subject or "")}
    told: dict[str, int] = {}
    for s in sentences:
        for m in pattern.finditer(s):
            after = {stem(w) for w in tokens(" ".join(s[m.end():].split()[:4]))}
            told[m.group().strip()] = max(told.get(m.group().strip(), 0), len(asked & after))
    best = max(told.values())
    if best and sum(n == best for n in told.values()) == 1:
        return max(told, key=told.get)
    if query.vector is not None and kb.encoder_ is not None:
        nearness = kb.encoder_.encode(sentences) @ query.vector
    else:
        nearness = np.array([len(set(query.terms) & set(kb.lexicon.terms(s))) for s in sentences])
    nearest = {m.group().strip() for m in pattern.finditer(sentences[int(np.argmax(nearness))])}
    return nearest.pop() if len(nearest) == 1 else None


def asks_money(query: Query, kb: Knowledge) -> bool:
    """Does the question ask for a sum of money: a figure cue that asks no count or share ("how
    much…") with a word of an attribute whose values are sums of money ("cost" -> tuition)?"""
    if not asks_cue(query, kb.lexicon.figure_cues) or asks_count(query, kb):
        return False
    terms = set(query.terms)
    return any(set(f.terms) & terms and "money" in kinds_of(kb, f.label) for f in kb.fields_)


def reached_by_synonyms_only(query: Query, kb: Knowledge, index: int) -> bool:
    """Does a passage share no word the question typed, so that words link the two only through
    the lexicon's synonyms, while the question also has words the guide never uses and the
    sentence model does not find the two close? "how do i make sourdough bread" reaches the
    salary passage only through "make" -> salary. Not close means that no passage is closer to it
    than the nearest passage is to four general off-topic questions in five (``semantic_typical_``,
    calibrated per knowledge base): "could my son live on what this job pays?" stays answered."""
    typical = getattr(kb, "semantic_typical_", None)
    if query.vector is None or kb.unit_vectors_ is None or typical is None or not query.unknown:
        return False
    unit = kb.units_[index]
    said = {stem(t) for t in tokens(unit.title + " " + unit.text)}
    typed = [s for s in query.stems if s not in kb.lexicon.stopwords and s not in kb.lexicon.fillers]
    if any(s in said for s in typed):
        return False
    return float(similarities(kb.unit_vectors_, query.vector).max()) < typical


def absent_names(query: Query, kb: Knowledge, unit) -> list[str]:
    """Places and names the question asks about (as ``named_things`` tells them, numbers aside)
    that a passage does not mention: it cannot be about them."""
    capitals = typed_capitals(query.text)
    mentions = place_mentions(query, kb)
    places = {w for _, phrase in mentions for w in phrase}
    names = [t for t in query.terms if (t in capitals and t not in kb.known_) or t in places]
    # What is asked of a place by a word the guide lacks ("the capitol of arizona", "weather in
    # chicago") is no more in a passage than that word is.
    stems, stop = query.stems, kb.lexicon.stopwords
    for i, _ in mentions:
        if i < 2 or stems[i - 1] not in PLACE_OWNER_BEFORE:
            continue
        j = i - 2
        while j > 0 and stems[j] in stop:  # "the weather *like* in texas"
            j -= 1
        if stems[j] in query.unknown and stems[j] not in names:
            names.append(stems[j])
    # A word the guide lacks where a name goes, in a question about institutions ("is there a program
    # at harvard"), is one the passage would have to mention.
    if set(query.terms) & (kb.kind_terms_ | kb.category_terms_):
        stems = query.stems
        names += [t for i, t in enumerate(stems) if i > 0 and stems[i - 1] in NAME_SLOT_BEFORE
                  and t in query.unknown and t not in names]
    # A record's figures given whole ("what does harvard charge" reaching a school's summary): what
    # the question names in a name's slot must be that record.
    names += [t for k in kb.record_keys_ if k.unit.id == unit.id and k.record.fields and not k.record.own_section
              for t in named_things(query, kb, [k]) if t not in names]
    if not names:
        return []
    said = set(kb.lexicon.terms(unit.title + " " + unit.text))
    return [t for t in names if t not in said]


def _close_to_subject(word: str, kb: Knowledge) -> bool:
    """Is ``word`` another career? Judged by the sentence model: close to the guide's career, and
    an occupation rather than a workplace, a thing or a relative ("nurse", not "clinic" or "son";
    the lexicon's ``role_anchors`` say what the model compares it with).

    A word that begins a word of the career's own name is that career ("tech", "techs" for a
    technologist; "surg")."""
    if kb.encoder_ is None or kb.subject_vector_ is None or len(word) < 3:
        return False
    if _names_subject(word, kb):
        return False
    vector = kb.encoder_.encode([word])[0]
    if float(vector @ kb.subject_vector_) < OTHER_ROLE_SIMILARITY:
        return False
    if getattr(kb, "role_vectors_", None) is None:
        return True
    role, other = kb.role_vectors_ @ vector
    return float(role - other) >= ROLE_MARGIN


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
            if named and not set(named) & kb.subject_terms_ \
                    and _an_occupation(" ".join(query.said.get(w, w) for w in words), kb):
                return named
    return []


def _an_occupation(phrase: str, kb: Knowledge) -> bool:
    """Does the sentence model read ``phrase`` as a job title rather than a place, a thing or a family
    member (the lexicon's ``role_anchors``)? "to be a nurse", not "going to be a problem" or "to be a
    really caring person". Without the model every phrase is one."""
    if kb.encoder_ is None or getattr(kb, "role_vectors_", None) is None:
        return True
    role, other = kb.role_vectors_ @ kb.encoder_.encode([phrase])[0]
    return float(role) >= float(other)


def near_copy(query: Query, kb: Knowledge, i: int) -> bool:
    """Is the question unit ``i``'s title (an FAQ question) asked nearly word for word?

    Compared as sets of words, stopwords included and the guide's subject left out: every
    content word of the question is in the title, and the question has at least half of the
    title's words. "What salary can I expect?" is a near copy of "What salary can I expect
    as a …?"; "salary" alone is not, and goes to the salary figures.
    """
    lex = kb.lexicon
    asked = set(query.all_terms) - kb.subject_terms_
    title = kb.title_set(i)
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


def passage_confidence_score(query: Query, kb: Knowledge, score: float) -> float:
    """The score a passage's confidence is read from. Lexical only, a question mostly of words
    the document never uses is scaled down by their share; with the semantic signal the model
    judges such words, and an ordinary word the guide lacks ("paycheck") costs nothing."""
    if query.vector is not None and kb.unit_vectors_ is not None:
        return score
    return score * (1 - unknown_share(query, kb))


def unknown_share(query: Query, kb: Knowledge) -> float:
    """The share of the question's content words (fillers aside) that the document never uses."""
    content = len(kb.match_terms(query.terms))
    return len(query.unknown) / content if content else 1.0
