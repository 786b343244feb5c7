"""The bot's one answering flow: a slot per user, the answer computed off the event loop, its embed and buttons,
the answer and the message it went out as recorded. /ask, an @mention (or a direct message) and a reply that
follows up on an answer all go through `Answerer.respond`; /timeline holds a slot the same way.

An object the client owns (`TradewireBot.answerer`) rather than methods of the client: the commands reach it through
`interaction.client.answerer` (typed by the Answering protocol in bot.commands.common), so neither they nor this
module import the client, and what differs between the entry points is said by their arguments: how the answer is
sent, what is done once the slot is held (/ask shows "thinking..."), and who tells the user when no answer can be
given (the command tree's error handler for /ask; a reply for a mention).
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Any

from discord import app_commands

from answering import Answer, ask
from bot import embeds
from bot.commands.common import UserError
from bot.views import answer_view

if TYPE_CHECKING:
    from bot.engine import Engine
    from bot.settings import Settings
    from embeddings import Library

FOLLOW_UP_CONTEXT_CHARS = 400


def follow_up_context(earlier_context: str, earlier_question: str) -> str:
    """What a follow-up is asked in: the question it replies to, after that question's own context, cut to the
    last FOLLOW_UP_CONTEXT_CHARS characters."""
    return f"{earlier_context} {earlier_question}".strip()[-FOLLOW_UP_CONTEXT_CHARS:]


class Answerer:
    """Answers questions for the client: its answer slots (a per-user cooldown and a cap on answers in progress)
    and the flow from question to recorded message."""

    def __init__(self, engine: Engine, library: Library, settings: Settings):
        self.engine = engine
        self.library = library
        self.settings = settings  # the client's own object: a change to it applies here too
        self._limits: dict[int, app_commands.Cooldown] = {}
        self._answering = 0

    @contextlib.contextmanager
    def slot(self, user_id: int) -> Iterator[None]:
        """Hold one of the answer slots for a user's question. UserError when the user asks faster than the
        per-user cooldown, or when `max_pending_answers` are already in progress or waiting."""
        settings = self.settings
        if self._answering >= settings.max_pending_answers:
            raise UserError("I'm answering a lot of questions right now. Please try again in a minute.")
        if settings.ask_rate > 0:
            if len(self._limits) > 10_000:  # forget users whose window has passed
                self._limits = {u: c for u, c in self._limits.items() if c.get_tokens() < c.rate}
            cooldown = self._limits.setdefault(user_id, app_commands.Cooldown(settings.ask_rate, settings.ask_per))
            retry = cooldown.update_rate_limit()
            if retry:
                raise UserError(f"You're asking faster than I can keep up. Try again in {retry:.0f} s.")
        self._answering += 1
        try:
            yield
        finally:
            self._answering -= 1

    async def answer(
        self,
        question: str,
        *,
        as_of: datetime | None = None,
        context: str = "",
        guild: int | None = None,
        channel: int | None = None,
        user: int | None = None,
    ) -> tuple[Answer, int]:
        """Retrieve and answer in the library thread; the answer is recorded (for feedback and follow-ups)."""
        result = await self.engine.run(
            ask,
            self.library,
            question,
            as_of=as_of,
            k=self.settings.top_k,
            context=context,
        )
        answer_id = await self.engine.run(
            self.library.records.answers.add,
            asdict(result),
            guild=str(guild or ""),
            channel=str(channel or ""),
            user=str(user or ""),
            context=context,
        )
        return result, answer_id

    async def respond(
        self,
        question: str,
        *,
        send: Callable[..., Awaitable[Any]],
        user: int,
        guild: int | None = None,
        channel: int | None = None,
        as_of: datetime | None = None,
        context: str = "",
        acknowledge: Callable[[], Awaitable[Any]] | None = None,
        refuse: Callable[[Exception], Awaitable[Any]] | None = None,
    ) -> None:
        """Answer `question` for `user` and send it: hold a slot, run `acknowledge` once it is held, answer and
        record the answer, let the slot go; then `send(embed=..., view=...)` (it returns the message sent) and
        record which message holds the answer, so a reply to it follows up and its buttons find it.

        When no answer can be given (no slot for the user, a library error), `refuse(error)` tells the user, or,
        with no `refuse`, the error is raised to the caller. Failures in sending are always raised: the answer
        was given, only its message is missing."""
        try:
            with self.slot(user):
                if acknowledge is not None:
                    await acknowledge()
                result, answer_id = await self.answer(
                    question, as_of=as_of, context=context, guild=guild, channel=channel, user=user
                )
        except Exception as exc:
            if refuse is None:
                raise
            await refuse(exc)
            return
        sent = await send(embed=embeds.answer_embed(result, context=context), view=answer_view(answer_id, result))
        await self.engine.run(self.library.records.answers.set_message, answer_id, str(sent.id))
