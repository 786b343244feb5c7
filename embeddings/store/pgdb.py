"""PostgreSQL's connection, shaped like the sqlite3 connection the store uses (`execute(...).fetchone()`, rows
read by name or position), over a psycopg connection pool; the advisory lock keys; and URL helpers."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from urllib.parse import urlsplit

from embeddings.errors import TradewireError

# Advisory lock keys (PostgreSQL): writers of passages take INGEST_LOCK for their transaction, so passage ids and
# removals commit in the order they were numbered and a replica catching up by watermark misses none.
MIGRATION_LOCK = 7_413_001
INGEST_LOCK = 7_413_002


def is_postgres_url(url: str) -> bool:
    return urlsplit(url).scheme in ("postgres", "postgresql")


def describe_url(url: str) -> str:
    """host:port/database of a connection URL, with no user name or password (for messages and logs)."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    return f"postgresql://{host}{port}{parts.path or '/'}"


@lru_cache(maxsize=1024)
def _pyformat(sql: str) -> str:
    """`?` placeholders as psycopg's `%s` (a literal `%` doubled). The store's SQL has no `?` in a string."""
    return sql.replace("%", "%%").replace("?", "%s")


class Row(tuple):
    """A result row read by position or by column name, like sqlite3.Row."""

    _names: dict[str, int]

    def __new__(cls, values: Sequence[object], names: dict[str, int]) -> Row:
        row = super().__new__(cls, values)
        row._names = names
        return row

    def __getitem__(self, key):  # type: ignore[override]
        if isinstance(key, str):
            key = self._names[key]
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


def _row_factory(cursor):
    names = {column.name: i for i, column in enumerate(cursor.description or ())}
    return lambda values: Row(values, names)


class Result:
    """A statement's rows, read at once (the connection goes back to the pool before the caller reads them)."""

    def __init__(self, rows: list[Row], rowcount: int):
        self.rows = rows
        self.rowcount = rowcount

    def fetchone(self) -> Row | None:
        return self.rows[0] if self.rows else None

    def fetchall(self) -> list[Row]:
        return self.rows

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)


class PostgresDatabase:
    """A psycopg connection pool behind the sqlite3-shaped calls the store makes. A statement outside a
    transaction runs on any free connection (autocommit); `transaction()` pins one connection to the calling
    thread until it commits."""

    def __init__(self, url: str, *, max_size: int = 4, connect_timeout: float = 10.0):
        try:
            import psycopg
            from psycopg_pool import ConnectionPool
        except ImportError:  # pragma: no cover - both are dependencies
            raise TradewireError("PostgreSQL needs psycopg: pip install 'psycopg[binary]' psycopg-pool") from None
        self.url = url
        self.where = describe_url(url)
        try:  # one connection first: a wrong URL is one clear line now, not a pool timeout later
            psycopg.connect(url, connect_timeout=int(connect_timeout)).close()
        except psycopg.Error as exc:
            reason = "; ".join(line.strip() for line in str(exc).splitlines() if line.strip()) or type(exc).__name__
            raise TradewireError(f"cannot connect to {self.where}: {reason}") from None
        self.pool = ConnectionPool(
            url,
            min_size=1,
            max_size=max_size,
            kwargs={"autocommit": True, "row_factory": _row_factory},
            timeout=60.0,
            name="tradewire",
            open=True,
        )
        self._local = threading.local()

    def _conn(self):
        return getattr(self._local, "conn", None)

    @staticmethod
    def _run(conn, sql: str, params: Sequence[object]) -> Result:
        cur = conn.execute(_pyformat(sql), list(params) if params else None)
        rows = cur.fetchall() if cur.description else []
        return Result(rows, cur.rowcount)

    def execute(self, sql: str, params: Sequence[object] = ()) -> Result:
        conn = self._conn()
        if conn is not None:
            return self._run(conn, sql, params)
        with self.pool.connection() as conn:
            return self._run(conn, sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        rows = list(rows)
        if not rows:
            return
        conn = self._conn()
        if conn is not None:
            conn.cursor().executemany(_pyformat(sql), rows)
            return
        with self.pool.connection() as conn, conn.transaction():
            conn.cursor().executemany(_pyformat(sql), rows)

    @contextmanager
    def transaction(self, lock: int | None = None) -> Iterator[PostgresDatabase]:
        """One transaction on one connection; `lock`: an advisory lock held until it ends. Nested calls join the
        outer transaction."""
        if self._conn() is not None:
            yield self
            return
        with self.pool.connection() as conn:
            self._local.conn = conn
            try:
                with conn.transaction():
                    if lock is not None:
                        conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock,))
                    yield self
            finally:
                self._local.conn = None

    def close(self) -> None:
        self.pool.close()
