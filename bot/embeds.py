"""Answers, news and feeds as Discord messages. Discord's length limits and escaping live here."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

import discord

from answering import Answer, Citation
from answering.board import Board, Line
from answering.brief import Brief
from answering.timeline import Timeline
from bot import render
from bot.render import answer_text, coming_line, date_text, disagreement_line, timeline_steps, update_words, was_line
from embeddings.models import ArticleSummary, plural

# Discord's limits (characters). Every embed below is built to fit them, whatever the news text holds.
CONTENT_MAX = 2000
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
EMBED_TOTAL_MAX = 6000
QUOTE_MAX = 700  # one supporting sentence, as shown
COLOUR_ANSWER = 0x2B6CB0
COLOUR_ABSTAIN = 0x718096
COLOUR_NEWS = 0x2F855A

# Nothing the bot sends may ping: this goes on every message, and news text is escaped as well.
NO_PINGS = discord.AllowedMentions.none()


def message(text: str) -> str:
    """Plain message content within Discord's limit."""
    return clip(text, CONTENT_MAX)


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary with an ellipsis."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:") + "…"


# Discord's markdown takes a backslash before any ASCII punctuation as "this character, literally". These are
# the characters that start markdown (emphasis, code, spoilers, quotes, headings, links, masked links, mentions).
_MARKDOWN = re.compile(r"([\\*_~`|>#\[\]()<])")
_LIST_START = re.compile(r"^(\s*)(?:([-+])|(\d+)\.)(?=\s)", re.M)


def safe(text: str) -> str:
    """News text as inert Discord text, escaped once: every markdown character is backslash-escaped (a link,
    masked or not, cannot form), a list marker at a line start too, and mentions (@everyone, <@id>, <@&role>,
    <#channel>) are broken with a zero-width space."""
    text = _MARKDOWN.sub(r"\\\1", text)
    text = _LIST_START.sub(lambda m: m.group(1) + (f"\\{m.group(2)}" if m.group(2) else f"{m.group(3)}\\."), text)
    return discord.utils.escape_mentions(text).replace("<@", "<@\u200b")


def _link_url(url: str) -> str | None:
    if not url.startswith(("http://", "https://")):
        return None  # a local file: nothing a Discord user could open
    return url.replace(" ", "%20").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")


def _link(label: str, url: str) -> str:
    target = _link_url(url)
    return f"[{label}]({target})" if target else label


def _when(dt: datetime | None) -> str:
    """A Discord timestamp: shown in each reader's own time zone."""
    return f"<t:{int(dt.timestamp())}:f>" if dt else "undated"


def _citation_line(c: Citation, budget: int) -> str:
    source = safe(c.source or "unknown source")
    if c.also_sources:
        source += f" (also {safe(', '.join(c.also_sources))})"
    title = _link(safe(clip(c.title, 200)), c.url)
    published = datetime.fromisoformat(c.published) if c.published else None
    return clip(f"**[{c.n}]** {source} — {title} — {_when(published)}", budget)


def _fit(embed: discord.Embed) -> discord.Embed:
    """Trim the description until the whole embed is within Discord's total."""
    overflow = len(embed) - EMBED_TOTAL_MAX
    if overflow > 0 and embed.description:
        embed.description = clip(embed.description, len(embed.description) - overflow - 1)
    return embed


def _no_answer(question: str, note: str) -> discord.Embed:
    """An abstention (an answer's or a timeline's): why, and what to try instead."""
    embed = discord.Embed(
        title="No answer in the indexed news",
        description=clip(f"{safe(note)}.\nTry `/search` to see the closest passages, or rephrase.", 1000),
        colour=COLOUR_ABSTAIN,
    )
    embed.set_footer(text=clip(f"Q: {question}", FOOTER_MAX))
    return embed


def answer_embed(ans: Answer, *, context: str = "") -> discord.Embed:
    """The direct answer as the title; the quoted sentence(s); numbered citations as links; the as-of date."""
    if ans.abstained:
        return _no_answer(ans.question, ans.note)
    embed = discord.Embed(title=clip(safe(ans.answer or ""), TITLE_MAX), colour=COLOUR_ANSWER)
    if ans.coming:  # announced for a later day: the figure in force is the title, the change a field
        coming = coming_line(ans.coming, text=safe, bold=True)
        embed.add_field(name="Announced", value=clip(coming, FIELD_VALUE_MAX), inline=False)
    lines = []
    if ans.citations and ans.citations[0].quote != ans.answer:
        lines += [f"> {safe(clip(c.quote, QUOTE_MAX))} **[{c.n}]**" for c in ans.citations]
        lines.append("")
    lines += [_citation_line(c, 600) for c in ans.citations]
    embed.description = clip("\n".join(lines), DESCRIPTION_MAX)
    if ans.was:
        before = was_line(ans.was, text=safe, cite="**[{}]**".format).removeprefix("was ")
        embed.add_field(name="Before", value=clip(before, FIELD_VALUE_MAX), inline=False)
    if ans.note:  # a caveat: the answer's newest report is years older than the question
        note = safe(ans.note[:1].upper() + ans.note[1:] + ".")
        embed.add_field(name="Note", value=clip(note, FIELD_VALUE_MAX), inline=False)
    if ans.disagreement:
        line = disagreement_line(ans).removeprefix("Reports differ: ")
        embed.add_field(name="Reports differ", value=clip(safe(line), FIELD_VALUE_MAX), inline=False)
    footer = f"As of {date_text(ans.as_of)}" if ans.as_of else "Undated sources"
    if context:
        footer += f" · following up on: {context}"
    embed.set_footer(text=clip(f"{footer} · Q: {ans.question}", FOOTER_MAX))
    return _fit(embed)


def watch_update(question: str, answer: dict, previous: dict | None, previous_link: str | None) -> str:
    """A standing question's new answer as a message: "Update: 15% (was 25% as of Jul 7) [1]", the question,
    the quoted sentence, the citation, and a link to the post it updates."""
    first = Citation(**answer["citations"][0])
    label, body, was = update_words(answer, previous)
    head = f"**{label}:** {safe(body)}{f' ({safe(was)})' if was else ''} **[1]**"
    lines = [
        head,
        f"Q: {safe(clip(question, 300))}",
        f"> {safe(clip(first.quote, QUOTE_MAX))}",
        _citation_line(first, 600),
    ]
    if previous_link:
        lines.append(f"Previous: {previous_link}")
    return message("\n".join(lines))


def watches_embed(watches: list) -> discord.Embed:
    """/watch list: each standing question with its current answer, when that last changed, and where it posts."""
    embed = discord.Embed(title="Standing questions", colour=COLOUR_NEWS)
    lines = []
    for w in watches:
        now = safe(clip(answer_text(w.answer) if w.answer else "no answer yet", 100))
        changed = f" · changed {_when(w.changed_at)}" if w.changed_at else ""
        lines.append(f"**{w.id}.** {safe(clip(w.question, 200))}\n{now}{changed} · in <#{w.channel}>")
    embed.description = clip("\n".join(lines) or "None yet: add one with `/watch add`.", DESCRIPTION_MAX)
    return _fit(embed)


def passage_embed(citation: dict, passage: str) -> discord.Embed:
    """A cited passage in full, the quoted sentence in bold."""
    quote = citation.get("quote", "")
    body = safe(passage)
    marked = safe(quote)
    if quote and marked in body:
        body = body.replace(marked, f"**{marked}**", 1)
    body = clip(body, DESCRIPTION_MAX)  # after escaping, which can double the length
    embed = discord.Embed(
        title=clip(f"[{citation['n']}] {safe(citation.get('title', ''))}", TITLE_MAX),
        url=_link_url(citation.get("url", "")),
        description=body,
        colour=COLOUR_ANSWER,
    )
    published = citation.get("published")
    embed.set_footer(text=clip(f"{citation.get('source') or 'unknown source'} · {date_text(published)}", FOOTER_MAX))
    return _fit(embed)


def latest_embed(
    items: list[ArticleSummary], *, page: int, pages: int, heading: str, empty: str = "No stories yet."
) -> discord.Embed:
    embed = discord.Embed(title=clip(safe(heading), TITLE_MAX), colour=COLOUR_NEWS)
    if not items:
        embed.description = clip(safe(empty), DESCRIPTION_MAX)
        return embed
    lines = []
    for a in items:
        source = safe(a.source or "unknown source")
        if a.also_sources:
            source += f" (+{len(a.also_sources)})"
        lines.append(f"**{_link(safe(clip(a.title, 240)), a.url)}**\n{source} · {_when(a.published)}")
    embed.description = clip("\n\n".join(lines), DESCRIPTION_MAX)
    if pages > 1:
        embed.set_footer(text=f"Page {page + 1} of {pages}")
    return _fit(embed)


def search_embed(query: str, hits: list) -> discord.Embed:
    """The best passages, no answer: each as a field with its source, date and link."""
    embed = discord.Embed(title=clip(f"Passages for: {safe(query)}", TITLE_MAX), colour=COLOUR_NEWS)
    if not hits:
        embed.description = "Nothing indexed matches."
        return embed
    for n, hit in enumerate(hits, 1):
        published = date_text(hit.published.isoformat() if hit.published else None)
        name = clip(f"[{n}] {safe(hit.source or 'unknown source')} — {published}", TITLE_MAX)
        link = _link(safe(clip(hit.title, 200)), hit.url)
        text = safe(clip(" ".join(hit.text.split()), 600))
        embed.add_field(name=name, value=clip(f"{link}\n{text}", FIELD_VALUE_MAX), inline=False)
        if len(embed) > EMBED_TOTAL_MAX - 200:
            embed.remove_field(-1)
            break
    return embed


def news_embed(item, *, topic: str = "") -> discord.Embed:
    """A new feed item as posted to a subscribed channel."""
    embed = discord.Embed(
        title=clip(safe(item.title), TITLE_MAX),
        url=_link_url(item.url),
        description=safe(clip(" ".join(item.lead.split()), 350)),
        colour=COLOUR_NEWS,
        timestamp=item.published,
    )
    footer = item.source or "unknown source"
    if topic:
        footer += f" · topic: {topic}"
    embed.set_footer(text=clip(footer, FOOTER_MAX))
    return embed


def feeds_embed(feeds: list, subscriptions: list) -> discord.Embed:
    """/feeds list: each feed with how its polling goes, and where new items are posted."""
    embed = discord.Embed(title="Feeds this server follows", colour=COLOUR_NEWS)
    lines = []
    for n, feed in enumerate(feeds, 1):
        name = _link(safe(clip(feed.title or feed.url, 150)), feed.url)
        if feed.failures:
            retry = datetime.fromtimestamp(feed.next_poll_ts).astimezone()
            status = f"⚠️ failing ({feed.failures}×): {safe(clip(feed.last_error or '', 200))} · next try {_when(retry)}"
        elif feed.last_ok:
            status = f"✅ last read {_when(feed.last_ok)}"
            if feed.last_error:
                status += f" · {safe(feed.last_error)}"
        else:
            status = "⏳ not read yet"
        lines.append(f"**{n}.** {name}\n{status}")
    embed.description = clip("\n".join(lines) or "None yet: add one with `/feeds add`.", DESCRIPTION_MAX - 600)
    where = [
        f"<#{s.channel}>"
        + (f" (topic: {safe(clip(s.topic, 60))})" if s.topic else "")
        + (f" ⚠️ posts held back: {safe(clip(s.problem, 100))}" if s.problem else "")
        for s in subscriptions
    ]
    embed.add_field(
        name="New items are posted to",
        value=clip(", ".join(where) or "no channel yet: use `/subscribe`", FIELD_VALUE_MAX),
        inline=False,
    )
    return _fit(embed)


def timeline_embed(tl: Timeline) -> discord.Embed:
    """The steps as the description's first line, each report's sentence quoted, citations as links."""
    if tl.abstained:
        return _no_answer(tl.question, tl.note)
    embed = discord.Embed(title=clip(f"Timeline: {safe(tl.question)}", TITLE_MAX), colour=COLOUR_ANSWER)
    lines = [timeline_steps(tl, text=safe, cite="**[{}]**".format)]
    if tl.unchanged:
        lines.append(f"Unchanged since {date_text(tl.steps[0].reported)}.")
    lines.append("")
    lines += [f"> {safe(clip(c.quote, QUOTE_MAX))} **[{c.n}]**" for c in tl.citations]
    lines.append("")
    lines += [_citation_line(c, 600) for c in tl.citations]
    embed.description = clip("\n".join(lines), DESCRIPTION_MAX)
    return _fit(embed)


def brief_embed(b: Brief, *, day: str, late_since: str = "") -> discord.Embed:
    """A day's brief: one numbered line an event (its headline as a link, how many sources), its lead quoted;
    `late_since` says the brief missed its hour (the bot was not running then)."""
    about = f" — {safe(b.topic)}" if b.topic else ""
    embed = discord.Embed(title=clip(f"Daily brief, {date_text(day)}{about}", TITLE_MAX), colour=COLOUR_NEWS)
    if not b.events:
        embed.description = "No stories" + (f" about {safe(b.topic)}" if b.topic else "") + " in the last 24 hours."
    lines = []
    for n, e in enumerate(b.events, 1):
        count = plural(len(e.sources), "source")
        lines.append(f"**{n}. {_link(safe(clip(e.headline.title, 200)), e.headline.link)}** — {count}")
        lines.append(f"> {safe(clip(e.lead, 300))}")
    if lines:
        embed.description = clip("\n".join(lines), DESCRIPTION_MAX)
    footer = f"{plural(b.stories, 'story', 'stories')} grouped into {plural(len(b.events), 'event')}"
    if late_since:
        footer += f" · posted late: the bot was not running at {late_since}"
    embed.set_footer(text=clip(footer, FOOTER_MAX))
    return _fit(embed)


# --- the tariff board (answering/board.py; /tariffs in bot/commands/tariffs.py) ----------------------------------
BOARD_LINES_PER_PAGE = 8


def tariff_head(by: str, on: str, goods: str, qualifier: str = "") -> str:
    """ "United States → China · all goods": who charges, on whose goods ('' = every country's), on what."""
    what = goods or "all goods"
    if qualifier:
        what += f" ({qualifier})"
    return safe(f"{by} → {on or 'every country'} · {what}")


def _marks(numbers: list[int]) -> str:
    return f"**{''.join(f'[{n}]' for n in numbers)}**" if numbers else ""


def _cited(line: Line) -> list[int]:
    """The board's numbers of the citations a line shows: its rate's, then those of the rates reported with it."""
    return [*line.now.citations, *(n for _, ns in line.now.differ for n in ns)]


def tariff_line(line: Line, citations: dict[int, Citation], as_of: str, number: dict[int, int]) -> str:
    """ "United States → China · all goods: 30% — in effect since May 14, 2026 (was 145%) **[1][2]**", and when
    reports of the same time differ, a second line as `ask` says it: "Reports differ: Harbor Ledger 30% [1]
    (May 14); Meridian Wire 34% [3] (May 15)". `number`: the board's citation numbers as shown."""
    s = line.now
    was = f" (was {safe(s.replaced)})" if s.replaced else ""
    text = f"{tariff_head(line.by, line.on, line.goods, line.qualifier)}: {safe(s.rate)} — {line.when()}{was}"
    text = clip(f"{text} {_marks([number[n] for n in s.citations])}", 900)
    if s.differ:
        parts = []
        for rate, numbers in [(s.rate, s.citations), *s.differ]:
            first = citations[numbers[0]]
            when = f" ({render.short_date(first.published, as_of)})" if first.published else ""
            marks = _marks([number[n] for n in numbers])
            parts.append(f"{safe(first.source or 'unknown source')} {safe(rate)} {marks}{when}")
        text += "\n" + clip("Reports differ: " + "; ".join(parts), 600)
    return text


def board_numbers(b: Board) -> dict[int, int]:
    """The board's citation numbers as Discord shows them: 1, 2, … in the order its lines give them (the board
    also numbers the reports of earlier rates, which no line shows; a picture of the lines uses these too)."""
    return {n: i for i, n in enumerate(dict.fromkeys(n for line in b.lines for n in _cited(line)), 1)}


def tariff_board_pages(b: Board, *, per_page: int | None = None) -> list[discord.Embed]:
    """The board as embeds of up to `per_page` lines each, within Discord's limits: its lines, then the
    citations they give (source, headline as a link, date), numbered 1, 2, … across the pages in the order the
    lines give them (the board also numbers the reports of earlier rates, which a line does not show); the
    filters in the title, the day in the footer."""
    per_page = per_page or BOARD_LINES_PER_PAGE
    citations = {c.n: c for c in b.citations}
    number = board_numbers(b)
    as_of = b.as_of.isoformat()
    about = ", ".join(f"{k} {v}" for k, v in b.filters.items())
    title = clip("Tariff board" + (f" — {safe(about)}" if about else ""), TITLE_MAX)
    pages: list[tuple[list[str], list[int]]] = []
    lines: list[str] = []
    cited: list[int] = []
    for line in b.lines:
        text = tariff_line(line, citations, as_of, number)
        gives = _cited(line)
        more = [n for n in gives if n not in cited]
        size = len("\n".join([*lines, text])) + 251 * (len(cited) + len(more)) + 2  # a citation line: at most 250
        if lines and (len(lines) >= per_page or size > DESCRIPTION_MAX):
            pages.append((lines, cited))
            lines, cited, more = [], [], list(dict.fromkeys(gives))
        lines.append(text)
        cited += more
    if lines or not pages:
        pages.append((lines, cited))
    embeds = []
    for i, (shown, numbers) in enumerate(pages):
        embed = discord.Embed(title=title, colour=COLOUR_ANSWER)
        if shown:
            refs = [_citation_line(replace(citations[n], n=number[n]), 250) for n in sorted(numbers, key=number.get)]
            embed.description = clip("\n".join([*shown, "", *refs]), DESCRIPTION_MAX)
        else:
            which = " with those filters" if about else ""
            embed.description = f"No tariffs{which} in the indexed news as of {date_text(as_of)}."
        footer = f"As of {date_text(as_of)} · {plural(len(b.lines), 'line')}"
        if len(pages) > 1:
            footer += f" · page {i + 1} of {len(pages)}"
        embed.set_footer(text=clip(footer, FOOTER_MAX))
        embeds.append(_fit(embed))
    return embeds


def tariff_update(line: dict, change: str) -> str:
    """A change of a watched board's line (TariffWatches' update: Line.to_json() with `cited` and `previous`), as
    one message: "Tariff board: United States → Canada · softwood lumber now 35% (was 25%), in effect since May 18,
    2026 [1] <link>", then the report's sentence and its source."""
    head = tariff_head(line["charged_by"], line["charged_on"] or "", line["goods"] or "", line["qualifier"] or "")
    rate, when, before = safe(line["rate"]), line["when"], line.get("previous") or {}  # `when`: the board's words
    first = Citation(**line["cited"][0])
    if change == "rate":
        was = before.get("shown") or line.get("replaced")
        body = f"{head} now {rate}{f' (was {safe(was)})' if was else ''}, {when}"
    elif change == "status":
        body = f"{head} {rate} now {when} (was {safe(before['when'])})"
    else:
        replaced = line.get("replaced")
        body = f"{head} is new on the board: {rate}{f' (was {safe(replaced)})' if replaced else ''}, {when}"
    target = _link_url(first.url)
    source = f"{safe(first.source or 'unknown source')} — {safe(clip(first.title, 200))}"
    lines = [
        f"**Tariff board:** {body} **[1]**" + (f" <{target}>" if target else ""),
        f"> {safe(clip(first.quote, QUOTE_MAX))}",
        clip(f"**[1]** {source} — {date_text(first.published)}", 600),
    ]
    return message("\n".join(lines))


def tariff_watches_embed(watches: list) -> discord.Embed:
    """/tariffs watches: each watch of the board, its filters, how many lines it follows, and where it posts."""
    embed = discord.Embed(title="Tariff board watches", colour=COLOUR_NEWS)
    lines = []
    for w in watches:
        about = ", ".join(f"{k} {v}" for k, v in sorted(w.filters.items())) or "the whole board"
        count = plural(len(w.lines or {}), "line")
        lines.append(f"**{w.id}.** {safe(clip(about, 300))} · {count} · in <#{w.channel}>")
    embed.description = clip("\n".join(lines) or "None yet: add one with `/tariffs watch`.", DESCRIPTION_MAX)
    return _fit(embed)
