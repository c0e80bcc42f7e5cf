"""The export, phase by phase: prepare, render, encode, complete — with the same cleanup on every exit.

Frame i shows time start + i/fps exactly (timing.FrameRange) and is drawn with frame i's offline
analysis injected, so an export is deterministic and independent of how fast the machine is.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import numpy as np

from ..audio.analysis import analyse
from ..audio.clip import clip_wav
from .cancel import CancelSignal
from ..frames.compositing import CompositePlan, Compositor, encode_jpeg
from ..encode.encoder import Encoder, FfmpegEncoder
from ..encode.encoding import MIME, EncodeJob
from ..errors import ExportCancelled, ExportError
from .host import Host
from .perf import StepTimer
from .settings import FRAME_JPEG_QUALITY, ExportSettings
from ..frames.timing import FrameRange
from .store import ExportStore, Phase

# How long the export may keep the browser's main thread before letting it paint and handle input.
BREATHE_SECONDS = 0.2
ANALYSER_KEYS = {"fftSize": "fft_size", "smoothing": "smoothing", "minDb": "min_db", "maxDb": "max_db"}


@dataclass(frozen=True)
class ExportResult:
    file_name: str
    mime: str
    frames: int
    duration: float
    size: int


async def export_video(host: Host, settings: ExportSettings, signal: CancelSignal, store: ExportStore,
                       encoder: Encoder | None = None) -> ExportResult:
    """Run one export. Raises ExportCancelled or another ExportError; the store says the same."""
    encoder = encoder or FfmpegEncoder(host.ffmpeg)
    store.begin(settings.to_dict())
    rendering = False
    try:
        store.enter(Phase.PREPARING)
        host.pause_playback()
        project = host.project()
        width, height = settings.size
        plan = CompositePlan.from_dict({**project, "width": width, "height": height})
        if not plan.layers:
            raise ExportError("There are no layers to export: add a layer first.")
        audio = await host.decode_audio()
        signal.check()
        frames = settings.frame_range(audio.duration)
        store.log("info", f"{frames.count} frames at {frames.fps} fps from {float(frames.start):.3f} s, "
                          f"{width}x{height}, {len(plan.layers)} layers")
        analyser = {ANALYSER_KEYS[k]: v for k, v in project.get("analyser", {}).items() if k in ANALYSER_KEYS}
        audio_frames = analyse(audio.samples, audio.sample_rate, frames.fps, start=frames.start,
                               frames=frames.count, **analyser)
        wav = clip_wav(audio, frames)
        store.log("info", f"analysed audio: {len(audio_frames)} frames, fft {audio_frames.fft_size}")
        await host.frames.clear()  # frames left by an export the browser never finished
        signal.check()
        await encoder.load(signal)
        store.log("info", f"encoder ready: {encoder.name}")

        store.enter(Phase.RENDERING)
        rendering = True  # before begin_render: a half-done begin still needs end_render (idempotent)
        host.begin_render(width, height, audio_frames)
        timer = await _render_frames(host, plan, frames, signal, store)
        await host.frames.flush()
        rendering = False
        host.end_render()
        store.step_ms = timer.per_item_ms(frames.count)
        store.log("perf", f"rendered {frames.count} frames; per frame: {timer.summary(frames.count)}")

        store.enter(Phase.ENCODING)
        job = EncodeJob(width, height, frames.fps, frames.count, settings.quality, settings.format)
        output = await encoder.encode(job, wav, signal, lambda done: store.advance(done, frames.count))
        signal.check()

        file_name = settings.file_name()
        size = await host.deliver(output, file_name, MIME[settings.format])
        result = ExportResult(file_name, MIME[settings.format], frames.count, float(frames.duration), size)
        store.log("success", f"exported {file_name} ({size / 1e6:.2f} MB)")
        store.finish(Phase.COMPLETE, result=result.__dict__)
        return result
    except ExportCancelled as cancelled:
        store.log("warning", str(cancelled))
        store.finish(Phase.CANCELLED, error=str(cancelled))
        raise
    except ExportError as error:
        store.log("error", str(error))
        store.finish(Phase.FAILED, error=str(error))
        raise
    except Exception as error:  # a bug or a browser failure: still clean up, still tell the user something
        message = f"Export failed unexpectedly: {type(error).__name__}: {error}"
        store.log("error", message)
        store.finish(Phase.FAILED, error=message)
        raise ExportError(message) from error
    finally:
        await _cleanup(host, encoder, store, rendering)


async def _render_frames(host: Host, plan: CompositePlan, frames: FrameRange, signal: CancelSignal,
                         store: ExportStore) -> StepTimer:
    """Draw, composite, encode and store every frame; returns where the time went.

    A two-stage pipeline: the GPU draws frame i+1 while the CPU composites and encodes frame i.
    """
    compositor = Compositor(plan)
    pixels = np.empty((len(plan.layers), plan.height, plan.width, 4), dtype=np.uint8)
    dt = float(frames.frame_duration)
    timer = StepTimer()
    host.draw_frame(0, float(frames.time(0)), dt)
    breathed = time.monotonic()
    for i in range(frames.count):
        signal.check()
        with timer.step("layers"):  # what the GPU still had to do when the CPU came for the frame
            host.read_frame(pixels)
        if i + 1 < frames.count:
            with timer.step("draw"):
                host.draw_frame(i + 1, float(frames.time(i + 1)), dt)
        with timer.step("composite"):
            rgb = compositor.compose(pixels)
        with timer.step("jpeg"):
            jpeg = encode_jpeg(rgb, FRAME_JPEG_QUALITY)
        with timer.step("store"):
            await host.frames.put(i, jpeg)
        store.advance(i + 1, frames.count)
        if time.monotonic() - breathed > BREATHE_SECONDS:
            with timer.step("page"):
                await asyncio.sleep(0)  # let the page paint progress and take a Cancel click
            breathed = time.monotonic()
    return timer


async def _cleanup(host: Host, encoder: Encoder, store: ExportStore, rendering: bool) -> None:
    """Every step runs even if an earlier one fails: a failed cleanup must not leave frames behind."""

    async def end_render() -> None:
        if rendering:
            host.end_render()

    async def restore_playback() -> None:
        host.restore_playback()

    for what, step in [("end rendering", end_render), ("clear frames", host.frames.clear),
                       ("clear encoder files", encoder.cleanup), ("restore playback", restore_playback)]:
        try:
            await step()
        except Exception as error:  # noqa: BLE001 — report and keep cleaning
            store.log("error", f"cleanup: could not {what}: {error}")
