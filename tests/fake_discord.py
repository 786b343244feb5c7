"""A fake Discord for end-to-end tests: the real discord.py client talks to it over HTTP and a websocket.

`FakeDiscord` is an aiohttp server on 127.0.0.1 (ephemeral port) that plays one guild ("general" and "news"
text channels, a bot, an owner, an admin and a plain member):

- gateway (`/gateway`): HELLO, heartbeat ACKs, IDENTIFY -> READY + full GUILD_CREATE, RESUME -> replay of
  missed dispatches + RESUMED, REQUEST_GUILD_MEMBERS -> one GUILD_MEMBERS_CHUNK. Plain-text JSON frames (the
  `compress` query parameter is ignored; discord.py only decompresses binary frames). Message events honour
  the GUILD_MESSAGES and MESSAGE_CONTENT intents like Discord does.
- REST (`/api/v10`): login, application info, command sync, interaction callbacks (with_response), followups
  and @original edits, channel messages (replies, edits, deletes, 403 on a forbidden channel), DMs. Every
  request is recorded; unknown routes answer a Discord-style 404.
- drivers for tests: `slash`, `autocomplete`, `click`, `post_message` dispatch what a user would do;
  `Interaction` records what the bot answered; `messages` holds every message the bot created, as full message
  payloads.

Discord behaviours kept because bots get them wrong: the first followup after a deferral replaces the
"thinking" message (and inherits its ephemeral flag); a second callback is refused (40060); `mentions` are
computed from content and `allowed_mentions` (kept under `_allowed_mentions`); the bot's own messages come
back as MESSAGE_CREATE. Use `patch_discord(monkeypatch)` to point discord.py at the fake, and
`async with fake.running(client): ...` to run a client against it.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

API_PREFIX = "/api/v10"
DISCORD_EPOCH_MS = 1420070400000

ADMINISTRATOR, MANAGE_GUILD, ADD_REACTIONS = 1 << 3, 1 << 5, 1 << 6
VIEW_CHANNEL, SEND_MESSAGES, EMBED_LINKS, ATTACH_FILES = 1 << 10, 1 << 11, 1 << 14, 1 << 15
READ_MESSAGE_HISTORY, USE_APPLICATION_COMMANDS = 1 << 16, 1 << 31
BASIC_PERMISSIONS = (
    VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY | ADD_REACTIONS | EMBED_LINKS | ATTACH_FILES
) | USE_APPLICATION_COMMANDS
ALL_PERMISSIONS = 0x1F_7FFF_FFFF_FFFF  # discord.Permissions.all()
EPHEMERAL, LOADING = 1 << 6, 1 << 7
# flags a bot may set on a message: SUPPRESS_EMBEDS, SUPPRESS_NOTIFICATIONS, IS_COMPONENTS_V2
SETTABLE_FLAGS = 1 << 2 | 1 << 12 | 1 << 15
INTENT_GUILD_MESSAGES, INTENT_DIRECT_MESSAGES, INTENT_MESSAGE_CONTENT = 1 << 9, 1 << 12, 1 << 15
_NAME = re.compile(r"^[-_\w]{1,32}$")


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _public(message: dict) -> dict:
    """The wire form of a stored message: private bookkeeping keys (leading underscore) dropped."""
    return {k: copy.deepcopy(v) for k, v in message.items() if not k.startswith("_")}


def _walk(node: Any):
    """Every component (a dict with a custom_id) in a components tree, whatever the nesting."""
    if isinstance(node, dict):
        if "custom_id" in node:
            yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


class DiscordError(Exception):
    """Raised by a route handler to answer with Discord's error shape."""

    def __init__(self, status: int, code: int, message: str, errors: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.body = status, {"message": message, "code": code}
        if errors:
            self.body["errors"] = errors


@dataclass
class Request:
    """One REST request the fake received."""

    method: str
    path: str  # without the /api/v10 prefix
    query: dict[str, str]
    json: Any  # parsed JSON body, or multipart payload_json, or None
    at: float  # time.monotonic()
    files: list[dict] = field(default_factory=list)  # multipart uploads: {"filename", "content_type", "data"}
    status: int = 0


class Interaction:
    """A record of one interaction the fake dispatched, and of everything the bot answered to it."""

    def __init__(self, fake: FakeDiscord, payload: dict) -> None:
        self._fake, self.payload = fake, payload
        self.id: str = payload["id"]
        self.token: str = payload["token"]
        self.type: int = payload["type"]
        self.channel_id = int(payload["channel_id"])
        self.callbacks: list[dict] = []  # callback bodies ({"type", "data"}) plus "at"
        self.followups: list[dict] = []  # messages created via POST /webhooks/{app}/{token} (live objects)
        self.edits: list[dict] = []  # snapshots of the message after each webhook PATCH, plus "at"
        self.dispatched_at = time.monotonic()
        self.original_id: int | None = None  # what /messages/@original points at
        self.component_message_id = int(payload["message"]["id"]) if "message" in payload else None
        self._message_ids: list[int] = []

    def __repr__(self) -> str:
        name = self.payload["data"].get("name") or self.payload["data"].get("custom_id")
        return f"<Interaction {name!r} callbacks={[c['type'] for c in self.callbacks]} followups={len(self.followups)}>"

    @property
    def done(self) -> bool:
        final = any(c["type"] in (4, 7, 8, 9) for c in self.callbacks)
        return final or bool(self.followups) or bool(self.edits)

    async def wait_done(self, timeout: float = 30) -> None:
        """Until the interaction has a final response (a type 4/7 callback, a followup, or an @original edit)."""
        await self._fake._wait_until(lambda: self.done, timeout, lambda: f"a final response to {self!r}")

    @property
    def first_response_delay(self) -> float:
        """Seconds from dispatch to the first callback (inf if there is none yet)."""
        return self.callbacks[0]["at"] - self.dispatched_at if self.callbacks else float("inf")

    @property
    def messages(self) -> list[dict]:
        """The visible result messages in order of appearance, each in its current state."""
        out, seen = [], set()
        for mid in self._message_ids:
            msg = self._fake._store.get(mid)
            if mid not in seen and msg and not msg.get("_deleted") and not msg["flags"] & LOADING:
                out.append(msg)
            seen.add(mid)
        return out


class _Conn:
    """One gateway websocket; a single writer task keeps frames in order."""

    def __init__(self, ws: web.WebSocketResponse) -> None:
        self.ws, self.queue = ws, asyncio.Queue()
        self.writer = asyncio.create_task(self._write())

    async def _write(self) -> None:
        with contextlib.suppress(ConnectionError, RuntimeError):
            while True:
                await self.ws.send_str(await self.queue.get())

    def send(self, payload: dict) -> None:
        self.queue.put_nowait(json.dumps(payload))  # serialised now: later changes to the fake's state don't leak


class FakeDiscord:
    def __init__(self, *, heartbeat_interval_ms: int = 1000, callback_deadline: float | None = None) -> None:
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.callback_deadline = callback_deadline  # e.g. 3.0: later first callbacks get 404 Unknown interaction
        self._last_id = 0
        self.bot_user_id = self.application_id = self._snowflake()
        self.guild_id, self.channel_id, self.second_channel_id = self._snowflake(), self._snowflake(), self._snowflake()
        self.bot_user = self._user_payload(self.bot_user_id, "tradewire", bot=True)
        self.bot_user.update(verified=True, mfa_enabled=False, flags=0, email=None)
        self.roles: list[dict] = [self._role(self.guild_id, "@everyone", 0)]
        self.channels = {cid: self._text_channel(cid, name, i) for i, (cid, name) in enumerate(self._channel_names())}
        self.members: dict[int, dict] = {}
        self.requests: list[Request] = []
        self.commands: dict[str, list[dict]] = {"global": []}
        self.messages: dict[int, list[dict]] = {}
        self.interactions: list[Interaction] = []
        self.heartbeat_acks: list[float] = []
        self.identifies = self.resumes = 0
        self.nonce_hits = 0  # posts answered with the message an earlier post with the same nonce made
        self.shard_sessions: list[list[int]] = []  # shards identified without the guild (another shard has it)
        self.errors: list[str] = []  # the fake's own failures (answered 400 at once: discord.py retries 500s slowly)
        self._store: dict[int, dict] = {}  # every message (bot and users) by id
        self._by_token: dict[str, Interaction] = {}
        self._dm_channels: dict[int, dict] = {}  # DM channel id -> channel payload
        self._forbidden: set[int] = set()
        self.post_delay = 0.0  # seconds each POST /channels/{id}/messages takes (a slow API, for crash tests)
        self._changed = asyncio.Event()
        self._session_id: str | None = None
        self._seq, self._log, self._intents, self._shard = 0, [], 0, None
        self._conn: _Conn | None = None
        self._conns: set[_Conn] = set()
        self._ready_sent = False
        self._runner: web.AppRunner | None = None
        self.api_base = self.gateway_url = ""
        bot_role = self._role(self._snowflake(), "tradewire", BASIC_PERMISSIONS, managed=True)
        bot_role["tags"] = {"bot_id": str(self.bot_user_id)}
        self.roles.append(bot_role)
        self.members[self.bot_user_id] = self._member_payload(self.bot_user, [bot_role["id"]])
        owner = self.add_user("owner", permissions=BASIC_PERMISSIONS | MANAGE_GUILD | ADMINISTRATOR)
        self.owner_id = int(owner["id"])
        self.admin = self.add_user("admin", permissions=BASIC_PERMISSIONS | MANAGE_GUILD | ADMINISTRATOR)
        self.member = self.add_user("member")

    def _channel_names(self):
        return [(self.channel_id, "general"), (self.second_channel_id, "news")]

    # ---------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/{tail:.*}", self._http)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"
        self.api_base, self.gateway_url = self.base_url + API_PREFIX, f"ws://127.0.0.1:{port}/gateway"

    async def close(self) -> None:
        self._conn = None
        for conn in list(self._conns):
            await conn.ws.close(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def patch_discord(self, monkeypatch) -> None:
        """Point discord.py's REST base and default gateway at this fake (undone by monkeypatch)."""
        import discord.gateway
        import discord.http
        import yarl

        monkeypatch.setattr(discord.http.Route, "BASE", self.api_base)
        monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(self.gateway_url))

    @contextlib.asynccontextmanager
    async def running(self, client, token: str = "fake-token", *, timeout: float = 10, wait_client_ready: bool = True):
        """Run `client.start(token)` in a task until the fake sent READY (and the client fired on_ready); then
        close the client and await its task. Fails fast if the client dies while starting."""
        task = asyncio.create_task(client.start(token))
        ready = asyncio.create_task(self.wait_ready(timeout))
        try:
            await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
            if task.done():
                task.result()
                raise RuntimeError("the client stopped before READY")
            ready.result()
            if wait_client_ready:
                await asyncio.wait_for(client.wait_until_ready(), timeout)
            yield client
        finally:
            ready.cancel()
            await client.close()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # ---------------------------------------------------------------- guild model

    def _snowflake(self) -> int:
        self._last_id = max((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22, self._last_id + 1)
        return self._last_id

    @staticmethod
    def _user_payload(uid: int, name: str, *, bot: bool = False) -> dict:
        user = {"id": str(uid), "username": name, "global_name": None if bot else name.title(), "discriminator": "0"}
        return user | {"avatar": None, "bot": bot, "system": False, "public_flags": 0}

    @staticmethod
    def _role(rid: int, name: str, permissions: int, *, managed: bool = False) -> dict:
        return {
            "id": str(rid), "name": name, "permissions": str(permissions), "position": 0 if name == "@everyone" else 1,
            "color": 0, "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False, "icon": None, "unicode_emoji": None, "managed": managed, "mentionable": False, "flags": 0,
        }  # fmt: skip

    def _text_channel(self, cid: int, name: str, position: int) -> dict:
        return {
            "id": str(cid), "type": 0, "guild_id": str(self.guild_id), "name": name, "position": position,
            "permission_overwrites": [], "topic": None, "nsfw": False, "last_message_id": None,
            "rate_limit_per_user": 0, "parent_id": None, "flags": 0, "default_auto_archive_duration": 1440,
        }  # fmt: skip

    @staticmethod
    def _member_payload(user: dict, roles: list[str]) -> dict:
        return {
            "user": user, "roles": roles, "nick": None, "avatar": None, "banner": None, "joined_at": _now(),
            "premium_since": None, "deaf": False, "mute": False, "flags": 0, "pending": False,
            "communication_disabled_until": None,
        }  # fmt: skip

    def add_user(self, name: str, *, permissions: int = BASIC_PERMISSIONS, bot: bool = False) -> dict:
        """Add a guild member whose permissions are exactly `permissions` (via a role of its own); returns the user.
        When a gateway session is live, GUILD_ROLE_CREATE and GUILD_MEMBER_ADD are dispatched too."""
        user = self._user_payload(self._snowflake(), name, bot=bot)
        role = self._role(self._snowflake(), f"{name} role", permissions)
        self.roles.append(role)
        self.members[int(user["id"])] = member = self._member_payload(user, [role["id"]])
        self._dispatch("GUILD_ROLE_CREATE", {"guild_id": str(self.guild_id), "role": role})
        self._dispatch("GUILD_MEMBER_ADD", {**member, "guild_id": str(self.guild_id)})
        return user

    def forbid_channel(self, channel_id: int) -> None:
        """Deny the bot Send Messages in a channel: POST /channels/{id}/messages answers 403 (50013), and the
        channel gets a member overwrite (dispatched as CHANNEL_UPDATE when a session is live)."""
        self._forbidden.add(channel_id)
        channel = self.channels[channel_id]
        channel["permission_overwrites"].append(
            {"id": str(self.bot_user_id), "type": 1, "allow": "0", "deny": str(SEND_MESSAGES)}
        )
        self._dispatch("CHANNEL_UPDATE", channel)

    def _permissions(self, uid: int, channel_id: int | None = None) -> int:
        member = self.members[uid]
        roles = {r["id"]: int(r["permissions"]) for r in self.roles}
        perms = roles[str(self.guild_id)]
        for rid in member["roles"]:
            perms |= roles.get(rid, 0)
        if perms & ADMINISTRATOR or uid == self.owner_id:
            return ALL_PERMISSIONS
        for ow in self.channels.get(channel_id, {}).get("permission_overwrites", []):
            if ow["type"] == 1 and int(ow["id"]) == uid:
                perms = (perms & ~int(ow["deny"])) | int(ow["allow"])
        return perms

    def _guild_payload(self) -> dict:
        return {
            "id": str(self.guild_id), "name": "Tradewire Test Guild", "icon": None, "splash": None,
            "discovery_splash": None, "banner": None, "description": None, "owner_id": str(self.owner_id),
            "afk_channel_id": None, "afk_timeout": 300, "verification_level": 0, "default_message_notifications": 0,
            "explicit_content_filter": 0, "mfa_level": 0, "nsfw_level": 0, "premium_tier": 0,
            "premium_subscription_count": 0, "premium_progress_bar_enabled": False, "preferred_locale": "en-US",
            "features": [], "system_channel_id": str(self.channel_id), "system_channel_flags": 0,
            "rules_channel_id": None, "public_updates_channel_id": None, "safety_alerts_channel_id": None,
            "vanity_url_code": None, "max_members": 500000, "max_video_channel_users": 25, "application_id": None,
            "widget_enabled": False, "roles": self.roles, "emojis": [], "stickers": [],
            "channels": list(self.channels.values()), "threads": [], "members": list(self.members.values()),
            "presences": [], "voice_states": [], "stage_instances": [], "guild_scheduled_events": [],
            "soundboard_sounds": [], "member_count": len(self.members), "large": False, "unavailable": False,
            "joined_at": _now(), "lazy": True, "incidents_data": None,
        }  # fmt: skip

    def _channel(self, channel_id: int) -> dict:
        channel = self.channels.get(channel_id) or self._dm_channels.get(channel_id)
        if channel is None:
            raise DiscordError(404, 10003, "Unknown Channel")
        return channel

    def _dm_channel(self, user: dict) -> dict:
        for channel in self._dm_channels.values():
            if channel["recipients"][0]["id"] == user["id"]:
                return channel
        cid = self._snowflake()
        self._dm_channels[cid] = {"id": str(cid), "type": 1, "recipients": [user], "last_message_id": None, "flags": 0}
        return self._dm_channels[cid]

    # ---------------------------------------------------------------- waiting

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_until(self, check, timeout: float, what) -> Any:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not (result := check()):
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"timed out after {timeout}s waiting for {what() if callable(what) else what}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)
        return result

    async def wait_ready(self, timeout: float = 10) -> None:
        """Until IDENTIFY was received and READY + GUILD_CREATE were sent."""
        await self._wait_until(lambda: self._ready_sent, timeout, "IDENTIFY (did the client start?)")

    async def wait_for_message(self, channel_id: int, predicate=lambda m: True, timeout: float = 10) -> dict:
        """The first message the bot created in a channel (already or later) matching `predicate`; "thinking"
        (deferred, still loading) and deleted messages are skipped."""

        def find():
            return next((m for m in self.messages.get(channel_id, []) if self._visible(m) and predicate(m)), None)

        return await self._wait_until(find, timeout, f"a bot message in channel {channel_id}")

    @staticmethod
    def _visible(message: dict) -> bool:
        return not message.get("_deleted") and not message["flags"] & LOADING

    # ---------------------------------------------------------------- gateway

    def _dispatch(self, event: str, data: dict) -> None:
        if self._session_id is None:
            return
        self._seq += 1
        frame = json.dumps({"op": 0, "t": event, "s": self._seq, "d": data})
        self._log.append((self._seq, frame))
        if self._conn is not None:
            self._conn.queue.put_nowait(frame)

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        conn = _Conn(ws)
        self._conns.add(conn)
        conn.send({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
        try:
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    self._on_gateway(conn, json.loads(msg.data))
        finally:
            if self._conn is conn:
                self._conn = None
            self._conns.discard(conn)
            conn.writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await conn.writer
        return ws

    def _on_gateway(self, conn: _Conn, msg: dict) -> None:
        op, d = msg.get("op"), msg.get("d")
        if op == 1:  # HEARTBEAT
            conn.send({"op": 11})
            self.heartbeat_acks.append(time.monotonic())
        elif op == 2 and self._not_our_shard(d.get("shard")):  # IDENTIFY by a shard the guild is not on
            self.identifies += 1
            self.shard_sessions.append(d["shard"])
            ready = {
                "v": 10, "user": self.bot_user, "guilds": [], "session_id": secrets.token_hex(16),
                "session_type": "normal", "resume_gateway_url": self.gateway_url, "shard": d["shard"],
                "application": {"id": str(self.application_id), "flags": 0}, "private_channels": [],
                "presences": [], "relationships": [], "user_settings": {}, "_trace": ["fake-discord"],
            }  # fmt: skip
            conn.send({"op": 0, "t": "READY", "s": 1, "d": ready})
        elif op == 2:  # IDENTIFY
            self.identifies += 1
            self._session_id, self._seq, self._log = secrets.token_hex(16), 0, []
            self._intents, self._shard, self._conn = d.get("intents", 0), d.get("shard"), conn
            ready = {
                "v": 10, "user": self.bot_user, "guilds": [{"id": str(self.guild_id), "unavailable": True}],
                "session_id": self._session_id, "session_type": "normal", "resume_gateway_url": self.gateway_url,
                "application": {"id": str(self.application_id), "flags": 0}, "private_channels": [],
                "presences": [], "relationships": [], "user_settings": {}, "_trace": ["fake-discord"],
            }  # fmt: skip
            if self._shard is not None:
                ready["shard"] = self._shard
            self._dispatch("READY", ready)
            self._dispatch("GUILD_CREATE", self._guild_payload())
            self._ready_sent = True
        elif op == 6:  # RESUME
            if d.get("session_id") != self._session_id:
                conn.send({"op": 9, "d": False})
                return
            self.resumes += 1
            self._conn = conn
            for seq, frame in self._log:
                if seq > (d.get("seq") or 0):
                    conn.queue.put_nowait(frame)
            self._dispatch("RESUMED", {"_trace": ["fake-discord"]})
        elif op == 8:  # REQUEST_GUILD_MEMBERS
            members = [m for m in self.members.values() if m["user"]["username"].startswith(d.get("query") or "")]
            if d.get("user_ids"):
                members = [m for m in self.members.values() if int(m["user"]["id"]) in map(int, d["user_ids"])]
            chunk = {"guild_id": d["guild_id"], "members": members, "chunk_index": 0, "chunk_count": 1}
            self._dispatch("GUILD_MEMBERS_CHUNK", chunk | {"nonce": d.get("nonce"), "not_found": []})
        self._notify()

    async def disconnect_gateway(self) -> None:
        """Close the websocket (code 4000) so the client reconnects and RESUMEs; events meanwhile are replayed."""
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.ws.close(code=4000)

    # ---------------------------------------------------------------- messages

    def _mentions(self, content: str, allowed: dict | None, replied: dict | None) -> tuple[list, list, bool]:
        """Who a message pings: what its content mentions, filtered by allowed_mentions (absent: everything)."""
        parse = None if allowed is None else allowed.get("parse", [])
        users = []
        for uid in dict.fromkeys(int(x) for x in re.findall(r"<@!?(\d+)>", content)):
            ok = parse is None or "users" in parse or str(uid) in map(str, allowed.get("users", []))
            if ok and uid in self.members:
                users.append(uid)
        if replied is not None and int(replied["id"]) not in users:
            if allowed is None or allowed.get("replied_user"):
                users.append(int(replied["id"]))
        mentions = []
        for uid in users:
            member = {k: v for k, v in self.members[uid].items() if k != "user"}
            mentions.append({**self.members[uid]["user"], "member": member})
        roles = [
            rid
            for rid in dict.fromkeys(re.findall(r"<@&(\d+)>", content))
            if parse is None or "roles" in parse or rid in map(str, allowed.get("roles", []))
        ]
        everyone = bool(re.search(r"@(everyone|here)", content)) and (parse is None or "everyone" in parse)
        return mentions, roles, everyone

    def _attachments(self, channel_id: int, files: list[dict]) -> list[dict]:
        out = []
        for f in files:
            aid = self._snowflake()
            url = f"{self.base_url}/attachments/{channel_id}/{aid}/{f['filename']}"
            meta = {"id": str(aid), "filename": f["filename"], "size": len(f["data"]), "url": url, "proxy_url": url}
            out.append(meta | {"content_type": f["content_type"]})
        return out

    def _new_message(self, channel_id: int, author: dict, body: dict, *, type_: int = 0, files=(), reference=None):
        content = body.get("content") or ""
        replied = reference["author"] if reference else None
        mentions, roles, everyone = self._mentions(content, body.get("allowed_mentions"), replied)
        msg = {
            "id": str(self._snowflake()), "channel_id": str(channel_id), "type": type_, "content": content,
            "author": author, "embeds": body.get("embeds") or [], "components": body.get("components") or [],
            "attachments": self._attachments(channel_id, list(files)), "mentions": mentions, "mention_roles": roles,
            "mention_everyone": everyone, "timestamp": _now(), "edited_timestamp": None, "tts": bool(body.get("tts")),
            "pinned": False, "flags": int(body.get("flags") or 0), "reactions": [], "nonce": body.get("nonce"),
            "_allowed_mentions": body.get("allowed_mentions"),
        }  # fmt: skip
        if channel_id in self.channels:
            msg["guild_id"] = str(self.guild_id)
        if reference is not None:
            msg["type"] = 19
            msg["message_reference"] = {"type": 0, "message_id": reference["id"], "channel_id": str(channel_id)}
            msg["message_reference"]["guild_id"] = msg.get("guild_id")
            msg["referenced_message"] = {k: v for k, v in _public(reference).items() if k != "referenced_message"}
        self._store[int(msg["id"])] = msg
        return msg

    def _bot_message(self, channel_id: int, body: dict, *, files=(), interaction: Interaction | None = None, **kw):
        msg = self._new_message(channel_id, self.bot_user, body, files=files, **kw)
        if interaction is not None:
            user = interaction.payload.get("member", {}).get("user") or interaction.payload.get("user")
            meta = {"id": interaction.id, "type": interaction.type, "user": user}
            meta["authorizing_integration_owners"] = interaction.payload["authorizing_integration_owners"]
            if interaction.type == 2:
                meta["name"] = interaction.payload["data"]["name"]
                msg["type"] = 20
            else:
                meta["interacted_message_id"] = str(interaction.component_message_id)
            msg |= {"webhook_id": str(self.application_id), "application_id": str(self.application_id)}
            msg["interaction_metadata"] = meta
            interaction._message_ids.append(int(msg["id"]))
        self.messages.setdefault(channel_id, []).append(msg)
        self._message_event("MESSAGE_CREATE", msg)
        return msg

    def _edit(self, msg: dict, body: dict, files: list[dict]) -> dict:
        body = body or {}
        for key in ("embeds", "components"):
            if key in body:
                msg[key] = body[key] or []
        if "content" in body or "allowed_mentions" in body:
            msg["content"] = body.get("content", msg["content"]) or ""
            msg["_allowed_mentions"] = body.get("allowed_mentions", msg["_allowed_mentions"])
            msg["mentions"], msg["mention_roles"], msg["mention_everyone"] = self._mentions(
                msg["content"], msg["_allowed_mentions"], None
            )
        if "flags" in body:  # ephemeral-ness and loading are not the bot's to change
            msg["flags"] = (msg["flags"] & (EPHEMERAL | LOADING)) | (int(body["flags"] or 0) & SETTABLE_FLAGS)
        if "attachments" in body:
            keep = {str(a.get("id")) for a in body["attachments"] or []}
            msg["attachments"] = [a for a in msg["attachments"] if a["id"] in keep]
        msg["attachments"] += self._attachments(int(msg["channel_id"]), files)
        if msg["flags"] & LOADING:
            msg["flags"] &= ~LOADING
        else:
            msg["edited_timestamp"] = _now()
        self._message_event("MESSAGE_UPDATE", msg)
        return msg

    def _delete(self, msg: dict) -> None:
        msg["_deleted"] = True
        if not msg["flags"] & EPHEMERAL:
            event = {"id": msg["id"], "channel_id": msg["channel_id"]}
            self._dispatch("MESSAGE_DELETE", event | ({"guild_id": msg["guild_id"]} if "guild_id" in msg else {}))

    def _message_event(self, event: str, msg: dict) -> None:
        """MESSAGE_CREATE/UPDATE as the bot's intents allow (ephemeral messages are never dispatched)."""
        guild = "guild_id" in msg
        if msg["flags"] & EPHEMERAL or not self._intents & (INTENT_GUILD_MESSAGES if guild else INTENT_DIRECT_MESSAGES):
            return
        payload = _public(msg)
        if guild:
            payload["member"] = {k: v for k, v in self.members[int(msg["author"]["id"])].items() if k != "user"}
        own = msg["author"]["id"] == self.bot_user["id"]
        mentioned = any(m["id"] == self.bot_user["id"] for m in msg["mentions"])
        if guild and not own and not mentioned and not self._intents & INTENT_MESSAGE_CONTENT:
            payload.update(content="", embeds=[], attachments=[], components=[])
        self._dispatch(event, payload)

    # ---------------------------------------------------------------- user actions

    async def post_message(
        self,
        content: str,
        *,
        author: dict | None = None,
        channel_id: int | None = None,
        mention_bot: bool = False,
        reply_to: dict | None = None,
    ) -> dict:
        """A user posts a message (MESSAGE_CREATE); `reply_to` makes it a reply that pings the replied-to author."""
        author = self.members[int((author or self.member)["id"])]["user"]
        reference = self._store[int(reply_to["id"])] if reply_to else None
        channel_id = channel_id or (int(reference["channel_id"]) if reference else self.channel_id)
        if mention_bot:
            content = f"<@{self.bot_user_id}> {content}"
        msg = self._new_message(channel_id, author, {"content": content}, reference=reference)
        self._message_event("MESSAGE_CREATE", msg)
        return msg

    async def _find_command(self, name: str, guild: bool, timeout: float = 2.0) -> dict:
        def find():
            keys = [f"guild:{self.guild_id}", "global"] if guild else ["global"]
            return next((c for k in keys for c in self.commands.get(k, []) if c["name"] == name), None)

        def what():
            return f"/{name} to be registered (known: {[c['name'] for v in self.commands.values() for c in v]})"

        return await self._wait_until(find, timeout, what)

    def _option(self, definition: dict, value: Any, resolved: dict) -> Any:
        kind = definition["type"]
        if definition.get("choices") and value not in [c["value"] for c in definition["choices"]]:
            raise ValueError(f"{value!r} is not a choice of option {definition['name']!r}")
        if kind in (3, 4, 5, 10):
            return {3: str, 4: int, 5: bool, 10: float}[kind](value)
        sid = str(value["id"] if isinstance(value, dict) else value)
        if kind in (6, 9) and int(sid) in self.members:
            member = self.members[int(sid)]
            resolved.setdefault("users", {})[sid] = member["user"]
            extra = {"permissions": str(self._permissions(int(sid)))}
            resolved.setdefault("members", {})[sid] = {k: v for k, v in member.items() if k != "user"} | extra
        elif kind == 7:
            channel = self._channel(int(sid)) | {"permissions": str(ALL_PERMISSIONS)}
            resolved.setdefault("channels", {})[sid] = channel
        elif kind == 8:
            resolved.setdefault("roles", {})[sid] = next(r for r in self.roles if r["id"] == sid)
        return sid

    async def slash(
        self,
        name: str,
        options: dict | None = None,
        *,
        user: dict | None = None,
        channel_id: int | None = None,
        subcommand: str | None = None,
        guild: bool = True,
        focused: str | None = None,
    ) -> Interaction:
        """A user runs /name (guild commands first, then global; guild=False runs it in the user's DM with the
        bot). Options are typed from the registered definition; `subcommand` may be "sub" or "group sub".
        `focused`: the user is typing that option (an autocomplete interaction; see `autocomplete`)."""
        command = await self._find_command(name, guild)
        definitions, path = command.get("options", []), []
        for part in (subcommand or "").split():
            sub = next((o for o in definitions if o["name"] == part and o["type"] in (1, 2)), None)
            if sub is None:
                raise LookupError(f"/{name} has no subcommand {part!r}")
            path.append(sub)
            definitions = sub.get("options", [])
        if any(o["type"] in (1, 2) for o in definitions):
            raise ValueError(f"/{name} needs a subcommand: {[o['name'] for o in definitions]}")
        by_name, resolved, typed = {o["name"]: o for o in definitions}, {}, []
        for key, value in (options or {}).items():
            if key not in by_name:
                raise LookupError(f"/{name} {subcommand or ''} has no option {key!r}; it has {list(by_name)}")
            if key == focused:  # what the user has typed so far: sent as is, marked focused
                if not by_name[key].get("autocomplete"):
                    raise ValueError(f"option {key!r} of /{name} does not autocomplete")
                typed.append({"name": key, "type": by_name[key]["type"], "value": str(value), "focused": True})
                continue
            value = self._option(by_name[key], value, resolved)
            typed.append({"name": key, "type": by_name[key]["type"], "value": value})
        missing = [o["name"] for o in definitions if o.get("required") and o["name"] not in (options or {})]
        if missing and focused is None:  # Discord autocompletes before the required options are filled
            raise ValueError(f"/{name}: required options missing: {missing}")
        for sub in reversed(path):
            typed = [{"name": sub["name"], "type": sub["type"], "options": typed}]
        data = {"id": command["id"], "name": name, "type": command.get("type", 1), "options": typed}
        if resolved:
            data["resolved"] = resolved
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        return self._interact(4 if focused else 2, data, user=user, channel_id=channel_id, guild=guild)

    async def autocomplete(self, name: str, options: dict, focused: str, **kwargs) -> list[dict]:
        """A user types into option `focused` of /name (its value in `options`): the choices the bot offers
        (an APPLICATION_COMMAND_AUTOCOMPLETE_RESULT callback)."""
        interaction = await self.slash(name, options, focused=focused, **kwargs)
        await interaction.wait_done()
        (callback,) = interaction.callbacks
        assert callback["type"] == 8, callback
        return callback["data"]["choices"]

    async def click(
        self, message: dict, custom_id: str, *, user: dict | None = None, values: list[str] | None = None
    ) -> Interaction:
        """A user clicks a button (or picks `values` in a select) on a message the bot sent."""
        current = self._store.get(int(message["id"]))
        if current is None or current.get("_deleted"):
            raise LookupError(f"message {message['id']} does not exist")
        component = next((c for c in _walk(current["components"]) if c["custom_id"] == custom_id), None)
        if component is None:
            raise LookupError(f"no component {custom_id!r} on the message: {[c['custom_id'] for c in _walk(current)]}")
        if component.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled")
        data = {"custom_id": custom_id, "component_type": component["type"]}
        if component["type"] != 2:
            data["values"] = list(values or [])
        guild = "guild_id" in current
        return self._interact(3, data, user=user, channel_id=int(current["channel_id"]), guild=guild, message=current)

    def _interact(self, kind: int, data: dict, *, user, channel_id, guild: bool, message=None) -> Interaction:
        user = self.members[int((user or self.member)["id"])]["user"]
        uid, iid = int(user["id"]), self._snowflake()
        payload = {
            "id": str(iid), "application_id": str(self.application_id), "type": kind, "data": data,
            "token": f"itoken-{iid}-{secrets.token_urlsafe(16)}", "version": 1, "locale": "en-US",
            "entitlements": [], "attachment_size_limit": 25 * 1024 * 1024,
        }  # fmt: skip
        if guild:
            channel_id = channel_id or self.channel_id
            member = self.members[uid] | {"permissions": str(self._permissions(uid, channel_id))}
            payload |= {
                "guild_id": str(self.guild_id), "guild": {"id": str(self.guild_id), "locale": "en-US", "features": []},
                "guild_locale": "en-US", "member": member, "context": 0,
                "authorizing_integration_owners": {"0": str(self.guild_id)},
                "channel": self._channel(channel_id) | {"permissions": member["permissions"]},
                "app_permissions": str(self._permissions(self.bot_user_id, channel_id)),
            }  # fmt: skip
        else:
            channel = self._dm_channel(user)
            channel_id = int(channel["id"])
            payload |= {"user": user, "channel": channel, "context": 1, "authorizing_integration_owners": {"0": "0"}}
            payload["app_permissions"] = str(BASIC_PERMISSIONS)
        payload["channel_id"] = str(channel_id)
        if message is not None:
            payload["message"] = _public(message)
        interaction = Interaction(self, payload)
        self.interactions.append(interaction)
        self._by_token[interaction.token] = interaction
        self._dispatch("INTERACTION_CREATE", payload)
        return interaction

    # ---------------------------------------------------------------- REST

    async def _http(self, request: web.Request) -> web.Response:
        path = request.path.removeprefix(API_PREFIX)
        body, files = None, []
        if request.content_type == "multipart/form-data":
            async for part in await request.multipart():
                if part.name == "payload_json":
                    body = json.loads(await part.text())
                else:
                    ctype = part.headers.get("Content-Type", "application/octet-stream")
                    files.append({"filename": part.filename, "content_type": ctype, "data": await part.read()})
        elif raw := await request.read():
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode(errors="replace")
        rec = Request(request.method, path, dict(request.query), body, time.monotonic(), files)
        self.requests.append(rec)
        status, data = 404, {"message": "404: Not Found", "code": 0}
        for method, pattern, handler in self._routes():
            if method == request.method and (match := re.fullmatch(pattern, path)):
                try:
                    status, data = await handler(rec, *match.groups())
                except DiscordError as exc:
                    status, data = exc.status, exc.body
                except Exception as exc:  # a bug in the fake or a body it cannot read
                    self.errors.append(f"{request.method} {path}: {exc!r}")
                    status, data = 400, {"message": f"fake discord failed: {exc!r}", "code": 0}
                break
        rec.status = status
        self._notify()
        if status == 204 or data is None:
            return web.Response(status=204)
        return web.Response(status=status, body=json.dumps(data).encode(), headers={"Content-Type": "application/json"})

    def _routes(self):
        s = r"([^/]+)"
        return [
            ("GET", "/gateway/bot", self._get_gateway_bot),
            ("GET", "/gateway", self._get_gateway_bot),
            ("GET", "/users/@me", self._get_me),
            ("POST", "/users/@me/channels", self._create_dm),
            ("GET", "/oauth2/applications/@me", self._get_application),
            ("GET", "/applications/@me", self._get_application),
            ("GET", f"/applications/{s}/commands", self._get_commands),
            ("PUT", f"/applications/{s}/commands", self._put_commands),
            ("GET", f"/applications/{s}/guilds/{s}/commands", self._get_commands),
            ("PUT", f"/applications/{s}/guilds/{s}/commands", self._put_commands),
            ("POST", f"/interactions/{s}/{s}/callback", self._callback),
            ("POST", f"/webhooks/{s}/{s}", self._followup),
            ("GET", f"/webhooks/{s}/{s}/messages/{s}", self._webhook_message),
            ("PATCH", f"/webhooks/{s}/{s}/messages/{s}", self._webhook_message),
            ("DELETE", f"/webhooks/{s}/{s}/messages/{s}", self._webhook_message),
            ("GET", f"/channels/{s}", self._get_channel),
            ("GET", f"/channels/{s}/messages", self._get_history),
            ("POST", f"/channels/{s}/messages", self._post_channel_message),
            ("GET", f"/channels/{s}/messages/{s}", self._channel_message),
            ("PATCH", f"/channels/{s}/messages/{s}", self._channel_message),
            ("DELETE", f"/channels/{s}/messages/{s}", self._channel_message),
            ("POST", f"/channels/{s}/typing", self._no_content),
            ("PUT", f"/channels/{s}/messages/{s}/reactions/{s}/@me", self._no_content),
            ("GET", f"/guilds/{s}", self._get_guild),
            ("GET", f"/guilds/{s}/members/{s}", self._get_member),
        ]

    async def _no_content(self, rec, *_):
        return 204, None

    def _not_our_shard(self, shard: list[int] | None) -> bool:
        """Discord puts a guild on shard (guild id >> 22) % shard count; the others get READY with no guilds."""
        return bool(shard) and shard[1] > 1 and (self.guild_id >> 22) % shard[1] != shard[0]

    async def _get_gateway_bot(self, rec):
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return 200, {"url": self.gateway_url, "shards": 1, "session_start_limit": limit}

    async def _get_me(self, rec):
        return 200, self.bot_user

    async def _create_dm(self, rec):
        return 200, self._dm_channel(self.members[int(rec.json["recipient_id"])]["user"])

    async def _get_application(self, rec):
        return 200, {
            "id": str(self.application_id), "name": "tradewire", "icon": None, "description": "", "summary": "",
            "bot_public": True, "bot_require_code_grant": False, "verify_key": "0" * 64, "flags": 0,
            "owner": self.members[self.owner_id]["user"], "team": None, "bot": self.bot_user, "rpc_origins": [],
            "redirect_uris": [], "interactions_endpoint_url": None, "tags": [],
        }  # fmt: skip

    def _check_app(self, app: str) -> None:
        if app != str(self.application_id):
            raise DiscordError(404, 10002, "Unknown Application")

    async def _get_commands(self, rec, app, guild=None):
        self._check_app(app)
        return 200, self.commands.get(f"guild:{guild}" if guild else "global", [])

    async def _put_commands(self, rec, app, guild=None):
        self._check_app(app)
        if guild is not None and guild != str(self.guild_id):
            raise DiscordError(404, 10004, "Unknown Guild")
        key = f"guild:{guild}" if guild else "global"
        old = {(c["name"], c["type"]): c["id"] for c in self.commands.get(key, [])}
        out = []
        for index, body in enumerate(rec.json or []):
            self._validate_command(index, body)
            defaults = {"type": 1, "description": "", "options": [], "default_member_permissions": None}
            cmd = defaults | {"dm_permission": True, "nsfw": False, "contexts": None} | copy.deepcopy(body)
            if cmd["default_member_permissions"] is not None:  # sent as an int, returned as a string
                cmd["default_member_permissions"] = str(cmd["default_member_permissions"])
            cmd["id"] = old.get((cmd["name"], cmd["type"])) or str(self._snowflake())
            cmd |= {"application_id": str(self.application_id), "version": str(self._snowflake())}
            if guild:
                cmd["guild_id"] = guild
            out.append(cmd)
        self.commands[key] = out
        return 200, out

    @staticmethod
    def _validate_command(index: int, body: dict) -> None:
        """The checks of Discord's that discord.py does not always make itself (answers 400, code 50035)."""
        problems = []

        def check(node: dict, where: str, chat_input: bool) -> None:
            if chat_input and (not _NAME.match(node["name"]) or node["name"] != node["name"].lower()):
                problems.append(f"{where}.name {node['name']!r} is not a valid lowercase name")
            if chat_input and not 1 <= len(node.get("description") or "") <= 100:
                problems.append(f"{where}.description must be 1-100 characters")
            options = node.get("options") or []
            if len(options) > 25:
                problems.append(f"{where}.options: at most 25")
            required = [bool(o.get("required")) for o in options if o["type"] not in (1, 2)]
            if required != sorted(required, reverse=True):
                problems.append(f"{where}.options: required options must come before optional ones")
            for i, option in enumerate(options):
                check(option, f"{where}.options.{i}", True)

        check(body, str(index), body.get("type", 1) == 1)
        if problems:
            raise DiscordError(400, 50035, "Invalid Form Body", {"problems": problems})

    def _interaction_for(self, token: str, app: str | None = None) -> Interaction:
        interaction = self._by_token.get(token)
        if interaction is None or (app is not None and app != str(self.application_id)):
            raise DiscordError(404, 10015, "Unknown Webhook")
        return interaction

    async def _callback(self, rec, iid, token):
        interaction = self._by_token.get(token)
        if interaction is None or interaction.id != iid:
            raise DiscordError(404, 10062, "Unknown interaction")
        late = self.callback_deadline is not None and rec.at - interaction.dispatched_at > self.callback_deadline
        if late and not interaction.callbacks:
            raise DiscordError(404, 10062, "Unknown interaction")
        if interaction.callbacks:
            raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
        body = rec.json or {}
        kind, data = body.get("type"), body.get("data") or {}
        if kind in (6, 7) and interaction.component_message_id is None:
            raise DiscordError(400, 50035, "Invalid Form Body", {"type": f"{kind} needs a component interaction"})
        interaction.callbacks.append({**body, "at": rec.at})
        message = None
        if kind == 4:
            message = self._bot_message(interaction.channel_id, data, files=rec.files, interaction=interaction)
        elif kind == 5:
            flags = LOADING | (int(data.get("flags") or 0) & EPHEMERAL)
            message = self._bot_message(interaction.channel_id, {"flags": flags}, interaction=interaction)
        elif kind in (6, 7):
            interaction.original_id = interaction.component_message_id
            if kind == 7:
                message = self._edit(self._store[interaction.component_message_id], data, rec.files)
                interaction._message_ids.append(interaction.component_message_id)
        if message is not None and kind != 7:
            interaction.original_id = int(message["id"])
        meta = {"id": interaction.id, "type": interaction.type}
        if message is not None:
            meta |= {"response_message_id": message["id"], "response_message_loading": kind == 5}
            meta["response_message_ephemeral"] = bool(message["flags"] & EPHEMERAL)
        resource = {"type": kind} | ({"message": _public(message)} if message is not None else {})
        return 200, {"interaction": meta, "resource": resource}

    async def _followup(self, rec, app, token):
        interaction = self._interaction_for(token, app)
        if not interaction.callbacks:
            raise DiscordError(404, 10015, "Unknown Webhook")
        original = self._store.get(interaction.original_id or 0)
        body = rec.json or {}
        if original is not None and original["flags"] & LOADING:
            # Discord: the first followup after a deferral replaces the "thinking" message, ephemeral or not.
            message = self._edit(original, body, rec.files)
        else:
            flags = {"flags": int(body.get("flags") or 0) & (EPHEMERAL | SETTABLE_FLAGS)}
            message = self._bot_message(interaction.channel_id, body | flags, files=rec.files, interaction=interaction)
        interaction.followups.append(message)
        wait = rec.query.get("wait", "").lower() in ("1", "true")
        return (200, _public(message)) if wait else (204, None)

    async def _webhook_message(self, rec, app, token, mid):
        interaction = self._interaction_for(token, app)
        msg_id = interaction.original_id if mid == "@original" else int(mid)
        owned = {interaction.original_id, *map(int, (m["id"] for m in interaction.followups))}
        msg = self._store.get(msg_id or 0)
        if msg is None or msg_id not in owned or msg.get("_deleted"):
            raise DiscordError(404, 10008, "Unknown Message")
        if rec.method == "GET":
            return 200, _public(msg)
        if rec.method == "DELETE":
            self._delete(msg)
            return 204, None
        self._edit(msg, rec.json, rec.files)
        interaction._message_ids.append(msg_id)
        interaction.edits.append({**_public(msg), "at": rec.at})
        return 200, _public(msg)

    async def _get_channel(self, rec, cid):
        return 200, self._channel(int(cid))

    async def _get_history(self, rec, cid):
        self._channel(int(cid))
        found = [_public(m) for m in self._store.values() if m["channel_id"] == cid and not m.get("_deleted")]
        return 200, found[::-1][: int(rec.query.get("limit", 50))]

    async def _post_channel_message(self, rec, cid):
        channel_id, body = int(cid), rec.json or {}
        self._channel(channel_id)
        if channel_id in self._forbidden:
            raise DiscordError(403, 50013, "Missing Permissions")
        reference = None
        if ref := body.get("message_reference"):
            reference = self._store.get(int(ref["message_id"]))
            if (reference is None or reference.get("_deleted")) and ref.get("fail_if_not_exists", True):
                errors = {"message_reference": {"_errors": [{"code": "REPLIES_UNKNOWN_MESSAGE"}]}}
                raise DiscordError(400, 50035, "Invalid Form Body", errors)
        body = body | {"flags": int(body.get("flags") or 0) & SETTABLE_FLAGS}
        if self.post_delay:
            await asyncio.sleep(self.post_delay)  # the message is made even if the client is gone meanwhile
        if body.get("enforce_nonce") and body.get("nonce"):  # Discord: the bot's message with this nonce, if any
            for earlier in self.messages.get(channel_id, []):
                if earlier.get("nonce") == str(body["nonce"]) and earlier["author"]["id"] == self.bot_user["id"]:
                    self.nonce_hits += 1
                    return 200, _public(earlier)
        return 200, _public(self._bot_message(channel_id, body, files=rec.files, reference=reference))

    async def _channel_message(self, rec, cid, mid):
        msg = self._store.get(int(mid))
        if msg is None or msg["channel_id"] != cid or msg.get("_deleted") or msg["flags"] & EPHEMERAL:
            raise DiscordError(404, 10008, "Unknown Message")
        if rec.method == "GET":
            return 200, _public(msg)
        if rec.method == "DELETE":
            self._delete(msg)
            return 204, None
        if msg["author"]["id"] != self.bot_user["id"]:
            raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
        return 200, _public(self._edit(msg, rec.json, rec.files))

    async def _get_guild(self, rec, gid):
        if gid != str(self.guild_id):
            raise DiscordError(404, 10004, "Unknown Guild")
        return 200, {k: v for k, v in self._guild_payload().items() if k not in ("channels", "members", "threads")}

    async def _get_member(self, rec, gid, uid):
        if gid != str(self.guild_id) or int(uid) not in self.members:
            raise DiscordError(404, 10007, "Unknown Member")
        return 200, self.members[int(uid)]
