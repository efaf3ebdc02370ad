"""Names typed in a run of words, as people shorten and mix them: the words of an attribute's label
name no school ("in-state students" and Idaho State University), another record's word or a place
before the rest of a name is another institution ("jackson state university", "oregon health &
science university"), a place and a clipped word is the school whose name they begin ("oregon
tech") unless a word of the name is left out ("georgia tech"), the initials of a run of its words
("hillsborough cc"), an acronym read as a question's words are ("ARDMS"), a rate asked of a
resource that gives none, "what <thing> is it in <city>", and a bound "a year" on schools. Every
expectation is read from the guide's own records, on every guide of the template in the repository
where the case can be built."""

from __future__ import annotations

import re

import pytest
from conftest import HELD, KNOWLEDGE, ROOT, TEMPLATE_GUIDES, schools, stated

from chatbot import Conversation, answer
from chatbot.candidates import gather
from chatbot.text import stem, tokens

GUIDES = TEMPLATE_GUIDES


@pytest.fixture(scope="module", params=GUIDES, ids=lambda p: p.stem)
def kb(request, knowledge_of):
    return knowledge_of(request.param)


def words_of(name: str) -> list[str]:
    return [w.lower() for w in tokens(name)]


def is_kind(kb, word: str) -> bool:
    return bool(set(kb.lexicon.terms(word)) & kb.kind_terms_)


def own_word(kb, key) -> str | None:
    """A word of the name only this record's name uses, no kind of institution, no city or state,
    no word of an attribute's label, that names the record on its own."""
    places = {w for k in kb.record_keys_ for w in words_of(k.record.place or "")}
    labels = {stem(w) for f in kb.fields_ for w in tokens(f.label)}
    for word in words_of(key.record.name):
        terms = kb.lexicon.terms(word)
        if len(word) >= 4 and terms and all(kb.name_frequency(t) == 1 for t in terms) and not is_kind(kb, word) \
                and word not in places and (stem(word),) not in kb.comparisons_.regions \
                and stem(word) not in labels \
                and [link.key for link in gather(f"{word} graduation rate", kb).linked][:1] == [key]:
            return word
    return None


def test_a_labels_words_in_its_order_name_no_school(kb):
    """"cheapest school for in-state students": "state" is In-State Tuition's, not a school's."""
    priced = [k for k in schools(kb) if (f := k.record.get("In-State Tuition")) and f.value.available]
    cheapest = min(priced, key=lambda k: k.record.get("In-State Tuition").value.number)
    shown = cheapest.record.get("In-State Tuition").value.shown
    for question in ("cheapest school for in-state students", "cheapest school for in state students"):
        reply = answer(question, knowledge=kb)
        assert cheapest.record.name in reply.text and shown in reply.text, (question, reply.text)


def _rests(kb):
    """(record, the rest of its name from a word that is no kind up to its kind word, the word before
    it in the name): "state university" of Idaho State University."""
    for key in schools(kb):
        words = words_of(key.record.name)
        for j in range(1, len(words) - 1):
            rest = []
            for w in words[j:]:
                rest.append(w)
                if is_kind(kb, w):
                    break
            if not is_kind(kb, words[j]) and stem(words[j]) not in kb.lexicon.stopwords and len(rest) >= 2 \
                    and is_kind(kb, rest[-1]):
                yield key, rest, words[j - 1]
                break


def test_another_records_word_or_a_place_before_the_rest_of_a_name_is_another_institution(knowledge_of):
    """"jackson state university" names neither Jackson College nor Idaho State University, and
    "oregon health & science university" is not Baptist Health Sciences University (nor a question
    about where it is)."""
    checked = 0
    for kb in map(knowledge_of, GUIDES):
        names = {" ".join(stem(w) for w in words_of(k.record.name)) for k in kb.record_keys_}
        for key, rest, before in _rests(kb):
            # another school's own word, unless the run is that school's name shortened ("mississippi
            # community college" for Mississippi Gulf Coast Community College)
            others = [(o, w) for o in schools(kb) if o is not key and (w := own_word(kb, o)) and w not in rest
                      and not set(rest) <= set(words_of(o.record.name))]
            named = {w for k in kb.record_keys_ for w in words_of(k.record.name)}  # not "mississippi" of
            states = sorted({s.lower() for s in kb.comparisons_.codes.values() if " " not in s} - named)  # its college
            for typed, other in [(w, o) for o, w in others[:1]] + [(s, None) for s in states[:1]]:
                run = " ".join([typed, *rest])
                if typed == before or any(" ".join(stem(w) for w in run.split()) in n for n in names):
                    continue
                rate = key.record.get("Graduation Rate").value.shown
                reply = answer(f"{run} graduation rate", knowledge=kb)
                assert rate not in reply.text, (run, reply.text)
                if other is not None:
                    assert other.record.get("Graduation Rate").value.shown not in stated(reply.text.split("\n")[0]), \
                        (run, reply.text)
                asked = answer(f"is {run} good for this", knowledge=kb)
                assert not asked.text.startswith(("Yes:", "No:")), (run, asked.text)
                checked += 1
    assert checked >= 10


def _place_first(kb):
    """(record, its first words that are a place, the first later word no kind and no stopword, and
    whether only kinds and stopwords lie between)."""
    for key in schools(kb):
        words = words_of(key.record.name)
        for n in (2, 1):
            phrase = tuple(stem(w) for w in words[:n])
            if phrase not in kb.comparisons_.regions:
                continue
            between = []
            for w in words[n:]:
                if len(w) >= 6 and not is_kind(kb, w) and stem(w) not in kb.lexicon.stopwords:
                    yield key, " ".join(words[:n]), w, not between
                    break
                if not (is_kind(kb, w) or stem(w) in kb.lexicon.stopwords):
                    between.append(w)
            break


def test_a_place_and_a_clipped_word_name_the_school_they_begin_unless_a_word_is_left_out(knowledge_of):
    """"oregon tech" (Oregon Institute of Technology) and "pennsylvania tech" (Pennsylvania College of
    Technology) name the school; "georgia tech" is not Georgia Northwestern Technical College."""
    named = left_out = 0
    for kb in map(knowledge_of, GUIDES):
        for key, place, word, whole in _place_first(kb):
            others = [k for k in schools(kb) if k is not key and words_of(k.record.name)[:len(place.split())]
                      == place.split()]
            if others:
                continue  # two schools begin with the place
            rate = key.record.get("Graduation Rate").value.shown
            reply = answer(f"{place} {word[:4]} graduation rate", knowledge=kb)
            if whole:
                assert reply.short == rate, reply.text
                named += 1
            else:
                assert rate not in reply.text, reply.text
                left_out += 1
    assert named >= 3 and left_out >= 1


def test_the_initials_of_a_run_of_name_words_are_the_name(knowledge_of):
    """"how much is hillsborough cc": the school, not a decline for "cc"."""
    checked = 0
    for kb in map(knowledge_of, GUIDES):
        for key in schools(kb):
            words = words_of(key.record.name)
            if words[-2:] != ["community", "college"] or len(words) != 3:
                continue
            reply = answer(f"how much is {words[0]} cc", knowledge=kb)
            assert reply.answered and key.record.get("In-State Tuition").value.shown in reply.text, reply.text
            checked += 1
    assert checked >= 3


def test_a_written_acronym_is_read_as_a_questions_words_are(knowledge_of):
    """"ARDMS" is read as "ardm", as every word of a question is: the record is named still."""
    checked = 0
    for kb in map(knowledge_of, GUIDES):
        for key in kb.record_keys_:
            acronym = (key.record.acronym or "")
            if not acronym or stem(acronym.lower()) == acronym.lower():
                continue
            question = f"what does {acronym} do"
            assert [link.key.record.name for link in gather(question, kb).linked][:1] == [key.record.name]
            assert key.record.name in answer(question, knowledge=kb).text
            checked += 1
    assert checked >= 3


def test_a_rate_asked_of_a_resource_that_gives_none_is_declined(kb):
    resources = [k.record for k in kb.record_keys_ if not k.record.fields and k.record.acronym
                 and not re.search(r"\d", k.record.description or "")]
    assert resources
    for record in resources[:3]:
        reply = answer(f"whats the pass rate for the {record.acronym} exam", knowledge=kb)
        assert not reply.answered and "%" not in reply.text, reply.text


def test_what_thing_is_it_in_a_schools_city_is_declined(kb):
    checked = 0
    for key in schools(kb):
        city = (key.record.place or "").split(",")[0].strip()
        if not city or sum((k.record.place or "").startswith(city + ",") for k in schools(kb)) != 1:
            continue
        reply = answer(f"what time is it in {city.lower()}", knowledge=kb)
        assert not reply.answered, reply.text
        assert answer(f"tell me about the school in {city.lower()}", knowledge=kb).answered
        checked += 1
    assert checked >= 2


def test_a_bound_a_year_on_schools_is_their_tuition(kb):
    """"which schools charge less than $N a year": "a year" also names the career's annual median,
    but a bound across schools is on what several records have, of the same kind (money)."""
    tuition = sorted(k.record.get("In-State Tuition").value.number for k in schools(kb)
                     if k.record.get("In-State Tuition") and k.record.get("In-State Tuition").value.available)
    bound = int(tuition[len(tuition) // 2]) + 1
    under = [k.record.name for k in schools(kb) if (f := k.record.get("In-State Tuition")) and f.value.available
             and f.value.number < bound]
    for question in (f"which schools charge less than ${bound:,} a year",
                     f"any schools under {bound // 1000 + 1}k a year"):
        reply = answer(question, knowledge=kb)
        assert "tuition" in reply.text.split("\n")[0], (question, reply.text)
    reply = answer(f"which schools charge less than ${bound:,} a year", knowledge=kb)
    assert all(name in reply.text for name in under), reply.text


def test_the_other_school_in_a_state_after_a_figure(knowledge_of):
    """"how much is hillsborough cc for in-state", then "what about the other florida school": the
    other school there, with its figure."""
    checked = 0
    for kb in map(knowledge_of, GUIDES):
        codes = {code: name.lower() for code, name in kb.comparisons_.codes.items() if " " not in name}
        by_state: dict[str, list] = {}
        for key in schools(kb):
            by_state.setdefault((key.record.place or "").rsplit(", ", 1)[-1], []).append(key)
        for code, keys in by_state.items():
            if len(keys) != 2 or code not in codes or not all(own_word(kb, k) for k in keys):
                continue
            first, second = keys
            chat = Conversation(kb)
            chat.ask(f"how much is {own_word(kb, first)} for in-state")
            reply = chat.ask(f"what about the other {codes[code]} school")
            assert second.record.get("In-State Tuition").value.shown in reply.text, reply.text
            checked += 1
    assert checked >= 2


def test_the_careers_name_before_schools_asks_for_its_schools(kb):
    """"surgical technologist schools": the career's words are no other record's name going on to a
    kind of institution (the National Board of Surgical Technology…), so the schools are listed."""
    reply = answer(f"{kb.document.subject.lower()} schools", knowledge=kb)
    assert reply.answered and sum(k.record.name in reply.text for k in schools(kb)) >= 2, reply.text


def test_the_record_with_the_attribute_asked_comes_first_however_surely_another_is_named(kb):
    """"how much do out of state students pay at X": "pay" names the career's salary outright, the
    school only by part of its name, but out-of-state tuition is the school's."""
    checked = 0
    for key in schools(kb):
        word = own_word(kb, key)
        out = key.record.get("Out-of-State Tuition")
        if word is None or out is None or not out.value.available:
            continue
        reply = answer(f"how much do out of state students pay at {word}", knowledge=kb)
        assert reply.short == out.value.shown, reply.text
        checked += 1
    assert checked >= 2


def test_a_follow_up_naming_an_attribute_by_pay_is_the_remembered_records(kb):
    """"tell me about X", then "what do out of staters pay" / "what do they pay in-state": the
    school's tuition, not a decline for the career's salary that "pay" names."""
    checked = 0
    for key in schools(kb)[:4]:
        fields = {label: key.record.get(label) for label in ("In-State Tuition", "Out-of-State Tuition")}
        if not all(f is not None and f.value.available for f in fields.values()):
            continue
        for question, label in (("what do out of staters pay", "Out-of-State Tuition"),
                                ("what do they pay in-state", "In-State Tuition")):
            chat = Conversation(kb)
            chat.ask(f"tell me about {key.record.name.lower()}")
            reply = chat.ask(question)
            assert reply.short == fields[label].value.shown, (question, reply.text)
        checked += 1
    assert checked >= 2


def test_a_labels_own_words_in_its_order_name_the_attribute(kb):
    """"how much is X for in-state": "in state" is In-State Tuition's own words in its order."""
    checked = 0
    for key in schools(kb):
        word = own_word(kb, key)
        field = key.record.get("In-State Tuition")
        if word is None or field is None or not field.value.available:
            continue
        reply = answer(f"how much is {word} for in-state", knowledge=kb)
        assert reply.short == field.value.shown and "in-state tuition" in reply.text, reply.text
        checked += 1
    assert checked >= 2
    # a run ending on a stopword is no label's: "out of" is not Out-of-State Tuition
    reply = answer("out of all the schools, where do the most students actually finish?", knowledge=kb)
    assert "graduation rate" in reply.text and "out-of-state" not in reply.text, reply.text


@pytest.mark.parametrize(("guide", "derived", "other"), [
    (HELD / "round5" / "guides" / "welder.txt", "welding", "pipefitter"),
    (HELD / "round2" / "guides" / "electrician.txt", "electrical", "lineman"),
    (HELD / "round6" / "guides" / "dental_hygienist.txt", "hygiene", "dentist"),
    (KNOWLEDGE / "samples" / "pharmacy_technician.txt", "pharmacy", "pharmacist"),
    (ROOT / "tests" / "library" / "guides" / "radiologic_technologist.txt", "radiology", "radiologist"),
], ids=lambda v: getattr(v, "stem", v))
def test_a_word_derived_from_the_careers_root_asks_for_its_figures(guide, derived, other, knowledge_of):
    """"welding salary" is the welder's (the Snowball root "weld" begins "welder"); "pharmacist
    salary" is another career's, though "pharmacist" and "pharmacy" share a beginning, and so is
    "radiologist salary", though its root is the radiologic technologist's: the model puts it
    nearer a person than an activity."""
    kb = knowledge_of(guide)
    median = next(k for k in kb.record_keys_ if k.record.own_section).record.get("Annual Median").value.shown
    assert answer(f"{derived} salary", knowledge=kb).short == median
    reply = answer(f"{other} salary", knowledge=kb)
    assert not reply.answered and median not in reply.text, reply.text


def test_a_names_initials_up_to_its_state_with_the_states_code_name_it(knowledge_of):
    """"umn" is University of Minnesota-Twin Cities, "uhi" University of Hawaii-Kapiolani…: the
    initials of the words before a state (stopwords left out), then the state's code."""
    checked = 0
    for kb in map(knowledge_of, GUIDES):
        states = {tuple(stem(w) for w in tokens(name.lower())): code for code, name in kb.comparisons_.codes.items()}
        for key in schools(kb):
            words = tokens(key.record.name)
            for i in range(1, len(words)):
                code = states.get((stem(words[i].lower()),)) \
                    or states.get(tuple(stem(w.lower()) for w in words[i:i + 2]))
                if code is None:
                    continue
                lead = "".join(w[0].lower() for w in words[:i] if stem(w.lower()) not in kb.lexicon.stopwords)
                acronym = lead + code.lower()
                if lead and len(acronym) >= 3 and sum(acronym in k.acronyms for k in kb.record_keys_) == 1:
                    reply = answer(f"{acronym} graduation rate", knowledge=kb)
                    assert reply.short == key.record.get("Graduation Rate").value.shown, (acronym, reply.text)
                    checked += 1
                break
    assert checked >= 3


def test_a_place_led_name_with_the_initials_of_its_rest_is_the_name(knowledge_of):
    """"kansas city kansas cc": the name's words up to its last place, then the initials of the
    rest (stopwords left out)."""
    checked = 0
    for kb in map(knowledge_of, GUIDES):
        for key in schools(kb):
            words = words_of(key.record.name)
            places = [i for i, w in enumerate(words) if (stem(w),) in kb.comparisons_.regions]
            if not places or places[0] != 0:
                continue
            rest = [w for w in words[places[-1] + 1:] if stem(w) not in kb.lexicon.stopwords]
            if len(rest) != 2:
                continue
            typed = " ".join(words[:places[-1] + 1] + ["".join(w[0] for w in rest)])
            reply = answer(f"{typed} graduation rate", knowledge=kb)
            assert reply.short == key.record.get("Graduation Rate").value.shown, (typed, reply.text)
            checked += 1
    assert checked >= 2


def test_is_it_more_after_one_school_is_that_schools_figure(kb):
    """"X tuition", then "is it more for out of state students?": X's out-of-state tuition, not the
    highest out-of-state tuition of all the schools."""
    checked = 0
    for key in schools(kb)[:4]:
        out = key.record.get("Out-of-State Tuition")
        if out is None or not out.value.available:
            continue
        chat = Conversation(kb)
        chat.ask(f"{key.record.name.lower()} tuition")
        reply = chat.ask("is it more for out of state students?")
        assert reply.short == out.value.shown, reply.text
        checked += 1
    assert checked >= 2


def test_a_superlative_of_places_ranks_by_the_attribute_it_implies(kb):
    """"which of these places is the biggest": "places" names the location, which is never ranked;
    "biggest" implies the enrollment."""
    sized = [k for k in schools(kb) if (f := k.record.get("Total Enrollment")) and f.value.available]
    biggest = max(sized, key=lambda k: k.record.get("Total Enrollment").value.number)
    reply = answer("which of these places is the biggest", knowledge=kb)
    assert biggest.record.name in reply.text and biggest.record.get("Total Enrollment").value.shown in reply.text, \
        reply.text


def test_the_verb_after_would_and_a_name_is_no_thing_asked_of_it(kb):
    """"what would X charge me": "charge" is X's verb (as after "does X"), so X is described with its
    tuition, not declined as if a "charge" were asked of it. (Schools whose names hold a place are
    left out: "san antonio college" is also read as a place.)"""
    places = {w for k in kb.record_keys_ for w in words_of(k.record.place or "")}
    checked = 0
    for key in schools(kb):
        tuition = key.record.get("In-State Tuition")
        words = words_of(key.record.name)
        if tuition is None or not tuition.value.available or set(words) & places \
                or any((stem(w),) in kb.comparisons_.regions for w in words):
            continue
        reply = answer(f"what would {key.record.name.lower()} charge me", knowledge=kb)
        assert reply.answered and tuition.value.shown in reply.text, reply.text
        checked += 1
    assert checked or all(set(words_of(k.record.name)) & places
                          or any((stem(w),) in kb.comparisons_.regions for w in words_of(k.record.name))
                          for k in schools(kb)), "a school named without a place"


def test_what_is_asked_of_a_school_whose_name_holds_a_place_is_declined(kb):
    """"who is the president of university of minnesota-twin cities": "cities" of the name asks for
    no location, so the president is what is asked, and declined by name."""
    for key in schools(kb):
        reply = answer(f"who is the president of {key.record.name.lower()}", knowledge=kb)
        assert not reply.answered and "president" in reply.text.split("\n")[0], reply.text


def test_how_much_is_a_school_is_its_first_sum_of_money(knowledge_of):
    """"how much is X" (the lexicon's ``money_cues`` and a name, nothing else) is X's tuition, so a
    follow-up "what about Y" gives Y's."""
    checked = 0
    for kb in map(knowledge_of, GUIDES):
        named = [(k, w) for k in schools(kb) if (w := own_word(kb, k))
                 and (f := k.record.get("In-State Tuition")) and f.value.available]
        for (key, word), (other, other_word) in zip(named, named[1:], strict=False):
            reply = answer(f"how much is {word}", knowledge=kb)
            assert reply.short == key.record.get("In-State Tuition").value.shown, reply.text
            chat = Conversation(kb)
            chat.ask(f"how much is {word}")
            assert chat.ask(f"what about {other_word}").short == other.record.get("In-State Tuition").value.shown
            checked += 1
    assert checked >= 5


def guide_words(kb) -> set[str]:
    """Every word the guide's passages use, lower case."""
    return set(words_of(" ".join(f"{u.title} {u.text}" for u in kb.units_)))


def named_with_rate(kb):
    """(school, a word of its own that names it, its graduation rate) for the schools that have both."""
    for key in schools(kb):
        word = own_word(kb, key)
        rate = key.record.get("Graduation Rate").value
        if word is not None and rate.available:
            yield key, word, rate


CITIES = ("fort wayne", "dallas", "boise", "tacoma", "fresno")  # places a campus of many schools is in


def test_a_city_typed_after_a_schools_own_word_is_another_campus(knowledge_of):
    """"purdue fort wayne", "capella dallas": a city the guide never mentions, typed where a campus
    goes, names another school than the one the guide lists; the same word without it names it."""
    checked = 0
    for kb in map(knowledge_of, GUIDES):
        text = guide_words(kb)
        city = next((c for c in CITIES if not set(c.split()) & text
                     and tuple(stem(w) for w in c.split()) in kb.comparisons_.world_starts.get(stem(c.split()[0]), ())),
                    None)
        assert city is not None, kb.document.subject
        for _, word, rate in named_with_rate(kb):
            assert rate.shown in answer(f"{word} graduation rate", knowledge=kb).text
            reply = answer(f"{word} {city} graduation rate", knowledge=kb)
            assert rate.shown not in stated(reply.text), (word, city, reply.text)
            assert not reply.answered, (word, city, reply.text)
            checked += 1
    assert checked >= 20


def test_a_schools_city_followed_by_a_word_of_another_name_is_another_school(kb):
    """"san diego state" is not the one school in San Diego, though "the san diego school" is (a
    school whose name holds its city is named by the name's words)."""
    checked = 0
    for key in schools(kb):
        city = (key.record.place or "").split(",")[0].strip()
        rate = key.record.get("Graduation Rate").value
        if not city or not rate.available or set(words_of(city)) & set(words_of(key.record.name)) \
                or "state" in words_of(key.record.name) \
                or sum((k.record.place or "").startswith(city + ",") for k in kb.record_keys_) != 1 \
                or (stem(city.lower()),) in kb.comparisons_.regions:
            continue
        assert rate.shown in answer(f"the {city.lower()} school graduation rate", knowledge=kb).text
        reply = answer(f"{city.lower()} state graduation rate", knowledge=kb)
        assert rate.shown not in stated(reply.text), (city, reply.text)
        assert not reply.answered, (city, reply.text)
        checked += 1
    assert checked >= 1


EXTRA = ("global", "northwest", "downtown", "online", "eastside")  # words a campus or another school adds


def test_a_word_the_guide_lacks_where_the_name_goes_on_otherwise_is_another_school(knowledge_of):
    """"purdue university global" is not Purdue University-Main Campus: a word the guide never uses,
    typed right after a name's own word where the name goes on with a word of its own, names
    another school; the name's own word alone still names it."""
    checked = 0
    for kb in map(knowledge_of, GUIDES):
        extra = next((w for w in EXTRA if w not in guide_words(kb)), None)
        assert extra is not None, kb.document.subject
        for key, word, rate in named_with_rate(kb):
            name = words_of(key.record.name)
            after = [w for w in name[name.index(word) + 1:]
                     if not is_kind(kb, w) and stem(w) not in kb.lexicon.stopwords]
            if not after or extra.startswith(after[0][:3]):
                continue
            assert rate.shown in answer(f"{word} graduation rate", knowledge=kb).text
            reply = answer(f"{word} {extra} graduation rate", knowledge=kb)
            assert rate.shown not in stated(reply.text), (word, extra, reply.text)
            checked += 1
    assert checked >= 15
