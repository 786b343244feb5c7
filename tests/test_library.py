"""The knowledge base with the fake encoder: incremental ingest, updates, near-copies, filters, repair."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import numpy as np
import pytest

from embeddings import Library, TradewireError
from embeddings.chunking import chunk
from embeddings.models import Article
from embeddings.search import Filters
from tests.conftest import FIXTURES, FakeEncoder


def story(i: int, text: str, *, source="Example Wire", day=1, url="") -> Article:
    return Article(
        id=f"a{i}",
        title=f"Headline {i}",
        text=text,
        source=source,
        url=url,
        published=datetime(2025, 4, day, 12, tzinfo=UTC),
    )


LUMBER = (
    "Canada said on Tuesday it would answer the new lumber duty with tariffs of its own. "
    "The duty on softwood lumber rises to 34.5% next month, officials said. "
    "Mills in British Columbia expect to cut shifts."
)
STEEL = "The steel tariff doubled to 50% on June 4. Appliance makers warned of higher prices."


def consistent(lib: Library) -> bool:
    return set(lib.index.ids().tolist()) == set(lib.store.passage_ids().tolist())


def test_ingest_is_idempotent_and_does_no_embedding_the_second_time(library, fake_encoder):
    first = library.ingest([str(FIXTURES)])
    assert len(first.added) >= 6 and len(first.skipped) == 2  # mixed.jsonl holds two bad lines
    calls = fake_encoder.texts_encoded
    second = library.ingest([str(FIXTURES)])
    assert not second.added and not second.updated
    assert len(second.unchanged) == len(first.added) + len(first.updated)
    assert fake_encoder.texts_encoded == calls
    assert consistent(library)


def test_changed_article_replaces_its_passages(library):
    library.ingest_articles([story(1, LUMBER, url="https://x.test/1")])
    old_ids = set(library.store.passage_ids().tolist())
    report = library.ingest_articles([story(1, STEEL, url="https://x.test/1")])
    assert report.updated == ["a1"]
    new_ids = set(library.store.passage_ids().tolist())
    assert not old_ids & new_ids
    assert set(library.index.ids().tolist()) == new_ids
    assert library.search("lumber duty", k=5, mode="lexical") == []
    assert library.search("steel tariff", k=1)[0].text.startswith("The steel tariff doubled")


def test_same_url_under_another_id_is_an_update(library):
    library.ingest_articles([story(1, LUMBER, url="https://x.test/1")])
    report = library.ingest_articles([story(2, STEEL, url="https://x.test/1")])
    assert report.updated == ["a1"] and library.store.counts()["articles"] == 1


def test_syndicated_copy_is_one_story_with_two_sources(library):
    library.ingest_articles([story(1, LUMBER, source="Wire A")])
    copy = story(2, LUMBER.replace("officials said", "officials told reporters"), source="Paper B")
    report = library.ingest_articles([copy])
    assert report.merged == [("a2", "a1")] and report.passages == 0
    (hit,) = library.search("lumber duty", k=1)
    assert hit.article_id == "a1" and hit.also_sources == ["Paper B"]
    (item,) = library.latest(5)
    assert item.also_sources == ["Paper B"]


def test_newer_copy_from_the_same_source_updates_the_story(library):
    library.ingest_articles([story(1, LUMBER, day=1)])
    newer = story(2, LUMBER.replace("34.5%", "35%"), day=2)
    report = library.ingest_articles([newer])
    assert report.updated == ["a1"]
    assert "35%" in library.search("lumber duty", k=1)[0].text


def test_reingesting_a_story_and_its_newer_copy_changes_nothing(library, fake_encoder):
    """The older version must not overwrite the newer text it was replaced by, only for the newer one to
    replace it again: a second ingest of the same items is a no-op."""
    older, newer = story(1, LUMBER, day=1), story(2, LUMBER.replace("34.5%", "35%"), day=2)
    library.ingest_articles([older, newer])
    calls = fake_encoder.calls
    again = library.ingest_articles([story(1, LUMBER, day=1), story(2, LUMBER.replace("34.5%", "35%"), day=2)])
    assert again.updated == [] and sorted(again.unchanged) == ["a1", "a1"]
    assert fake_encoder.calls == calls  # nothing embedded again
    assert "35%" in library.search("lumber duty", k=1)[0].text


def test_as_of_and_source_filters(library):
    library.ingest_articles([story(1, LUMBER, day=1, source="Wire A"), story(2, STEEL, day=20, source="Paper B")])
    until = Filters(until=datetime(2025, 4, 10, tzinfo=UTC))
    assert {h.article_id for h in library.search("tariff duty", k=5, filters=until)} == {"a1"}
    assert {h.article_id for h in library.search("tariff duty", k=5, filters=Filters(source="paper"))} == {"a2"}
    for mode in ("dense", "lexical"):
        assert {h.article_id for h in library.search("tariff", k=5, filters=until, mode=mode)} <= {"a1"}


def test_latest_is_newest_first_and_topic_filters(library):
    library.ingest_articles([story(1, LUMBER, day=1), story(2, STEEL, day=20)])
    assert [a.id for a in library.latest(5)] == ["a2", "a1"]
    assert [a.id for a in library.latest(5, topic="softwood lumber duty")] == ["a1"]


def test_other_model_is_refused(tmp_path, fake_encoder):
    with Library.open(tmp_path, encoder=fake_encoder) as lib:
        lib.ingest_articles([story(1, LUMBER)])

    class Other(FakeEncoder):
        name = "some/other-model"

    with pytest.raises(TradewireError, match="built with model 'test/fake-bag-of-words'"):
        Library.open(tmp_path, encoder=Other())


def test_precision_follows_the_index_unless_asked(tmp_path):
    from embeddings.encoder import DEFAULT_MODEL, DEFAULT_PRECISION

    with Library.open(tmp_path / "new") as lib:  # nothing loads until something is encoded
        assert lib.encoder.precision == DEFAULT_PRECISION
    for built in ("float32", "int8"):
        home = tmp_path / built
        with Library.open(home, precision=built) as lib:
            lib.store.set_meta("model", lib.encoder.name)  # as the first ingest records it
        with Library.open(home) as lib:
            assert lib.encoder.precision == built
        other = "int8" if built == "float32" else "float32"
        with pytest.raises(TradewireError, match="TRADEWIRE_PRECISION"):
            Library.open(home, precision=other)
    with Library.open(tmp_path / "int8") as lib:
        assert lib.encoder.name == f"{DEFAULT_MODEL} (int8)"


def test_missing_and_stale_vectors_are_repaired_on_open(tmp_path, fake_encoder):
    with Library.open(tmp_path, encoder=fake_encoder) as lib:
        lib.ingest_articles([story(1, LUMBER), story(2, STEEL)])
        keep = lib.store.passage_ids()
    (tmp_path / "vectors.faiss").unlink()  # as if killed before the first checkpoint
    with Library.open(tmp_path, encoder=FakeEncoder()) as lib:
        assert sorted(lib.index.ids().tolist()) == sorted(keep.tolist())
        lib.index.add(np.array([10_000]), np.ones((1, 64), dtype=np.float32) / 8)  # a vector with no row
        lib.checkpoint()
    with Library.open(tmp_path, encoder=FakeEncoder()) as lib:
        assert consistent(lib) and 10_000 not in lib.index.ids()


def test_bad_items_do_not_touch_what_is_stored(library, tmp_path):
    library.ingest_articles([story(1, LUMBER)])
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": ""}\nnot json\n' + json.dumps({"title": "ok", "text": STEEL}) + "\n")
    report = library.ingest([str(bad), str(tmp_path / "missing.txt")])
    assert report.failed and len(report.skipped) == 3 and len(report.added) == 1
    assert library.store.counts()["articles"] == 2 and consistent(library)


def test_chunks_are_whole_sentences_with_exact_offsets():
    text = " ".join(f"Sentence number {i} says the tariff is {i}%." for i in range(60))
    article = Article(id="x", title="t", text=text)
    passages = chunk(article, max_words=40, overlap=1)
    assert len(passages) > 3
    for p in passages:
        assert p.text == text[p.start : p.end]
        assert all(text[s:e].startswith("Sentence number") and text[s:e].endswith("%.") for s, e in p.sentences)
        assert len(p.text.split()) <= 40
    for a, b in zip(passages, passages[1:], strict=False):
        assert b.sentences[0] == a.sentences[-1]  # one sentence of overlap
    assert passages[-1].sentences[-1][1] == len(text)


def test_common_terms_leave_the_lexical_query_and_counts_stay_fresh(library, tmp_path, monkeypatch):
    from embeddings import search

    monkeypatch.setattr(search, "COMMON_MIN_PASSAGES", 1)
    library.ingest_articles([story(i, f"The tariff on item {i} rose.", day=1 + i) for i in range(9)])
    library.ingest_articles([story(9, "The tariff on copper rose.", day=20)])
    # A frequent word stays while the query is short ("copper tariff" is not a query about copper alone) ...
    assert search.selective_terms(library.store, "copper tariff") == ["copper", "tariff"]
    assert search.selective_terms(library.store, "tariff rose") == ["tariff", "rose"]  # all common: the two rarest
    assert library.search("copper tariff", k=1, mode="lexical")[0].article_id == "a9"

    freq, total = library.store.document_frequencies(["copper"])
    assert (freq, total) == ({"copper": 1}, 10)
    other = Library.open(library.home, encoder=FakeEncoder(), database_url=library.store.url)  # the cache notices
    other.ingest_articles([story(10, "Copper prices climbed.", day=21)])
    other.close()
    assert library.store.document_frequencies(["copper"]) == ({"copper": 2}, 11)
    # A frequent word leaves the query once enough rarer words carry it.
    library.ingest_articles([story(11, "Zinc, nickel and lead output fell.", day=22)])
    assert search.selective_terms(library.store, "copper zinc nickel tariff") == ["copper", "zinc", "nickel"]


def test_an_empty_library_says_how_to_fill_it(library):
    from answering import ask

    empty = ask(library, "When is Canada's election?")
    assert empty.abstained and "knowledge base is empty" in empty.note
    library.ingest_articles([story(1, LUMBER)])
    other = ask(library, "When is Germany's election?")  # abstains, but the library is not empty any more
    assert other.abstained and "empty" not in (other.note or "")


def test_a_same_outlet_near_copy_in_one_batch_replaces_the_earlier_version(library):
    """Two versions of one story from one outlet under two URLs, in one batch: one article, one set of passages
    (the newer text), not two sets under one id whose offsets point into text that was replaced."""
    lead = "The commerce ministry said on Monday that the import quota on flat-rolled steel would be cut by a third. "
    body = lead + "Mills had asked for the cut for months, and importers said prices would rise by the autumn. " * 3
    first = Article(
        "v1",
        "Steel quota cut",
        body,
        source="Wire",
        url="https://x.test/v1",
        published=datetime(2025, 6, 1, 9, tzinfo=UTC),
    )
    second = Article(
        "v2",
        "Steel quota cut",
        body.replace("by the autumn", "by the autumn, traders added"),
        source="Wire",
        url="https://x.test/v2",
        published=datetime(2025, 6, 1, 11, tzinfo=UTC),
    )
    report = library.ingest_articles([first, second])
    assert report.added == ["v1"] and library.store.counts() == {"articles": 1, "stories": 1, "passages": 1}
    (text,) = [t for _, t in library.store.passage_texts(library.store.passage_ids().tolist())]
    assert text.endswith("by the autumn, traders added.")
    assert consistent(library)


@pytest.mark.parametrize("window_ids", [20_000, 1])  # the window's passages searched by id, or by over-fetching
def test_a_question_about_a_figure_now_reads_the_reports_of_the_weeks_before_its_day(library, monkeypatch, window_ids):
    """In a corpus of years, the newest report of a rate can rank far below older ones that say the same words;
    a question about a figure now also ranks the reports of the weeks before its day on their own."""
    import embeddings.search as search
    from answering.answer import retrieve

    monkeypatch.setattr(search, "WINDOW_IDS", window_ids)

    old = [
        Article(
            id=f"old{i}",
            title=f"Jobs report {i}",
            text=f"The US unemployment rate was {3 + i / 100:.2f}% in the month, the US unemployment rate report said.",
            source="Example Wire",
            published=datetime(2019, 1 + i % 12, 1 + i % 27, 12, tzinfo=UTC),
        )
        for i in range(80)
    ]
    new = Article(
        id="new",
        title="Hiring slows",
        text="Employers added fewer workers than forecast, and joblessness ticked up to 4.2%, the rate said.",
        source="Example Wire",
        published=datetime(2025, 4, 1, 12, tzinfo=UTC),
    )
    library.ingest_articles([*old, new])
    as_of = Filters(until=datetime(2025, 4, 8, tzinfo=UTC))
    question = "What is the US unemployment rate?"
    found = library.search(question, k=8, filters=as_of, prefer_recent=True, recent_days=45)
    assert "new" in {h.article_id for h in found}
    # Ranked among all reports only, it is out of reach; a question about a fixed fact has no window of its own.
    assert "new" not in {h.article_id for h in library.search(question, k=8, filters=as_of, prefer_recent=True)}
    found = library.search(question, k=8, filters=as_of, prefer_recent=False, recent_days=45)
    assert "new" not in {h.article_id for h in found}
    # ask reads it: the question asks for a figure as it stands now
    assert "new" in {h.article_id for h in retrieve(library, question, as_of=as_of.until)}
    assert "new" not in {h.article_id for h in retrieve(library, "Who reported the jobs numbers?", as_of=as_of.until)}


def test_the_one_report_that_answers_is_read_whatever_its_age(library):
    """In a small corpus, a question about a figure now still reads the best passage of the whole corpus (an old
    report on what it asks), though newer reports that do not answer it are fresher."""
    from answering.answer import retrieve

    old = Article(
        id="wire",
        title="Peru raises duty on Chilean copper wire",
        text="Peru will charge a 35% tariff on copper wire imported from Chile, the trade ministry said.",
        source="Example Wire",
        published=datetime(2026, 1, 10, 12, tzinfo=UTC),
    )
    fresh = [
        Article(
            id=f"fresh{i}",
            title=f"Trade talks, round {i}",
            text=f"Negotiators met for round {i} of trade talks on farm goods and tariffs this week.",
            source="Example Wire",
            published=datetime(2026, 10, 1 + i, 12, tzinfo=UTC),
        )
        for i in range(20)
    ]
    library.ingest_articles([old, *fresh])
    hits = retrieve(library, "What is Peru's tariff on Chilean copper wire?", as_of=datetime(2026, 10, 25, tzinfo=UTC))
    assert "wire" in {h.article_id for h in hits} and len(hits) == 8


def test_a_knowledge_base_made_by_a_newer_tradewire_is_refused_and_left_as_it_is(tmp_path, fake_encoder, engine):
    from embeddings.store import MIGRATIONS

    home = tmp_path / "home"
    with Library.open(home, encoder=fake_encoder, database_url=engine) as lib:
        lib.ingest_articles([story(1, LUMBER)])
        if engine:  # PostgreSQL: the version in its one-row table
            with lib.store.db.transaction():
                lib.store.db.execute("UPDATE schema_version SET version = ?", (len(MIGRATIONS) + 1,))
        else:
            lib.store.db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    newer = f"its schema is version {len(MIGRATIONS) + 1}; this tradewire knows up to {len(MIGRATIONS)}"
    with pytest.raises(TradewireError, match=re.escape(newer)) as refused:
        Library.open(home, encoder=fake_encoder, database_url=engine)
    assert "\n" not in str(refused.value)
    if not engine:
        import sqlite3

        with sqlite3.connect(home / "tradewire.db") as db:  # nothing written: the version and the story stand
            assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) + 1
            assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 1


def _run_sql(lib: Library, engine: str | None, *statements: str) -> None:
    """Raw statements on the store's database, committed (as an older tradewire or a newer one would have)."""
    if engine:
        with lib.store.db.transaction():
            for sql in statements:
                lib.store.db.execute(sql)
    else:
        for sql in statements:
            lib.store.db.execute(sql)


def test_migrations_are_recorded_by_name_and_one_renumbered_never_runs_twice(tmp_path, fake_encoder, engine):
    from embeddings.store import MIGRATIONS

    home = tmp_path / "home"
    with Library.open(home, encoder=fake_encoder, database_url=engine) as lib:
        names = [r[0] for r in lib.store.db.execute("SELECT name FROM migrations ORDER BY number").fetchall()]
        assert names == [m.name for m in MIGRATIONS] and names[0] == "m001_create_tables"
        # A tradewire whose migrations were renumbered: the version says fewer have run than the names do.
        version = "UPDATE schema_version SET version = 3" if engine else "PRAGMA user_version = 3"
        _run_sql(lib, engine, version)
    # m004 onwards would fail if run again (their tables exist): opening runs none of them
    with Library.open(home, encoder=fake_encoder, database_url=engine) as lib:
        lib.ingest_articles([story(1, LUMBER)])
        assert lib.search("lumber duty", k=1)[0].article_id == "a1"
        # ... and one it does not know by name means a newer tradewire made it: refused, whatever the number
        _run_sql(lib, engine, "INSERT INTO migrations(number, name) VALUES (99, 'm099_from_the_future')")
    with pytest.raises(TradewireError, match="made by a newer tradewire"):
        Library.open(home, encoder=fake_encoder, database_url=engine)


def test_headlines_are_kept_without_the_sites_name_and_older_ones_are_cleaned(tmp_path, fake_encoder, engine):
    home = tmp_path / "home"
    page = story(1, LUMBER, url="https://www.harborgazette.example/lumber")
    page.title = "Canada answers lumber duty with its own tariffs | Harbor Gazette"
    with Library.open(home, encoder=fake_encoder, database_url=engine) as lib:
        lib.ingest_articles([page])
        assert lib.latest(1)[0].title == "Canada answers lumber duty with its own tariffs"
        # As a knowledge base of a tradewire before migration m009 has it: the site's name stored in the headline
        # and its lexical index, the migrations recorded only by number.
        kept = story(2, STEEL, url="https://news.example/steel")
        kept.title = "Steel tariff doubles - what it means for appliances"  # a dash that is no site's name
        lib.ingest_articles([kept])
        _run_sql(
            lib,
            engine,
            "UPDATE articles SET title = 'Canada answers lumber duty with its own tariffs | Harbor Gazette' "
            "WHERE id = 'a1'",
            "DROP TABLE migrations",
            # ... nor the tables of the migrations after m009 (m010: the tariff board's)
            "DROP TABLE tariff_updates",
            "DROP TABLE tariff_watches",
            "DROP TABLE tariff_facts",
            "DROP TABLE tariff_passages",
            "UPDATE schema_version SET version = 7" if engine else "PRAGMA user_version = 7",
        )
        if not engine:
            _run_sql(
                lib,
                engine,
                "UPDATE passages_fts SET title = title || ' harbor gazett' "
                "WHERE rowid IN (SELECT id FROM passages WHERE article_id = 'a1')",
            )
        else:  # its headline terms (weight B) with the site's name in them, as ingest wrote them then
            _run_sql(
                lib,
                engine,
                "UPDATE passage_terms SET terms = terms || setweight(to_tsvector('simple', 'harbor gazett'), 'B'), "
                "length = length + 2 WHERE passage_id IN (SELECT id FROM passages WHERE article_id = 'a1')",
            )
    with Library.open(home, encoder=fake_encoder, database_url=engine) as lib:
        titles = {a.id: a.title for a in lib.latest(5)}
        assert titles == {
            "a1": "Canada answers lumber duty with its own tariffs",
            "a2": "Steel tariff doubles - what it means for appliances",
        }
        assert not lib.search("Harbor Gazette", k=5, mode="lexical")  # its passages are no longer found by it
        assert lib.search("Canada answers", k=5, mode="lexical")[0].article_id == "a1"
        names = {r[0] for r in lib.store.db.execute("SELECT name FROM migrations").fetchall()}
        assert {"m001_create_tables", "m007_briefs", "m009_clean_headlines"} <= names
