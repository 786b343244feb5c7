"""The tariff board on stories of our own: every tariff fact the board reads from them against the facts a person
listed (precision first), and the board's lines against the board those listed facts make.

    python -m bench.board            # the scores, each wrong or missed fact, and the board as of the last day
    python -m bench.board --json     # the scores as JSON

The stories (`board/stories.jsonl`, 38 of them over four outlets) and their facts (`board/facts.jsonl`, 60: who
charges, on whom, on what, the rate, the status and its day, what it replaced) are our own writing, made before
the rules were tuned on them. A fact read is right when the listed facts hold one of its sentence with the same
charger, payer, goods (their analysed words), quota, rate (normal form) and status; its day is scored apart. A
line is right when every report its current state cites is a right fact, and it agrees with the gold board when
the same line of the board built from the listed facts has the same rate and status.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent / "board"
SETS = {  # the development set, and one written after the rules were tuned on it, by another hand
    "development": (HERE / "stories.jsonl", HERE / "facts.jsonl"),
    "heldout": (HERE / "heldout_stories.jsonl", HERE / "heldout_facts.jsonl"),
}
STORIES, FACTS = SETS["development"]


def _load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _key(story: str, sentence: str, by: str, on: str, goods: str, qualifier: str, rate: str, status: str) -> tuple:
    from answering.candidates import normal_form
    from answering.tariffs import goods_key

    return (story, sentence.strip(), by, on or "", goods_key(goods or ""), qualifier or "", normal_form(rate), status)


def gold(facts: Path = FACTS) -> list[dict]:
    from answering.tariffs import goods_key

    out = []
    for g in _load(facts):
        g = dict(g)
        g["status"] = g["status"].replace("_", " ")
        g["goods"] = "" if (g["goods"] or "").lower() in ("all goods", "") else g["goods"]
        g["goods_key"] = goods_key(g["goods"])
        out.append(g)
    return out


def evaluate(library, stories_path: Path = STORIES, facts_path: Path = FACTS) -> dict[str, object]:
    """Facts read against the listed ones, and the board's lines against the listed facts' board."""
    from answering.board import _Fact, build_lines, read_news

    read_news(library)
    rows = library.records.tariffs.facts(None)
    stories = {s["id"]: s for s in _load(stories_path)}
    listed = gold(facts_path)
    want = {
        _key(g["story"], g["sentence"], g["by"], g["on"], g["goods"], g["qualifier"], g["rate"], g["status"]): g
        for g in listed
    }
    got = []
    for r in rows:
        k = _key(r["article_id"], r["sentence"], r["charged_by"], r["charged_on"], r["goods"], r["qualifier"],
                 r["rate"], r["status"])  # fmt: skip
        got.append((k, r))
    right = [(k, r) for k, r in got if k in want]
    wrong = [(k, r) for k, r in got if k not in want]
    found = {k for k, _ in right}
    missed = [g for k, g in want.items() if k not in found]
    days_right = sum(1 for k, r in right if (r["day"] or None) == (want[k]["day"] or None))
    per_status: dict[str, dict[str, int]] = {}
    for k, _ in got:
        per_status.setdefault(k[-1], Counter())["read"] += 1
    for k, _ in right:
        per_status[k[-1]]["right"] += 1
    for g in listed:
        per_status.setdefault(g["status"], Counter())["listed"] += 1

    # the board: the lines as of the day after the newest story, from what was read and from the listed facts
    newest = max(datetime.fromisoformat(s["published"].replace("Z", "+00:00")) for s in stories.values())
    as_of = (newest + timedelta(days=1)).date()
    read_facts = [_Fact.of(r) for r in rows]
    listed_facts = []
    for n, g in enumerate(listed):
        s = stories[g["story"]]
        published = datetime.fromisoformat(s["published"].replace("Z", "+00:00"))
        listed_facts.append(_Fact(n, g["story"], g["sentence"], g["sentence"] == s["title"], g["by"], g["on"] or "",
                                  g["goods"], g["goods_key"], g["qualifier"] or "", g["rate"], g["status"],
                                  date.fromisoformat(g["day"]) if g["day"] else None, g["replaced"],
                                  published.timestamp(), {}))  # fmt: skip
    listed_facts.sort(key=lambda f: f.published)
    lines = build_lines(sorted(read_facts, key=lambda f: f.published), as_of)
    gold_lines = {line.key: line for line in build_lines(listed_facts, as_of)}
    right_ids = {int(r["id"]) for _, r in right}
    lines_right = [line for line in lines if all(i in right_ids for i in line.now.citations)]
    agree = [
        line
        for line in lines
        if (g := gold_lines.get(line.key)) and (g.now.rate, g.status) == (line.now.rate, line.status)
    ]
    return {
        "facts": {
            "listed": len(listed),
            "read": len(got),
            "right": len(right),
            "precision": round(len(right) / len(got), 3) if got else None,
            "recall": round(len(right) / len(listed), 3),
            "day_right": round(days_right / len(right), 3) if right else None,
        },
        "per_status": {k: dict(v) for k, v in sorted(per_status.items())},
        "lines": {
            "as_of": as_of.isoformat(),
            "shown": len(lines),
            "right": len(lines_right),
            "precision": round(len(lines_right) / len(lines), 3) if lines else None,
            "gold_lines": len(gold_lines),
            "agree_with_gold": len(agree),
            "gold_covered": round(len(agree) / len(gold_lines), 3) if gold_lines else None,
        },
        "wrong": [
            dict(zip(("story", "sentence", "by", "on", "goods", "qualifier", "rate", "status"), k, strict=True))
            for k, _ in wrong
        ],
        "missed": missed,
    }


def build(home: Path, encoder=None, stories: Path = STORIES):
    from embeddings import Library

    library = Library.open(home, encoder=encoder) if encoder else Library.open(home)
    report = library.ingest([str(stories)])
    if report.failed:
        raise SystemExit(f"the board's stories did not ingest: {report.failed}")
    return library


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--set", choices=sorted(SETS), default="development", help="which stories and facts")
    args = parser.parse_args(argv)
    stories, facts = SETS[args.set]
    with tempfile.TemporaryDirectory() as home:
        library = build(Path(home), stories=stories)
        try:
            result = evaluate(library, stories, facts)
        finally:
            library.close()
    if args.json:
        print(json.dumps(result, indent=1, ensure_ascii=False))
        return 0
    f, lines = result["facts"], result["lines"]
    print(f"facts: {f['right']}/{f['read']} read right (precision {f['precision']}), {f['right']}/{f['listed']} "
          f"listed found (recall {f['recall']}); days right {f['day_right']}")  # fmt: skip
    print(f"lines as of {lines['as_of']}: {lines['right']}/{lines['shown']} right (precision {lines['precision']});"
          f" {lines['agree_with_gold']}/{lines['gold_lines']} of the gold board's lines agree")  # fmt: skip
    print("per status:", json.dumps(result["per_status"]))
    for w in result["wrong"]:
        print("WRONG ", json.dumps(w, ensure_ascii=False))
    for m in result["missed"]:
        print("MISSED", json.dumps({k: m[k] for k in ("story", "sentence", "by", "on", "goods", "rate", "status")},
                                   ensure_ascii=False))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
