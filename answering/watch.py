"""Standing questions. A watch is a question asked again whenever new articles could change its answer; a
change is recorded as an update, which the bot posts (and `tradewire watch check` prints), only when it is one:

- a different answer (in SQuAD's normal form: "25%" = "25 percent") from a newer report than the current one;
  a rephrasing, the same figure from another outlet, or an older report is not a change;
- an answer that becomes an abstention is not a change (the old answer stands);
- an answer that flaps back to one posted within the last day (A, B, A) is damped: it becomes the current
  answer without a post;
- a change announced for a later day ("will cut … to 8% from 12%, effective March 1") is posted when it is
  announced, and again, once, when its day comes and the answer in force becomes it (the watch is asked again
  that day though no passage was added).

Updates wait in an outbox table (`watch_updates`) until posted, so a restart neither posts a change twice nor
loses one found while it was down. Re-asking is cheap: a round only re-asks the watches that some passage added
since their last check is close to (by meaning or by words); the others just move their watermark.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from answering.answer import ask
from answering.candidates import normal_form
from answering.question import Question
from answering.result import Answer
from embeddings.analysis import terms
from embeddings.errors import TradewireError
from embeddings.store.watches import Update, Watch

DAMPING = timedelta(days=1)
TOUCH_COSINE = 0.35  # a new passage this close to the question (or holding most of its words) may change it
TOUCH_WORDS = 0.6
MAX_WATCHES_PER_GUILD = 25


@dataclass
class RoundStats:
    watches: int = 0  # watches with new passages to consider
    asked: int = 0  # of those, re-asked because a new passage could touch them
    changed: int = 0
    damped: int = 0


def _reported(answer: dict) -> datetime | None:
    """When the newest report cited for an answer was published (to the second: two reports of one day differ)."""
    times = [datetime.fromisoformat(c["published"]) for c in answer.get("citations", []) if c.get("published")]
    return max(times, default=None)


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def answer_key(answer: dict) -> str:
    """What makes two answers (Answer.to_json() form) the same: the answer in SQuAD's normal form, and the
    change announced for a later day with its day, if any ("12%", then "12% -> 8% on 2027-03-01")."""
    key = normal_form(answer.get("answer") or "")
    if coming := answer.get("coming"):
        key += f" -> {normal_form(coming['answer'])} on {coming['on']}"
    return key


def _came(previous: dict | None, answer: dict, now: datetime) -> bool:
    """The change `previous` announced has come: its day is past and `answer` is what it announced."""
    coming = (previous or {}).get("coming")
    return (
        bool(coming) and coming["on"] <= now.date().isoformat() and answer_key(answer) == normal_form(coming["answer"])
    )


def _due(watch: Watch, now: datetime) -> bool:
    """The watch's answer announced a change whose day has come: ask it again, new passages or not."""
    coming = (watch.answer or {}).get("coming")
    return bool(coming) and coming["on"] <= now.date().isoformat()


class Watches:
    """Standing questions over a library: its watch records (embeddings/store/watches.py) and what counts as a
    change. Use from the library's thread, like the library."""

    def __init__(self, library, *, k: int = 8):
        self.library = library
        self.records = library.records.watches
        self.k = k
        self.last_round = RoundStats()

    def get(self, watch_id: int) -> Watch | None:
        return self.records.get(watch_id)

    def list(self, guild: str | None = None, *, servers: bool = False) -> list[Watch]:
        """A guild's watches ('' for the command line's), every server's (`servers`), or all of them."""
        return self.records.list(guild, servers=servers)

    def add(self, question: str, *, guild: str = "", channel: str = "", by: str = "") -> tuple[Watch, Update | None]:
        """Watch `question` (asked now; its answer is the first update, unless it abstains)."""
        q = Question.read(question)
        if guild and len(self.list(guild)) >= MAX_WATCHES_PER_GUILD:
            raise TradewireError(f"a server can have {MAX_WATCHES_PER_GUILD} standing questions; remove one first")
        through = self.records.newest_passage()
        result = ask(self.library, q, k=self.k, as_of=_now())
        with self.records.transaction():
            watch_id = self.records.add(q.text, guild=guild, channel=channel, by=by, at=_now(), through=through)
            if watch_id is None:
                raise TradewireError("that question is already watched there")
            watch = self.get(watch_id)
            assert watch is not None
            update = None if result.abstained else self._record(watch, result, _now())
        return self.get(watch.id) or watch, update

    def remove(self, watch_id: int, guild: str | None = None) -> bool:
        return self.records.remove(watch_id, guild)

    # --- rounds --------------------------------------------------------------------------------------
    def check(self, guild: str | None = None, *, servers: bool = False, everything: bool = False) -> list[Update]:
        """Re-ask the watches (of `guild`, of every server, or all) that the passages added since their last
        check could touch, and record the changes as pending updates; returns them. `everything` re-asks every
        watch."""
        now = _now()
        self.library.refresh()  # the vectors of passages other processes added: _touched compares with them
        through = self.records.newest_passage()
        watches = [
            w for w in self.list(guild, servers=servers) if everything or w.checked_through < through or _due(w, now)
        ]
        stats = RoundStats(watches=len(watches))
        read = {w.id: Question.read(w.question) for w in watches}  # each read once for the round
        touched = {w.id for w in (watches if everything else self._touched(watches, read))}
        touched |= {w.id for w in watches if _due(w, now)}
        updates = []
        for watch in watches:
            asked = watch.id in touched
            result = ask(self.library, read[watch.id], k=self.k, as_of=now) if asked else None
            with self.records.transaction():
                self.records.set_checked_through(watch.id, through)
                if result is not None:
                    stats.asked += 1
                    outcome = self._consider(watch, result, now)
                    if isinstance(outcome, Update):
                        updates.append(outcome)
                        stats.changed += 1
                    elif outcome == "damped":
                        stats.damped += 1
        self.last_round = stats
        return updates

    def _touched(self, watches: list[Watch], read: dict[int, Question]) -> list[Watch]:
        """The watches some passage newer than their watermark is close to, by meaning or by words."""
        if not watches:
            return []
        low = min(w.checked_through for w in watches)
        ids = self.records.passages_after(low)
        if not ids:
            return []
        vectors = self.library.index.vectors(ids)
        texts = dict(self.library.passage_texts(ids))
        questions = self.library.encoder.encode([w.question for w in watches])
        kept = [pid for pid in ids if pid in vectors]
        matrix = np.stack([vectors[pid] for pid in kept]) if kept else np.zeros((0, questions.shape[1]), np.float32)
        similarity = questions @ matrix.T
        words = {pid: set(terms(texts.get(pid, ""))) for pid in ids}
        touched = []
        for row, watch in enumerate(watches):
            fresh = [i for i, pid in enumerate(kept) if pid > watch.checked_through]
            if fresh and float(similarity[row, fresh].max()) >= TOUCH_COSINE:
                touched.append(watch)
                continue
            asked = read[watch.id].terms
            if asked and any(
                len(asked & words[pid]) >= TOUCH_WORDS * len(asked) for pid in ids if pid > watch.checked_through
            ):
                touched.append(watch)
        return touched

    def _consider(self, watch: Watch, result: Answer, now: datetime) -> Update | str | None:
        """Record `result` if it is a change; "damped" when it flaps back; None when nothing changes."""
        if result.abstained:
            return None  # an answer that becomes an abstention is not a change
        answer = result.to_json()
        key = answer_key(answer)
        if key == watch.answer_key:
            return None
        if watch.answer is not None and not _came(watch.answer, answer, now):
            before, after = _reported(watch.answer), _reported(answer)
            if not (after and (before is None or after > before)):
                return None  # not from a newer report: a rereading of old news, not news
        recent = [k for k, at in watch.history if now - datetime.fromisoformat(at) < DAMPING]
        if key in recent:
            self._set_current(watch, result, key, now, watch.history, watch.message)
            return "damped"
        return self._record(watch, result, now)

    def _record(self, watch: Watch, result: Answer, now: datetime) -> Update:
        """A new current answer and its pending update (inside the caller's transaction)."""
        key = answer_key(result.to_json())
        history = [(k, at) for k, at in watch.history if now - datetime.fromisoformat(at) < DAMPING]
        history.append((key, now.isoformat()))
        answer = result.to_json()
        update = self.records.add_update(watch, answer, now)
        self._set_current(watch, result, key, now, history, None)
        return update

    def _set_current(self, watch, result: Answer, key: str, now: datetime, history, message) -> None:
        self.records.set_current(watch.id, result.to_json(), key, now, history, message)

    # --- the outbox ----------------------------------------------------------------------------------
    def pending(self, guild: str | None = None, *, servers: bool = False) -> list[Update]:
        """Updates not posted yet, oldest first (of `guild`'s watches, of every server's, or all)."""
        return self.records.pending(guild, servers=servers)

    def delivered(self, update: Update, message: str | None = None, *, failed: str = "") -> None:
        """The update was posted (as `message`) or printed, or cannot be posted (`failed`, with the reason)."""
        self.records.delivered(update, answer_key(update.answer), message, failed)
