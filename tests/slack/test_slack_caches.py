"""The bounded, expiring set behind event de-duplication, followed threads and admin lookups."""

from __future__ import annotations

from adapters.slack.caches import ExpiringCache


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_duplicates_are_detected_until_they_expire():
    clock = Clock()
    cache = ExpiringCache(maxsize=10, ttl=60, clock=clock)
    assert cache.add_if_new("Ev1") and not cache.add_if_new("Ev1")
    clock.now = 59.9
    assert "Ev1" in cache
    clock.now = 60.1
    assert "Ev1" not in cache and cache.add_if_new("Ev1")


def test_size_is_bounded_oldest_first_and_false_values_are_kept():
    cache = ExpiringCache(maxsize=3, ttl=60, clock=Clock())
    for key in "abcd":
        cache.set(key, False)
    assert len(cache) == 3 and "a" not in cache
    assert cache.get("b") is False and cache.get("a", "missing") == "missing"
    cache.set("b", True)  # re-setting refreshes its place
    cache.set("e")
    assert "b" in cache and "c" not in cache
