"""The page as vizengine._browser.bridge sees it: web/src/host.js with its segment runtime, built from the
js_stand_ins.

Every call is recorded in `calls` as (name, *args). `fail(name, error, how)` makes a method fail with a
JsException: "throw" raises it from the call, "reject" returns a rejected promise (async methods only).
"""

from __future__ import annotations

import hashlib
import json
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


class FakeJsSegments(_Recorder):
    """web/src/encode/segment-runtime.js, in memory: frames, "encoded" segments and manifests per export.

    encodeSegment queues a segment; waitForCapacity and waitAll finish every queued one (waitAll reports
    their frames to its progress callback). `fail_segment` makes that segment fail: the waits reject
    with the pool's error naming it. `hang` keeps waitAll pending until cancel() rejects it with the
    pool's AbortError. begin replies {finished, workers} (`auto_workers` for 0). A resumable entry's
    key is the manifest JSON's "key" field, else the first 32 hex digits of the SHA-256 of the JSON, as
    segment-runtime.js's manifestKey makes it.
    """

    def __init__(self, calls: list, auto_workers: int = 3) -> None:
        super().__init__(calls)
        self.auto_workers = auto_workers
        self.manifests: dict[str, str] = {}
        self.frames: dict[str, dict[int, bytes]] = {}
        self.segments: dict[str, dict[int, tuple]] = {}
        self.audio: dict[str, bytes] = {}
        self.queue: list[tuple] = []
        self.fail_segment: int | None = None
        self.hang = False
        self.error: JsException | None = None
        self.waiting: list[JsPromise] = []
        self.progress_proxy: Any = None

    def _run_queue(self) -> None:
        for export_id, segment, first, count, args, output in self.queue:
            if segment == self.fail_segment:
                self.error = self.error or JsException(
                    "Error", f"segment {segment} (frames {first}-{first + count - 1}): ffmpeg exited with code 1")
            if self.error is None:
                self.segments[export_id][segment] = (first, count, list(args), output)
                for index in range(first, first + count):
                    self.frames[export_id].pop(index, None)
        self.queue.clear()

    def _waited(self, name: str, *args: Any, value: Any = None) -> JsPromise:
        promise = self._async(name, *args, value=value)
        self._run_queue()
        return JsPromise.rejected(self.error) if self.error is not None else promise

    def resumable(self) -> JsPromise:
        entries = JsArray()
        for export_id, manifest in self.manifests.items():
            key = json.loads(manifest).get("key")
            if not isinstance(key, str):
                key = hashlib.sha256(manifest.encode()).hexdigest()[:32]
            entries.append(JsObject(exportId=export_id, key=key,
                                    manifest=manifest, segmentsDone=JsArray(sorted(self.segments.get(export_id, {})))))
        return self._async("segments.resumable", value=entries)

    def begin(self, export_id: str, manifest_json: str, workers: int) -> JsPromise:
        self.manifests[export_id] = manifest_json
        self.frames.setdefault(export_id, {})
        self.segments.setdefault(export_id, {})
        self.error = None
        reply = JsObject(finished=JsArray(sorted(self.segments[export_id])), workers=workers or self.auto_workers)
        return self._async("segments.begin", export_id, workers, value=reply)

    def putFrame(self, export_id: str, index: int, jpeg: TypedArray) -> JsPromise:
        promise = self._async("segments.putFrame", export_id, index)
        self.frames.setdefault(export_id, {})[index] = jpeg.bytes()
        return promise

    def flush(self) -> JsPromise:
        return self._async("segments.flush")

    def encodeSegment(self, export_id: str, segment: int, first: int, count: int, args: JsArray,
                      output: str) -> None:
        self._sync("segments.encodeSegment", export_id, segment, first, count, args, output)
        self.queue.append((export_id, segment, first, count, args, output))

    def waitForCapacity(self, limit: int) -> JsPromise:
        return self._waited("segments.waitForCapacity", limit)

    def waitAll(self, on_progress: Any) -> JsPromise:
        self.progress_proxy = on_progress
        if self.hang:
            self.calls.append(("segments.waitAll",))
            promise = JsPromise()
            self.waiting.append(promise)
            return promise
        promise = self._waited("segments.waitAll")
        if self.error is None:
            on_progress(sum(count for export in self.segments.values() for _, count, _, _ in export.values()))
        return promise

    def encodeAudio(self, export_id: str, wav: TypedArray, args: JsArray, output: str) -> JsPromise:
        self.audio[export_id] = wav.bytes()
        return self._async("segments.encodeAudio", export_id, list(args), output)

    def mux(self, export_id: str, options: JsObject) -> JsPromise:
        return self._async("segments.mux", export_id, options, value=b"muxed:" + options["format"].encode())

    def handOver(self, export_id: str, numbers: JsArray, audio: bool) -> JsPromise:
        """The stored segments as stand-in bytes naming each (index, first, count), and the audio (the WAV
        encodeAudio was given), as segment-runtime.js's handOver reads them from IndexedDB."""
        stored = self.segments.get(export_id, {})
        missing = [n for n in numbers if n not in stored]
        if missing or (audio and export_id not in self.audio):
            self.calls.append(("segments.handOver", export_id, list(numbers), audio))
            return JsPromise.rejected(JsException("Error", f"segment {missing} of export {export_id} is missing"))
        segments = JsArray(TypedArray(np.frombuffer(f"segment {n} {stored[n][0]}+{stored[n][1]}".encode(), np.uint8))
                           for n in numbers)
        sound = TypedArray(np.frombuffer(self.audio[export_id], np.uint8)) if audio else None
        size = sum(s.length for s in segments) + (sound.length if sound else 0)
        return self._async("segments.handOver", export_id, list(numbers), audio,
                           value=JsObject(segments=segments, audio=sound, size=size))

    def cancel(self) -> None:
        self._sync("segments.cancel")
        self.error = JsException("AbortError", "Export cancelled")
        self.queue.clear()
        for promise in self.waiting:
            promise.reject(self.error)
        self.waiting.clear()

    def _forget(self, export_id: str) -> None:
        for store in (self.manifests, self.frames, self.segments, self.audio):
            store.pop(export_id, None)

    def discard(self, export_id: str) -> JsPromise:
        promise = self._async("segments.discard", export_id)
        self._forget(export_id)
        return promise

    def finishExport(self, export_id: str) -> JsPromise:
        promise = self._async("segments.finishExport", export_id)
        self._forget(export_id)
        return promise


class FakePage(_Recorder):
    """host.js: `audio` is what decodeAudio resolves to (None: no track loaded); `decodes` keeps the
    promises when `hold_decodes` is set, for the test to settle in any order."""

    def __init__(self, project: dict, audio: DecodedAudio | None) -> None:
        super().__init__([])
        self.project_json = project
        self.audio = audio
        self.segments = FakeJsSegments(self.calls)
        self.build = "page-build-1"
        self.states: list[JsObject] = []
        self.hold_decodes = False
        self.decodes: list[JsPromise] = []
        self._pixels: np.ndarray | None = None
        self.timing: str | None = None  # host.js's localStorage record of the last export's figures

    def names(self) -> list[str]:
        return [call[0] for call in self.calls]

    def args(self, name: str) -> list[tuple]:
        return [call[1:] for call in self.calls if call[0] == name]

    def decoded(self) -> JsObject | None:
        """decodeAudio's value: {sampleRate, length, channels: [Float32Array, ...]}."""
        if self.audio is None:
            return None
        channels = JsArray(TypedArray(np.array(row, dtype=np.float32)) for row in self.audio.samples)
        digests = JsArray(TypedArray(np.frombuffer(hashlib.sha256(row.astype(np.float32).tobytes()).digest(), np.uint8))
                          for row in self.audio.samples)
        return JsObject(id=id(self.audio), sampleRate=self.audio.sample_rate, length=self.audio.samples.shape[1],
                        channels=channels, digests=digests)

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

    def layersReady(self) -> JsPromise:
        return self._async("layersReady")

    def buildId(self) -> str:
        self._sync("buildId")
        return self.build

    def pausePlayback(self) -> None:
        self._sync("pausePlayback")

    def restorePlayback(self) -> None:
        self._sync("restorePlayback")

    def configureCompositor(self, plan: JsObject) -> None:
        self._sync("configureCompositor", plan)

    def showPausedFrame(self, frame: JsObject) -> None:
        self._sync("showPausedFrame", frame)

    def beginRender(self, width: int, height: int, audio: JsObject, form: str = "pixels") -> None:
        self._sync("beginRender", width, height, audio)
        self.render_form = form
        self._pixels = np.zeros(width * height * 4, dtype=np.uint8)

    def drawFrame(self, time: float, dt: float, frequency: TypedArray, time_domain: TypedArray) -> None:
        self._sync("drawFrame", time, dt, frequency, time_domain)
        # a pattern that follows the frame's audio, so a frame drawn with the wrong audio reads back wrong
        self._pixels[...] = (np.arange(self._pixels.size) + int(frequency.data.sum())) % 251

    def readFrame(self) -> JsPromise:
        return self._async("readFrame", value=TypedArray(self._pixels))

    def endRender(self) -> None:
        self._sync("endRender")

    def readTiming(self) -> str | None:
        self._sync("readTiming")
        return self.timing

    def writeTiming(self, text: str) -> None:
        self._sync("writeTiming", text)
        self.timing = text

    def deliver(self, output: Any, name: str, mime: str) -> JsPromise:
        return self._async("deliver", output, name, mime, value=len(output))

    def onState(self, snapshot: JsObject) -> None:
        self.states.append(snapshot)
