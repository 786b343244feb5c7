"""Training examples that teach the reader "almost, but no", made from SQuAD 1.1 train (training/train_reader.py).

Retrieval hands the reader passages that are *about* the question without answering it: the same story
without the sentence that says it, or a story about a neighbouring subject (Canada's election for a question
about Australia's). Three kinds of no-answer example are made from each question's own paragraph:
- `removed`: the paragraph with the sentence(s) holding the answer taken out (kept only when the answer is
  nowhere else in what is left);
- `swapped`: the question with its subject exchanged for another of the same kind while the paragraph stays
  (a country or nationality for another, a year for another year, a name for another name of as many words),
  so that what the question asks about is no longer in the paragraph;
- `other`: the question with another paragraph of its own article (the recipe before near misses).
And one kind of positive beside the plain one:
- `headline`: the sentence holding the answer becomes the headline and the paragraph goes on without it, so
  the reader learns to answer from the headline line that `ask` gives it.

Everything is drawn from a seeded `random.Random`, in the file's order: the same recipe makes the same
examples.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

# Sentence ends in Wikipedia prose: a full stop, question or exclamation mark, then a capital or a quote.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
# A name in a question: capitalised words (with "of", "the", "and", "de" between them), not the first word.
_NAME = re.compile(r"(?<![\w.])(?:[A-Z][\w'’.-]*)(?:\s+(?:(?:of|the|and|de|von|van|del|da|la)\s+)*[A-Z][\w'’.-]*)*")
_QUESTION_WORDS = {
    "What", "Which", "Who", "Whom", "Whose", "When", "Where", "Why", "How", "In", "On", "At", "By", "For", "The",
    "A", "An", "During", "After", "Before", "Along", "According", "To", "From", "Is", "Was", "Were", "Are", "Did",
    "Does", "Do", "Of", "As", "If", "With", "Since", "Besides", "Other", "Aside", "Name", "I",
}  # fmt: skip


@dataclass(frozen=True)
class Example:
    """One question and what the reader is shown: `title` (the headline line) and `context` (the passage).
    `start` is the answer's character offset in the title when `in_title`, else in the context; -1: none."""

    question: str
    title: str
    context: str
    start: int
    answer: str
    kind: str  # plain, headline, removed, swapped, other
    in_title: bool = False


def sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of a paragraph."""
    out, at = [], 0
    for m in _SENTENCE_END.finditer(text):
        out.append((at, m.start()))
        at = m.end()
    out.append((at, len(text)))
    return [(a, b) for a, b in out if b > a]


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def without_answer(context: str, start: int, answer: str) -> tuple[str, str] | None:
    """(the sentences holding the answer, the paragraph without them), or None when the answer is also said
    elsewhere in the paragraph or nothing would be left."""
    end = start + len(answer)
    spans = sentences(context)
    holding = [(a, b) for a, b in spans if a < end and start < b]
    rest = [(a, b) for a, b in spans if (a, b) not in holding]
    if not holding or not rest:
        return None
    kept = " ".join(context[a:b] for a, b in rest)
    said = context[holding[0][0] : holding[-1][1]]
    if _norm(answer) and f" {_norm(answer)} " in f" {_norm(kept)} ":
        return None
    return said, kept


class Swapper:
    """Exchanges a question's subject for another of the same kind that its paragraph does not mention."""

    def __init__(self, rng: random.Random):
        import pycountry

        self.rng = rng
        countries = {c.name for c in pycountry.countries if "," not in c.name and len(c.name.split()) <= 2}
        countries |= {"Britain", "America", "Russia", "Iran", "Syria", "Vietnam", "South Korea", "North Korea"}
        self.countries = sorted(countries)
        self.country_set = set(countries)
        self.names: dict[int, list[str]] = {}  # names from all questions, by number of words

    def learn(self, question: str) -> None:
        for name in self.names_in(question):
            self.names.setdefault(len(name.split()), []).append(name)

    @staticmethod
    def names_in(question: str) -> list[str]:
        out = []
        for m in _NAME.finditer(question):
            words = m.group(0).rstrip(".'’").split()
            while words and words[0] in _QUESTION_WORDS:
                words = words[1:]
            if words and not _YEAR.fullmatch(words[0]):
                out.append(" ".join(words))
        return out

    def swap(self, question: str, context: str, answer: str) -> str | None:
        """The question about something else, or None when it names nothing swappable."""
        lowered, answer_l = context.lower(), answer.lower()
        options = []
        for m in _YEAR.finditer(question):
            if m.group(0) in context and m.group(0) not in answer:
                options.append(("year", m.group(0)))
        for name in self.names_in(question):
            if name.lower() in lowered and name.lower() not in answer_l and len(name) > 2:
                options.append(("country" if name in self.country_set else "name", name))
        if not options:
            return None
        kind, old = self.rng.choice(options)
        for _ in range(10):
            if kind == "year":
                new = str(int(old) + self.rng.choice([-1, 1]) * self.rng.randint(2, 40))
            elif kind == "country":
                new = self.rng.choice(self.countries)
            else:
                pool = self.names.get(len(old.split()), [])
                if not pool:
                    return None
                new = self.rng.choice(pool)
            if new.lower() not in lowered and new.lower() != old.lower() and new not in question:
                return re.sub(rf"(?<!\w){re.escape(old)}(?!\w)", new, question, count=1)
        return None


def make_examples(articles: list[dict], ambiguous: set[str], rates: dict[str, float], rng: random.Random):
    """All examples of the train file: each question's plain (or headline) positive and its near misses."""
    swapper = Swapper(rng)
    for article in articles:
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                swapper.learn(qa["question"])
    examples: list[Example] = []
    for article in articles:
        title = article["title"].replace("_", " ")
        contexts = [p["context"] for p in article["paragraphs"]]
        for i, paragraph in enumerate(article["paragraphs"]):
            context = paragraph["context"]
            for qa in paragraph["qas"]:
                if qa["id"] in ambiguous or not qa["answers"]:
                    continue
                q, a = qa["question"], qa["answers"][0]
                start, text = a["answer_start"], a["text"]
                split = without_answer(context, start, text)
                if split and rng.random() < rates["headline"] and len(split[0].split()) <= 25:
                    said, kept = split
                    at = said.find(text)
                    if at >= 0:
                        examples.append(Example(q, said, kept, at, text, "headline", in_title=True))
                    else:
                        examples.append(Example(q, title, context, start, text, "plain"))
                else:
                    examples.append(Example(q, title, context, start, text, "plain"))
                if split and rng.random() < rates["removed"]:
                    examples.append(Example(q, title, split[1], -1, "", "removed"))
                if rng.random() < rates["swapped"] and (other_q := swapper.swap(q, f"{title} {context}", text)):
                    examples.append(Example(other_q, title, context, -1, "", "swapped"))
                if len(contexts) > 1 and rng.random() < rates["other"]:
                    other = rng.choice([j for j in range(len(contexts)) if j != i])
                    examples.append(Example(q, title, contexts[other], -1, "", "other"))
    return examples
