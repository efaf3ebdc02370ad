"""The figure a question asks, given by a passage: "how many openings a year" is 44,500 of a
passage on job availability that also gives the jobs and their growth. The passage is quoted; its
figure of the kind asked (a count, a share, a sum of money) is the reply's precise value. Every
guide of the template in the repository."""

from __future__ import annotations

import re

import pytest
from conftest import TEMPLATE_GUIDES

from chatbot import Conversation
from chatbot.match import figure_in_passage, make_query
from chatbot.text import stem

COUNT = re.compile(r"(?<![\d$.,])\d{1,3}(?:,\d{3})+(?![\d%])")


@pytest.fixture(scope="module", params=TEMPLATE_GUIDES, ids=lambda p: p.stem)
def kb(request, knowledge_of):
    return knowledge_of(request.param)


def counted(kb):
    """(unit, count, the word it counts) for counts in the guide's passages whose next word is a
    word no other count of that passage is followed by."""
    for unit in kb.units_:
        if unit.record is not None:
            continue
        after = [(m.group(), (re.findall(r"[a-z]+", unit.text[m.end():].lower()) or [""])[0])
                 for m in COUNT.finditer(unit.text)]
        for figure, word in after:
            if len(word) >= 4 and stem(word) not in kb.lexicon.stopwords \
                    and sum(stem(w) == stem(word) for _, w in after) == 1:
                yield unit, figure, word


def test_how_many_of_the_thing_a_count_counts_is_that_count(kb):
    checked = 0
    for unit, figure, word in counted(kb):
        query = make_query(f"how many {word} are there", kb)
        assert figure_in_passage(query, kb, unit) == figure, (word, unit.title)
        checked += 1
    if not checked:
        pytest.skip("no passage of this guide counts something in thousands")


def test_a_figure_of_another_kind_is_not_given(kb):
    """A share asked is never a count or a sum of money, nor a count a share."""
    for unit, _, word in counted(kb):
        share = figure_in_passage(make_query(f"what percent of {word}", kb), kb, unit)
        assert share is None or share.endswith("%")
    for unit in kb.units_:
        if unit.record is None and "%" in unit.text:
            count = figure_in_passage(make_query("how many are there", kb), kb, unit)
            assert count is None or "%" not in count


def test_the_reply_quoting_the_passage_gives_its_figure(kb):
    checked = 0
    for unit, figure, word in counted(kb):
        reply = Conversation(kb).ask(f"how many {word} are there for a {kb.document.subject.lower()}")
        if reply.source == unit:
            assert reply.short == figure and figure in reply.text
            checked += 1
        elif reply.source is not None and reply.source.record is None:
            assert reply.short is None or reply.short in reply.text  # another passage: its own figure or none
    if not checked:
        pytest.skip("no count question of this guide is answered by its passage")
