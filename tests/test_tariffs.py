"""The tariff facts a sentence reports (answering/tariffs.py): each rule on sentences of our own, none of them
from bench/board (the development set), so that these also say whether the rules hold beyond it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from answering.tariff_parts import OUTSIDE, WITHIN
from answering.tariffs import ANNOUNCED, EXEMPTED, IN_EFFECT, LIFTED, PAUSED, THREATENED, facts

REPORTED = datetime(2026, 4, 14, 9, 0, tzinfo=UTC)


def read(sentence: str, headline: str = "") -> list[tuple]:
    return [
        (f.by, f.on, f.goods, f.qualifier, f.rate, f.status, f.day, f.replaced)
        for f in facts(sentence, headline=headline, published=REPORTED)
    ]


def test_a_rate_in_force_with_who_charges_and_on_whom():
    assert read("Peru imposed a 12% tariff on Chilean apples last week.") == [
        ("Peru", "Chile", "apples", "", "12%", IN_EFFECT, None, None)
    ]


def test_two_countries_rates_in_one_sentence_keep_their_own_roles():
    found = read(
        "Norway's duty on Icelandic lamb drops to 8% from 20%, and Iceland's duty on Norwegian salmon drops to 5% "
        "from 15%."
    )
    assert found == [
        ("Norway", "Iceland", "lamb", "", "8%", IN_EFFECT, None, "20%"),
        ("Iceland", "Norway", "salmon", "", "5%", IN_EFFECT, None, "15%"),
    ]


def test_a_list_gives_each_rate_its_country():
    found = read("Kenya set tariffs of 14% on Ugandan sugar, 9% on Tanzanian rice and 11% on Ethiopian coffee.")
    assert [(f[1], f[2], f[4]) for f in found] == [
        ("Uganda", "sugar", "14%"),
        ("Tanzania", "rice", "9%"),
        ("Ethiopia", "coffee", "11%"),
    ]
    assert {f[0] for f in found} == {"Kenya"}


def test_a_day_to_come_is_announced_and_a_past_one_is_in_force_since():
    coming = read("Chile will charge a 6% duty on Argentine wine from May 2, the finance ministry said.")
    assert coming == [("Chile", "Argentina", "wine", "", "6%", ANNOUNCED, date(2026, 5, 2), None)]
    since = read("A 6% Chilean duty on Argentine wine took effect on April 2.")
    assert since == [("Chile", "Argentina", "wine", "", "6%", IN_EFFECT, date(2026, 4, 2), None)]


def test_threats_pauses_exemptions_and_lifts():
    assert read("Turkey threatened a 40% tariff on Greek olive oil.")[0][5] == THREATENED
    assert read("Egypt could impose a 30% duty on Sudanese cotton, officials warned.")[0][5] == THREATENED
    paused = read("Thailand paused its 18% tariff on Laotian rubber until August 31.")
    assert paused == [("Thailand", "Laos", "rubber", "", "18%", PAUSED, date(2026, 8, 31), None)]
    ninety = read("Thailand suspended its 18% tariff on Laotian rubber for 90 days.")
    assert ninety[0][5:7] == (PAUSED, date(2026, 7, 13))
    spared = read("Ghana will exempt Togolese cement from its 20% tariff.")
    assert spared == [("Ghana", "Togo", "cement", "", "20%", EXEMPTED, None, None)]
    lifted = read("Morocco scrapped its 25% tariff on Tunisian dates on April 1.")
    assert lifted == [("Morocco", "Tunisia", "dates", "", "25%", LIFTED, date(2026, 4, 1), None)]


def test_a_raise_to_a_rate_is_no_lift():
    """ "lifted its duty ... to 30%" raises it: the rate in force, not one removed."""
    assert read("Malaysia lifted its duty on Thai sugar to 30% from 20%.")[0][4:6] == ("30%", IN_EFFECT)


@pytest.mark.parametrize(
    "sentence",
    [
        "Peru averted a 25% tariff on its copper after talks in Lima.",  # averted
        "In 2019, Peru charged 25% on Chilean apples.",  # of the past
        "Peru's tariffs cover $3 billion of Chilean goods.",  # the value of the goods
        "Inflation in Peru rose to 4.1% as tariffs bit.",  # not a duty's rate
        "A 25% tariff is in place, the ministry said.",  # no one charges it, on nothing
        "Analysts expect tariffs to rise to 30% next year.",  # a forecast
        "Canada and Mexico are not subject to the 12% levy on goods that qualify.",  # no one named charges it
        # the additional 10% is a part of the rate; the total is the rate
        "Peru's additional 10% tariff on Chilean apples took effect, bringing the total tariff on them to 22%.",
    ],
)
def test_what_is_no_fact(sentence):
    found = read(sentence)
    assert all(f[4] != "25%" and f[4] != "10%" for f in found), found
    if "additional" in sentence:
        assert [f[4] for f in found] == ["22%"]
    else:
        assert found == []


def test_quota_sides_and_a_rate_on_goods_the_sentence_named_before():
    found = read("Under the pact Korea charges 4% on Australian barley within the quota and 30% on shipments above it.")
    assert [(f[2], f[3], f[4]) for f in found] == [("barley", WITHIN, "4%"), ("barley", OUTSIDE, "30%")]


def test_a_charge_per_unit_keeps_its_unit():
    assert read("Vietnam set a duty of $40 a tonne on Indonesian coal.")[0][2:5] == ("coal", "", "$40 a tonne")


def test_who_charges_from_a_possessive_a_government_or_the_headline():
    assert read("Ottawa's 15% tariff on Chinese aluminum stays.")[0][:2] == ("Canada", "China")
    assert read("Trump put a 35% tariff on Brazilian shoes.")[0][:2] == ("United States", "Brazil")
    body = "The 22% duty on ceramic tiles takes effect on Monday."
    assert read(body) == []  # no one named: no fact
    headline = "Mexico hits Spanish ceramic tiles with duty"
    assert read(body, headline=headline)[0][:3] == ("Mexico", "Spain", "ceramic tiles")


def test_a_duty_tied_to_a_reason_is_a_line_of_its_own():
    found = read("Washington cut the tariff tied to migration on Honduran goods to 5% from 15%.")
    assert found[0][:5] == ("United States", "Honduras", "", "tied to migration", "5%")


def test_a_replaced_rate_is_not_a_fact_of_its_own():
    found = read("Up to 5,000 Uruguayan cars a year will face a 7.5% Brazilian tariff instead of 35%.")
    assert [f[4] for f in found] == ["7.5%"]


def test_a_list_of_rates_shares_its_status_and_a_world_rate_is_every_countrys():
    found = read(
        "Peru has proposed enacting other duties, which act as taxes on imports, including a 40% tariff on "
        "Vietnamese goods and 5% tariffs on goods from around the world."
    )
    assert [(f[1], f[4], f[5]) for f in found] == [("Vietnam", "40%", THREATENED), ("", "5%", THREATENED)]


def test_a_rate_far_from_any_duty_is_not_one():
    """The duty of the sentence is another figure's: a sales tax cut is no tariff."""
    assert (
        read("Chile said it would cut a sales tax on diesel to 5% from 12%, which offsets new levies on imports.") == []
    )


def test_two_rates_of_one_list_each_on_its_own_goods():
    found = read("Peru agreed to lift tariffs of 6% on Chilean grapes and 14% on grape products.")
    assert [(f[2], f[4], f[5]) for f in found] == [("grapes", "6%", LIFTED), ("grape products", "14%", LIFTED)]


def test_a_rate_on_a_condition_is_a_threat():
    found = read("Chile said it would answer with duties of 9% on Peruvian fishmeal if the tariffs take effect.")
    assert [(f[0], f[2], f[4], f[5]) for f in found] == [("Chile", "fishmeal", "9%", THREATENED)]


def test_headline_futures_negated_threats_and_cuts_in_a_charge():
    assert read("Peru to slap 18% duty on Chilean apples")[0][5] == ANNOUNCED  # a headline's "to"
    assert read("Lima said it would not go ahead with a threatened 30% tariff on Chilean apples.") == []
    assert read("In talks in 2024, Lima floated a 25% cut in the duty on Chilean wine, but Santiago refused.") == []


def test_a_people_before_a_duty_is_whose_goods_when_the_subject_acts():
    """ "Lima hikes Chilean apple tariff to 40%": Peru charges it (the subject acts), Chilean apples pay it; but
    "Japanese parts will be exempted from Washington's 25% tariff" is Washington's duty on Japan."""
    assert read("Lima hikes Chilean apple tariff to 40%")[0][:5] == ("Peru", "Chile", "apple", "", "40%")
    assert read("Peru pauses 40 per cent apple duty on Chile until September 30")[0][:6] == (
        "Peru",
        "Chile",
        "apple",
        "",
        "40 per cent",
        PAUSED,
    )
    spared = read("Chilean wine will be exempted from Lima's 25% wine tariff.")
    assert [f[:2] for f in spared] == [("Peru", "Chile")]


def test_quantities_suspensions_and_rates_left_in_place():
    found = read("Peru will charge 12% on up to 50,000 tonnes of Chilean copper a year and 30% above that quota.")
    assert [(f[2], f[3], f[4]) for f in found] == [("copper", "", "12%"), ("copper", OUTSIDE, "30%")]
    kept = read(
        "Peru will keep its 24% tariff on Chilean goods suspended until June 3, the ministry said, leaving a 10% "
        "rate in place in the meantime."
    )
    assert [(f[4], f[5], f[6]) for f in kept] == [("24%", PAUSED, date(2026, 6, 3)), ("10%", IN_EFFECT, None)]
    over = read("From July 1, Peru will charge 50 per cent on steel imports that exceed each country's quota.")
    assert [(f[2], f[3]) for f in over] == [("steel", OUTSIDE)]


def test_a_list_after_a_subject_that_is_no_country_gives_each_its_country():
    found = read("Under the order Trump signed, goods from Peru will face a 19% tariff, Chile 18% and Bolivia 15%.")
    assert [(f[0], f[1], f[4]) for f in found] == [
        ("United States", "Peru", "19%"),
        ("United States", "Chile", "18%"),
        ("United States", "Bolivia", "15%"),
    ]
