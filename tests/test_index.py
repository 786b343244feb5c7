"""Vector index kinds on random vectors: HNSW recall against exact, tombstones, filtering, save/load, auto."""

from __future__ import annotations

import numpy as np
import pytest

from embeddings import index as index_module
from embeddings.index import VectorIndex

DIM = 48


def unit(rows: int, seed: int = 0) -> np.ndarray:
    """Clustered unit vectors (like embeddings of related news), not uniform noise."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((50, DIM))
    x = centres[rng.integers(0, 50, rows)] + 0.7 * rng.standard_normal((rows, DIM))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def filled(kind: str, n: int = 3000, start: int = 1) -> tuple[VectorIndex, np.ndarray, np.ndarray]:
    ids = np.arange(start, start + n, dtype=np.int64)
    vecs = unit(n)
    index = VectorIndex(DIM, kind=kind)
    index.add(ids, vecs)
    return index, ids, vecs


def top_ids(index: VectorIndex, q: np.ndarray, k: int = 10, allowed=None) -> list[int]:
    return [i for i, _ in index.search(q, k, allowed=allowed)]


def test_hnsw_recall_against_exact():
    flat, _, _ = filled("flat")
    hnsw, _, _ = filled("hnsw")
    assert not flat.is_hnsw and hnsw.is_hnsw
    queries = unit(100, seed=1)
    recall = np.mean([len(set(top_ids(flat, q)) & set(top_ids(hnsw, q))) / 10 for q in queries])
    assert recall >= 0.95
    best, score = hnsw.search(queries[0], 1)[0]
    assert score == pytest.approx(float(flat.vectors([best])[best] @ queries[0]), abs=1e-5)


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_removed_ids_never_come_back(kind):
    index, ids, vecs = filled(kind)
    gone = ids[:100]
    assert index.remove(gone) == 100
    assert index.remove(gone) == 0  # already removed
    assert len(index) == len(ids) - 100
    assert not set(index.ids()) & set(gone.tolist())
    for q in vecs[:100]:  # each removed vector's own query would find it first
        assert not set(top_ids(index, q, 20)) & set(gone.tolist())
    assert index.vectors(gone[:5].tolist()) == {}
    assert len(index.vectors(ids[100:105].tolist())) == 5


def test_hnsw_rebuilds_once_tombstones_pass_the_share():
    index, ids, _ = filled("hnsw", n=1000)
    index.remove(ids[:50])
    assert index.index.ntotal == 1000  # tombstones only
    index.remove(ids[50:150])  # past REBUILD_SHARE (10%)
    assert index.index.ntotal == 850 and len(index) == 850
    assert set(index.ids().tolist()) == set(ids[150:].tolist())


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_allowed_ids_filter_the_search(kind, monkeypatch):
    index, ids, _ = filled(kind)
    flat, _, _ = filled("flat")
    q = unit(1, seed=2)[0]
    few = ids[::50]  # 60 ids: scored exactly on HNSW
    assert top_ids(index, q, 10, few) == top_ids(flat, q, 10, few)
    many = ids[::2]  # through the graph with a selector on HNSW
    monkeypatch.setattr(index_module, "EXACT_ALLOWED", 100)
    found = top_ids(index, q, 10, many)
    assert set(found) <= set(many.tolist())
    assert len(set(found) & set(top_ids(flat, q, 10, many))) >= 9
    assert index.search(q, 10, allowed=np.array([], dtype=np.int64)) == []


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_save_and_load_round_trip(kind, tmp_path):
    index, ids, vecs = filled(kind)
    index.remove(ids[:10])
    path = tmp_path / "vectors.faiss"
    index.save(path)
    assert not index.dirty
    again = VectorIndex.load_or_create(path, DIM, kind)
    assert again.is_hnsw == (kind == "hnsw") and not again.dirty
    assert len(again) == len(ids) - 10
    assert set(again.ids().tolist()) == set(ids[10:].tolist())
    q = vecs[3]  # a removed vector
    assert top_ids(again, q) == top_ids(index, q)
    assert again.vectors([int(ids[3])]) == {}
    with pytest.raises(ValueError, match="dimension"):
        VectorIndex.load_or_create(path, DIM + 1)


def test_auto_switches_to_hnsw_once_the_corpus_is_large(tmp_path, monkeypatch):
    monkeypatch.setattr(index_module, "AUTO_HNSW_AT", 1000)
    index = VectorIndex(DIM)
    vecs = unit(1500)
    index.add(np.arange(1, 801), vecs[:800])
    assert not index.is_hnsw
    index.add(np.arange(801, 1201), vecs[800:1200])
    assert index.is_hnsw and len(index) == 1200
    assert np.allclose(index.vectors([5])[5], vecs[4])
    index.remove(np.arange(1, 400))  # shrinking does not convert back ...
    assert index.is_hnsw
    path = tmp_path / "vectors.faiss"
    index.save(path)
    assert VectorIndex.load_or_create(path, DIM).is_hnsw
    flat = VectorIndex.load_or_create(path, DIM, "flat")  # ... asking for flat does
    assert not flat.is_hnsw and flat.dirty and len(flat) == len(index)


def test_library_opens_with_the_index_kind_asked_for(tmp_path, fake_encoder):
    from embeddings import Library
    from embeddings.models import Article

    articles = [
        Article(id=f"a{i}", title=f"Tariff story {i}", text=f"Steel tariffs rose {i} percent.") for i in range(5)
    ]
    with Library.open(tmp_path, encoder=fake_encoder) as library:
        library.ingest_articles(articles)
        assert not library.index.is_hnsw
    with Library.open(tmp_path, encoder=fake_encoder, index_kind="hnsw") as library:
        assert library.index.is_hnsw and len(library.index) == 5  # converted from the stored vectors, saved
        assert library.search("steel tariffs", k=3)
    with Library.open(tmp_path, encoder=fake_encoder) as library:
        assert library.index.is_hnsw
    assert fake_encoder.texts_encoded == 5 + 1  # the passages and one query: the conversion embedded nothing


def test_a_large_graphs_new_vectors_wait_in_an_exact_tail(tmp_path, monkeypatch):
    """Past TAIL_FROM, new vectors go to an exact tail (an insert into a big graph is slow): they are searched,
    filtered, removed and read back like the graph's, join it past TAIL_MAX or when saved, and a save of the
    graph alone (a replica's snapshot) leaves them out, up to `graph_through`."""
    monkeypatch.setattr(index_module, "TAIL_FROM", 1000)
    monkeypatch.setattr(index_module, "TAIL_MAX", 300)
    index, ids, vecs = filled("hnsw", n=1000)
    new_ids, new = np.arange(5001, 5201, dtype=np.int64), unit(200, seed=9)
    index.add(new_ids, new)
    assert index.index.ntotal == 1000 and len(index) == 1200  # the graph untouched, the tail counted
    assert index.graph_through() == 1000
    for n in (0, 57, 199):  # each new vector's own query finds it first, as the graph's would
        assert index.search(new[n], 3)[0] == (int(new_ids[n]), pytest.approx(1.0, abs=1e-5))
    assert top_ids(index, new[5], 3, allowed=np.array([5006, 5010, 7]))[0] == 5006
    assert np.allclose(index.vectors([5001])[5001], new[0]) and set(new_ids.tolist()) <= set(index.ids().tolist())
    assert index.remove(np.array([5001, 5002, 1])) == 3 and len(index) == 1197
    assert 5001 not in top_ids(index, new[0], 10)

    snapshot = tmp_path / "graph.faiss"
    index.save(snapshot, merge_tail=False)
    assert len(VectorIndex.load_or_create(snapshot, DIM)) == 999  # the graph alone; the tail is read again
    index.add(np.arange(6001, 6151, dtype=np.int64), unit(150, seed=3))  # past TAIL_MAX: the tail joins
    assert index.index.ntotal == 1348 and len(index) == 1347 and index.graph_through() == 6150
    index.add(np.array([7001], dtype=np.int64), unit(1, seed=4))
    index.save(tmp_path / "all.faiss")
    assert len(VectorIndex.load_or_create(tmp_path / "all.faiss", DIM)) == 1348
