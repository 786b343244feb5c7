"""The figure asked for, as real news gives it (tests/figure_stories, our own writing in the shape of real
reports): an old story that gives only the value of the goods a round of tariffs covers, newer ones that give
the rate, a rate raised then cut, a sentence that lists several countries' rates, sentences that give two
figures (old and new, in and outside a quota, threatened or averted and in force). Each case is one that main
got wrong before the figure checks: "What is the US tariff on Chinese goods?" asked in 2025 answered "$200
billion" from 2018. The real reader, the fake encoder, through `ask` and `timeline`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from answering import ask, parse_when
from answering.figures import pick
from answering.measures import AMOUNT, PER_UNIT, PERCENT, RATE, Wanted, measure, status
from answering.roles import Roles
from answering.timeline import timeline
from bot import render
from embeddings import Library
from tests.conftest import FakeEncoder, stories_library
from tests.hits import read_question

STORIES = Path(__file__).resolve().parent / "figure_stories"
CHINA = "What is the US tariff on Chinese goods?"


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    yield from stories_library(tmp_path_factory, STORIES, "figures")


def answer(library, question: str, day: str):
    return ask(library, question, as_of=parse_when(day))


@pytest.mark.parametrize(
    ("day", "rate", "reported"),
    [
        ("2025-02-20", "10%", "2025-02-04"),
        ("2025-03-20", "20%", "2025-03-04"),  # "raised ... to 20% from 10%"
        ("2025-04-20", "34%", "2025-04-03"),  # the list sentence: China's rate, not the EU's 20%
        ("2025-06-01", "30%", "2025-05-12"),  # "cut ... to 30% from 145%"
    ],
)
def test_a_tariff_question_takes_the_rate_of_the_newest_report_before_its_day(library, day, rate, reported):
    result = answer(library, CHINA, day)
    assert (result.answer, result.as_of) == (rate, reported)  # main: "$200 billion" from 2018 every time
    assert result.citations[0].published.startswith(reported)
    assert not result.note  # a report of the weeks before the question: nothing to warn about


def test_the_value_of_the_goods_a_tariff_covers_is_never_its_rate(library):
    # In 2018 the stories give only amounts ("tariffs on $200 billion of Chinese goods"): no rate to give.
    result = answer(library, CHINA, "2018-10-01")
    assert result.abstained and result.answer is None
    # A question about how much is covered asks for the amount, the newest one.
    result = answer(library, "How much Chinese goods do US tariffs cover?", "2025-03-20")
    assert result.answer == "$440 billion" and result.as_of == "2025-03-04"


@pytest.mark.parametrize(
    ("question", "rate"),
    [
        ("What is the US tariff on Japanese goods?", "24%"),
        ("What is the US tariff on Indian goods?", "26%"),
        ("What is the US tariff on EU goods?", "20%"),
    ],
)
def test_the_country_asked_in_a_sentence_that_lists_several(library, question, rate):
    assert answer(library, question, "2025-04-20").answer == rate


@pytest.mark.parametrize(
    ("question", "day", "figure"),
    [
        # one sentence, two pairs, each an old and a new rate
        ("What is China's tariff on US goods?", "2025-06-01", "10%"),
        ("What tariff did China put on US goods before the Geneva talks?", "2025-06-01", "125%"),
        # a deal "instead of the 30% rate Trump had threatened"
        ("What is the US tariff on EU goods?", "2025-08-01", "15%"),
        ("What tariff had Trump threatened on EU goods?", "2025-08-01", "30%"),
        # a quota: one rate within it, another outside it
        ("What is the tariff on Argentine beef outside the quota?", "2025-07-01", "26.4%"),
        ("What is the tariff on Argentine beef within the quota?", "2025-07-01", "10%"),
        # "averted a 25% tariff ...; the cars will keep paying 2.5%"
        ("What is the tariff on Mexican cars?", "2025-09-01", "2.5%"),
        ("What tariff on Mexican cars did the deal avert?", "2025-09-01", "25%"),
    ],
)
def test_the_figure_the_question_qualifies_otherwise_the_one_in_force(library, question, day, figure):
    assert answer(library, question, day).answer == figure


def test_the_timeline_steps_are_rates_with_the_replaced_one_before_the_cut(library):
    result = timeline(library, CHINA)
    steps = [(s.reported, s.answer, s.before) for s in result.steps]
    assert steps == [  # main: "$200 billion" (2018) -> "$300 billion" (2019) -> "$440 billion" (2025)
        ("2025-02-04", "10%", False),
        ("2025-03-04", "20%", False),
        ("2025-04-03", "34%", False),
        ("2025-05-12", "145%", True),  # "cut ... to 30% from 145%": what held before that report
        ("2025-05-12", "30%", False),
    ]
    assert "billion" not in render.timeline_text(result)


def test_an_answer_years_older_than_the_question_says_its_date(tmp_path):
    with Library.open(tmp_path / "old", encoder=FakeEncoder()) as lib:
        lib.ingest([str(STORIES / "1-2018-china-200-billion.md"), str(STORIES / "3-2025-china-10.md")])
        result = answer(lib, CHINA, "2027-03-01")
        assert result.answer == "10%"
        assert result.note == "the newest report that gives it is from Feb 4, 2025"
        assert "the newest report that gives it is from Feb 4, 2025" in render.text(result)
        assert not answer(lib, CHINA, "2025-03-01").note


def test_what_a_figure_is_by_its_own_words():
    s = "Tariffs of 25% on $200 billion of goods, and a fee of $75 a tonne on steel."
    spans = {s[a:b]: (a, b) for a, b in [(s.index(t), s.index(t) + len(t)) for t in ("25%", "$200 billion", "$75")]}
    assert measure(s, spans["25%"]) == PERCENT
    assert measure(s, spans["$200 billion"]) == AMOUNT
    assert measure(s, spans["$75"]) == PER_UNIT
    assert Wanted.of(CHINA).measure == RATE  # a duty: a percentage or a charge per unit
    assert Wanted.of(CHINA).accepts(s, spans["$75"]) and not Wanted.of(CHINA).accepts(s, spans["$200 billion"])
    assert Wanted.of("What interest rate did the Fed set?").measure == PERCENT
    assert not Wanted.of("What is the mortgage rate?").accepts("It costs $1,296 a month.", (9, 15))
    assert Wanted.of("How much Chinese goods do US tariffs cover?").measure == AMOUNT
    assert Wanted.of("How much revenue have the tariffs raised?").measure == AMOUNT
    assert Wanted.of("How much is the tariff on steel?").measure == RATE
    assert Wanted.of("Who won the election?").measure is None
    # the rate stands with the amount in one clause: a span on the amount answers with the rate
    at = spans["$200 billion"]
    assert pick(s, at[0], at[1], read_question(CHINA), Roles()) == spans["25%"]
    assert pick(s, at[0], at[1], read_question("How much goods do the tariffs cover?"), Roles()) == at


def test_a_threatened_or_averted_figure_is_not_in_force():
    s = "The deal averted a 25% tariff on cars; they will keep paying 2.5%."
    averted, kept = s.index("25%"), s.index("2.5%")
    assert status(s, (averted, averted + 3)) == "averted" and status(s, (kept, kept + 4)) is None
    assert pick(s, averted, averted + 3, read_question("What is the tariff on cars?"), Roles()) == (kept, kept + 4)
    assert pick(s, kept, kept + 4, read_question("What tariff did the deal avert?"), Roles()) == (averted, averted + 3)
    s = "Trump threatened a 50% tariff on the bloc's goods."
    assert (
        pick(s, s.index("50%"), s.index("50%") + 3, read_question("What is the tariff on EU goods?"), Roles()) is None
    )


def _at(sentence: str, figure: str) -> tuple[int, int]:
    at = sentence.index(figure)
    return at, at + len(figure)


def _picked(sentence: str, span: str, question: str, *, now: bool = True, year: int | None = 2025) -> str | None:
    """The figure pick() takes for the question in a sentence of a report of June 1 of `year`."""
    from answering.roles import roles

    a, b = _at(sentence, span)
    reported = date(year, 6, 1) if year else None
    got = pick(sentence, a, b, read_question(question, now=now), roles(question), reported=reported)
    return sentence[got[0] : got[1]] if got else None


def test_a_range_is_one_figure():
    s = "The increase took the Fed's key rate to a range of 5.25% to 5.5%, the highest in 22 years."
    assert _picked(s, "5.5%", "What is the Fed's benchmark interest rate?") == "5.25% to 5.5%"
    s = "It cut its benchmark rate to a range of zero to 0.25% on Sunday."
    assert _picked(s, "0.25%", "What is the Fed's benchmark interest rate?") == "zero to 0.25%"
    s = "The duty on batteries will triple from 7.5% to 25% next year."  # a change, not a range
    assert _picked(s, "7.5%", "What will the duty on batteries be?", now=False) == "25%"


@pytest.mark.parametrize(
    ("sentence", "figure", "what_was"),
    [
        ("Economists expect the jobless rate to reach 4.4% next year.", "4.4%", None),  # a forecast: neither
        ("A year ago, the unemployment rate stood at 6.1%.", "6.1%", "6.1%"),  # the past
        ("The unemployment rate fell from its peak of 14.7% in 2020.", "14.7%", "14.7%"),
        ("In 2019: 3.5%", "3.5%", "3.5%"),  # a year named with it, before the report's
    ],
)
def test_a_question_about_now_is_not_answered_by_a_forecast_or_a_past_figure(sentence, figure, what_was):
    assert _picked(sentence, figure, "What is the unemployment rate?") is None
    assert _picked(sentence, figure, "What was the unemployment rate?", now=False) == what_was


def test_the_month_of_may_is_no_forecast():
    """ "From May 1" is a day; "may" before a verb is what could be."""
    s = "From May 1, Peru charges a 14% tariff on Chilean apples."
    assert _picked(s, "14%", "What is Peru's tariff on Chilean apples?", now=False) == "14%"
    s = "Peru may raise its tariff on Chilean apples to 14%."
    assert _picked(s, "14%", "What is Peru's tariff on Chilean apples?") is None


def test_a_rate_is_not_answered_by_how_much_it_moved():
    s = "The bank raised its rate by 0.25 percentage points to 1.25% on Thursday."
    assert _picked(s, "0.25 percentage points", "What is the bank's interest rate?") == "1.25%"
    s = "The bank raised its rate by 0.25 percentage points on Thursday."
    assert _picked(s, "0.25 percentage points", "What is the bank's interest rate?") is None
    assert _picked(s, "0.25 percentage points", "By how much did the bank raise its rate?") == "0.25 percentage points"


def test_a_forecast_is_the_answer_when_asked_and_as_expected_is_no_forecast():
    s = "Economists expect the jobless rate to reach 4.4% next year."
    assert _picked(s, "4.4%", "What jobless rate do economists expect?") == "4.4%"
    s = "Inflation rose more than expected, to 3.7% in September."
    assert _picked(s, "3.7%", "What is the US inflation rate?") == "3.7%"


def test_of_two_figures_the_one_on_what_the_question_names():
    s = "In 2018 the US imposed a 25% tariff on European steel and a 10% tariff on aluminum."
    assert _picked(s, "25%", "What tariff did the US impose on European aluminum?", now=False, year=2021) == "10%"
    assert _picked(s, "10%", "What tariff did the US impose on European steel?", now=False, year=2021) == "25%"
    s = "The bloc will lift duties of 8% on U.S. lobster and 20% on lobster products."
    assert _picked(s, "8%", "What duty on lobster products will the bloc lift?", now=False) == "20%"


def test_countries_listed_before_the_verb_share_its_role():
    from answering.roles import roles

    assert roles("Japan, South Korea and Vietnam face rates of 24%, 25% and 46%").pays == {
        "Japan",
        "South Korea",
        "Vietnam",
    }
    assert roles("Japan said on Monday that Vietnam faces rates of 46%").pays == {"Vietnam"}  # not listed with it
    assert roles("Vietnam's goods face a 46% tariff").pays == {"Vietnam"}  # faces it, does not charge it


def test_a_rate_imposed_in_an_earlier_year_that_still_stands_is_in_force():
    s = "The 25% tariff the US imposed on European steel in 2018 remains in place."
    assert _picked(s, "25%", "What is the US tariff on European steel?", year=2021) == "25%"
    s = "The 25% tariff the US imposed on European steel in 2018 was lifted last month."
    assert _picked(s, "25%", "What is the US tariff on European steel?", year=2021) is None


def test_a_countrys_rate_is_not_a_states_or_the_core_rate():
    from answering.figures import names_rate
    from answering.measures import rate_named

    us = read_question("What is the US unemployment rate?")
    assert us.rate == rate_named(us.text)
    assert names_rate("The unemployment rate fell to 3.6% in March.", us)
    assert not names_rate("The state's unemployment rate fell to 1.9% last month.", us)
    nevada = read_question("What is Nevada's unemployment rate?")  # a state's question takes a state's rate
    assert names_rate("The state's unemployment rate fell to 5.4% last month.", nevada)
    cpi = read_question("What is the US inflation rate?")
    assert not names_rate("The so-called core rate, without food and energy, rose 6.6%.", cpi)
    assert not names_rate("Mortgage rates jumped past 6% this week.", cpi)


def test_what_was_is_not_answered_by_what_was_expected():
    s = "The Fed said it expects the economy to grow 2.8% this year."
    assert _picked(s, "2.8%", "How much did the US economy grow this year?", now=False) is None
    assert _picked(s, "2.8%", "How much does the Fed expect the economy to grow?", now=False) == "2.8%"
    s = "A new state law could raise the hourly minimum wage for fast-food workers to as much as $22."
    assert _picked(s, "$22", "The law could raise the minimum wage to what hourly amount?", now=False) == "$22"


@pytest.mark.parametrize(
    ("sentence", "figure", "in_force"),
    [
        # a time named before ("That month", "A year after") makes the whole figure one of then
        ("That month, the central bank cut its benchmark rate to a range of zero to 0.25%.", "0.25%", None),
        ("A year after the jobless rate hit a high of 9.8%, it has fallen by half.", "9.8%", None),
        ("Since the jobless rate reached 9.8% in June 2021, hiring has picked up.", "9.8%", None),
        # a comparison with a year before is the level now, not a figure of the past
        ("Overall, the jobless rate rose to 4.5% from a year earlier, the bureau said.", "4.5%", "4.5%"),
        # "has seen" is what happened, not a forecast
        ("The economy, which has seen the jobless rate fall to a low of 3.6%, is strong.", "3.6%", "3.6%"),
        # a season after the figure is when it is expected
        ("Markets fear the bank must push rates as high as 6% next spring.", "6%", None),
        ("The 10% rate in place since 2019 still applies, the jobless office said.", "10%", "10%"),
    ],
)
def test_the_time_a_sentence_names_says_whether_its_figure_holds_now(sentence, figure, in_force):
    question = "What is the jobless rate?" if "rates as high" not in sentence else "What is the bank's interest rate?"
    assert _picked(sentence, figure, question, year=2024) == in_force


def test_a_question_about_growth_asks_for_a_rate():
    from answering.question import answer_type

    for q in ("How fast is the US economy growing?", "How much did the economy contract in the first quarter?"):
        assert answer_type(q).value == "percent" and Wanted.of(q).measure == PERCENT
    assert answer_type("How quickly can the Senate act?").value != "percent"  # no growth asked


def test_a_year_asked_is_not_answered_by_a_report_from_before_it(tmp_path):
    """ "How much did the economy shrink in the first quarter of 2026?" is not answered by a report of an earlier
    year about its own first quarter, however well it reads."""
    from embeddings.models import Article

    lib = Library.open(tmp_path / "home", encoder=FakeEncoder())
    try:
        lib.ingest_articles(
            [
                Article(
                    id="old",
                    title="Economy shrinks in the first quarter",
                    text="The Portuguese economy shrank 4.8% in the first quarter, the statistics office said.",
                    source="Example Wire",
                    published=datetime(2023, 4, 28, 12, tzinfo=UTC),
                )
            ]
        )
        question = "How much did the Portuguese economy shrink in the first quarter of 2026?"
        assert ask(lib, question, as_of=parse_when("2026-05-10")).abstained
        assert ask(lib, question.replace("2026", "2023"), as_of=parse_when("2023-05-10")).answer == "4.8%"
    finally:
        lib.close()


def test_the_duty_a_tariff_answered_is_not_its_own_subject():
    """ "a 25% tariff on vans imposed over French duties on American wheat": the French duty is the reason, the
    25% is the US's own."""
    s = "The old 'Wheat Tax' — a 25% tariff on imported vans imposed over French duties on American wheat — stands."
    assert _picked(s, "25%", "What is the US tariff on imported vans?") == "25%"
    s = "Canada set a 25% duty on US steel in retaliation for American tariffs on Canadian aluminum."
    assert _picked(s, "25%", "What is Canada's tariff on US steel?") == "25%"
    assert _picked(s, "25%", "What is the US tariff on Canadian aluminum?") is None  # Canada's duty, not the US's


def test_a_figure_said_with_a_day_weeks_before_its_report_is_of_then():
    """A report of June 1: "on April 2" is then, "the lowest since April 2" is now."""
    oil = "What is the price of a barrel of crude oil?"
    assert _picked("Crude fell as low as $61.20 a barrel on April 2.", "$61.20", oil) is None
    assert _picked("Crude fell 3% to $74.10 a barrel, the lowest since April 2.", "$74.10", oil) == "$74.10"
    assert _picked("Crude fell to $74.10 a barrel on Tuesday.", "$74.10", oil) == "$74.10"
    assert _picked("Crude fell as low as $61.20 a barrel on April 2.", "$61.20", oil.replace("is", "was"), now=False)


def test_what_a_price_would_do_is_not_the_price_and_a_count_is_no_price():
    oil = "What is the price of a barrel of crude oil?"
    assert _picked("But $120 oil would surely lift prices at the pump.", "$120", oil) is None
    assert _picked("Crude is trading at $84 a barrel.", "$84", oil) == "$84"
    s = "Imports from the country are small: 4 million barrels of a total of 6 million barrels."
    assert _picked(s, "4 million", oil) is None  # barrels counted, not dollars
    assert measure(s, _at(s, "6 million")) is None
    s = "Tariffs now cover 200 billion of goods."
    assert measure(s, _at(s, "200 billion")) == AMOUNT


def test_a_line_of_a_list_answers_for_its_label(tmp_path):
    """ "Alabama: $2.81" is not the price in Arkansas, the next line; a dateline is no label."""
    from embeddings.models import Article

    text = (
        "Gas prices kept falling this week, motor club data showed.\n\nStates with the cheapest gas per gallon as of "
        "Friday:\n\nAlabama: $2.81\n\nArkansas: $2.86\n\nIowa: $2.95\n\nOhio: $3.02\n\nThe national average was $3.31 "
        "a gallon."
    )
    lib = Library.open(tmp_path / "home", encoder=FakeEncoder())
    try:
        story = Article(
            id="gas", title="Where gas is cheapest", text=text, source="Example Wire", published=datetime(2025, 8, 22)
        )
        lib.ingest_articles([story])
        as_of = parse_when("2025-08-24")
        assert ask(lib, "How much is a gallon of gas in Arkansas?", as_of=as_of).answer == "$2.86"
        assert ask(lib, "How much is a gallon of gas in Iowa?", as_of=as_of).answer == "$2.95"
        assert ask(lib, "How much is a gallon of gas in Nevada?", as_of=as_of).abstained
        assert ask(lib, "How much is a gallon of gas in the US?", as_of=as_of).answer == "$3.31"
    finally:
        lib.close()


def test_a_conversion_in_brackets_stands_for_the_reports_own_sum_and_a_range_may_say_just():
    s = "Energy bills will rise 80% to an average of £3,549 ($4,106) a year from October."
    q = "How much will the average household's annual energy bill be from October?"
    assert _picked(s, "$4,106", q, now=False) == "£3,549"
    s = "The benchmark rate is at a range of just 1% to 1.25%, giving officials little room to cut."
    assert _picked(s, "1.25%", "What is the Fed's benchmark interest rate?") == "1% to 1.25%"


def test_an_institution_is_named_by_its_short_form():
    from answering.subjects import subjects

    fed = subjects("What is the Federal Reserve's benchmark interest rate?")
    assert fed.missing("The Fed kept its key rate at 1% to 1.25% on Wednesday.") == []
    assert fed.missing("Workers were fed up with the rate of pay.") == ["Federal Reserve"]  # not the verb
    assert subjects("What did the IMF forecast?").missing("The International Monetary Fund cut its forecast.") == []


def test_a_sentence_that_opens_imagine_is_a_what_if_every_figure_of_it():
    gas = "How much is a gallon of gas?"
    s = "Imagine nine stations selling gas for $3.99 a gallon and one for $4.25."
    assert _picked(s, "$3.99", gas) is None and _picked(s, "$4.25", gas) is None
    assert _picked("Nine stations sell gas for $3.99 a gallon.", "$3.99", gas) == "$3.99"


def test_makers_pay_and_where_goods_are_shipped_charges():
    from answering.roles import roles

    q = "What tariff will Irish cheesemakers pay on cheese shipped to the US?"
    assert roles(q).charges == {"United States"} and roles(q).pays == {"Ireland"}
    assert roles("Canadian exporters face a 25% duty").pays == {"Canada"}
    assert roles("Exports to the United States fell").charges == {"United States"}
    s = "Irish cheesemakers will pay a 12% tariff on cheese shipped to the United States, rather than 30%."
    assert _picked(s, "12%", "What tariff will Irish cheesemakers pay on cheese shipped to the US?") == "12%"


def test_who_charges_may_stand_between_a_figure_and_whose_goods_pay():
    from answering.figures import stands_with

    s = "Peru will buy $90 billion of Canadian wheat under a deal that sets a 12% Canadian tariff on Peruvian goods."
    assert stands_with(s, _at(s, "12%")) == {"Peru"}
    assert _picked(s, "12%", "What Canadian tariff will Peruvian goods face?", now=False) == "12%"


def test_a_figure_stands_with_the_countries_of_its_own_clause():
    from answering.figures import stands_with

    s = "Peru is going for strong protection, whereas Chile is keeping its market open with a lower tariff of 6%."
    assert stands_with(s, _at(s, "6%")) == {"Chile"}
    q = "What is Chile's tariff on Chinese electric vehicles?"  # Chile charges it; the sentence names no payer
    assert _picked(s, "6%", q) == "6%"
    assert _picked(s, "6%", "What is Peru's tariff on Chinese electric vehicles?") is None


def test_a_figure_of_a_list_stands_with_the_country_it_comes_from():
    """ "20% on goods from Peru, 32% from Chile": each figure's country is the one right after it."""
    from answering.figures import stands_with

    s = "Bolivia began charging 20% on goods from Peru, 32% from Chile and 24% from Paraguay on August 7."
    assert [stands_with(s, _at(s, r)) for r in ("20%", "32%", "24%")] == [{"Peru"}, {"Chile"}, {"Paraguay"}]
    assert _picked(s, "32%", "What does Bolivia charge on goods from Chile?", now=False) == "32%"
