"""Answer typing, span extraction, date resolution and abstention, on hand-made passages: the rules baseline of
the benchmarks (bench/rules.py, bench/candidates.py) and the reader's choice among reports."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from answering.dates import find_dates
from answering.question import AnswerType, answer_type
from bench.candidates import candidates
from bench.rules import answer
from embeddings.models import Hit
from tests.hits import PUBLISHED, hit


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("When is Canada's election?", AnswerType.DATE),
        ("What date do the auto tariffs take effect?", AnswerType.DATE),
        ("Who is Canada's finance minister?", AnswerType.WHO),
        ("What tariff rate applies to steel?", AnswerType.PERCENT),
        ("How much will the EU invest in the US?", AnswerType.MONEY),
        ("How many cars can the UK ship at the lower rate?", AnswerType.NUMBER),
        ("Where did the US and China meet?", AnswerType.PLACE),
        ("Which country buys the most US soybeans?", AnswerType.PLACE),
        ("Which party won the election?", AnswerType.ORG),
        ("Why did markets fall?", AnswerType.GENERIC),
    ],
)
def test_answer_types(question, expected):
    assert answer_type(question) == expected


@pytest.mark.parametrize(
    ("sentence", "values"),
    [
        ("The vote is set for April 28.", ["April 28, 2025"]),
        ("Talks were held on Sunday.", ["March 23, 2025"]),
        ("The tariffs will take effect on Wednesday.", ["April 2, 2025"]),
        ("Duties rise next month and fell last week.", ["April 2025", "the week of March 17, 2025"]),
        ("The review is due in July 2026; it began Jan. 5, 2026.", ["July 2026", "January 5, 2026"]),
        ("He said it may happen tomorrow.", ["March 29, 2025"]),
        ("The deal expires in early December.", ["December 2025"]),
    ],
)
def test_dates_resolve_against_the_publish_date(sentence, values):
    assert [d.value for d in find_dates(sentence, PUBLISHED)] == values


def test_newswire_dates_roll_into_the_next_year():
    late = datetime(2025, 12, 20, tzinfo=UTC)
    assert [d.value for d in find_dates("The cut applies from Jan. 2.", late)] == ["January 2, 2026"]


def test_candidates_by_type():
    s = (
        "U.S. Trade Representative Jamieson Greer met officials in Geneva, Switzerland, "
        "and said $2.5 billion of goods face a 25% duty."
    )
    assert [c.text for c in candidates(s, AnswerType.PERSON, None)] == ["Jamieson Greer"]
    assert [c.value for c in candidates(s, AnswerType.PLACE, None)] == ["Geneva", "Switzerland"]
    assert [c.text for c in candidates(s, AnswerType.QUANTITY, None)] == ["$2.5 billion", "25%"]
    assert [c.text for c in candidates("The count rose to three plants in 2025.", AnswerType.NUMBER, None)] == ["three"]


def test_date_answer_is_resolved_quoted_and_cited():
    h = hit("The prime minister called a snap vote for April 28. Pollsters expect a close race.")
    ans = answer("When is Canada's election?", [h])
    assert ans.answer is None  # "Canada" is named in the question but not in the passage: abstain
    h2 = hit("Canada's snap election will be held on April 28. Pollsters expect a close race.")
    ans = answer("When is Canada's election?", [h2])
    assert not ans.abstained and ans.answer == "April 28, 2025"
    assert ans.citations[0].quote == "Canada's snap election will be held on April 28."
    assert ans.citations[0].quote in h2.text and ans.as_of == "2025-03-28"


def test_new_figure_beats_the_old_one():
    h = hit("The U.S. tariff on steel doubles to 50% from 25% on June 4.")
    assert answer("What tariff rate applies to US steel imports?", [h]).answer == "50%"
    h = hit("The U.S. tariff on steel was raised from 25% to 50% on June 4.")
    assert answer("What tariff rate applies to US steel imports?", [h]).answer == "50%"


def test_who_answer_strips_titles():
    h = hit(
        "Talks between Canadian Finance Minister Dominic LeBlanc and Commerce Secretary Howard Lutnick will intensify."
    )
    assert answer("Who is Canada's finance minister?", [h]).answer == "Dominic LeBlanc"


def test_abstains_when_the_news_does_not_hold_the_answer():
    h = hit("Canada's snap election will be held on April 28.")
    for question in (
        "Who won the 2024 World Series?",
        "When is Germany's election?",
        "What tariff rate did Canada put on steel?",
    ):
        ans = answer(question, [h])
        assert ans.abstained and ans.answer is None and ans.citations == [] and ans.note
    assert answer("When is Canada's election?", []).abstained


def test_abstains_when_the_passage_is_about_something_else():
    h = hit("Canada's hockey team said the election of a new captain is set for April 28.", dense=0.05)
    assert answer("When is Canada's election?", [h]).abstained


def test_corroborating_sources_are_cited_and_as_of_is_the_newest():
    a = hit("Canada's election is set for April 28, officials said.", article_id="a1", pid=1)
    b = hit(
        "Canadians vote in an election on April 28, 2025.",
        article_id="a2",
        pid=2,
        published=datetime(2025, 4, 2, tzinfo=UTC),
    )
    ans = answer("When is Canada's election?", [a, b])
    assert ans.answer == "April 28, 2025"
    assert [c.article_id for c in ans.citations] == ["a1", "a2"] and ans.as_of == "2025-04-02"
    assert [c.n for c in ans.citations] == [1, 2]


def test_json_contract():
    ans = answer("When is Canada's election?", [hit("Canada's election is set for April 28.")])
    data = ans.to_json()
    assert list(data) == ["question", "answer", "abstained", "as_of", "citations"]
    assert list(data["citations"][0]) == ["n", "article_id", "title", "source", "published", "url", "quote"]


def test_follow_up_uses_the_earlier_question_as_context():
    hits = [
        hit("The rule on seed imports takes effect on May 1.", title="Seed rules", article_id="seeds", pid=2),
        hit(
            "The 25% tariff on imported cars was announced on Wednesday. The car tariff takes effect on April 3.",
            title="Car tariff",
            article_id="cars",
        ),
    ]
    alone = answer("And when does it take effect?", hits)
    assert alone.answer_type == "date" and alone.citations[0].article_id == "seeds"  # nothing says which "it"
    followed = answer("And when does it take effect?", hits, context="What tariff did the US put on imported cars?")
    assert followed.answer == "April 3, 2025" and followed.citations[0].article_id == "cars"
    assert followed.question == "And when does it take effect?"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Which veteran steel executive resigned from the trade council?", AnswerType.PERSON),
        ("Which Pacific Coast shipping company cut its sailings?", AnswerType.ORG),
        ("New port fees were announced in what island territory?", AnswerType.LOCALITY),
        ("Which state will host the trade summit next spring?", AnswerType.LOCALITY),
        ("This trade minister led the talks for the third year running.", AnswerType.PERSON),
        ("What is the focus of Ohio State University's new trade lab?", AnswerType.GENERIC),
        ("Which alloy did the mills stop importing?", AnswerType.NAME),
        ("What is the name of the new cookie?", AnswerType.NAME),
        ("What did the court decide?", AnswerType.GENERIC),
        ("What did the trade minister say about the quota?", AnswerType.GENERIC),  # a verb ends the noun phrase
        ("What does this show about lumber demand?", AnswerType.GENERIC),
        ("Which documentary about the port strike won the festival prize?", AnswerType.TITLE),
        ("Customs receipts passed which record figure in March?", AnswerType.QUANTITY),
        ("The envoy flew to which disputed area on Tuesday?", AnswerType.PLACE),
        ("Lumber mills in the U.S. South cut output this week. Where will the new duty apply?", AnswerType.PLACE),
        ("The shipping talks resumed on Monday. When do they have to end?", AnswerType.DATE),
        ("Which of the following port cities lost the most cargo?", AnswerType.LOCALITY),
        ("How old is the new trade commissioner?", AnswerType.NUMBER),
        ("What was the magnitude of the quake that shut the port?", AnswerType.NUMBER),
    ],
)
def test_the_noun_after_which_or_this_names_the_answer_type(question, expected):
    assert answer_type(question) == expected


def test_a_state_question_is_not_answered_with_a_country():
    text = "Across the United States, Ohio will host the trade summit next spring, officials said."
    result = answer("Which state will host the trade summit next spring?", [hit(text)])
    assert result.answer == "Ohio" and result.answer_type == AnswerType.LOCALITY.value


def test_a_title_question_is_answered_with_the_quoted_title():
    text = 'The documentary "Harbour Lights" about the dock strike won the festival prize, beating "Tidewater".'
    result = answer("Which documentary about the dock strike won the festival prize?", [hit(text)])
    assert result.answer == '"Harbour Lights"' and result.answer_type == AnswerType.TITLE.value
    remark = 'The director said "we never expected this." after the festival prize for Harbour Lights.'
    unquoted = answer("Which documentary won the festival prize?", [hit(remark)])
    assert unquoted.answer == "Harbour Lights"  # a quoted remark is not a title: the name is


def test_a_plural_question_gets_the_whole_list():
    text = "The new quota applies to Chile, Peru and Vietnam from May, the ministry said."
    several = answer("Which countries does the new quota apply to?", [hit(text)])
    assert several.answer == "Chile, Peru and Vietnam" and several.citations[0].quote == text
    pair = "The bloc invited Norway and Iceland to the customs talks on Monday."
    assert answer("Which two countries did the bloc invite to the customs talks?", [hit(pair)]).answer == (
        "Norway and Iceland"
    )
    assert answer("Which country does the new quota apply to?", [hit(text)]).answer == "Chile"


def test_a_preposition_does_not_make_an_agency_or_a_news_outlet_a_place():
    sentence = "The samples flew to NASA from Geneva on Monday, according to Reuters."
    assert [c.value for c in candidates(sentence, AnswerType.PLACE, None)] == ["Geneva"]


def test_a_weekday_closing_a_sentence_is_not_a_name():
    assert candidates("The deal with the carmaker closed on Monday.", AnswerType.ORG, None) == []
    assert candidates("The deal with the carmaker closed on Monday.", AnswerType.NAME, None) == []


def test_february_29_resolves_only_to_a_leap_year():
    leap = datetime(2024, 3, 5, tzinfo=UTC)
    assert [d.value for d in find_dates("The deadline was February 29.", leap)] == ["February 29, 2024"]
    # 2025 has none: no day is made up (the month alone is what can be read).
    assert [d.value for d in find_dates("The deadline was February 29.", PUBLISHED)] == ["February 2025"]


def test_as_of_is_the_day_of_the_newest_article_cited_a_disagreeing_one_too():
    """Two outlets a day apart give two fees; the answer is the older report's (the reader is surer of it), the
    newer is cited as a disagreement: "as of" is the newer one's day, as the README says."""
    from answering.answer import decide
    from answering.candidates import Reading, rarity
    from answering.reader import Span
    from answering.weights import RULE

    def report(i: int, fee: str, day: int, source: str) -> Hit:
        text = f"The board set the fee for foreign-built ships at {fee} a ton."
        when = datetime(2025, 10, day, 9, tzinfo=UTC)
        return Hit(i, f"a{i}", 0, text, 0, [(0, len(text))], "Fee set", source, f"https://x.test/{i}", "", when)

    question = "How much was the fee the board set for foreign-built ships?"
    older, newer = report(1, "$80", 10, "Harbor Daily"), report(2, "$50", 11, "Shipping Gazette")
    spans = [
        Span(w, h.text.index("$"), h.text.index("$") + 9, h.text[h.text.index("$") :][:9], score, 0.0)
        for w, (h, score) in enumerate([(older, 6.0), (newer, 5.0)])
    ]
    reading = Reading(question, [older, newer], spans, [0.0, 0.0], rarity(question, [older, newer]))
    result = decide(question, reading, RULE)  # hand-made passages, no similarity: the margin rule answers
    assert result.answer == "$80 a ton" and [d.answer for d in result.disagreement] == ["$80 a ton", "$50 a ton"]
    assert result.as_of == "2025-10-11"


def test_an_answer_never_keeps_one_mark_of_a_quotation():
    from answering.candidates import _whole_quotes

    s = 'He called the “Liberation Day” tariffs a mistake and said "fair trade" mattered.'

    def whole(span: str) -> str:
        return _whole_quotes(s, s.index(span), span)[1]

    assert whole("Liberation Day” tariffs") == "“Liberation Day” tariffs"  # the opening mark joins it
    assert whole("the “Liberation Day") == "the “Liberation Day”"  # ... or the closing one
    assert whole('fair trade" mattered') == '"fair trade" mattered'  # straight marks too
    assert whole("tariffs a mistake") == "tariffs a mistake"


def test_an_abstention_says_a_subject_is_not_mentioned_only_when_no_passage_read_mentions_it():
    from answering.candidates import Reading, rarity, supported
    from answering.reader import Span

    def passage(i: int, text: str) -> Hit:
        when = datetime(2025, 4, 2, 9, tzinfo=UTC)
        return Hit(i, f"a{i}", 0, text, 0, [(0, len(text))], "Rice", "Wire", f"https://x.test/{i}", "", when)

    duty = passage(1, "The rice duty rises to 20% on May 1, Chile's ministry said.")
    talks = passage(2, "Japan and Peru met in Lima on Tuesday to talk about trade.")
    span = Span(0, duty.text.index("20%"), duty.text.index("20%") + 3, "20%", 5.0, 0.0)
    hits = [duty, talks]
    for question, why in [
        ("What is Japan's tariff on Peruvian rice?", "the closest passages do not answer the question"),
        ("What is Brazil's tariff on Peruvian rice?", "the closest passages do not mention Brazil"),
    ]:
        found, said = supported(question, Reading(question, hits, [span], [0.0, 0.0], rarity(question, hits)))
        assert not found and said == why
