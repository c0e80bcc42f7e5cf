"""Stand-ins for Pyodide's `js` and `pyodide.ffi` modules, so vizengine._browser.bridge runs under CPython.

Only what the bridge touches, with Pyodide's behaviour where the bridge depends on it: a JS exception
(thrown, or a rejected promise once awaited) is a `JsException` whose str() is "Name: message"; typed
arrays copy to and from Python buffers with `assign` / `assign_to` and refuse a size mismatch; `to_js`
turns dicts into JS Maps unless given `dict_converter` (the bridge passes `Object.fromEntries` to get
plain objects, which arrive here as `JsObject`).
"""

from __future__ import annotations

import asyncio
import sys
import types
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np


class JsException(Exception):
    def __init__(self, name: str = "Error", message: str = "") -> None:
        super().__init__(f"{name}: {message}" if name and message else name or message)
        self.name, self.message = name, message


class JsPromise:
    """A JS promise as Python awaits it: pending until resolved or rejected, settling on a later turn."""

    def __init__(self) -> None:
        self.settled, self.value, self.error = False, None, None

    @classmethod
    def resolved(cls, value: Any = None) -> JsPromise:
        promise = cls()
        promise.resolve(value)
        return promise

    @classmethod
    def rejected(cls, error: JsException) -> JsPromise:
        promise = cls()
        promise.reject(error)
        return promise

    def resolve(self, value: Any = None) -> None:
        self.settled, self.value = True, value

    def reject(self, error: JsException) -> None:
        self.settled, self.error = True, error

    def then(self, *callbacks: Any) -> None:  # what makes the bridge await it
        raise NotImplementedError("the bridge awaits promises, it does not chain them")

    def __await__(self):
        yield from asyncio.sleep(0).__await__()
        for _ in range(100_000):  # a test that forgets to settle a promise fails instead of hanging
            if self.settled:
                break
            yield from asyncio.sleep(0).__await__()
        else:
            raise AssertionError("a JS promise was awaited that never settled")
        if self.error is not None:
            raise self.error
        return self.value


class TypedArray:
    """A Uint8Array or Float32Array over a numpy array."""

    def __init__(self, data: np.ndarray) -> None:
        self.data = data

    @property
    def length(self) -> int:
        return len(self.data)

    def assign(self, source: Any) -> None:
        incoming = np.frombuffer(memoryview(source).cast("B"), dtype=np.uint8)
        target = self.data.view(np.uint8)
        if incoming.nbytes != target.nbytes:
            raise ValueError(f"cannot assign {incoming.nbytes} bytes to a typed array of {target.nbytes}")
        target[...] = incoming

    def assign_to(self, target: np.ndarray) -> None:
        if target.nbytes != self.data.nbytes:
            raise ValueError(f"cannot assign a typed array of {self.data.nbytes} bytes to {target.nbytes}")
        np.copyto(target.reshape(-1).view(np.uint8), self.data.view(np.uint8).reshape(-1))

    def bytes(self) -> bytes:
        return self.data.tobytes()

    def to_bytes(self) -> bytes:
        return self.data.tobytes()

    def subarray(self, start: int, end: int) -> "TypedArray":
        return TypedArray(self.data[start:end])  # a view, as in JS

    @property
    def buffer(self) -> np.ndarray:
        """The ArrayBuffer: its bytes, shared with every view made of it."""
        return self.data.view(np.uint8)


class Uint8Array:
    @staticmethod
    def new(length: int) -> TypedArray:
        return TypedArray(np.zeros(length, dtype=np.uint8))


class Float32Array:
    @staticmethod
    def new(source: int | np.ndarray) -> TypedArray:
        if isinstance(source, np.ndarray):  # new Float32Array(arrayBuffer): a view of those bytes
            if source.nbytes % 4:
                raise ValueError("byte length of Float32Array should be a multiple of 4")
            return TypedArray(source.view(np.float32))
        return TypedArray(np.zeros(source, dtype=np.float32))


class JsArray(list):
    @property
    def length(self) -> int:
        return len(self)

    def to_py(self) -> list:
        return [to_py(item) for item in self]


class JsObject(dict):
    """A plain JS object: fields as keys and as attributes."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def to_py(self) -> dict:
        return {key: to_py(value) for key, value in self.items()}


class JsMap(dict):
    """What `to_js` makes of a dict without a dict_converter: a Map, not an object the page can read."""


def to_py(value: Any) -> Any:
    return value.to_py() if isinstance(value, (JsArray, JsObject)) else value


class Object:
    @staticmethod
    def fromEntries(entries: Any) -> JsObject:
        return JsObject((key, value) for key, value in entries)


class AbortSignal:
    def __init__(self) -> None:
        self.aborted = False
        self._listeners: list[Callable[[], None]] = []

    def addEventListener(self, kind: str, listener: Callable[..., None]) -> None:
        assert kind == "abort"
        self._listeners.append(listener)


class AbortController:
    def __init__(self) -> None:
        self.signal = AbortSignal()

    @classmethod
    def new(cls) -> AbortController:
        return cls()

    def abort(self) -> None:
        self.signal.aborted = True
        for listener in self.signal._listeners:
            listener()


class Proxy:
    """create_proxy's result: callable from JS until destroyed."""

    def __init__(self, function: Callable[..., Any]) -> None:
        self.function, self.destroyed = function, False

    def __call__(self, *args: Any) -> Any:
        assert not self.destroyed, "a destroyed proxy was called"
        return self.function(*args)

    def destroy(self) -> None:
        self.destroyed = True


PROXIES: list[Proxy] = []


def create_proxy(function: Callable[..., Any]) -> Proxy:
    proxy = Proxy(function)
    PROXIES.append(proxy)
    return proxy


def to_js(value: Any, *, dict_converter: Callable[[Any], Any] | None = None) -> Any:
    if isinstance(value, Mapping):
        entries = JsArray(JsArray([key, to_js(item, dict_converter=dict_converter)]) for key, item in value.items())
        return dict_converter(entries) if dict_converter is not None else JsMap(entries)
    if isinstance(value, (list, tuple)):
        return JsArray(to_js(item, dict_converter=dict_converter) for item in value)
    return value


BROWSER = "vizengine._browser"


def modules() -> dict[str, types.ModuleType]:
    """Fresh `js`, `pyodide` and `pyodide.ffi` modules for sys.modules."""
    js = types.ModuleType("js")
    js.Uint8Array, js.Float32Array, js.Object, js.AbortController = Uint8Array, Float32Array, Object, AbortController
    ffi = types.ModuleType("pyodide.ffi")
    ffi.JsException, ffi.to_js, ffi.create_proxy = JsException, to_js, create_proxy
    pyodide = types.ModuleType("pyodide")
    pyodide.ffi = ffi
    return {"js": js, "pyodide": pyodide, "pyodide.ffi": ffi}


def fresh_bridge(monkeypatch) -> types.ModuleType:
    """vizengine._browser.bridge imported anew over the stand-ins; monkeypatch undoes it all.

    Every vizengine._browser.* module (bridge, ffi, segment_runtime, ...) is imported afresh, so none is
    bound to another test's stand-ins, and teardown removes them (module and package attribute) again,
    putting back whatever was there before.
    """
    import importlib

    for name, module in modules().items():
        monkeypatch.setitem(sys.modules, name, module)
    package = importlib.import_module(BROWSER)
    for name in [name for name in sys.modules if name.startswith(BROWSER + ".")]:
        monkeypatch.delitem(sys.modules, name)
        monkeypatch.delattr(package, name.rpartition(".")[2], raising=False)
    PROXIES.clear()
    bridge = importlib.import_module(BROWSER + ".bridge")
    # Recorded as absent, so teardown removes the modules (and package attributes) bound to stand-ins.
    for name in [name for name in sys.modules if name.startswith(BROWSER + ".")]:
        module, attribute = sys.modules.pop(name), name.rpartition(".")[2]
        if getattr(package, attribute, None) is module:
            delattr(package, attribute)
        monkeypatch.setitem(sys.modules, name, module)
        monkeypatch.setattr(package, attribute, module, raising=False)
    return bridge
