"""FAISS vectors keyed by passage id (the SQLite row id). Saved atomically: a crash leaves the old file or
the new one, never half of one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import faiss
import numpy as np


class VectorIndex:
    """Inner-product search over normalised vectors (cosine), exact (flat) for now."""

    def __init__(self, dim: int, index: faiss.Index | None = None):
        self.dim = dim
        self.index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self.dirty = False

    @classmethod
    def load_or_create(cls, path: Path, dim: int) -> VectorIndex:
        if path.exists():
            index = faiss.read_index(str(path))
            if index.d != dim:
                raise ValueError(f"vector index at {path} has dimension {index.d}, expected {dim}")
            return cls(dim, index)
        return cls(dim)

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def ids(self) -> np.ndarray:
        return faiss.vector_to_array(self.index.id_map).astype(np.int64)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids):
            self.index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids.astype(np.int64))
            self.dirty = True

    def remove(self, ids: np.ndarray) -> int:
        if not len(ids):
            return 0
        removed = int(self.index.remove_ids(faiss.IDSelectorBatch(ids.astype(np.int64))))
        self.dirty = self.dirty or removed > 0
        return removed

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(id, cosine) best first; `allowed` restricts the search to those ids."""
        if len(self) == 0 or k <= 0:
            return []
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        params = None
        if allowed is not None:
            if not len(allowed):
                return []
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed.astype(np.int64)))
        scores, ids = self.index.search(q, min(k, len(self)), params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def vectors(self, ids: list[int]) -> dict[int, np.ndarray]:
        out = {}
        for i in ids:
            try:
                out[i] = self.index.reconstruct(int(i))
            except RuntimeError:
                continue
        return out

    def save(self, path: Path) -> None:
        """Write to a temporary file in the same directory, fsync, then rename over the old one."""
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
