"""Answer -> terminal text or JSON (the CLI's output). Discord messages are bot/embeds.py."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from answering import Answer, Citation
from answering.candidates import normal_form
from answering.result import Coming, Was
from embeddings.models import ArticleSummary, plural, printable

if TYPE_CHECKING:
    from answering.board import Board, Line
    from answering.brief import Brief
    from answering.timeline import Timeline


def date_text(iso: str | None) -> str:
    if not iso:
        return "undated"
    dt = datetime.fromisoformat(iso)
    return (
        f"{dt:%b} {dt.day}, {dt.year} {dt:%H:%M} UTC"
        if (dt.hour, dt.minute) != (0, 0)
        else f"{dt:%b} {dt.day}, {dt.year}"
    )


def citation_line(c: Citation) -> str:
    source = c.source or "unknown source"
    if c.also_sources:
        source += f" (also {', '.join(c.also_sources)})"
    return f"[{c.n}] {source} — {c.title} — {date_text(c.published)} — {c.url}"


def text(ans: Answer) -> str:
    """Answer line, the quoted sentence(s), then numbered citations."""
    if ans.abstained:
        hint = "" if "tradewire ingest" in ans.note else " Ingest more with `tradewire ingest`, or rephrase."
        return f"No answer in the indexed news.\n({ans.note}.{hint})"
    lines = [f"{ans.answer}; {coming_line(ans.coming)}" if ans.coming else ans.answer or ""]
    if ans.was:
        lines.append(f"({was_line(ans.was)})")
    if ans.note:  # a caveat: the answer's newest report is years older than the question
        lines.append(f"({ans.note}.)")
    if ans.citations and ans.citations[0].quote != ans.answer:
        lines.append("")
        lines += [f"  “{c.quote}” [{c.n}]" for c in ans.citations]
    if ans.disagreement:
        lines += ["", disagreement_line(ans)]
    lines.append("")
    lines += [citation_line(c) for c in ans.citations]
    if ans.as_of:
        lines.append(f"As of {date_text(ans.as_of)}.")
    return printable("\n".join(lines))  # stored before control characters were cleaned on ingest


def disagreement_line(ans: Answer) -> str:
    """ "Reports differ: Reuters 25% [1] (Feb 10); Dow Jones 30% [3] (Feb 11)": each answer with the source and
    date of its first citation."""
    by_n = {c.n: c for c in ans.citations}
    parts = []
    for d in ans.disagreement:
        first = by_n[d.citations[0]]
        when = f" ({short_date(first.published, ans.as_of)})" if first.published else ""
        refs = "".join(f"[{n}]" for n in d.citations)
        parts.append(f"{first.source or 'unknown source'} {d.answer} {refs}{when}")
    return "Reports differ: " + "; ".join(parts)


def short_date(iso: str, against: str | None = None) -> str:
    """ "Jul 7" within the year of `against` (the answer's "as of"), else with its year: "Jul 7, 2024"."""
    dt = datetime.fromisoformat(iso)
    same_year = against is not None and datetime.fromisoformat(against).year == dt.year
    return f"{dt:%b} {dt.day}" if same_year else f"{dt:%b} {dt.day}, {dt.year}"


def was_line(was: Was, *, text: Callable[[str], str] = str, cite: Callable[[int], str] = "[{}]".format) -> str:
    """ "was 35% until Dec 1, 2025 [2]" when the newer report says when the change applies, else
    "was 35% [2]; changed in a report of Nov 20, 2025": the report's date is not the day the change applies.
    `text` escapes the answer and `cite` shows a citation number (Discord's embeds make them bold)."""
    before = f"was {text(was.answer)}"
    if was.until:
        return f"{before} until {date_text(was.until)} {cite(was.citations[0])}"
    return f"{before} {cite(was.citations[0])}; changed in a report of {date_text(was.reported)}"


def coming_line(coming: Coming, *, text: Callable[[str], str] = str, bold: bool = False) -> str:
    """ "8% from Mar 1, 2027 [1][2]": a change announced for a later day, with the reports that announce it
    (`bold`: the numbers in bold, as Discord's embeds show them)."""
    marks = "".join(f"[{n}]" for n in coming.citations)
    return f"{text(coming.answer)} from {date_text(coming.on)} " + (f"**{marks}**" if bold else marks)


def answer_text(answer: dict) -> str:
    """A watch's answer (Answer.to_json() form) as its update says it: "12%; 8% from Mar 1, 2027" when a change
    is announced for a later day."""
    coming = answer.get("coming")
    return f"{answer['answer']}; {coming['answer']} from {date_text(coming['on'])}" if coming else answer["answer"]


def was_text(previous: dict, answer: dict) -> str:
    """ "was 25% as of Jul 7": a watch's answer before an update (both Answer.to_json() form); its year is said
    unless it is the year of the new answer's "as of"; "was 12% until Mar 1, 2027" when it announced the change
    the new answer is."""
    coming = previous.get("coming")
    if coming and not answer.get("coming") and normal_form(coming["answer"]) == normal_form(answer["answer"] or ""):
        return f"was {previous.get('answer')} until {date_text(coming['on'])}"
    when = f" as of {short_date(previous['as_of'], answer.get('as_of'))}" if previous.get("as_of") else ""
    return f"was {previous.get('answer')}{when}"


def update_words(answer: dict, previous: dict | None) -> tuple[str, str, str]:
    """A watch update's label, answer and what it was: ("Now", "25%", "") at first; ("Announced", "8% from Mar 1,
    2027; 12% until then", "") when a change is announced for a later day; else ("Update", "15%", "was 25% as of
    Jul 7")."""
    if previous is None:
        return "Now", answer_text(answer), ""
    coming = answer.get("coming")
    if coming and normal_form(previous.get("answer") or "") == normal_form(answer["answer"] or ""):
        return "Announced", f"{coming['answer']} from {date_text(coming['on'])}; {answer['answer']} until then", ""
    return "Update", answer_text(answer), was_text(previous, answer)


def update_text(question: str, answer: dict, previous: dict | None) -> str:
    """A watch's new answer: "Update: 15% (was 25% as of Jul 7) [1]", the question, and the citation."""
    first = Citation(**answer["citations"][0])
    label, body, was = update_words(answer, previous)
    head = f"{label}: {body}{f' ({was})' if was else ''} [1]"
    return printable(f"{head}\n  Q: {question}\n  “{first.quote}”\n{citation_line(first)}")


def as_json(ans: Answer) -> str:
    return json.dumps(ans.to_json(), ensure_ascii=False)


def no_stories(topic: str | None = None, source: str | None = None) -> str:
    """What `latest` says when nothing is left: which of its filters found nothing."""
    about = f" about “{topic.strip()}”" if topic else ""
    where = f" from {source.strip()}" if source else ""
    return printable(f"No stories{about}{where}." if about or where else "No stories yet.", one_line=True)


def latest_text(items: list[ArticleSummary]) -> str:
    if not items:
        return no_stories()
    lines = []
    for a in items:
        source = a.source or "unknown source"
        if a.also_sources:
            source += f" (+{len(a.also_sources)}: {', '.join(a.also_sources)})"
        when = date_text(a.published.isoformat() if a.published else None)
        teaser = " · summary only (its page could not be read)" if a.teaser else ""
        lines.append(f"{when} · {source}{teaser}\n  {a.title}\n  {a.link}")
    return printable("\n".join(lines))


def latest_json(items: list[ArticleSummary]) -> str:
    return json.dumps(
        [
            {
                "article_id": a.id,
                "title": a.title,
                "source": a.source,
                "also_sources": a.also_sources,
                "published": a.published.isoformat() if a.published else None,
                "url": a.link,
                "summary_only": a.teaser,
            }
            for a in items
        ],
        ensure_ascii=False,
    )


def timeline_steps(
    tl: Timeline, *, text: Callable[[str], str] = str, cite: Callable[[int], str] = "[{}]".format
) -> str:
    """ "Jul 7, 2025  25% [1]  →  Aug 1, 2025  15% [2]": each step with the day it was first reported."""
    parts = []
    for step in tl.steps:
        marks = "".join(cite(n) for n in step.citations)
        effective = f" from {date_text(step.effective)}" if step.effective else ""
        part = f"{'before ' if step.before else ''}{date_text(step.reported)}  {text(step.answer)}{effective} {marks}"
        if step.differ:
            others = "; ".join(f"{text(a)} {''.join(cite(n) for n in ns)}" for a, ns in step.differ)
            part += f" (reports differ: {others})"
        parts.append(part)
    return "  →  ".join(parts)


def quoted_and_cited(citations: list[Citation]) -> list[str]:
    """Each cited sentence quoted with its number, then each citation's line (after a blank line each)."""
    return ["", *(f"  “{c.quote}” [{c.n}]" for c in citations), "", *(citation_line(c) for c in citations)]


def timeline_text(tl: Timeline) -> str:
    """The steps on one line, whether the answer ever changed, then each report quoted and cited."""
    if tl.abstained:
        return f"No answer in the indexed news.\n({tl.note}.)"
    lines = [timeline_steps(tl)]
    if tl.unchanged:
        lines.append(f"(unchanged since {date_text(tl.steps[0].reported)})")
    return printable("\n".join(lines + quoted_and_cited(tl.citations)))


def timeline_json(tl: Timeline) -> str:
    return json.dumps(tl.to_json(), ensure_ascii=False)


def brief_text(b: Brief) -> str:
    """One line an event: rank, headline, sources; the lead sentence quoted; the link."""
    period = f"{date_text(b.since.isoformat())} – {date_text(b.until.isoformat())}"
    about = f" about “{b.topic}”" if b.topic else ""
    if not b.events:
        return printable(f"No stories{about} from {period}.")
    events, stories = plural(len(b.events), "event"), plural(b.stories, "story", "stories")
    lines = [f"Brief{about}, {period}: {events} from {stories}", ""]
    for n, e in enumerate(b.events, 1):
        count = plural(len(e.sources), "source")
        lines += [f"{n}. {e.headline.title} — {count}", f"   “{e.lead}”", f"   {e.headline.link}"]
    return printable("\n".join(lines))


def brief_json(b: Brief) -> str:
    return json.dumps(b.to_json(), ensure_ascii=False)


def board_line(line: Line) -> str:
    """ "United States → China · all goods: 30%, in effect since May 14, 2026 (was 145%) [1, 2]", and the figure
    another report gives when outlets differ."""
    on = line.on or "every country"
    goods = line.goods or "all goods"
    if line.qualifier:
        goods += f" ({line.qualifier})"
    now = line.now
    was = f" (was {now.replaced})" if now.replaced and line.status not in ("lifted", "exempted") else ""
    cites = ", ".join(str(n) for n in now.citations)
    text = f"{line.by} → {on} · {goods}: {now.rate}, {line.when()}{was} [{cites}]"
    for rate, numbers in now.differ:
        text += f"; reports differ: {rate} [{', '.join(str(n) for n in numbers)}]"
    return text


def board_text(b: Board) -> str:
    """One line per tariff line, then each cited sentence and its source."""
    read = b.read
    about = (" (" + ", ".join(f"{k} {v}" for k, v in b.filters.items()) + ")") if b.filters else ""
    stats = (
        f"{plural(read['passages'], 'passage')} read; {plural(read['sentences'], 'sentence')} with a duty and a "
        f"rate, {read['not_used']} not used"
    )
    day = date_text(b.as_of.isoformat())
    if not b.lines:
        return printable(f"No tariff lines in the indexed news{about} as of {day}.\n({stats}.)")
    lines = [f"Tariff board{about} as of {day}: {plural(len(b.lines), 'line')} ({stats})", ""]
    lines += [board_line(line) for line in b.lines]
    return printable("\n".join(lines + quoted_and_cited(b.citations)))


def board_json(b: Board) -> str:
    return json.dumps(b.to_json(), ensure_ascii=False)
