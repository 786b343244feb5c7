"""Synthetic trade news for the speed benchmark: seeded, template-made articles and questions about them.
Nothing is copied from real news; the point is realistic length, vocabulary and structure."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from embeddings.models import Article

COUNTRIES = [
    "the United States", "China", "Canada", "Mexico", "Japan", "Germany", "France", "India", "Brazil",
    "South Korea", "Vietnam", "the United Kingdom", "Australia", "Indonesia", "Turkey", "South Africa",
    "Italy", "Spain", "Thailand", "Chile", "Argentina", "Poland", "Malaysia", "Saudi Arabia",
]  # fmt: skip
PRODUCTS = [
    "steel", "aluminum", "soybeans", "semiconductors", "electric vehicles", "solar panels", "lumber", "beef",
    "copper", "rare earths", "wine", "pharmaceuticals", "textiles", "auto parts", "dairy", "rice", "wheat",
    "lithium batteries", "shrimp", "furniture", "machinery", "fertilizer", "coffee", "pork",
]  # fmt: skip
OFFICIALS = [
    "Trade Minister Elena Vargas", "Commerce Secretary David Hale", "Finance Minister Kenji Sato",
    "Trade Representative Laura Chen", "Economy Minister Marco Rossi", "Industry Minister Priya Nair",
    "Prime Minister Anne Dubois", "President Luis Ortega", "Chief Negotiator Tomasz Kowalski",
]  # fmt: skip
SOURCES = ["Harbor Wire", "Meridian News", "Tradeline Daily", "Coastal Press", "Global Ledger", "Port Report"]
BANKS = ["Northgate Capital", "Ridgeway Securities", "Atlas Bank", "Summit Partners", "Crescent Research"]
COMPANIES = ["Apex Motors", "Norsteel", "Solaris Energy", "Pacific Grain", "Keystone Chips", "Bluewater Foods"]
EFFECTS = [
    "raise prices for consumers", "hurt exporters in the region", "protect domestic producers",
    "slow economic growth", "push companies to move supply chains", "invite retaliation from trading partners",
]  # fmt: skip
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

SENTENCES = [
    "{a} will impose a {rate}% tariff on {product} imported from {b} starting {date}, officials said on {day}.",
    "{official} told reporters in the capital that the measures would {effect}.",
    "Imports of {product} from {b} fell {pct}% in {month} to ${amount} billion, according to customs data.",
    "Analysts at {bank} expect the duties to {effect}, adding {bp} basis points to inflation next year.",
    "The World Trade Organization said it would review the complaint filed by {b} within {days} days.",
    "Shares of {company} {moved} {pct}% after the announcement, while the broader market was little changed.",
    "Negotiators from {a} and {b} will meet again on {date} to discuss quotas on {product}.",
    "{b} said it would answer with duties of {rate}% on {product2} if the tariffs take effect.",
    "Exporters warned that higher costs for {product} could {effect} within months.",
    "The agreement, signed on {date}, cuts duties on {product} and {product2} to zero over {years} years.",
    "Farm groups in {a} welcomed the decision, saying it would {effect}.",
    "{official} said talks with {b} had made progress but no deal on {product} was reached.",
]
HEADLINES = [
    "{a} Sets {rate}% Tariff on {product_t} From {b}",
    "{b} Vows Retaliation Over {product_t} Duties",
    "Trade Talks Between {a} and {b} Stall Over {product_t}",
    "{a} and {b} Sign Deal Cutting {product_t} Tariffs",
    "{product_t} Imports Slump as New Duties Bite",
]
QUESTIONS = [
    "What tariff rate will {a} impose on {product} from {b}?",
    "When do the tariffs on {product} from {b} take effect?",
    "How did imports of {product} from {b} change?",
    "What did {official} say about the talks with {b}?",
    "Will {b} retaliate against duties on {product}?",
    "What are the latest tariffs on {product}?",
]
START = datetime(2020, 1, 1, tzinfo=UTC)


def _facts(rng: random.Random) -> dict[str, str]:
    a, b = rng.sample(COUNTRIES, 2)
    product, product2 = rng.sample(PRODUCTS, 2)
    when = START + timedelta(days=rng.randrange(0, 6 * 365))
    return {
        "a": a,
        "b": b,
        "product": product,
        "product2": product2,
        "product_t": product.title(),
        "official": rng.choice(OFFICIALS),
        "bank": rng.choice(BANKS),
        "company": rng.choice(COMPANIES),
        "effect": rng.choice(EFFECTS),
        "rate": str(rng.choice([5, 10, 15, 20, 25, 30, 34, 50, 100])),
        "pct": f"{rng.uniform(0.5, 40):.1f}",
        "amount": f"{rng.uniform(0.2, 90):.1f}",
        "bp": str(rng.randrange(5, 60)),
        "days": str(rng.choice([30, 45, 60, 90])),
        "years": str(rng.randrange(2, 10)),
        "moved": rng.choice(["rose", "fell", "jumped", "slid"]),
        "day": rng.choice(WEEKDAYS),
        "month": when.strftime("%B"),
        "date": (when + timedelta(days=rng.randrange(1, 60))).strftime("%B %-d, %Y"),
        "published": when.isoformat(),
    }


def _cap(text: str) -> str:
    return text[0].upper() + text[1:]


def articles(count: int, seed: int = 0) -> Iterator[Article]:
    """`count` articles of 6-16 sentences (about 1-2.5 passages each), newest dates spread over six years."""
    rng = random.Random(seed)
    for number in range(count):
        facts = _facts(rng)
        sentences = [_cap(rng.choice(SENTENCES).format(**facts)) for _ in range(rng.randrange(6, 17))]
        paragraphs = [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)]
        yield Article(
            id=f"synthetic-{seed}-{number}",
            title=_cap(rng.choice(HEADLINES).format(**facts)),
            text="\n".join(paragraphs),
            source=rng.choice(SOURCES),
            url=f"https://news.example/{seed}/{number}",
            published=datetime.fromisoformat(facts["published"]),
        )


def questions(count: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    return [_cap(rng.choice(QUESTIONS).format(**_facts(rng))) for _ in range(count)]


def topics(count: int, seed: int = 2) -> list[str]:
    rng = random.Random(seed)
    return [f"{rng.choice(PRODUCTS)} tariffs" for _ in range(count)]
