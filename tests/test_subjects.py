"""What a question names must be in the passage that answers it, and a sentence's figures are told apart: by
whether they replaced one another ("to 30% from 145%") and by whose they are (U.S. on China, China on U.S.).
Each case is one a reader got wrong before these checks."""

from __future__ import annotations

import pytest

from answering.figures import changes, pick
from answering.measures import asks_prior
from answering.roles import roles
from answering.subjects import countries_in, names_in, products_in, subjects
from tests.hits import read_question


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("Canada's election", "Canada"),
        ("Canadian voters", "Canada"),
        ("talks in Ottawa", "Canada"),
        ("Britain's trade envoy", "United Kingdom"),
        ("British carmakers", "United Kingdom"),
        ("the UK deal", "United Kingdom"),
        ("officials in London", "United Kingdom"),
        ("U.S. tariffs", "United States"),
        ("the EU's retaliation", "European Union"),
        ("South Korean exporters", "South Korea"),
    ],
)
def test_a_country_is_found_by_name_alias_demonym_or_capital(text, country):
    assert [m.country for m in countries_in(text)] == [country]


def test_words_that_are_country_codes_are_not_countries():
    assert countries_in("IT firms CAN say IN the end") == []


def test_a_question_names_its_countries_names_and_products():
    s = subjects("What is the US tariff on Brazilian coffee?")
    assert s.countries == ["United States", "Brazil"] and s.products == ["coffe"] and s.names == []
    assert names_in("Who won the 2024 World Series?") == ["World Series"]
    assert names_in("When did Mark Carney call the election?") == ["Mark Carney"]
    assert products_in("When does the US lumber tariff take effect?") == ["lumber"]
    assert products_in("What tariff rate did the US put on steel and aluminum imports?") == ["steel", "aluminum"]
    assert products_in("What are US tariffs on Chinese goods?") == []  # "goods" names no product
    # what a country buys is a product too: a purchase of farm goods is not one of garments
    assert products_in("How much will Vietnam buy in US farm goods?") == ["farm"]
    assert products_in("Which country bought the most US soybeans?") == ["soybean"]
    assert products_in("What will China buy from the US?") == []
    assert products_in("NASA is looking to buy what substance for its missions?") == []  # what is bought is asked


@pytest.mark.parametrize(
    ("question", "passage", "missing"),
    [
        ("When is Australia's election?", "Canada will hold a federal election on April 28.", ["Australia"]),
        ("Who won Germany's election?", "Mark Carney's Liberals won Canada's election.", ["Germany"]),
        ("What is the US tariff on Brazilian coffee?", "The U.S. exempts Indonesian palm oil.", ["Brazil", "coffe"]),
        ("What is Canada's tariff on steel wire?", "Mexico raises its duty on steel wire to 35%.", ["Canada"]),
        ("When is Canada's election?", "Canadians vote on April 28, Ottawa said.", []),
        ("Who won the 2024 World Series?", "Carney won Monday's election.", ["World Series"]),
        ("What did Mark Carney promise?", "Carney promised talks with Washington.", []),  # a surname is enough
        ("What tariff will British carmakers pay?", "U.K. car exports face a 10% U.S. tariff.", []),
    ],
)
def test_what_a_passage_does_not_mention(question, passage, missing):
    assert subjects(question).missing(passage) == missing


def test_roles_say_who_charges_and_who_pays():
    q = roles("What are US tariffs on Chinese goods?")
    assert q.charges == {"United States"} and q.pays == {"China"}
    assert roles("China's tariffs on U.S. goods fall to 10%").conflicts(q)
    assert not roles("U.S. tariffs on Chinese goods fall to 30%").conflicts(q)
    assert roles("Mexico will charge a 35% tariff").charges == {"Mexico"}
    assert roles("20% on the European Union").pays == {"European Union"}


SENTENCE = (
    "Under the deal, U.S. tariffs on Chinese goods fall to 30% from 145%, and China's tariffs on U.S. goods fall to "
    "10% from 125%."
)


def _pick(question: str, sentence: str, span: str) -> str | None:
    at = sentence.index(span)
    found = pick(sentence, at, at + len(span), read_question(question), roles(question))
    return sentence[found[0] : found[1]] if found else None


@pytest.mark.parametrize(
    ("question", "sentence", "span", "expected"),
    [
        # the figure whose clause is about the question's countries, in the question's roles
        ("What are US tariffs on Chinese goods?", SENTENCE, "10%", "30%"),
        ("What is China's tariff on US goods?", SENTENCE, "30%", "10%"),
        # the current figure, unless the question asks for the earlier one
        ("What are US tariffs on Chinese goods?", SENTENCE, "145%", "30%"),
        ("What was the US tariff on Chinese goods before the deal?", SENTENCE, "30%", "145%"),
        (
            "What is India's duty on Scotch whisky?",
            "India halves its 150% duty on Scotch whisky to 75%.",
            "150%",
            "75%",
        ),
        (
            "What was India's duty on whisky before?",
            "India halves its 150% duty on Scotch whisky to 75%.",
            "75%",
            "150%",
        ),
        ("What tariff will EU goods pay?", "The EU accepted 15% instead of the 25% threatened.", "25%", "15%"),
        (
            "What tariff had Trump threatened?",
            "The 15% rate replaces the 30% tariff Trump had threatened.",
            "15%",
            "30%",
        ),
        (
            "What tariff will British carmakers pay?",
            "They will pay 10% rather than 27.5% on 100,000 cars.",
            "27.5%",
            "10%",
        ),
        (
            "What is the US tariff on Japanese cars?",
            "It sets a 15% U.S. tariff on Japanese cars, down from 27.5%.",
            "27.5%",
            "15%",
        ),
        # a span that runs over several figures is cut to the one about the question's country
        (
            "What are US tariffs on Chinese goods?",
            "Higher rates start on April 9: 34% on China, 20% on the European Union and 46% on Vietnam.",
            "Higher rates start on April 9: 34% on China, 20%",
            "34%",
        ),
        # a figure about other countries only does not answer
        ("What is Japan's tariff on US rice?", "It sets a 15% U.S. tariff on Japanese cars.", "15%", None),
        # "fall to 40% over ten years" is where the duty goes, not what it was
        (
            "What was India's duty on whisky before the deal?",
            "The duty will then fall to 40% over ten years.",
            "40%",
            None,
        ),
    ],
)
def test_the_figure_the_question_asks_for(question, sentence, span, expected):
    assert _pick(question, sentence, span) == expected


def test_changes_and_questions_about_the_past():
    assert len(changes(SENTENCE)) == 2
    assert asks_prior("What tariff had Trump threatened?") and asks_prior("What was the duty before the deal?")
    assert not asks_prior("What is the US tariff on Chinese goods?")


@pytest.mark.parametrize(
    ("text", "country"),
    [("Indian exporters", "India"), ("American farmers", "United States"), ("Dominican growers", "Dominican Republic")],
)
def test_a_demonym_several_countries_share_is_the_most_populous_ones(text, country):
    assert [m.country for m in countries_in(text)] == [country]


def test_a_country_is_missing_only_when_the_passage_is_about_another():
    asked = subjects("Which former US presidential candidate died this week?")
    assert asked.missing("Herman Cain, a former candidate for president, died on Thursday.") == []
    assert asked.missing("Canada's former prime minister died on Thursday.") == ["United States"]
    # the answer itself may be the other country: "Which European nation ...?" -> "Germany"
    europe = subjects("The US will withdraw troops from which European nation?")
    passage = "The Pentagon said 12,000 troops will leave Germany."
    assert europe.missing(passage, ["Germany"]) == [] and europe.missing(passage) == ["United States", "European Union"]


def test_of_several_names_one_is_enough_and_a_single_name_must_be_there():
    asked = subjects("Which automaker will build Nikola Motor's Badger pickup?")
    assert asked.names == ["Nikola Motor", "Badger"]
    assert asked.missing("General Motors will take an 11% stake in Nikola.") == []
    assert subjects("Who won the 2024 World Series?").missing("The Dodgers won the final game.") == ["World Series"]


def test_a_figure_whose_clause_names_only_other_countries_does_not_answer():
    sentence = "Goods from Canada and Mexico still face the 25% tariffs tied to fentanyl."
    assert _pick("What are US tariffs on Chinese goods?", sentence, "25% tariffs tied to fentanyl") is None
    assert _pick("What are US tariffs on Canadian goods?", sentence, "25%") == "25%"


def test_a_figure_keeps_its_unit_but_not_a_clause():
    assert _pick("What is the port fee?", "The port fee rises to $80 a ton.", "$80 a ton") == "$80 a ton"
    broken = "Higher rates start on April 9: 34%"
    assert _pick("What is the rate on Chinese goods?", broken + " on China.", broken) == "34%"


def test_the_country_pattern_finds_the_longest_form_as_a_plain_alternation_would():
    import re

    from answering.subjects import _trie

    words = ["Niger", "Nigeria", "Nigerian", "Guinea", "Guinea-Bissau", "Equatorial Guinea", "U.S.", "U.S"]
    plain = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
    trie = re.compile(_trie(words))
    text = "Nigerian and Niger traders, Equatorial Guinea, Guinea-Bissau and Guinea; U.S. and U.S goods"
    assert [m.group(0) for m in trie.finditer(text)] == [m.group(0) for m in plain.finditer(text)]
    assert [m.country for m in countries_in("Nigeria's and Niger's envoys met in Conakry")] == [
        "Nigeria",
        "Niger",
        "Guinea",
    ]


def test_countries_joined_by_and_share_their_role():
    assert roles("the tariff on goods from Canada and Mexico").pays == {"Canada", "Mexico"}
    assert roles("the U.S. tariff on Canada, Mexico and China") == roles("the U.S. tariff on Canada, Mexico, China")
    assert roles("the U.S. tariff on Canada, Mexico and China").pays == {"Canada", "Mexico", "China"}
    assert roles("Canada and Mexico are not subject to it") == roles("")  # no role to share
