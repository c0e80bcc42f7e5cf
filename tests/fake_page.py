"""The page as vizengine._browser.bridge sees it: web/src/host.js with its frame store and ffmpeg runtime,
built from the js_stand_ins.

Every call is recorded in `calls` as (name, *args). `fail(name, error, how)` makes a method fail with a
JsException: "throw" raises it from the call, "reject" returns a rejected promise (async methods only).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from js_stand_ins import JsArray, JsException, JsObject, JsPromise, Object, TypedArray, to_js

from vizengine.audio.clip import DecodedAudio


class _Recorder:
    def __init__(self, calls: list) -> None:
        self.calls = calls
        self.failures: dict[str, tuple[JsException, str]] = {}

    def fail(self, name: str, error: JsException, how: str = "throw") -> None:
        assert how in ("throw", "reject")
        self.failures[name] = (error, how)

    def _sync(self, name: str, *args: Any) -> None:
        self.calls.append((name, *args))
        if name in self.failures:
            raise self.failures[name][0]

    def _async(self, name: str, *args: Any, value: Any = None) -> JsPromise:
        self.calls.append((name, *args))
        if name in self.failures:
            error, how = self.failures[name]
            if how == "throw":
                raise error
            return JsPromise.rejected(error)
        return JsPromise.resolved(value)


class FakeJsFrameStore(_Recorder):
    def __init__(self, calls: list) -> None:
        super().__init__(calls)
        self.stored: dict[int, bytes] = {}

    def put(self, index: int, jpeg: TypedArray) -> JsPromise:
        promise = self._async("frames.put", index)
        self.stored[index] = jpeg.bytes()
        return promise

    def flush(self) -> JsPromise:
        return self._async("frames.flush")

    def clear(self) -> JsPromise:
        self.stored.clear()
        return self._async("frames.clear")


class FakeJsFfmpeg(_Recorder):
    """Runs nothing: `run` reports progress 1..frames, then resolves, or stays pending until its abort
    signal fires when `hang` is set (and then rejects with an AbortError, as ffmpeg.wasm's terminate does)."""

    def __init__(self, calls: list, store: FakeJsFrameStore) -> None:
        super().__init__(calls)
        self.store = store
        self.files: dict[str, bytes] = {}
        self.hang = False
        self.progress_proxy: Any = None
        self.abort_signal: Any = None

    def load(self) -> JsPromise:
        return self._async("ffmpeg.load")

    def writeFramesFromStore(self, count: int, pattern: str) -> JsPromise:
        for i in range(count):
            self.files[pattern % i] = self.store.stored[i]
        return self._async("ffmpeg.writeFramesFromStore", count, pattern)

    def writeFile(self, name: str, data: TypedArray) -> JsPromise:
        self.files[name] = data.bytes()
        return self._async("ffmpeg.writeFile", name)

    def run(self, args: JsArray, on_progress: Any, signal: Any) -> JsPromise:
        self.progress_proxy, self.abort_signal = on_progress, signal
        promise = self._async("ffmpeg.run", list(args))
        if self.hang:
            promise = JsPromise()
            signal.addEventListener("abort", lambda: promise.reject(JsException("AbortError", "ffmpeg was stopped")))
            return promise
        frames = sum(1 for name in self.files if name.endswith(".jpg"))
        for done in range(1, frames + 1):
            on_progress(done)
        return promise

    def readOutput(self, name: str, mime: str) -> JsPromise:
        return self._async("ffmpeg.readOutput", name, mime, value=b"video:" + name.encode())

    def clear(self) -> JsPromise:
        self.files.clear()
        return self._async("ffmpeg.clear")


class FakePage(_Recorder):
    """host.js: `audio` is what decodeAudio resolves to (None: no track loaded); `decodes` keeps the
    promises when `hold_decodes` is set, for the test to settle in any order."""

    def __init__(self, project: dict, audio: DecodedAudio | None) -> None:
        super().__init__([])
        self.project_json = project
        self.audio = audio
        self.frames = FakeJsFrameStore(self.calls)
        self.ffmpeg = FakeJsFfmpeg(self.calls, self.frames)
        self.states: list[JsObject] = []
        self.hold_decodes = False
        self.decodes: list[JsPromise] = []
        self._pixels: np.ndarray | None = None

    def names(self) -> list[str]:
        return [call[0] for call in self.calls]

    def args(self, name: str) -> list[tuple]:
        return [call[1:] for call in self.calls if call[0] == name]

    def decoded(self) -> JsObject | None:
        """decodeAudio's value: {sampleRate, length, channels: [Float32Array, ...]}."""
        if self.audio is None:
            return None
        channels = JsArray(TypedArray(np.array(row, dtype=np.float32)) for row in self.audio.samples)
        return JsObject(sampleRate=self.audio.sample_rate, length=self.audio.samples.shape[1], channels=channels)

    def project(self) -> JsObject:
        self._sync("project")
        return to_js(self.project_json, dict_converter=Object.fromEntries)

    def decodeAudio(self) -> JsPromise:
        if not self.hold_decodes:
            return self._async("decodeAudio", value=self.decoded())
        self.calls.append(("decodeAudio",))
        promise = JsPromise()  # the test settles it: promise.resolve(page.decoded())
        self.decodes.append(promise)
        return promise

    def pausePlayback(self) -> None:
        self._sync("pausePlayback")

    def restorePlayback(self) -> None:
        self._sync("restorePlayback")

    def configureCompositor(self, plan: JsObject) -> None:
        self._sync("configureCompositor", plan)

    def showPausedFrame(self, frame: JsObject) -> None:
        self._sync("showPausedFrame", frame)

    def beginRender(self, width: int, height: int, audio: JsObject) -> None:
        self._sync("beginRender", width, height, audio)
        self._pixels = np.zeros(width * height * 4, dtype=np.uint8)

    def drawFrame(self, index: int, time: float, dt: float) -> None:
        self._sync("drawFrame", index, time, dt)
        self._pixels[...] = (np.arange(self._pixels.size) + index) % 251  # a pattern that changes per frame

    def readFrame(self) -> TypedArray:
        self._sync("readFrame")
        return TypedArray(self._pixels)

    def endRender(self) -> None:
        self._sync("endRender")

    def deliver(self, output: Any, name: str, mime: str) -> JsPromise:
        return self._async("deliver", output, name, mime, value=len(output))

    def onState(self, snapshot: JsObject) -> None:
        self.states.append(snapshot)
