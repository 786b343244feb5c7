"""A serving process's FAISS copy of the vectors a PostgreSQL store holds: built at start, then caught up from the
database by two watermarks, the newest passage it has and the newest removal it has applied.

Catching up costs one small query when nothing changed, so it runs before every search: a story ingested on one
machine is answerable on every other from the next question on. Writers of passages hold an advisory lock for
their transaction (embeddings.db.INGEST_LOCK), so passage numbers and removals commit in order and a watermark
never skips a row that commits late.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext

import numpy as np

from embeddings import status
from embeddings.index import IndexKind, VectorIndex
from embeddings.store import Store

log = logging.getLogger(__name__)

BATCH = 20_000  # vectors read per query while catching up (30 MB at 384 dimensions)


class Replica:
    def __init__(self, store: Store, dim: int, kind: IndexKind = "auto"):
        self.store = store
        self.index = VectorIndex(dim, kind=kind)
        self.through = 0  # every passage up to this id that has a vector is in the index
        self.removed_through = 0  # every removal up to this number is applied

    def catch_up(self) -> int:
        """Apply what was written since the last call; returns how many vectors were added or removed."""
        top, removed_top = self.store.vector_watermarks()
        if top <= self.through and removed_top <= self.removed_through:
            return 0
        changed = 0
        if removed_top > self.removed_through:
            removals = self.store.removals_after(self.removed_through)
            if removals:
                changed += self.index.remove(np.array([pid for _, pid in removals], dtype=np.int64))
                self.removed_through = removals[-1][0]
        first = self.through == 0 and top > BATCH
        with status.step(f"loading {top:,} vectors from the database") if first else nullcontext():
            while self.through < top:
                ids, vectors = self.store.vectors_after(self.through, BATCH)
                if not len(ids):
                    break
                self.index.add(ids, vectors)
                self.through = int(ids[-1])
                changed += len(ids)
        self.index.dirty = False  # nothing to save: the database is the copy that lasts
        return changed
