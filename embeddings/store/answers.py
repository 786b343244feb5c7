"""Answers given (with the question, the answer and its citations as shown) and the feedback on them
(migration m002): the 👍 / 👎 of the bot's buttons, one vote per user and answer."""

from __future__ import annotations

import json
from dataclasses import dataclass

from embeddings.store.base import Records, now_iso


@dataclass
class StoredAnswer:
    id: int
    question: str
    context: str
    answer: dict  # Answer.to_json() plus the fields the renderer needs
    message: str | None


class AnswerRecords(Records):
    """The answers and feedback tables."""

    def add(self, answer: dict, *, guild: str = "", channel: str = "", user: str = "", context: str = "") -> int:
        with self.store.transaction():
            row = self.db.execute(
                """INSERT INTO answers(at, guild, channel, "user", question, context, answer)
                   VALUES (?,?,?,?,?,?,?) RETURNING id""",
                (now_iso(), guild, channel, user, answer["question"], context, json.dumps(answer, ensure_ascii=False)),
            ).fetchone()
        return int(row[0])

    def set_message(self, answer_id: int, message: str) -> None:
        with self.store.transaction():
            self.db.execute("UPDATE answers SET message = ? WHERE id = ?", (message, answer_id))

    def _stored_answer(self, row) -> StoredAnswer | None:
        if row is None:
            return None
        return StoredAnswer(row["id"], row["question"], row["context"], json.loads(row["answer"]), row["message"])

    def get(self, answer_id: int) -> StoredAnswer | None:
        return self._stored_answer(self.db.execute("SELECT * FROM answers WHERE id = ?", (answer_id,)).fetchone())

    def for_message(self, message: str) -> StoredAnswer | None:
        row = self.db.execute("SELECT * FROM answers WHERE message = ?", (message,)).fetchone()
        return self._stored_answer(row)

    def add_feedback(self, answer_id: int, user: str, vote: int) -> tuple[int, int]:
        """Store a 👍 (+1) or 👎 (-1); returns the answer's (up, down) counts."""
        with self.store.transaction():
            self.db.execute(
                """INSERT INTO feedback(answer_id, "user", vote, at) VALUES (?,?,?,?)
                   ON CONFLICT(answer_id, "user") DO UPDATE SET vote = excluded.vote, at = excluded.at""",
                (answer_id, user, 1 if vote > 0 else -1, now_iso()),
            )
            up, down = self.db.execute(
                "SELECT count(*) FILTER (WHERE vote > 0), count(*) FILTER (WHERE vote < 0) FROM feedback"
                " WHERE answer_id = ?",
                (answer_id,),
            ).fetchone()
        return int(up), int(down)
