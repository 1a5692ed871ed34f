"""A time budget for queries that must truly stop work when it runs out.

pyoxigraph 0.5 has no query timeout in its Python API (the Rust API and the HTTP server have
one; see oxigraph issue #1926). Its query evaluation is lazy (results are pulled), so checking
a deadline between rows, and between the chunks its serialisers write, stops the evaluation
for streaming queries. Operators that must see every input before the first row (ORDER BY,
GROUP BY and aggregates, the build side of joins / MINUS) run in one piece inside the first
pull: the deadline is checked only when that piece returns.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

from registry.store.base import QueryTimeout

T = TypeVar("T")


class Deadline:
    def __init__(self, timeout_s: float | None) -> None:
        self.timeout_s = timeout_s
        self._end = None if timeout_s is None else time.monotonic() + timeout_s

    def check(self) -> None:
        if self._end is not None and time.monotonic() > self._end:
            raise QueryTimeout(
                f"La requête a dépassé le délai de {self.timeout_s:g} s.",
                f"The query exceeded its {self.timeout_s:g} s time budget.",
                timeout_s=self.timeout_s,
            )

    def iterate(self, items: Iterable[T]) -> Iterator[T]:
        """Yield ``items``, checking the deadline before each pull (so before each row)."""
        if self._end is None:
            yield from items
            return
        iterator = iter(items)
        while True:
            self.check()
            try:
                item = next(iterator)
            except StopIteration:
                return
            yield item


class DeadlineWriter(io.RawIOBase):
    """A bytes sink for pyoxigraph serialisers that raises :class:`QueryTimeout` once the
    deadline has passed: the exception propagates through the serialiser and stops it."""

    def __init__(self, deadline: Deadline) -> None:
        super().__init__()
        self._deadline = deadline
        self._buffer = io.BytesIO()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        self._deadline.check()
        return self._buffer.write(data)

    def getvalue(self) -> bytes:
        return self._buffer.getvalue()
