"""pyodide.ffi helpers the bridge modules share: copies across the boundary and the one JS-error mapping.

Data crosses as typed-array copies into preallocated buffers (`assign`/`assign_to`): converting numpy
arrays with `to_js` costs seconds per frame here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import js  # type: ignore[import-not-found]
import numpy as np
from pyodide.ffi import JsException, to_js  # type: ignore[import-not-found]

from ..errors import ExportError


def to_uint8array(data: bytes | np.ndarray) -> Any:
    view = memoryview(data).cast("B")
    array = js.Uint8Array.new(view.nbytes)
    array.assign(view)
    return array


def to_float32array(data: np.ndarray) -> Any:
    # The bytes cross as a Uint8Array copy; the Float32Array is a view of that same buffer, not a second copy.
    return js.Float32Array.new(to_uint8array(np.ascontiguousarray(data, dtype=np.float32)).buffer)


def to_plain_js(value: Any) -> Any:
    return to_js(value, dict_converter=js.Object.fromEntries)


def js_message(error: JsException) -> str:
    return str(error).strip() or "unknown browser error"


def storage_message(message: str) -> str:
    # IndexedDB failures surface on the put or flush after the batch that failed: say what it means.
    if "Quota" in message:
        return ("The browser ran out of storage for frames: export a shorter range or a lower resolution, "
                "or free disk space.")
    return f"Could not store frames: {message}"


@contextmanager
def page_call(error: type[ExportError], what: str | Callable[[str], str]) -> Iterator[None]:
    """Turn a JS exception raised inside into `error`, with a message a user can read."""
    try:
        yield
    except JsException as exc:
        message = js_message(exc)
        raise error(what(message) if callable(what) else f"{what}: {message}") from None


async def awaited(error: type[ExportError], what: str | Callable[[str], str], call: Callable[[], Any]) -> Any:
    with page_call(error, what):
        result = call()
        return (await result) if result is not None and hasattr(result, "then") else result
