"""The process's one bounded cache (sanctuary_map.keep): the shipped data, published files, selections, first views."""
from __future__ import annotations

import threading

import pytest

from sanctuary_map.keep import Kept


def test_a_value_is_made_once_then_served_and_the_least_recently_used_goes_first():
    kept: Kept[str] = Kept(2)
    made: list[str] = []

    def make(key):
        return lambda: made.append(key) or key.upper()

    assert kept.get("a", make("a")) == "A" and kept.get("a", make("a")) == "A" and made == ["a"]
    kept.get("b", make("b"))
    kept.get("a", make("a"))  # a is now the most recently used
    kept.get("c", make("c"))  # so b goes
    assert "a" in kept and "c" in kept and "b" not in kept and len(kept) == 2
    assert made == ["a", "b", "c"]


def test_two_threads_asking_for_the_same_key_make_it_once_and_other_keys_are_not_held_up():
    kept: Kept[str] = Kept(4)
    started, release = threading.Event(), threading.Event()
    calls: list[str] = []

    def slow():
        calls.append("slow")
        started.set()
        release.wait(5)
        return "slow value"

    got: list[str] = []
    threads = [threading.Thread(target=lambda: got.append(kept.get("k", slow))) for _ in range(2)]
    for t in threads:
        t.start()
    assert started.wait(5)
    # While "k" is being made, another key is answered at once.
    assert kept.get("other", lambda: "quick") == "quick"
    release.set()
    for t in threads:
        t.join(5)
    assert calls == ["slow"] and got == ["slow value", "slow value"]
    assert not kept._making


def test_a_failure_keeps_nothing_and_the_next_caller_tries_again():
    kept: Kept[int] = Kept(2)

    def broken():
        raise RuntimeError("disk")

    with pytest.raises(RuntimeError):
        kept.get("k", broken)
    assert "k" not in kept and not kept._making
    assert kept.get("k", lambda: 7) == 7
