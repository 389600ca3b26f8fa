"""One bounded, thread-safe cache for what the process keeps: the shipped data, its published files, each view's
selection and the Map page's first view.

``Kept(size).get(key, make)`` returns the value kept for ``key``, else calls ``make()`` once and keeps its answer,
dropping the least recently used past ``size``.  Threads asking for the same missing key at once (a filter change:
the map's request to the API and the page's rerun) wait for the one that makes it; different keys are made side by
side.  A failed ``make`` keeps nothing and the next caller tries again.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable, Generic, Hashable, TypeVar

V = TypeVar("V")


class Kept(Generic[V]):
    def __init__(self, size: int):
        self.size = size
        self._values: OrderedDict[Hashable, V] = OrderedDict()
        self._making: dict[Hashable, threading.Event] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._values

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        while True:
            with self._lock:
                if key in self._values:
                    self._values.move_to_end(key)
                    return self._values[key]
                busy = self._making.get(key)
                if busy is None:
                    done = self._making[key] = threading.Event()
                    break
            busy.wait()  # then look again: a failure leaves nothing kept, so this thread makes it itself
        try:
            value = make()
            with self._lock:
                self._values[key] = value
                while len(self._values) > self.size:
                    self._values.popitem(last=False)
            return value
        finally:
            with self._lock:
                del self._making[key]
            done.set()
