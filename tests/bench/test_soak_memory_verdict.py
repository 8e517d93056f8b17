"""The soak's memory verdict: flat when every reading after warm-up stays within the tolerance
of the first one after it; the climb of warm-up itself never counts."""

from bench.soak_report import Interval, memory_verdict


def _readings(*pairs: tuple[float, int]) -> list[Interval]:
    return [Interval(seconds=seconds, rss_kib=rss) for seconds, rss in pairs]


def test_memory_that_climbs_only_during_warm_up_is_flat():
    intervals = _readings(
        (0, 100_000), (60, 150_000), (120, 200_000), (180, 205_000), (240, 195_000)
    )

    verdict = memory_verdict(intervals, warm_up_seconds=120)

    assert verdict is not None
    assert verdict.baseline_kib == 200_000
    assert verdict.largest_deviation == 0.025
    assert verdict.is_flat


def test_memory_that_keeps_rising_after_warm_up_is_not_flat():
    intervals = _readings((120, 200_000), (180, 210_000), (240, 220_000), (300, 230_000))

    verdict = memory_verdict(intervals, warm_up_seconds=120)

    assert verdict is not None
    assert verdict.highest_kib == 230_000
    assert verdict.largest_deviation == 0.15
    assert not verdict.is_flat


def test_a_drop_beyond_the_tolerance_is_not_flat_either():
    intervals = _readings((120, 200_000), (180, 170_000))

    verdict = memory_verdict(intervals, warm_up_seconds=120)

    assert verdict is not None
    assert not verdict.is_flat


def test_a_run_with_one_reading_after_warm_up_gets_no_verdict():
    assert memory_verdict(_readings((0, 100_000), (120, 150_000)), warm_up_seconds=120) is None
