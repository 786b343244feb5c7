"""An answer is the kind of thing the question asks for, said the way a reader expects it: a country for "which
country" (by its name, in the region asked, not one the question names), a place's name for "where", a name
without the apposition that describes it, a count for "how many". A page's dateline or the site's name in its
headline never answers, and of two sentences the reader finds equally likely, the one that holds the question's
rarer words wins. Each case is one the reader got wrong before these checks (stories of our own writing)."""

from __future__ import annotations

import pytest

from answering.answer import decide, read
from answering.candidates import Reading, rarity
from answering.question import asks_country
from answering.reader import Span
from answering.subjects import countries_in, names_in, subjects
from answering.weights import Weights
from bench.quality import normalise
from embeddings.models import without_site_name
from tests.hits import hit

WEIGHTS = Weights(min_margin=0.0, dense_weight=0.0, agreement=1.0, recent_slack=1.5, overlap=0.0)


def span(hits, w: int, text: str, score: float, *, in_title: bool = False) -> Span:
    source = hits[w].title if in_title else hits[w].text
    at = source.index(text)
    return Span(w, at, at + len(text), text, score, 0.0, in_title)


def answer(question: str, hits, spans, weights: Weights = WEIGHTS):
    return decide(question, Reading(question, hits, spans, [0.0] * len(hits)), weights)


def test_which_country_is_answered_by_the_country_a_demonym_names():
    hits = [hit("Ukrainian first lady Olena Zelenska met Jill Biden at the White House on Tuesday.")]
    result = answer(
        "Jill Biden met the first lady of which country this week?", hits, [span(hits, 0, "Ukrainian", 3.0)]
    )
    assert result.answer == "Ukraine"
    assert result.span == "Ukrainian"


def test_which_country_keeps_the_name_the_story_uses():
    hits = [hit("Myanmar's army seized power in February and detained the elected leaders.")]
    result = answer("Which country's army seized power in February?", hits, [span(hits, 0, "Myanmar's army", 3.0)])
    assert result.answer == "Myanmar"  # as written, not countryinfo's older "Burma"


def test_which_country_is_not_answered_by_a_description_or_by_a_country_the_question_names():
    hits = [
        hit("Voters on the communist-run island approved the new family code on Sunday.", article_id="a1"),
        hit("Canada expelled India's top diplomat on Monday as the dispute between the two deepened.", article_id="a2"),
    ]
    spans = [span(hits, 0, "communist-run island", 5.0), span(hits, 1, "Canada", 4.0), span(hits, 1, "India", 2.0)]
    result = answer("Canada expelled which country's top diplomat?", hits, spans)
    assert result.answer == "India"
    assert answer("Which nation approved the family code?", hits[:1], spans[:1]).abstained


def test_which_country_in_a_region_takes_a_country_of_that_region():
    hits = [
        hit("New Zealand reported its first local case in months.", article_id="a1"),
        hit("Austria ordered a lockdown of unvaccinated people from Monday.", article_id="a2"),
    ]
    spans = [span(hits, 0, "New Zealand", 5.0), span(hits, 1, "Austria", 2.0)]
    assert answer("Which European country ordered a lockdown of unvaccinated people?", hits, spans).answer == "Austria"
    hits = [hit("European officials said Austria ordered a lockdown of unvaccinated people.")]
    spans = [span(hits, 0, "European officials said Austria", 5.0)]
    result = answer("Which European country ordered a lockdown?", hits, spans)
    assert result.answer == "Austria"  # the European Union is not a European country
    assert asks_country("The president of which North African country dissolved parliament?") == (
        True,
        "Northern Africa",
    )
    assert asks_country("Which countries signed the pact?") == (False, None)


def test_a_region_describes_the_answer_and_is_not_a_subject_the_passage_must_name():
    assert names_in("Which Asian country lifted its ban on rice exports?") == []
    assert (
        subjects("Which country became the first in Europe to legalise cannabis?").missing(
            "Malta became the first EU member to legalise growing cannabis at home."
        )
        == []
    )
    assert names_in("What did the Asian Development Bank forecast?") == ["Asian Development Bank"]


def test_latin_america_is_a_region_not_the_united_states():
    assert countries_in("Latin America became the epicentre of the outbreak") == []
    assert countries_in("South American soy exports rose") == []
    assert [m.country for m in countries_in("America's tariffs")] == ["United States"]


def test_a_place_question_is_answered_by_a_name():
    hits = [hit("The 2026 World Cup is slated to return to the summer, across the United States, Canada and Mexico.")]
    assert answer("Where will the 2026 tournament be held?", hits, [span(hits, 0, "the summer", 4.0)]).abstained
    hits = [hit("Talks resume in Geneva on Monday, the ministry said.")]
    assert answer("Where will the talks resume?", hits, [span(hits, 0, "Geneva", 4.0)]).answer == "Geneva"


def test_a_name_is_given_without_its_apposition():
    hits = [hit("The Ever Given, a 224,000-ton container ship, ran aground in the Suez Canal on Tuesday.")]
    result = answer(
        "What is the name of the ship that ran aground in the Suez Canal?",
        hits,
        [span(hits, 0, "The Ever Given, a 224,000-ton container ship", 4.0)],
    )
    assert result.answer == "The Ever Given"
    hits = [hit("Ports in New York, Boston, and Savannah reported delays.")]
    result = answer("Which ports reported delays?", hits, [span(hits, 0, "New York, Boston, and Savannah", 4.0)])
    assert result.answer == "New York, Boston, and Savannah"  # a list is not an apposition


def test_a_count_is_not_answered_by_a_duration():
    hits = [hit("The jury deliberated for over nine minutes before finding him guilty on three counts.")]
    spans = [span(hits, 0, "over nine minutes", 5.0), span(hits, 0, "three", 2.0)]
    assert answer("On how many counts was he convicted?", hits, spans).answer == "three"
    assert answer("How many minutes did the jury deliberate?", hits, spans).answer == "over nine minutes"


def test_a_dateline_standing_as_a_sentence_does_not_answer():
    hits = [hit("New York CNN Business —\nThe company said it would cut prices on clothing this week.")]
    spans = [span(hits, 0, "CNN Business", 5.0)]
    assert answer("Which company will cut prices on clothing?", hits, spans).abstained


@pytest.mark.parametrize(
    ("title", "url", "source", "expected"),
    [
        ("Fed raises rates again | CNN Business", "https://edition.cnn.com/a", "cnn.com", "Fed raises rates again"),
        (
            "Senate seats likely to flip - CNNPolitics",
            "https://www.cnn.com/b",
            "cnn.com",
            "Senate seats likely to flip",
        ),
        (
            "Is the far right a threat? | The Week UK",
            "https://theweek.co.uk/c",
            "theweek.co.uk",
            "Is the far right a threat?",
        ),
        ("Mills cut output | CNN ...", "https://cnn.com/d", "cnn.com", "Mills cut output"),
        ("Steel duty doubled - Dow Jones Newswires", "", "Dow Jones Newswires", "Steel duty doubled"),
        ("Mills seek relief - lumber", "", "Dow Jones Newswires", "Mills seek relief - lumber"),
        ("Markets rally – 24/7 Wall St.", "https://usatoday.com/e", "usatoday.com", "Markets rally – 24/7 Wall St."),
    ],
)
def test_the_site_name_a_page_appends_to_its_headline_is_not_the_headline(title, url, source, expected):
    assert without_site_name(title, url, source) == expected


def test_the_reader_does_not_read_the_site_name_in_a_headline(monkeypatch):
    import answering.answer as answer_module

    seen = []
    monkeypatch.setattr(answer_module._reader, "read", lambda q, windows, top=3: (seen.extend(windows), ([], [0.0]))[1])
    story = hit("Voters go to the polls on Sunday.", title="France votes in snap election | The Week UK")
    story.url, story.source = "https://theweek.co.uk/f", "theweek.co.uk"
    read("Which country holds a snap election?", [story])
    assert [w.title for w in seen] == ["France votes in snap election"]


def test_of_two_equally_likely_sentences_the_one_holding_the_questions_rarer_words_answers():
    hits = [
        hit("The Avalanche defenseman Cale Makar was named the most valuable player of the final.", article_id="a1"),
        hit(
            "The Colorado Avalanche won the championship title on Sunday, beating Tampa Bay in six games.",
            article_id="a2",
        ),
    ]
    spans = [span(hits, 0, "Cale Makar", 3.5), span(hits, 1, "Colorado Avalanche", 3.0)]
    question = "Which team won the championship title?"
    r = Reading(question, hits, spans, [0.0, 0.0], rarity(question, hits))
    assert decide(question, r, Weights(min_margin=0.0, dense_weight=0.0, overlap=4.0)).answer == "Colorado Avalanche"
    assert decide(question, r, Weights(min_margin=0.0, dense_weight=0.0, overlap=0.0)).answer == "Cale Makar"


def test_the_benchmark_reads_curly_quotes_as_punctuation():
    assert normalise("“Squid Game”") == normalise("Squid Game") == "squid game"


def test_terms_held_is_the_plain_intersection_of_terms():
    """The quick check of which question words a passage holds stems only some words: it must agree with
    stemming them all, aliases included ("cars" is "auto", "duties" is "duty")."""
    from embeddings.analysis import terms, terms_held

    passages = [
        "Automakers said the duties on imported cars would rise to 25% from April, the ministry said.",
        "Happier shoppers bought fewer vehicles; tariffs on aluminium were unchanged at 10 pct.",
        "The elections were held on Sunday; electoral officials counted ballots overnight in Ottawa's suburbs.",
        "About 1,000,000 barrels, or 12.5%, went to the U.S. in 2025.",
        "French officials said many cities died down, using the new rules.",
    ]
    questions = ["What duty applies to car imports?", "When were the elections held?", "Is aluminum tariff 10%?"]
    more = ["Did 1000000 barrels or 12.5 percent go to the US in 2025?", "How many cities in France use the rules?"]
    for question in [*questions, *more]:
        wanted = set(terms(question))
        for text in passages:
            assert terms_held(text, wanted) == set(terms(text)) & wanted


def test_how_many_is_answered_by_a_sentence_counting_that_thing():
    hits = [hit("Vaccines prevented more than 24 million infections, the health agency said.")]
    spans = [span(hits, 0, "24 million", 5.0)]
    assert answer("How many lives has the vaccine programme saved?", hits, spans).abstained
    assert answer("How many infections did vaccines prevent?", hits, spans).answer == "24 million"


def test_a_sentence_saying_what_the_question_asks_needs_less_of_the_readers_certainty():
    question = "When will the steel quota take effect?"
    hits = [
        hit("The steel quota will take effect on July 1, officials said.", article_id="a1"),
        hit("Mills reported higher output on July 9, a trade group said.", article_id="a2"),
    ]
    weights = Weights(min_margin=-8.0, sure_overlap=12.0, overlap=0.0, dense_weight=0.0)
    for w, (words, day) in enumerate([("holds the question's words", "July 1"), ("holds none", "July 9")]):
        spans = [Span(w, hits[w].text.index(day), hits[w].text.index(day) + len(day), day, -12.0, 0.0)]
        result = decide(question, Reading(question, hits, spans, [0.0, 0.0], rarity(question, hits)), weights)
        assert result.abstained == (w == 1), words  # a margin of -12 is enough only beside the question's words
    strict = Weights(min_margin=-8.0, sure_overlap=0.0, overlap=0.0, dense_weight=0.0)
    spans = [Span(0, hits[0].text.index("July 1"), hits[0].text.index("July 1") + 6, "July 1", -12.0, 0.0)]
    assert decide(question, Reading(question, hits, spans, [0.0, 0.0], rarity(question, hits)), strict).abstained


def test_this_week_prefers_the_reports_of_the_week_before_the_question():
    from datetime import timedelta

    from tests.hits import PUBLISHED

    question = "Which port did the strike close this week?"
    hits = [
        hit("The strike closed the port of Santos, the union said.", article_id="old", dense=0.6),
        hit("The strike closed the port of Rotterdam.", article_id="new", published=PUBLISHED + timedelta(60)),
    ]
    spans = [span(hits, 0, "Santos", 4.0), span(hits, 1, "Rotterdam", 2.0)]
    # The period's weight alone (a report's age has its own test, tests/test_reader.py).
    weights = Weights(min_margin=0.0, dense_weight=0.0, overlap=0.0, recent_slack=0.0, age=0.0)
    as_of = PUBLISHED + timedelta(days=62)
    reading = Reading(question, hits, spans, [0.0, 0.0], rarity(question, hits), as_of)
    assert decide(question, reading, weights).answer == "Rotterdam"
    question = "Which port did the strike close?"  # no period named: the reader's preference stands
    reading = Reading(question, hits, spans, [0.0, 0.0], rarity(question, hits), as_of)
    assert decide(question, reading, weights).answer == "Santos"
