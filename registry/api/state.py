"""What every route needs: settings, the store, the graph layout, the query gate, the data
version (bumped by every write made through the API, so that caches keyed by it stay right)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from anyio import to_thread
from fastapi import Request

from registry.config import Settings
from registry.layout import Layout
from registry.store.base import Store

T = TypeVar("T")


class QueryGate:
    """A counter of running SPARQL queries, released by the worker thread itself when the store
    call really ends (a query abandoned after its time budget still holds its slot until the
    store stops it, so abandoned queries cannot pile up)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._running = 0
        self._lock = threading.Lock()

    def try_acquire(self) -> bool:
        with self._lock:
            if self._running >= self.capacity:
                return False
            self._running += 1
            return True

    def release(self) -> None:
        with self._lock:
            self._running = max(0, self._running - 1)

    @property
    def running(self) -> int:
        return self._running


@dataclass
class ApiState:
    settings: Settings
    store: Store
    layout: Layout
    gate: QueryGate
    data_version: int = 0
    caches: dict[str, tuple[int, Any]] = field(default_factory=dict)
    # objects that live as long as the app (auth database, write service), not per version
    caches_persistent: dict[str, Any] = field(default_factory=dict)
    _cache_lock: threading.Lock = field(default_factory=threading.Lock)
    _write_lock: threading.Lock = field(default_factory=threading.Lock)

    def bump(self) -> None:
        """A write happened: every cache keyed by the data version is now stale."""
        with self._cache_lock:
            self.data_version += 1
            self.caches.clear()

    def after_write(self, refresh_index: Callable[[Any], Any]) -> None:
        """A write happened (blocking; run in a worker thread). Every cache is stale, but a
        built listing index is *refreshed* with ``refresh_index(old) -> new`` (a few point
        queries) instead of being rebuilt from scratch on the next request (minutes at 100 k)."""
        with self._write_lock:
            hit = self.caches.get("index")
            refreshed = None
            if hit is not None and hit[0] == self.data_version:
                try:
                    refreshed = refresh_index(hit[1])
                except Exception:  # a failed refresh only costs a rebuild later
                    logging.getLogger("registry.api").exception("index refresh failed")
            with self._cache_lock:
                self.data_version += 1
                self.caches.clear()
                if refreshed is not None:
                    self.caches["index"] = (self.data_version, refreshed)

    def cached(self, name: str, build: Callable[[], T]) -> T:
        """``build()`` once per data version (called from a worker thread)."""
        version = self.data_version
        hit = self.caches.get(name)
        if hit is not None and hit[0] == version:
            return hit[1]  # type: ignore[no-any-return]
        value = build()
        with self._cache_lock:
            if self.data_version == version:
                self.caches[name] = (version, value)
        return value


def api_state(request: Request) -> ApiState:
    state: ApiState = request.app.state.api
    return state


async def blocking(func: Callable[..., T], *args: Any) -> T:
    """Run a blocking store call in the worker thread pool, never on the event loop."""
    return await to_thread.run_sync(func, *args)
