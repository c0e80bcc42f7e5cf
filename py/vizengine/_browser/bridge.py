"""The page's entry point into Python (with ffi.py and segment_runtime.py, the only code that imports js or
pyodide).

JS values become typed Python objects here and only here (the project description through
`Project.from_json`), and every JS exception becomes a readable `ExportError` through `ffi.page_call`.
The JS side is web/src/host.js.
"""

from __future__ import annotations

import asyncio
import dataclasses
from fractions import Fraction
from typing import Any

import numpy as np

from ..audio.analysis import AudioFrames
from ..audio.clip import DecodedAudio
from ..audio.features import features_steps
from ..audio.paused_frame import paused_frame
from ..audio.waveform import timeline_peaks
from ..encode.choice import CODECS, FFMPEG, WEBCODECS, EncoderChoice, Support, choose_encoder
from ..encode.segmented_encoder import SegmentedEncoder
from ..encode.webcodecs import webcodecs_config
from ..encode.webcodecs_encoder import WebCodecsEncoder
from ..encode.segments import plan_segments
from ..errors import AudioError, ExportCancelled, ExportError, RenderError
from ..export.cancel import CancelSignal
from ..export.estimate import Timing, estimate, for_encoder, measured_timing, warmup_timing
from ..export.orchestrator import export_video
from ..export.manifest import WEBCODECS_ENCODER, build_manifest, fingerprint_steps, settings_of
from ..export.part import AnalysisCache
from ..export.settings import ExportSettings
from ..export.store import ExportStore, Phase
from ..frames.frame import PIXELS, PageFrame
from ..frames.gpu_plan import gpu_plan
from ..project.description import Project
from ..steps import run_in_steps
from .ffi import awaited, page_call, to_float32array, to_plain_js, to_uint8array
from .farm_entry import FarmEntry
from .project_entry import ProjectEntry
from .segment_runtime import JsSegmentRuntime
from .webcodecs_runtime import JsVideoCodecRuntime

# The encoders a stored export may have been made with, and the dialog's choice that runs each again.
_ENCODER_CHOICES = ((SegmentedEncoder.name, FFMPEG), (WebCodecsEncoder.name, WEBCODECS))


# Samples per slice of the decoded audio's copy into Python.
_COPY_SAMPLES = 1 << 21


def _copy_channels(channels: Any, out: np.ndarray) -> Any:
    for c in range(channels.length):
        channel = channels[c]
        for a in range(0, out.shape[1], _COPY_SAMPLES):
            b = min(a + _COPY_SAMPLES, out.shape[1])
            channel.subarray(a, b).assign_to(out[c, a:b])
            yield


class BrowserHost:
    def __init__(self, host: Any) -> None:
        self._js = host
        self._audio: AudioFrames | None = None
        self._size = (0, 0)
        self._decoded: tuple[int, DecodedAudio] | None = None  # (the page's track id, its samples)
        self._copying: tuple[int, asyncio.Future] | None = None  # the copy under way, for every caller to share

    def project(self) -> Project:
        with page_call(ExportError, "Could not read the project from the page"):
            description = self._js.project().to_py()
        return Project.from_json(description)

    def build_id(self) -> str:
        return str(self._js.buildId())

    async def layers_ready(self) -> None:
        await awaited(RenderError, "A layer could not get ready to draw", self._js.layersReady)

    async def decode_audio(self) -> DecodedAudio:
        decoded = await awaited(AudioError, "Could not decode the audio", self._js.decodeAudio)
        if decoded is None:
            raise AudioError("No audio is loaded: pick a file or use the demo track.")
        track = int(decoded.id)
        warnings = tuple(str(w) for w in getattr(decoded, "warnings", None) or ())  # absent: nothing noticed
        if self._decoded is None or self._decoded[0] != track:
            # A new track asks for its copy from several callers at once (paused frame, waveform, resume
            # offer): they share one copy, or a long track would be copied, and held, once per caller.
            if self._copying is None or self._copying[0] != track:
                self._decoded = None  # the previous track's copy goes before the next one is made
                self._copying = (track, asyncio.ensure_future(self._copy(track, decoded)))
            await asyncio.shield(self._copying[1])
            if self._decoded is None or self._decoded[0] != track:
                return await self.decode_audio()  # the page switched tracks during the copy
        # The page may learn of a damaged file after the first copy: its notes are always fresh.
        return dataclasses.replace(self._decoded[1], warnings=warnings)

    async def _copy(self, track: int, decoded: Any) -> None:
        try:
            samples = np.empty((decoded.channels.length, decoded.length), dtype=np.float32)
            # Half an hour of stereo is 700 MB: copied in slices, so the page keeps painting meanwhile.
            await run_in_steps(_copy_channels(decoded.channels, samples))
            digests = tuple(digest.to_bytes() for digest in decoded.digests)
            if self._copying is not None and self._copying[0] == track:
                self._decoded = (track, DecodedAudio(samples, int(decoded.sampleRate), digests))
        finally:
            if self._copying is not None and self._copying[0] == track:
                self._copying = None

    def pause_playback(self) -> None:
        with page_call(ExportError, "Could not pause playback"):
            self._js.pausePlayback()

    def restore_playback(self) -> None:
        with page_call(ExportError, "Could not restore playback"):
            self._js.restorePlayback()

    def configure_compositor(self, plan: dict) -> None:
        with page_call(RenderError, "The compositor refused the plan"):
            self._js.configureCompositor(to_plain_js(plan))

    def show_paused_frame(self, frames: AudioFrames, dt: float) -> None:
        with page_call(RenderError, "Could not show the paused frame"):
            self._show_paused_frame(frames, dt)

    def _show_paused_frame(self, frames: AudioFrames, dt: float) -> None:
        self._js.showPausedFrame(to_plain_js({
            "frequency": to_uint8array(frames.frequency[-1]),
            "timeDomain": to_uint8array(frames.time_domain[-1]),
            "sampleRate": frames.sample_rate,
            "dt": dt,
        }))

    def begin_render(self, width: int, height: int, audio: AudioFrames, form: str = PIXELS) -> None:
        # The analysis stays here; each frame's rows go with its draw call (a few KB, not the whole song).
        self._audio = audio
        self._size = (width, height)
        with page_call(RenderError, f"Could not prepare rendering at {width}x{height}"):
            self._js.beginRender(width, height, to_plain_js({"fftSize": audio.fft_size,
                                                             "sampleRate": audio.sample_rate}), form)

    def draw_frame(self, index: int, time: float, dt: float) -> None:
        if self._audio is None:
            raise RenderError(f"Could not draw frame {index}: drawn before the render began")
        with page_call(RenderError, f"Could not draw frame {index}"):
            self._js.drawFrame(time, dt, to_uint8array(self._audio.frequency[index]),
                               to_uint8array(self._audio.time_domain[index]))

    async def read_frame(self, out: np.ndarray) -> None:
        pixels = await awaited(RenderError, "Could not read the rendered frame", self._js.readFrame)
        with page_call(RenderError, "Could not read the rendered frame"):
            pixels.assign_to(out)

    async def capture_frame(self) -> PageFrame:
        video_frame = await awaited(RenderError, "Could not capture the rendered frame", self._js.captureFrame)
        return PageFrame(video_frame, self._size)

    def end_render(self) -> None:
        self._audio = None
        with page_call(RenderError, "Could not return the renderer to the preview"):
            self._js.endRender()

    async def deliver(self, output: Any, file_name: str, mime: str) -> int:
        return int(await awaited(ExportError, "Could not hand over the file",
                                  lambda: self._js.deliver(output, file_name, mime)))


class App(FarmEntry, ProjectEntry):
    """What the page calls: plan the preview, show a paused frame, run one export at a time, cancel it."""

    def __init__(self, host: Any) -> None:
        self._page = host
        self.host = BrowserHost(host)
        self._running = FFMPEG  # the concrete encoder of the export being run: its ETA and its Timing
        self.store = ExportStore(prior=self._prior)
        self.signal: CancelSignal | None = None
        self._paused_request = 0
        self._analyses = AnalysisCache()  # the render farm's parts of one export share their analysis
        self.store.subscribe(lambda snapshot: host.onState(to_plain_js(snapshot)))

    def plan_preview(self) -> None:
        """Give the compositor the current project's plan; not while an export owns the renderer."""
        if self.signal is None:
            self.host.configure_compositor(gpu_plan(self.host.project()))

    def show_paused_frame(self, time: float, fps: int) -> Any:
        """Analyse the frame an export would show at `time` and hold it in the paused preview."""
        self._paused_request += 1
        return asyncio.ensure_future(self._paused(self._paused_request, Fraction(time), int(fps)))

    async def _paused(self, request: int, time: Fraction, fps: int) -> None:
        audio = await self.host.decode_audio()
        if request != self._paused_request or self.signal is not None:
            return  # the playhead moved on, or an export began, while the audio was copied
        frames = paused_frame(audio, time, fps, **self.host.project().analyser_kwargs())
        self.host.show_paused_frame(frames, 1.0 / fps)

    def waveform(self, columns: int) -> Any:
        """The loaded track's peaks for the timeline, `columns` buckets: {mins, maxs} (Float32Arrays)."""
        return asyncio.ensure_future(self._waveform(columns))

    async def _waveform(self, columns: int) -> Any:
        mins, maxs = timeline_peaks(await self.host.decode_audio(), columns)
        return to_plain_js({"mins": to_float32array(mins), "maxs": to_float32array(maxs)})

    def track_features(self) -> Any:
        """The loaded track's whole-track features (audio/features.py) for the layers that need its history
        (particles): resolves to {hopRate, energy, cumulative, onsetTimes, onsetStrengths}, each array a
        Float32Array made from one bytes copy (never to_js of a numpy array), or null with no track."""
        return asyncio.ensure_future(self._track_features())

    async def _track_features(self) -> Any:
        try:
            audio = await self.host.decode_audio()
        except AudioError:
            return None  # no track loaded
        features = await run_in_steps(features_steps(audio.samples, audio.sample_rate))
        return to_plain_js({
            "hopRate": features.hop_rate,
            "energy": to_float32array(features.energy),
            "cumulative": to_float32array(features.cumulative),
            "onsetTimes": to_float32array(features.onset_times),
            "onsetStrengths": to_float32array(features.onset_strengths),
        })

    def resumable_exports(self) -> Any:
        """Stored, unfinished exports of the loaded track and current project: [{exportId, settings, done, total}]."""
        return asyncio.ensure_future(self._resumable())

    async def _resumable(self) -> Any:
        runtime = JsSegmentRuntime(self._page.segments)
        entries = await runtime.resumable()
        if not entries:
            return to_plain_js([])
        try:
            audio = await self.host.decode_audio()
        except AudioError:
            return to_plain_js([])  # no track loaded: nothing can match
        project, build = self.host.project(), self.host.build_id()
        sha256 = await run_in_steps(fingerprint_steps(audio))
        offers = []
        for entry in entries:
            try:
                settings = settings_of(entry["manifest"])
                encoders = [choice for name, choice in _ENCODER_CHOICES
                            if build_manifest(settings, project, audio, name, build, sha256).key == entry["key"]]
            except ExportError:
                continue  # made for another track or app version: its range may not even fit this track
            if not encoders:
                continue  # another track, project or build: never mixed in
            total = settings.frame_range(audio.duration).count
            stored = {int(s) for s in entry.get("segmentsDone", [])}
            done = sum(segment.count for segment in plan_segments(total, settings.fps) if segment.index in stored)
            # The encoder that made it, so the resumed export runs it again whatever the dialog shows.
            offers.append({"exportId": entry["exportId"], "settings": {**settings.to_dict(), "encoder": encoders[0]},
                           "done": done, "total": total})
        return to_plain_js(offers)

    def discard_export(self, export_id: str) -> Any:
        return asyncio.ensure_future(JsSegmentRuntime(self._page.segments).discard(export_id))

    def start_export(self, settings: Any) -> Any:
        return asyncio.ensure_future(self._run(settings.to_py() if hasattr(settings, "to_py") else settings))

    async def _run(self, settings: dict) -> Any:
        if self.signal is not None:
            return to_plain_js({"status": "failed", "message": "An export is already running."})
        self.signal = CancelSignal()
        try:
            try:
                parsed = ExportSettings.from_dict(settings)
                encoder = await self._encoder(parsed)
                self._running = WEBCODECS if encoder.name == WEBCODECS_ENCODER else FFMPEG
            except Exception as error:  # noqa: BLE001 — whatever it is, the dialog must say it
                message = str(error) if isinstance(error, ExportError) else f"Invalid settings: {error}"
                # Refused before export_video began: the store still holds the previous export's state
                # (e.g. "complete"), so record this attempt as its own failed export or nothing shows.
                self.store.begin(settings)
                self.store.log("error", message)
                self.store.finish(Phase.FAILED, error=message)
                return to_plain_js({"status": "failed", "message": message})
            result = await export_video(self.host, parsed, self.signal, self.store, encoder)
            self._remember_timing(measured_timing(parsed, self.store.phase_seconds, self.store.rendered,
                                                   self.store.first_seconds, self._running))
            return to_plain_js({"status": "complete", **result.__dict__})
        except ExportCancelled as cancelled:
            return to_plain_js({"status": "cancelled", "message": str(cancelled)})
        except ExportError as error:  # export_video has recorded it in the store already
            return to_plain_js({"status": "failed", "message": str(error)})
        finally:
            self.signal = None
            try:
                self.plan_preview()  # an edit made during the export shows now
            except ExportError as error:
                self.store.log("error", f"preview: {error}")

    # -- the estimate before Start (export/estimate.py) ---------------------------------------------
    def stored_timing(self) -> Timing | None:
        """This machine's last measured figures, kept by the page (localStorage) across reloads."""
        try:
            return Timing.from_json(self._page.readTiming())
        except Exception:  # noqa: BLE001 — no storage (private mode) or a page without it: no history
            return None

    def _prior(self) -> Timing | None:
        """The ETA's start: the stored figures, as the encoder now running would have measured them."""
        stored = self.stored_timing()
        return for_encoder(stored, self._running) if stored else None

    def _remember_timing(self, timing: Timing | None) -> None:
        if timing is None:
            return
        try:
            self._page.writeTiming(timing.to_json())
        except Exception as error:  # noqa: BLE001 — the export succeeded; only the next estimate suffers
            self.store.log("warning", f"could not keep this export's timing for the next estimate: {error}")

    def estimate(self, settings: Any, track_samples: int, sample_rate: int, free_bytes: Any = None,
                 cores: int = 2, webcodecs: Any = False) -> Any:
        """The dialog's estimate for these settings: a dict, or {"error": message} for settings the export
        would refuse (the dialog shows the message in place of the figures). `webcodecs`: whether the page
        has WebCodecs, so whether auto will use it."""
        raw = settings.to_py() if hasattr(settings, "to_py") else dict(settings)
        try:
            parsed = ExportSettings.from_dict(raw)
            track = Fraction(int(track_samples), int(sample_rate))
            free = None if free_bytes is None else float(free_bytes)
            result = estimate(parsed, track, self.stored_timing(), free, int(cores), bool(webcodecs)).to_dict()
        except ExportError as error:
            result = {"error": str(error)}
        return to_plain_js(result)

    def record_warmup(self, ms_per_frame: float, width: int, height: int, frames: int) -> None:
        """The page's warm-up render; kept only while no export has measured this machine."""
        stored = self.stored_timing()
        if stored is None or stored.source != "export":
            self._remember_timing(warmup_timing(float(ms_per_frame), int(width), int(height), int(frames)))

    def _codec_runtime(self) -> JsVideoCodecRuntime | None:
        page_codec = getattr(self._page, "webcodecs", None)
        return JsVideoCodecRuntime(page_codec) if page_codec is not None else None

    async def _choice(self, settings: ExportSettings) -> EncoderChoice:
        """Which encoder runs the settings, and why: WebCodecs where auto finds the browser can encode."""
        codec = self._codec_runtime()
        support = Support(False, "the page has no WebCodecs encoder")
        if settings.encoder != FFMPEG and codec is not None:
            width, height = settings.size
            config = webcodecs_config(width, height, settings.fps, settings.quality, settings.format)
            support = await codec.supports(config.to_dict())
        return choose_encoder(settings.encoder, settings.format, support)

    async def _encoder(self, settings: ExportSettings) -> Any:
        """The encoder the settings ask for (see _choice); its `reason` goes to the export's log."""
        segments = JsSegmentRuntime(self._page.segments)
        codec = self._codec_runtime()
        choice = await self._choice(settings)
        if choice.encoder == WEBCODECS:
            encoder = WebCodecsEncoder(segments, codec, choice.reason)
        else:
            encoder = SegmentedEncoder(segments, settings.encode_workers)
            encoder.reason = choice.reason
        # The result panel says what the file holds: with auto, WebM may be VP8 + Vorbis.
        encoder.codecs = f"{CODECS[(choice.encoder, settings.format)]} ({choice.label})"
        return encoder

    def log(self, level: str, message: str) -> None:
        """A line from the page for the export log (e.g. the tab was hidden)."""
        self.store.log(level, message)

    def cancel(self) -> None:
        if self.signal is not None:
            self.signal.cancel()


def install(host: Any) -> App:
    return App(host)
