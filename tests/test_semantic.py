"""The semantic signal, open-world declines and the per-knowledge-base calibration, on both guides."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from conftest import SEED

from chatbot import answer, load_knowledge
from chatbot.calibrate import Scale, off_topic_questions
from chatbot.match import make_query, named_things, near_misses
from chatbot.semantic import MODEL_DIR, Encoder, ModelError, default_encoder, status

# status(), not default_encoder(): loading the model while the tests are collected would write onnxruntime's
# files under the user's home before any fixture points HOME elsewhere.
pytestmark = pytest.mark.skipif(status() != "on", reason="the semantic extra is not installed")


def test_sentences_closer_in_meaning_are_closer_vectors():
    enc = default_encoder()
    a, b, c = enc.encode(["how much do they earn", "what is the salary", "what time is it in London"])
    assert abs(float(a @ a) - 1.0) < 1e-4  # unit vectors
    assert float(a @ b) > float(a @ c) + 0.2


def test_encoding_is_the_same_alone_and_among_others():
    """Each text is run on its own (the model quantises a run's activations with one scale), so its
    vector does not depend on what is encoded with it: the same bits alone as among others."""
    enc = default_encoder()
    texts = ["salary", "which school is the cheapest of them all", "\ud800 broken surrogate", ""]
    together = enc.encode(texts)
    for text, row in zip(texts, together, strict=True):
        assert np.array_equal(enc.encode([text])[0], row)
    assert np.array_equal(enc.encode(list(reversed(texts))), together[::-1])


def test_a_text_given_twice_is_encoded_once(monkeypatch):
    enc = default_encoder()
    texts = ["what is the salary", "how much does capella cost", "what is the salary", "salary", "salary"]
    expected = np.stack([enc.encode([t])[0] for t in texts])
    seen = []
    run = enc._run
    monkeypatch.setattr(enc, "_run", lambda text, limit: seen.append(text) or run(text, limit))
    vectors = enc.encode(texts)
    assert sorted(seen) == sorted(set(texts))
    assert vectors.dtype == np.float32 and vectors.shape == (5, 384)
    assert np.array_equal(vectors, expected)
    assert enc.encode([]).shape == (0, 384)


def test_a_text_is_read_to_its_limit():
    """``limit``: a text is read to that many tokens (its first ``limit - 1`` and the closing one),
    so words past it change nothing; a text within the limit gets the vector it gets as a question.
    The index reads an FAQ entry's question + answer to ``ENTRY_TOKENS``."""
    from chatbot.semantic import ENTRY_TOKENS, MAX_TOKENS

    enc = default_encoder()
    opening = "Patient services coordinators schedule appointments, check insurance and greet patients. " * 4
    assert len(enc._tokenizer.encode(opening).ids) > ENTRY_TOKENS
    texts = [opening + "They earn a salary.", opening + "Tuition is high.", "what is the salary"]
    one, other, short = enc.encode(texts, limit=ENTRY_TOKENS)
    assert np.array_equal(one, other)
    assert np.array_equal(short, enc.encode(["what is the salary"])[0])
    whole = enc.encode([opening + "They earn a salary.", opening + "Tuition is high."], limit=MAX_TOKENS)
    assert not np.array_equal(whole[0], whole[1])
    assert ENTRY_TOKENS < MAX_TOKENS


def test_a_guides_passages_are_read_whole_and_its_entries_to_their_opening(guide_kb):
    """A passage has one vector, of its whole text; an FAQ entry's is the mean of its question's and
    of its question + answer read to ``ENTRY_TOKENS``."""
    from chatbot.index import _semantic_text
    from chatbot.semantic import ENTRY_TOKENS

    enc, units = guide_kb.encoder_, guide_kb.units_
    length = {i: len(enc._tokenizer.encode(_semantic_text(u)).ids) for i, u in enumerate(units)}
    passage = max((i for i, u in enumerate(units) if u.kind != "faq"), key=length.get)
    entry = max((i for i, u in enumerate(units) if u.kind == "faq"), key=length.get)
    assert length[passage] > ENTRY_TOKENS
    assert np.allclose(guide_kb.unit_vectors_[passage], enc.encode([_semantic_text(units[passage])])[0], atol=1e-6)
    whole = enc.encode([_semantic_text(units[entry])], limit=ENTRY_TOKENS)[0]
    question = enc.encode([units[entry].title])[0]
    mean = (whole + question) / np.linalg.norm(whole + question)
    assert np.allclose(guide_kb.unit_vectors_[entry], mean, atol=1e-6)


def test_many_texts_on_several_threads_give_the_vectors_of_one(monkeypatch):
    """A large encode runs on ``workers`` threads; the vectors, their order and the progress reported
    are those of one thread."""
    import chatbot.semantic as semantic

    monkeypatch.setattr(semantic, "PARALLEL_FROM", 8)
    monkeypatch.setattr(semantic, "CHUNK", 3)
    texts = [f"question number {i} about the {w}" for i, w in enumerate(["salary", "tuition", "schools"] * 6)]
    texts += texts[:4]  # repeated texts too
    one, two = Encoder(workers=1), Encoder(workers=2)
    steps: list[tuple[int, int]] = []
    parallel = two.encode(texts, progress=lambda done, total: steps.append((done, total)))
    assert np.array_equal(parallel, one.encode(texts))
    assert steps == [(3, 18), (6, 18), (9, 18), (12, 18), (15, 18), (18, 18)]


def test_the_workers_setting(monkeypatch):
    from chatbot.semantic import default_workers

    monkeypatch.setenv("CAREERBOT_ENCODER_THREADS", "3")
    assert default_workers() == 3
    monkeypatch.setenv("CAREERBOT_ENCODER_THREADS", "nonsense")
    assert 1 <= default_workers() <= 4
    monkeypatch.delenv("CAREERBOT_ENCODER_THREADS")
    assert 1 <= default_workers() <= 4


def test_a_changed_model_file_is_refused(tmp_path):
    copy = tmp_path / "model"
    shutil.copytree(MODEL_DIR, copy)
    (copy / "tokenizer.json").write_bytes((copy / "tokenizer.json").read_bytes() + b" ")
    with pytest.raises(ModelError, match="tokenizer.json: SHA-256"):
        Encoder(copy)


def test_the_switch_turns_it_off(monkeypatch):
    monkeypatch.setenv("CAREERBOT_SEMANTIC", "0")
    assert status() == "off"
    monkeypatch.setenv("CAREERBOT_SEMANTIC", "1")
    assert status() == "on"


def test_lexical_only_still_answers_and_declines():
    kb = load_knowledge(SEED, encoder=None)
    assert kb.unit_vectors_ is None
    assert answer("how much does capella cost", kb).short == "$14,328"
    assert not answer("what is the tuition at harvard", kb).answered


def test_confidence_half_is_the_calibrated_threshold():
    scale = Scale(0.4)
    assert scale.confidence(0.4) == pytest.approx(0.5)
    assert scale.confidence(0.0) == 0.0 and scale.confidence(1.0) == 1.0
    assert scale.confidence(0.2) < 0.5 < scale.confidence(0.6)


@pytest.fixture
def kb(guide_kb):
    """Each guide in turn, with the sentence model: the session's knowledge bases (conftest)."""
    assert guide_kb.unit_vectors_ is not None
    return guide_kb


def test_each_guide_is_calibrated_on_itself(kb):
    replies = [answer(q, kb) for q in off_topic_questions()]
    declined = [not r.answered or r.source is None for r in replies]  # chit-chat ("how old are you") gives no passage
    # Its threshold is the 95th percentile of these questions' scores against this guide (the 85th
    # for the few the model puts close to the career); the rules for names and places decline some
    # of the rest.
    assert sum(declined) / len(declined) >= 0.95, [q for q, d in zip(off_topic_questions(), declined, strict=True)
                                                   if not d]
    assert 0.05 <= kb.scale_.threshold <= 0.9


def test_a_question_about_the_career_is_read_on_the_nearer_scale(kb):
    """Both scales come from the same off-topic questions: 0.5 at their 95th percentile, and at their
    85th for a question the model puts closer to the guide's career than 95% of them come (unless it
    is in the guide's domain, whose scale is nearer still: tests/test_domain.py)."""
    from chatbot.calibrate import in_domain, off_topic_vectors
    from chatbot.candidates import gather
    from chatbot.match import passage_confidence_score

    assert kb.near_scale_.threshold < kb.scale_.threshold
    closeness = off_topic_vectors(kb.encoder_) @ kb.subject_vector_
    assert np.mean(closeness > kb.subject_null_) <= 0.06  # one off-topic question in twenty, or so
    subject = kb.document.subject.lower()
    about = [f"what is a normal day like for a {subject}", f"is being a {subject} stressful",
             f"what do you need to be good at to work as a {subject}"]
    for question in about:
        c = gather(question, kb)
        assert float(c.query.vector @ kb.subject_vector_) > kb.subject_null_, question
        scale = kb.domain_scale_ if in_domain(kb, c.query.vector) else kb.near_scale_
        assert kb.scale_for(c.query.vector) is scale
        assert c.passage_confidence == scale.confidence(passage_confidence_score(c.query, kb, c.best))
    for question in ("how do magnets work", "what's the longest river in the world"):
        assert kb.scale_for(gather(question, kb).query.vector) is kb.scale_, question


def test_ordinary_words_the_guide_lacks_do_not_decline_a_figure(kb):
    school = next(k.record for k in kb.record_keys_ if not k.record.own_section
                  and k.record.get("Admission Rate") is not None and k.record.get("Admission Rate").value.available)
    name = school.name.split()[0]
    reply = answer(f"does {name} report an admission rate", kb)
    assert reply.answered and reply.short == school.get("Admission Rate").value.raw
    reply = answer("could my son live on what this job pays?", kb)
    own = next(k.record for k in kb.record_keys_ if k.record.own_section and k.record.fields)
    assert reply.answered and own.fields[0].value.raw in reply.text


def test_named_things_decline_a_figure(kb):
    own = next(k for k in kb.record_keys_ if k.record.own_section and k.record.fields)
    for question in ("salary in 2015", "what is the salary in Tokyo", "nurse salary",
                     "what does the salary look like at Harvard"):
        query = make_query(question, kb)
        assert named_things(query, kb, [own]), question
        reply = answer(question, kb)
        assert not reply.answered and own.record.fields[0].value.raw not in reply.text, question


def test_a_superlative_the_lexicon_lacks_is_read_by_the_model(kb):
    rates = [(k.record.get("Graduation Rate").value.number, k.record.name) for k in kb.record_keys_
             if k.record.get("Graduation Rate") is not None and k.record.get("Graduation Rate").value.available]
    reply = answer("which college has the poorest graduation rate", kb)
    assert reply.short == min(rates)[1]


def test_near_miss_names_built_from_the_guide_never_get_a_figure(kb):
    """"university of <state>" and "<state> tech" for every school named with a state or city:
    another school, never the listed one's figure."""
    places = kb.comparisons_.codes
    for key in kb.record_keys_:
        if key.record.own_section or not key.record.place or not key.record.get("In-State Tuition"):
            continue
        state = places.get(key.record.place.rpartition(",")[2].strip(), "")
        city = key.record.place.split(",")[0]
        tuition = key.record.get("In-State Tuition").value.raw
        questions = [f"university of {state.lower()} tuition", f"{state} tech tuition"]
        if f"of {city}".lower() not in key.record.name.lower():  # "University of Phoenix-…" is itself
            questions.append(f"tuition at the university of {city}")
        for question in questions:
            reply = answer(question, kb)
            assert tuition not in reply.text or not reply.answered, question
        if f"of {city}".lower() not in key.record.name.lower():
            assert near_misses(make_query(f"university of {city} tuition", kb), kb)


def test_without_the_extra_the_cli_says_so_once_and_answers(monkeypatch, capsys):
    import chatbot.semantic
    from chatbot.cli import main

    monkeypatch.setattr(chatbot.semantic, "status", lambda: "missing")
    assert main(["ask", "--no-semantic", "how much does capella cost"]) == 0
    out, err = capsys.readouterr()
    assert "$14,328" in out
    assert err.count("careerbot[semantic]") == 1


def test_no_semantic_flag_matches_on_words_only(capsys):
    from chatbot.cli import main

    assert main(["ask", "--json", "--no-semantic", "what's a normal paycheck in this line of work"]) == 0
    lexical = capsys.readouterr().out
    assert main(["ask", "--json", "what's a normal paycheck in this line of work"]) == 0
    semantic = capsys.readouterr().out
    assert '"answered": false' in lexical  # words only: "normal" and "paycheck" are unknown
    assert lexical != semantic


def test_a_superlative_with_no_figure_in_a_place_lists_the_place(kb):
    """"the poorest one in arizona" read a direction and a place but no attribute: it used to crash."""
    codes = kb.comparisons_.codes
    school = next(k.record for k in kb.record_keys_ if k.record.place and not k.record.own_section)
    state = codes[school.place.rpartition(",")[2].strip()]
    reply = answer(f"the poorest one in {state.lower()}", kb)
    assert school.name in reply.text
