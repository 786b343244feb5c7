"""Near-copy detection for syndicated stories: MinHash over word 5-grams, LSH bands kept in SQLite."""

from __future__ import annotations

import zlib

import numpy as np

from embeddings.analysis import normalise_for_match

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
SHINGLE = 5
# Estimated Jaccard at or above which two texts are the same story (syndicated or lightly edited).
NEAR_COPY = 0.6

_PRIME = np.uint64((1 << 61) - 1)
_rng = np.random.default_rng(20250328)  # fixed: signatures must match across runs and machines
_A = _rng.integers(1, (1 << 61) - 1, NUM_PERM, dtype=np.uint64)
_B = _rng.integers(0, (1 << 61) - 1, NUM_PERM, dtype=np.uint64)


def signature(text: str) -> np.ndarray:
    """MinHash signature (NUM_PERM uint32) of the text's word 5-grams."""
    words = normalise_for_match(text).split()
    grams = [" ".join(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))]
    hashes = np.unique(np.fromiter((zlib.crc32(g.encode()) for g in grams), dtype=np.uint64))
    # (a*x + b) mod p on 61-bit values: a*x can overflow uint64, which is fine for a hash family.
    mixed = (_A[:, None] * hashes[None, :] + _B[:, None]) % _PRIME
    return (mixed.min(axis=1) & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def bands(sig: np.ndarray) -> list[str]:
    """LSH band keys: texts sharing any band are candidates for a near-copy check."""
    return [f"{b}:{sig[b * ROWS : (b + 1) * ROWS].tobytes().hex()}" for b in range(BANDS)]


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.mean(a == b))
