"""The rate limits' state in the database (GCRA): a burst, then a wait, on both backends."""

from __future__ import annotations

from kkod.central.ratelimit import Rate, sweep, take


def test_a_burst_of_the_limit_then_a_wait_of_one_interval(engine):
    rate = Rate(5, 60)  # five a minute: one every 12 seconds
    t = 1_000_000.0
    with engine.begin() as conn:
        decisions = [take(conn, "connect:500100", rate, now=t) for _ in range(6)]
    assert [d.allowed for d in decisions] == [True] * 5 + [False]
    assert decisions[-1].retry_after == 12
    with engine.begin() as conn:
        assert not take(conn, "connect:500100", rate, now=t + 11).allowed  # a denial costs nothing
        assert take(conn, "connect:500100", rate, now=t + 12).allowed
        assert not take(conn, "connect:500100", rate, now=t + 12).allowed
        assert take(conn, "connect:500200", rate, now=t).allowed  # another office, its own bucket


def test_spread_out_requests_are_never_limited(engine):
    rate = Rate(60, 60)
    with engine.begin() as conn:
        assert all(take(conn, "verify:1", rate, now=2_000.0 + n).allowed for n in range(300))


def test_empty_buckets_are_swept(engine):
    rate = Rate(2, 10)
    with engine.begin() as conn:
        take(conn, "auth-failure:192.0.2.1", rate, now=100.0)
        take(conn, "auth-failure:192.0.2.2", rate, now=105.0)
        assert sweep(conn, now=106.0) == 1  # the first one's TAT (105) has passed
        assert sweep(conn, now=106.0) == 0
