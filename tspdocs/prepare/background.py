"""Start slow work early, in a thread, and wait for it where its result is needed.

A build's Python work holds the interpreter lock, so a thread gains nothing from other Python work; it gains
when what it waits on runs elsewhere (Pandoc, on the other core) or when it computes while the build waits
on such a program.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

R = TypeVar("R")


class Background(Generic[R]):
    """Run a function in a daemon thread (one that does not keep a finished command waiting); `result`
    waits for it and returns what it returned, or raises what it raised."""

    def __init__(self, function: Callable[[], R]) -> None:
        self._function = function
        self._value: R | None = None
        self._error: Exception | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._function()
        except Exception as exc:  # noqa: BLE001 - handed to whoever waits for the result, raised there
            self._error = exc

    def result(self) -> R:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]
