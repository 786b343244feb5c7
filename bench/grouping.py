"""How the daily brief's grouping by meaning does on real news: prints a seeded sample of groups and of pairs
just below the threshold, for a person to judge by reading (docs/benchmarks.md records the judgment).

    python -m bench.grouping [--workdir DIR] [--threshold 0.68] [--groups 50] [--pairs 20] [--seed 20240607]

Corpus: RealTime QA's search results and gold articles (../shared/bench/realtimeqa, read at run time, never
copied), one JSON Lines item an article (title, text, url, published, source = the URL's host), ingested once into
DIR through the project's own reader (about 9 minutes for 1,835 articles). Stories are grouped a week at a time
(Monday to Monday): the corpus is sparse, a week of it is about a busy day of a feed.

Judging rule used: two stories are one event when they report the same happening (its preview, live coverage,
explainers pegged to it) or a direct follow-up of it (a reaction, the next step); stories on one topic about
different happenings are different events.
"""

from __future__ import annotations

import argparse
import glob
import json
import lzma
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

from answering import brief as brief_module
from bench.quality import DATA
from embeddings import Library


def _corpus(out: Path) -> int:
    seen, rows = set(), []

    def add(item: dict) -> None:
        url, text, date = (item.get("url") or "").strip(), (item.get("text") or "").strip(), item.get("publish_date")
        if text and date and url not in seen:
            seen.add(url)
            title = (item.get("title") or "").strip()
            rows.append({"title": title, "text": text, "url": url, "published": date, "source": urlparse(url).hostname})

    with lzma.open(DATA / "search_results_tagged_2022_2024.jsonl.xz", "rt") as fh:
        for line in fh:
            for item in json.loads(line)["search_result"]:
                add(item)
    for path in sorted(glob.glob(str(DATA / "gold_articles_2022" / "*.jsonl"))):
        for line in Path(path).read_text().splitlines():
            for item in json.loads(line)["search_result"]:
                add(item)
    out.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return len(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, default=Path.home() / ".cache" / "tradewire-bench" / "grouping")
    parser.add_argument("--threshold", type=float, default=brief_module.GROUP_COSINE)
    parser.add_argument("--groups", type=int, default=50)
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20240607)
    args = parser.parse_args(argv)
    if not DATA.exists():
        raise SystemExit(f"no RealTime QA data at {DATA}")
    args.workdir.mkdir(parents=True, exist_ok=True)
    home = args.workdir / "home"
    if not home.exists():
        print(f"{_corpus(args.workdir / 'news.jsonl')} articles; ingesting", flush=True)
        with Library.open(home) as library:
            library.ingest([str(args.workdir / "news.jsonl")])
    brief_module.GROUP_COSINE = args.threshold
    multi, near = [], []
    with Library.open(home) as library:
        week = datetime(2012, 1, 2, tzinfo=UTC)
        while week < datetime(2025, 1, 6, tzinfo=UTC):
            until = week + timedelta(days=7)
            found = library.stories_between(week, until)
            if found:
                events = brief_module.brief(library, since=week, until=until, limit=10**6).events
                group = {s.id: n for n, e in enumerate(events) for s in e.stories}
                multi += [e for e in events if len(e.stories) >= 2]
                vectors = library.index.vectors([pid for _, pid, _ in found])
                for i, (a, pa, _) in enumerate(found):
                    for b, pb, _ in found[i + 1 :]:
                        cos = float(vectors[pa] @ vectors[pb]) if pa in vectors and pb in vectors else 0.0
                        if args.threshold - 0.1 <= cos < args.threshold and group[a.id] != group[b.id]:
                            near.append((cos, a, b))
            week = until
    rng = random.Random(args.seed)
    print(f"threshold {args.threshold}: {len(multi)} groups of 2 or more stories; {len(near)} near pairs\n")
    for n, event in enumerate(rng.sample(multi, min(args.groups, len(multi))), 1):
        print(f"group {n}:")
        for story in event.stories:
            print(f"  {story.published:%Y-%m-%d} {story.source}: {story.title}")
    print()
    for n, (cos, a, b) in enumerate(rng.sample(near, min(args.pairs, len(near))), 1):
        print(f"pair {n} (cosine {cos:.3f}):\n  {a.published:%Y-%m-%d} {a.title}\n  {b.published:%Y-%m-%d} {b.title}")


if __name__ == "__main__":
    main()
