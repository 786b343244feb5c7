"""Discord rendering: every embed fits Discord's limits whatever the news holds, and news text can neither
format nor ping."""

from __future__ import annotations

import json
import re
import string
from datetime import UTC, datetime

import pytest

from answering import Answer, Citation
from bot import embeds, render
from embeddings.models import ArticleSummary, Hit
from embeddings.store import Feed, NewItem, Subscription

HOSTILE = (
    "@everyone @here <@123456789> <@!42> <@&4242> <#777> **bold** __under__ `code` [x](https://evil.test) ||spoiler||"
)
PINGS = re.compile(r"(?<!\u200b)@(everyone|here)|<@[!&]?\d+>|<#\d+>")
WHEN = datetime(2025, 4, 2, 20, tzinfo=UTC)


def fits(embed) -> bool:
    return (
        len(embed) <= embeds.EMBED_TOTAL_MAX
        and len(embed.title or "") <= embeds.TITLE_MAX
        and len(embed.description or "") <= embeds.DESCRIPTION_MAX
        and all(len(f.value) <= embeds.FIELD_VALUE_MAX and len(f.name) <= 256 for f in embed.fields)
        and len(embed.footer.text or "") <= embeds.FOOTER_MAX
    )


def shown_text(embed) -> str:
    return "\n".join([embed.title or "", embed.description or "", *(f.value for f in embed.fields)])


def citation(n: int, *, quote: str = "The vote is on April 28.", title: str = "Election called") -> Citation:
    return Citation(n, f"a{n}", title, "Example Wire", WHEN.isoformat(), f"https://x.test/{n}", quote, ["Other Wire"])


def test_safe_defuses_mentions_and_markdown():
    out = embeds.safe(HOSTILE)
    assert not PINGS.search(out)
    assert "**bold**" not in out and "\\*\\*bold\\*\\*" in out
    assert "[x](https://evil.test)" not in out


@pytest.mark.parametrize("size", [10, 5000, 50000])
def test_answer_embed_fits_and_keeps_the_citations(size):
    long = ("A very long sentence about tariffs " * size)[: size * 30]
    ans = Answer(
        question="When?" + long,
        answer="April 28, 2025" + long,
        abstained=False,
        as_of="2025-04-02",
        citations=[citation(n, quote=long + HOSTILE, title=long) for n in (1, 2, 3)],
        answer_type="date",
    )
    embed = embeds.answer_embed(ans, context=long)
    assert fits(embed)
    assert not PINGS.search(shown_text(embed))
    assert "**[1]**" in embed.description
    if size == 10:  # small enough that every citation line survives whole
        assert all(f"(https://x.test/{n})" in embed.description for n in (1, 2, 3))
        assert "Other Wire" in embed.description


def test_answer_embed_shows_answer_quote_citations_and_as_of():
    ans = Answer("When is the vote?", "April 28, 2025", False, "2025-04-02", [citation(1)], "date")
    embed = embeds.answer_embed(ans)
    assert embed.title == "April 28, 2025"
    assert "> The vote is on April 28. **[1]**" in embed.description
    assert "[Election called](https://x.test/1)" in embed.description
    assert f"<t:{int(WHEN.timestamp())}:f>" in embed.description
    assert embed.footer.text.startswith("As of Apr 2, 2025")


def test_abstention_embed_says_so():
    ans = Answer("Who won the World Series?", None, True, None, [], note="nothing indexed matches the question")
    embed = embeds.answer_embed(ans)
    assert embed.title == "No answer in the indexed news" and "nothing indexed matches" in embed.description


def test_lists_fit_whatever_their_length():
    long = "Tariff " * 3000
    items = [ArticleSummary(f"a{i}", long + HOSTILE, long, "https://x.test/a", "", WHEN, [long]) for i in range(50)]
    assert fits(embeds.latest_embed(items, page=0, pages=10, heading=long))
    hits = [Hit(i, "a", 0, long + HOSTILE, 0, [], long, long, "https://x.test", "", WHEN, dense=0.5) for i in range(5)]
    embed = embeds.search_embed(long, hits)
    assert fits(embed) and embed.fields and not PINGS.search(shown_text(embed))
    feeds = [Feed(i, f"https://x.test/{i}", long, True, 3, long, WHEN, 0.0) for i in range(100)]
    subs = [Subscription(str(i), "g", long, 0) for i in range(200)]
    assert fits(embeds.feeds_embed(feeds, subs))


def test_news_post_is_inert():
    item = NewItem(1, "a", "a", "Rebar @everyone prices", "Wire", "https://x.test/r", WHEN, HOSTILE * 20)
    embed = embeds.news_embed(item, topic="steel")
    assert fits(embed) and not PINGS.search(embed.description) and embed.url == "https://x.test/r"
    assert embed.footer.text == "Wire · topic: steel"


def test_passage_embed_bolds_the_quote():
    c = {"n": 2, "title": "Lumber", "url": "file:///tmp/x.txt", "quote": "Duty rises to 34.5%.", "source": "Wire"}
    embed = embeds.passage_embed(c, "Mills worry. Duty rises to 34.5%. Prices climb.")
    assert "**Duty rises to 34.5%.**" in embed.description and embed.url is None


def test_passage_embed_fits_even_when_escaping_doubles_the_text():
    c = {"n": 1, "title": "_" * 500, "url": "https://x.test/p", "quote": "a_b", "source": "Wire"}
    assert fits(embeds.passage_embed(c, "a_b *c* " * 1000))


def test_feeds_list_says_why_posts_are_held():
    feed = Feed(1, "https://x.test/f", "Wire", True, 0, None, WHEN, 0.0)
    embed = embeds.feeds_embed([feed], [Subscription("55", "g", "steel", 0, "403 Missing Permissions")])
    (field,) = embed.fields
    assert field.value == "<#55> (topic: steel) ⚠️ posts held back: 403 Missing Permissions"
    assert "✅ last read" in embed.description


def discord_reads(markdown: str) -> list[tuple[str, bool]]:
    """How Discord reads a message body: each character, and whether a backslash made it literal (a backslash
    before any ASCII punctuation does; before anything else it is itself shown)."""
    out, i = [], 0
    while i < len(markdown):
        if markdown[i] == "\\" and i + 1 < len(markdown) and markdown[i + 1] in string.punctuation:
            out.append((markdown[i + 1], True))
            i += 2
        else:
            out.append((markdown[i], False))
            i += 1
    return out


@pytest.mark.parametrize(
    "text",
    [
        "[x](https://evil.test)",
        "[click here](<https://evil.test>) and ||spoiler|| and `code` and ~~gone~~",
        "\\[x\\](https://evil.test) already escaped by the publisher",
        "**bold** __under__ *it* _it_ > quote\n# Heading\n-# small\n- item\n12. item",
        "C$29.8 billion in duties (25%) on steel, aluminum & autos: a_b*c",
    ],
)
def test_safe_text_reads_as_the_same_characters_with_no_markdown_live(text):
    """Escaped once: Discord shows exactly the news text, and no character of it acts as markdown."""
    read = discord_reads(embeds.safe(text))
    assert "".join(ch for ch, _ in read).replace("\u200b", "") == text
    live = [ch for ch, escaped in read if not escaped and ch in "\\*_~`|[]()<>#"]
    assert live == [], live
    lines = "".join(ch if not escaped else "\0" for ch, escaped in read).split("\n")
    assert not any(re.match(r"\s*([-+]|\d+\.)\s", line) for line in lines)  # no live list markers


def _steel_duty_reports_differ(reuters: str, dow_jones: str, as_of: str) -> Answer:
    """Reuters says 25% and Dow Jones 30% on the days given: the answer is Reuters', the other disagrees."""
    from answering.result import Disagreeing

    c1 = Citation(1, "a1", "Steel duty", "Reuters", f"{reuters}T09:00:00+00:00", "https://x.test/1", "It is 25%.")
    c2 = Citation(2, "a2", "Steel duty", "Dow Jones", f"{dow_jones}T09:00:00+00:00", "https://x.test/2", "It is 30%.")
    return Answer(
        question="What is the steel duty?",
        answer="25%",
        abstained=False,
        as_of=as_of,
        citations=[c1, c2],
        disagreement=[Disagreeing("25%", [1]), Disagreeing("30%", [2])],
    )


def test_a_disagreement_is_shown_with_each_source_and_date():
    ans = _steel_duty_reports_differ("2025-02-10", "2025-02-11", "2025-02-10")
    c1 = ans.citations[0]
    line = "Reports differ: Reuters 25% [1] (Feb 10); Dow Jones 30% [2] (Feb 11)"
    assert line in render.text(ans).splitlines()
    assert json.loads(render.as_json(ans))["disagreement"] == [
        {"answer": "25%", "citations": [1]},
        {"answer": "30%", "citations": [2]},
    ]
    (field,) = embeds.answer_embed(ans).to_dict()["fields"]
    assert field["name"] == "Reports differ" and "Dow Jones 30%" in field["value"]
    agreeing = Answer("q", "25%", False, "2025-02-10", [c1])
    assert "Reports differ" not in render.text(agreeing) and "disagreement" not in agreeing.to_json()


def test_what_an_answer_was_is_shown_under_it():
    from answering.result import Was

    c1 = Citation(1, "a1", "Cut", "Wire", "2025-08-01T14:00:00+00:00", "https://x.test/1", "Cut to 15% from 25%.")
    c2 = Citation(2, "a0", "Set", "Wire", "2025-07-07T14:00:00+00:00", "https://x.test/0", "Set at 25%.")
    ans = Answer("What is it?", "15%", False, "2025-08-01", [c1, c2], was=Was("25%", "2025-08-04", [2], "2025-08-01"))
    assert render.text(ans).splitlines()[:2] == ["15%", "(was 25% until Aug 4, 2025 [2])"]
    (field,) = embeds.answer_embed(ans).to_dict()["fields"]
    assert field["name"] == "Before" and field["value"] == "25% until Aug 4, 2025 **[2]**"
    ans.was = Was("25*", None, [2], "2025-08-01")  # the report gives no day the change applies from
    assert render.text(ans).splitlines()[1] == "(was 25* [2]; changed in a report of Aug 1, 2025)"
    (field,) = embeds.answer_embed(ans).to_dict()["fields"]
    assert field["value"] == "25\\* **[2]**; changed in a report of Aug 1, 2025"


def test_a_date_of_another_year_than_the_answers_says_its_year():
    ans = _steel_duty_reports_differ("2025-01-02", "2024-12-31", "2025-01-02")
    c1 = ans.citations[0]
    assert "Reports differ: Reuters 25% [1] (Jan 2); Dow Jones 30% [2] (Dec 31, 2024)" in render.text(ans)
    new = {"answer": "15%", "as_of": "2025-03-01", "citations": [c1.__dict__]}
    assert "(was 25% as of Sep 10, 2024)" in render.update_text("q", new, {"answer": "25%", "as_of": "2024-09-10"})
    assert "(was 25% as of Feb 10)" in render.update_text("q", new, {"answer": "25%", "as_of": "2025-02-10"})
    assert "as of Sep 10, 2024" in embeds.watch_update("q", new, {"answer": "25%", "as_of": "2024-09-10"}, None)
