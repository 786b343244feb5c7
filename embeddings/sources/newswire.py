"""Newswire text items in the Dow Jones format a broker's news feed delivers.

Layout: an optional headline, a "By ..." line, the body, then a trailer: an optional live-coverage
pointer, "(END) <wire name>", the dateline "March 28, 2025 13:15 ET (17:15 GMT)", a copyright line and
sometimes the distributor's investment disclaimer. The trailer is metadata, not news, so it is parsed and
dropped from the indexed text.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from embeddings.errors import SourceError
from embeddings.models import Article
from embeddings.sources.common import capped, make_article, stable_id, tidy_paragraphs

END_LINE = re.compile(r"^\s*\(END\)\s*(?P<source>.+?)\s*$", re.M)
DATELINE = re.compile(
    r"^\s*(?P<date>[A-Z][a-z]+\.? \d{1,2}, \d{4})\s+(?P<local>\d{1,2}:\d{2})\s*(?P<tz>E[SD]?T)"
    r"\s*\((?P<gmt>\d{1,2}:\d{2})\s*GMT\)\s*$",
    re.M,
)
BYLINE = re.compile(r"^\s*By\s+(?P<authors>[A-Z][^\n]{1,120})$")
# Lines that belong to the wire or the distributor, never to the story.
BOILERPLATE = [
    re.compile(r"^\s*This item is part of a .*live coverage event\..*$", re.I),
    re.compile(r"^\s*The full stream can be found by searching .*$", re.I),
    re.compile(r"^\s*\(END\).*$"),
    re.compile(r"^\s*Copyright \(c\) \d{4} .*$", re.I),
    re.compile(r"^\s*Disclaimer:.*$", re.I),
    re.compile(r"^\s*-*\s*Write to .+ at \S+@\S+.*$", re.I),
    re.compile(r"^\s*Subscribe to WSJ:.*$", re.I),
]
_LIVE_COVERAGE_SENTENCE = re.compile(
    r"\s*This item is part of a [^.]*live coverage event\.(\s*The full stream can be found by searching"
    r" [^\n]*?\([^)]*\)\.)?",
    re.I,
)


def looks_like_newswire(text: str) -> bool:
    """True when the text carries the wire trailer (an END line or a dateline)."""
    return bool(END_LINE.search(text) or DATELINE.search(text))


def parse_dateline(line_match: re.Match[str]) -> datetime:
    """The dateline's GMT time on the dateline's date, rolled over when GMT has passed midnight."""
    date_text = line_match["date"].replace(".", "")
    fmt = "%B %d, %Y" if len(date_text.split()[0]) > 3 else "%b %d, %Y"
    day = datetime.strptime(date_text, fmt)
    local_h, local_m = (int(x) for x in line_match["local"].split(":"))
    gmt_h, gmt_m = (int(x) for x in line_match["gmt"].split(":"))
    published = day.replace(hour=gmt_h, minute=gmt_m, tzinfo=UTC)
    if (gmt_h, gmt_m) < (local_h, local_m):  # e.g. 21:30 ET is 01:30 GMT the next day
        published += timedelta(days=1)
    return published


def parse_newswire(text: str, origin: str) -> Article:
    """One newswire item -> Article (headline, authors, UTC publish time, wire name, clean body)."""
    end = END_LINE.search(text)
    dateline = DATELINE.search(text)
    if not end and not dateline:
        raise SourceError(origin, "not a newswire item (no '(END)' line or dateline)")
    source = end["source"].strip() if end else "Dow Jones Newswires"
    published = parse_dateline(dateline) if dateline else None

    # The story is everything before the END line (or the dateline when there is no END line).
    cut = min(m.start() for m in (end, dateline) if m)
    lines = [ln.rstrip() for ln in text[:cut].splitlines()]
    lines = [ln for ln in lines if not any(p.match(ln) for p in BOILERPLATE)]
    while lines and not lines[0].strip():
        lines.pop(0)

    title = ""
    authors: list[str] = []
    # A headline is a short first line before the byline.
    if lines and not BYLINE.match(lines[0]) and len(lines) > 1:
        nxt = next((ln for ln in lines[1:] if ln.strip()), "")
        if BYLINE.match(nxt) or (len(lines[0]) <= 160 and not lines[0].rstrip().endswith(".")):
            title = lines.pop(0).strip()
    for i, ln in enumerate(lines[:3]):
        if m := BYLINE.match(ln):
            authors = [a.strip() for a in re.split(r",\s*| and ", m["authors"]) if a.strip()]
            del lines[i]
            break

    body, truncated_from = capped(tidy_paragraphs("\n".join(lines)))
    body = _LIVE_COVERAGE_SENTENCE.sub("", body).strip()
    if not body:
        raise SourceError(origin, "newswire item has no story text")
    # Stable across re-ingests; the lead is part of it because one author can file several items a minute.
    when = published.isoformat() if published else ""
    article_id = stable_id("nw", source, when, ",".join(authors), title or body[:200])
    return make_article(
        id=article_id,
        title=title,
        text=body,
        source=source,
        published=published,
        authors=authors,
        origin=origin,
        truncated_from=truncated_from,
    )
