"""FAISS vectors keyed by passage id (the SQLite row id). Saved atomically: a crash leaves the old file or
the new one, never half of one.

Two kinds, both `IndexIDMap2` over normalised vectors (inner product = cosine):
- `flat`: exact. Search time grows with the corpus (about 12 ms a query at 100k vectors on 2 cores).
- `hnsw`: approximate (`IndexHNSWFlat`, full vectors, so scores and `vectors()` stay exact) at about 1 ms a
  query. HNSW cannot delete: a removed id becomes a tombstone that an IDSelector keeps out of results; saving
  marks tombstoned slots -1 in the id map, so the file carries them, and the graph is rebuilt from the live
  vectors once tombstones pass REBUILD_SHARE of it.
`auto` (the default) is flat until the corpus reaches AUTO_HNSW_AT vectors, then converts to HNSW once, from
the stored vectors; it does not convert back when the corpus shrinks (ask for `flat` to do that).

New vectors of a large HNSW index go to a small exact *tail* first: inserting into a graph of a million vectors costs
about 5 ms a vector on 2 cores (bench/replica.py: 5.8 s for 1,000), searching a tail of 20,000 about 2 ms. The
tail joins the graph when it passes TAIL_MAX, and before the index is saved (`save(merge_tail=False)` writes
the graph alone, for a replica's snapshot, which reads the tail again from the database).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Literal

import faiss
import numpy as np

from embeddings.threads import one_thread

IndexKind = Literal["auto", "flat", "hnsw"]
AUTO_HNSW_AT = 100_000  # measured by bench/speed.py: flat search passes ~10 ms a query around here
HNSW_M = 32  # graph links per node: ~260 bytes a vector on top of its 1,536
HNSW_EF_CONSTRUCTION = 40
HNSW_EF_SEARCH = 256  # bench/speed.py: recall@10 0.966 at 1M (128 gave 0.911), p50 1.6 ms
HNSW_MAX_EF = 1024
REBUILD_SHARE = 0.1  # rebuild the HNSW graph once this share of its vectors are tombstones
EXACT_ALLOWED = 20_000  # filtered HNSW search scores at most this many allowed vectors exactly instead
TAIL_MAX = 50_000  # an HNSW index's new vectors wait in an exact tail until there are this many ...
TAIL_FROM = 50_000  # ... once its graph is this large (a smaller graph takes inserts cheaply)


def _new_index(kind: str, dim: int) -> faiss.Index:
    if kind == "hnsw":
        hnsw = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        return faiss.IndexIDMap2(hnsw)
    return faiss.IndexIDMap2(faiss.IndexFlatIP(dim))


class VectorIndex:
    """Inner-product search over normalised vectors (cosine), exact or HNSW (see the module docstring)."""

    def __init__(self, dim: int, index: faiss.Index | None = None, kind: IndexKind = "auto"):
        self.dim = dim
        self.kind = kind
        self.ef_search = HNSW_EF_SEARCH
        self.index = index if index is not None else _new_index("hnsw" if kind == "hnsw" else "flat", dim)
        self._dead: set[int] = set()  # removed from an HNSW index, slots not yet marked -1
        self._marked = int((self._id_map() == -1).sum()) if self.is_hnsw else 0
        self._sorted: tuple[np.ndarray, np.ndarray] | None = None  # (sorted ids, their slots), for exact search
        self._tail: faiss.IndexIDMap2 | None = None  # an HNSW index's newest vectors, searched exactly
        self.dirty = False
        self._fit()

    @classmethod
    def load_or_create(cls, path: Path, dim: int, kind: IndexKind = "auto") -> VectorIndex:
        if path.exists():
            index = faiss.read_index(str(path))
            if index.d != dim:
                raise ValueError(f"vector index at {path} has dimension {index.d}, expected {dim}")
            return cls(dim, index, kind)
        return cls(dim, kind=kind)

    @property
    def is_hnsw(self) -> bool:
        return isinstance(faiss.downcast_index(self.index.index), faiss.IndexHNSW)

    def __len__(self) -> int:
        return int(self.index.ntotal) - self._marked - len(self._dead) + self._tail_size

    @property
    def _tail_size(self) -> int:
        return int(self._tail.ntotal) if self._tail is not None else 0

    def graph_through(self) -> int:
        """The highest id in the index apart from its tail (0 when empty): what `save(merge_tail=False)` holds."""
        ids = self._id_map()
        return int(ids.max()) if len(ids) else 0

    def _id_map(self) -> np.ndarray:
        return faiss.vector_to_array(self.index.id_map).astype(np.int64)

    def ids(self) -> np.ndarray:
        ids = self._id_map()
        live = ids >= 0
        if self._dead:
            live &= ~np.isin(ids, np.fromiter(self._dead, dtype=np.int64))
        if self._tail is not None:
            return np.concatenate([ids[live], faiss.vector_to_array(self._tail.id_map).astype(np.int64)])
        return ids[live]

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if not len(ids):
            return
        vectors, ids = np.ascontiguousarray(vectors, dtype=np.float32), ids.astype(np.int64)
        self.dirty = True
        if self.is_hnsw and (self._tail is not None or self.index.ntotal >= TAIL_FROM):
            if self._tail is None:
                self._tail = faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))
            self._tail.add_with_ids(vectors, ids)
            if self._tail.ntotal > TAIL_MAX:
                self._merge_tail()
            return
        self.index.add_with_ids(vectors, ids)
        self._sorted = None
        self._fit()

    def _merge_tail(self) -> None:
        """The tail's vectors into the graph (the slow inserts, all at once)."""
        if self._tail is None:
            return
        tail, self._tail = self._tail, None
        if tail.ntotal:
            ids = faiss.vector_to_array(tail.id_map).astype(np.int64)
            self.index.add_with_ids(tail.index.reconstruct_n(0, tail.ntotal), ids)
            self._sorted = None

    def remove(self, ids: np.ndarray) -> int:
        if not len(ids):
            return 0
        removed = 0
        if self._tail is not None:
            removed = int(self._tail.remove_ids(faiss.IDSelectorBatch(ids.astype(np.int64))))
        if not self.is_hnsw:
            removed += int(self.index.remove_ids(faiss.IDSelectorBatch(ids.astype(np.int64))))
        else:
            present = np.unique(ids[np.isin(ids, self._id_map())])
            fresh = [int(i) for i in present if int(i) not in self._dead]
            self._dead.update(fresh)
            removed += len(fresh)
            if self._marked + len(self._dead) > REBUILD_SHARE * self.index.ntotal:
                self._rebuild("hnsw")
        self.dirty = self.dirty or removed > 0
        return removed

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(id, cosine) best first; `allowed` restricts the search to those ids."""
        if len(self) == 0 or k <= 0:
            return []
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        k = min(k, len(self))
        if allowed is not None:
            if not len(allowed):
                return []
            allowed = allowed.astype(np.int64)
        if self.is_hnsw and allowed is not None and len(allowed) <= EXACT_ALLOWED:
            found = self._exact(q[0], k, allowed)
        elif self.index.ntotal:
            params = self._params(k, allowed)
            with one_thread(faiss.omp_get_max_threads, faiss.omp_set_num_threads):  # 4x faster than two threads
                scores, ids = self.index.search(q, min(k, int(self.index.ntotal)), params=params)
            found = [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]
        else:
            found = []
        if self._tail is None or not self._tail.ntotal:
            return found
        params = None
        if allowed is not None:
            selector = faiss.IDSelectorBatch(allowed)
            params = faiss.SearchParameters(sel=selector)
            params.referenced_objects = [selector]
        with one_thread(faiss.omp_get_max_threads, faiss.omp_set_num_threads):
            scores, ids = self._tail.search(q, min(k, int(self._tail.ntotal)), params=params)
        found += [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]
        return sorted(found, key=lambda hit: -hit[1])[:k]

    def _params(self, k: int, allowed: np.ndarray | None) -> faiss.SearchParameters | None:
        """Search parameters: the allowed ids, tombstones to skip, and for HNSW the beam width."""
        if self.is_hnsw:
            params = faiss.SearchParametersHNSW(efSearch=max(self.ef_search, k))
            if allowed is not None:  # a selective filter needs a wider beam to fill k
                params.efSearch = min(HNSW_MAX_EF, max(params.efSearch, k * len(self) // len(allowed)))
        elif allowed is not None:
            params = faiss.SearchParameters()
        else:
            return None
        if allowed is not None:
            selector = faiss.IDSelectorBatch(allowed)
        elif self._marked or self._dead:
            tombstones = faiss.IDSelectorBatch(np.array([-1, *self._dead], dtype=np.int64))
            selector = faiss.IDSelectorNot(tombstones)
            selector.referenced_objects = [tombstones]
        else:
            return params
        params.sel = selector
        params.referenced_objects = [selector]  # FAISS holds raw pointers: keep the selectors alive
        return params

    def _exact(self, q: np.ndarray, k: int, allowed: np.ndarray) -> list[tuple[int, float]]:
        """Score the allowed vectors of an HNSW index one by one: exact, and cheap for a few thousand."""
        if self._sorted is None:
            id_map = self._id_map()
            order = np.argsort(id_map, kind="stable")
            self._sorted = (id_map[order], order)
        sorted_ids, order = self._sorted
        at = np.searchsorted(sorted_ids, allowed).clip(max=len(sorted_ids) - 1)
        found = sorted_ids[at] == allowed
        if self._dead:
            found &= ~np.isin(allowed, np.fromiter(self._dead, dtype=np.int64))
        ids, slots = allowed[found], order[at[found]]
        storage = faiss.downcast_index(faiss.downcast_index(self.index.index).storage)
        xb = faiss.rev_swig_ptr(storage.get_xb(), storage.ntotal * self.dim).reshape(-1, self.dim)
        scores = xb[slots] @ q
        top = np.argsort(-scores, kind="stable")[:k]
        return [(int(ids[i]), float(scores[i])) for i in top]

    def vectors(self, ids: list[int]) -> dict[int, np.ndarray]:
        out = {}
        for i in ids:
            if i in self._dead:
                continue
            for index in (self.index, self._tail) if self._tail is not None else (self.index,):
                try:
                    out[i] = index.reconstruct(int(i))
                    break
                except RuntimeError:
                    continue
        return out

    def _fit(self) -> None:
        """Convert to the kind asked for, or in `auto` to HNSW once the corpus is large enough."""
        hnsw = self.kind == "hnsw" or (self.kind == "auto" and (self.is_hnsw or len(self) >= AUTO_HNSW_AT))
        if hnsw != self.is_hnsw:
            self._rebuild("hnsw" if hnsw else "flat")

    def _rebuild(self, kind: str) -> None:
        """A new index of `kind` from the live vectors (dropping tombstones)."""
        self._merge_tail()
        ids = self._id_map()
        live = self.ids()
        vectors = self.index.index.reconstruct_n(0, self.index.ntotal)[np.isin(ids, live)]
        fresh = _new_index(kind, self.dim)
        fresh.add_with_ids(vectors, live)
        self.index = fresh
        self._dead.clear()
        self._marked = 0
        self._sorted = None
        self.dirty = True

    def _mark_dead(self) -> None:
        """Write tombstones into the id map (slot -> -1) so that a saved file carries them."""
        id_map = self._id_map()
        dead = np.isin(id_map, np.fromiter(self._dead, dtype=np.int64))
        id_map[dead] = -1
        faiss.copy_array_to_vector(id_map, self.index.id_map)
        self.index.construct_rev_map()
        self._marked += int(dead.sum())
        self._dead.clear()
        self._sorted = None

    def save(self, path: Path, *, merge_tail: bool = True) -> None:
        """Write to a temporary file in the same directory, fsync, then rename over the old one. The tail joins
        the graph first, unless `merge_tail` is False: then the file holds the graph alone (`graph_through`)."""
        if merge_tail:
            self._merge_tail()
        if self._dead:
            self._mark_dead()
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".vectors-", suffix=".tmp")
        os.close(fd)
        try:
            faiss.write_index(self.index, tmp)
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, path)
            dir_fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        self.dirty = False
