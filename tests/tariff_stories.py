"""A small tariff board of our own stories (tests/test_tariff_watch.py, tests/test_discord_tariffs.py): as of May 20,
2026 it has three lines, one of which two outlets report differently, and one announced for June 1:

    Mexico → Brazil · coffee: 20% — announced, from June 1, 2026 [1]
    United States → Canada · softwood lumber: 25% — in effect since March 3, 2026 [2]
    United States → China · all goods: 30% — in effect since May 14, 2026 (was 145%) [3]
      (Reports differ: Harbor Ledger 30% [3]; Pacific Dispatch 34% [4])

LUMBER_RAISED then changes the lumber rate to 35% (published May 18, 2026, ingested later), and BEEF, published
June 2, 2026, is a new line.
"""

from __future__ import annotations

from datetime import UTC, datetime

from embeddings.models import Article


def _story(slug: str, title: str, text: str, published: datetime, source: str) -> Article:
    return Article(slug, title, text, source=source, url=f"https://board.example.test/{slug}", published=published)


BOARD = [
    _story(
        "lumber-set",
        "Washington puts a duty on Canadian lumber",
        "The United States set a 25% tariff on Canadian softwood lumber on Tuesday, the Commerce Department said. "
        "Sawmills in Quebec said orders had already slowed.",
        datetime(2026, 3, 3, 12, tzinfo=UTC),
        "Harbor Ledger",
    ),
    _story(
        "coffee-announced",
        "Mexico to tax Brazilian coffee",
        "Mexico will charge a 20% tariff on Brazilian coffee from June 1, the economy ministry said. "
        "Roasters in Monterrey expect to raise prices.",
        datetime(2026, 5, 10, 12, tzinfo=UTC),
        "Meridian Wire",
    ),
    _story(
        "china-cut",
        "U.S. trims its China duty",
        "The U.S. tariff on all goods from China was cut to 30% from 145% on May 14, officials said. "
        "Port operators in Long Beach welcomed the news.",
        datetime(2026, 5, 14, 12, tzinfo=UTC),
        "Harbor Ledger",
    ),
    _story(
        "china-lawyer",
        "Importers count the cost of the China duty",
        "The United States charges a 34% tariff on Chinese goods, a trade lawyer said. "
        "Toy importers said they were still paying more than last year.",
        datetime(2026, 5, 15, 12, tzinfo=UTC),
        "Pacific Dispatch",
    ),
]
LUMBER_RAISED = _story(
    "lumber-raised",
    "Lumber duty goes up again",
    "The United States raised its duty on Canadian softwood lumber to 35% from 25% on Monday, the White House said. "
    "Home builders said framing would cost more this summer.",
    datetime(2026, 5, 18, 12, tzinfo=UTC),
    "Pacific Dispatch",
)
BEEF = _story(
    "beef",
    "Tokyo keeps its beef duty",
    "Japan charges a 9% tariff on American beef, the farm ministry said on Tuesday.",
    datetime(2026, 6, 2, 12, tzinfo=UTC),
    "Meridian Wire",
)

MAY_20 = datetime(2026, 5, 20, 12, tzinfo=UTC)
LUMBER = "United States|Canada|lumber softwood||"
COFFEE = "Mexico|Brazil|coffe||"
CHINA = "United States|China|||"
