"""Daily briefs' records on both engines: when a brief is due in its time zone, and that each day's brief is
claimed once — across processes, a restart, and a process that dies mid-post."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 9, day, hour, minute, tzinfo=UTC)


def test_due_at_its_hour_once_a_day_in_its_time_zone(library):
    briefs = library.records.briefs
    utc = briefs.add("g1", "c1", 9, now=at(8, 6))
    berlin = briefs.add("g1", "c2", 9, timezone="Europe/Berlin", topic="steel", now=at(8, 6))  # 08:00 there
    assert briefs.due(at(8, 6, 59)) == []  # 08:59 in Berlin, 06:59 UTC
    assert [(s.channel, d) for s, d, _ in briefs.due(at(8, 7, 1))] == [("c2", date(2025, 9, 8))]  # 09:01 Berlin
    (due,) = [d for d in briefs.due(at(8, 9, 0)) if d[0].channel == "c1"]
    assert due[2] == at(8, 9) and berlin.topic == "steel" and utc.hour == 9
    assert briefs.claim(due[0], due[1], "a", 60) and not briefs.claim(due[0], due[1], "b", 60)
    briefs.delivered(due[0], due[1], "m1")
    assert [s.channel for s, _, _ in briefs.due(at(8, 20))] == ["c2"]  # c1 is out for the day
    assert {s.channel for s, _, _ in briefs.due(at(9, 9, 30))} == {"c1", "c2"}  # the next day
    late = briefs.add("g1", "c3", 6, now=at(8, 10))  # set after its hour: the first is tomorrow's
    assert late.last_day == "2025-09-08" and "c3" not in {s.channel for s, _, _ in briefs.due(at(8, 11))}
    assert briefs.remove("g1", "c3") and not briefs.remove("g1", "c3")


def test_a_dead_posters_claim_runs_out_and_a_posted_day_is_never_claimed_again(library):
    briefs = library.records.briefs
    briefs.add("g1", "c1", 9, now=at(8, 7))
    ((schedule, day, _),) = briefs.due(at(8, 9, 5))
    assert briefs.claim(schedule, day, "a", 0.2)  # process a dies before posting
    assert not briefs.claim(schedule, day, "b", 60)
    time.sleep(0.3)
    assert briefs.claim(schedule, day, "b", 60)  # b takes over
    briefs.delivered(schedule, day, "m9")
    assert not briefs.claim(schedule, day, "a", 60) and briefs.due(at(8, 12)) == []
    briefs.release(schedule, "b")  # a release after posting changes nothing
    assert briefs.due(at(8, 13)) == []
