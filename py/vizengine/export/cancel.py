"""One cancel signal for the whole export, in the spirit of the DOM's AbortController/AbortSignal.

The orchestrator checks it between steps; work that cannot be interrupted from Python (an ffmpeg.wasm
`exec`) subscribes with `on_cancel` and stops itself (the bridge aborts a JS AbortController).
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import ExportCancelled


class CancelSignal:
    def __init__(self) -> None:
        self._reason: str | None = None
        self._listeners: list[Callable[[], None]] = []

    @property
    def cancelled(self) -> bool:
        return self._reason is not None

    def cancel(self, reason: str = "Export cancelled") -> None:
        if self._reason is not None:
            return
        self._reason = reason
        listeners, self._listeners = self._listeners, []
        errors = []
        for listener in listeners:  # one failing listener must not keep the others from stopping their work
            try:
                listener()
            except Exception as error:  # noqa: BLE001
                errors.append(error)
        if errors:
            raise errors[0]

    def check(self) -> None:
        if self._reason is not None:
            raise ExportCancelled(self._reason)

    def on_cancel(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call `listener` once when cancelled (at once if already); returns an unsubscribe function."""
        if self._reason is not None:
            listener()
            return lambda: None
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe
