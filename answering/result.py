"""What answering gives the adapters: an Answer with numbered citations, each quoting one sentence exactly."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from embeddings.models import Hit

GENERIC = "statement"  # the answer type of a question that asks for no particular kind of thing
MAX_CITATIONS = 3  # articles cited for one answer (the disagreeing and the replaced ones come on top)


@dataclass
class Citation:
    n: int
    article_id: str
    title: str
    source: str
    published: str | None  # ISO 8601
    url: str  # the article's URL, or a file:// URL of the file it was read from
    quote: str  # the supporting sentence, exactly as in the article
    also_sources: list[str] = field(default_factory=list)


@dataclass
class Disagreeing:
    answer: str
    citations: list[int]


@dataclass
class Was:
    """What the answer was before a newer report replaced it ("cut to 15% from 25%"), and until when."""

    answer: str
    until: str | None  # the day the change took or takes effect, when the report says (ISO 8601); else None
    citations: list[int]  # the older report's citation
    reported: str = ""  # the date of the report that replaced it (ISO 8601)


@dataclass
class Coming:
    """A change the news announces for a later day than the question's ("will cut … to 8% from 12%, effective
    March 1, 2027"): the answer then, from when, and the citations that announce it. The answer stays the
    figure in force until that day."""

    answer: str
    on: str  # the day it takes effect (ISO 8601)
    citations: list[int]


@dataclass
class Answer:
    question: str
    answer: str | None
    abstained: bool
    as_of: str | None  # date of the newest cited article
    citations: list[Citation]
    answer_type: str = GENERIC
    span: str = ""  # the answer as written in the first quote ("Monday" for "April 28, 2025")
    note: str = ""  # why it abstained, or a caveat
    # When well-supported reports of about the same time give answers that cannot all be true: each answer
    # (this one first) with the numbers of the citations that give it.
    disagreement: list[Disagreeing] = field(default_factory=list)
    was: Was | None = None  # for a question about the current state, when the answer replaced an earlier one
    coming: Coming | None = None  # ... when a change of it is announced for a later day

    def to_json(self) -> dict[str, object]:
        """The public contract: question, answer, abstained, as_of, citations[n, article_id, title, source,
        published, url, quote]; disagreement, was, coming and note when there are."""
        data = asdict(self)
        data["citations"] = [
            {k: c[k] for k in ("n", "article_id", "title", "source", "published", "url", "quote")}
            for c in data["citations"]
        ]
        out = {k: data[k] for k in ("question", "answer", "abstained", "as_of", "citations")}
        if self.disagreement:  # absent when the reports agree
            out["disagreement"] = data["disagreement"]
        if self.was:  # absent unless a newer report replaced an earlier answer
            out["was"] = data["was"]
        if self.coming:  # absent unless a change is announced for a later day
            out["coming"] = data["coming"]
        if self.note and not self.abstained:  # a caveat ("the newest report that gives it is from ..."); absent if none
            out["note"] = self.note
        return out


def citation(n: int, hit: Hit, quote: str) -> Citation:
    """Citation number n: `quote` (a sentence of the hit's passage) with the hit's article."""
    return Citation(
        n=n,
        article_id=hit.article_id,
        title=hit.title,
        source=hit.source,
        published=hit.published.isoformat() if hit.published else None,
        url=hit.link,
        quote=quote,
        also_sources=hit.also_sources,
    )


def abstention(question: str, why: str, answer_type: str = GENERIC) -> Answer:
    return Answer(
        question=question, answer=None, abstained=True, as_of=None, citations=[], answer_type=answer_type, note=why
    )
