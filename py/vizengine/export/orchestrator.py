"""The export, phase by phase: prepare, render, encode, complete — with the same cleanup on every exit.

Frame i shows time start + i/fps exactly (timing.FrameRange) and is drawn with frame i's offline
analysis injected, so an export is deterministic and independent of how fast the machine is. The page
draws and composites each frame on the GPU with the plan built here (frames.gpu_plan), the plan the
live preview uses too; each frame goes to the encoder as soon as it is drawn, in the form the encoder
`wants` (frames/frame.py): pixels read back from the GPU, or a VideoFrame that never leaves the page.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import numpy as np

from ..audio.analysis import analyse_steps
from ..audio.clip import clip_wav_steps
from ..encode.encoder import Encoder
from ..encode.encoding import MIME, EncodeJob
from ..encode.segments import plan_segments, segment_frames
from ..errors import ExportCancelled, ExportError
from ..frames.frame import FRAME_FORMS, PIXELS, Frame
from ..frames.gpu_plan import gpu_plan
from ..frames.timing import FrameRange
from ..steps import STEP_BUDGET_SECONDS, run_in_steps
from .cancel import CancelSignal
from .host import Host
from .manifest import build_manifest, fingerprint_steps
from .part import Part
from .perf import StepTimer
from .settings import ExportSettings
from .store import ExportStore, Phase
from .track_checks import silence_warning, silent_steps

# How long the export may keep the browser's main thread before letting it paint and handle input.
BREATHE_SECONDS = STEP_BUDGET_SECONDS


@dataclass(frozen=True)
class ExportResult:
    file_name: str
    mime: str
    frames: int
    duration: float
    size: int
    width: int
    height: int
    codecs: str = ""  # e.g. "VP9 + Opus (WebCodecs)", when the encoder says (see the bridge)


async def export_video(host: Host, settings: ExportSettings, signal: CancelSignal, store: ExportStore,
                       encoder: Encoder, part: Part | None = None) -> ExportResult:
    """Run one export. Raises ExportCancelled or another ExportError; the store says the same.

    With `part` (export/part.py), only that part's segments are rendered and the encoder hands them (and
    the audio, if the part asks) to `part.output` instead of joining them into a delivered file; the result's
    size is then the handed-over bytes'."""
    store.begin(settings.to_dict())
    rendering = False
    try:
        store.enter(Phase.PREPARING)
        host.pause_playback()
        await host.layers_ready()
        project = host.project()
        width, height = settings.size
        if not project.layers:
            raise ExportError("There are no layers to export: add a layer first.")
        plan = gpu_plan(project)
        if not plan["layers"]:
            store.log("warning", "No layer is visible: the video shows only the stage background.")
        audio = await host.decode_audio()
        signal.check()
        frames = settings.frame_range(audio.duration)
        for warning in audio.warnings:
            store.log("warning", warning)
        if await run_in_steps(silent_steps(audio, frames), signal.check):
            store.log("warning", silence_warning(frames))
        store.log("info", f"{frames.count} frames at {frames.fps} fps from {float(frames.start):.3f} s, "
                          f"{width}x{height}, {len(plan['layers'])} visible layers")
        if part is not None:
            part.check(len(plan_segments(frames.count, frames.fps)))
        sha256 = await run_in_steps(fingerprint_steps(audio), signal.check)

        async def analysis():
            # Seconds of work for a long track: in steps, so the page keeps painting and hears Cancel.
            return await run_in_steps(analyse_steps(
                audio.samples, audio.sample_rate, frames.fps, start=frames.start, frames=frames.count,
                **project.analyser_kwargs()), signal.check)

        # A part of only audio draws nothing; parts of one export share one analysis (part.AnalysisCache).
        audio_frames = None
        if part is None:
            audio_frames = await analysis()
        elif part.end > part.first:
            key = (sha256, frames.start, frames.fps, frames.count, tuple(sorted(project.analyser_kwargs().items())))
            audio_frames = await part.analyses.get(key, analysis)
        wav = await run_in_steps(clip_wav_steps(audio, frames), signal.check) if part is None or part.audio else None
        if audio_frames is not None:
            store.log("info", f"analysed audio: {len(audio_frames)} frames, fft {audio_frames.fft_size}")
        signal.check()
        job = EncodeJob(width, height, frames.fps, frames.count, settings.quality, settings.format)
        manifest = build_manifest(settings, project, audio, encoder.name, host.build_id(), sha256)
        reason = getattr(encoder, "reason", None)
        if reason:
            store.log("info", f"encoder: {reason}")
        await encoder.start(job, manifest, signal)
        store.log("info", f"encoder ready: {encoder.name}")
        if part is not None:
            part.manifest_key = manifest.key
        needs = _wanted(encoder, part, frames)
        done = sum(1 for i in range(frames.count) if not needs(i))
        if done:
            store.log("info", f"resuming: {done} of {frames.count} frames are already encoded")

        store.enter(Phase.RENDERING)
        if audio_frames is not None:
            rendering = True  # before begin_render: a half-done begin still needs end_render (idempotent)
            host.configure_compositor(plan)
            form = getattr(encoder, "wants", PIXELS)
            if form not in FRAME_FORMS:
                raise ExportError(f"encoder {encoder.name} wants frames as {form!r}, which the renderer cannot give")
            host.begin_render(width, height, audio_frames, form)
            timer, rendered = await _render_frames(host, encoder, frames, needs, (width, height), signal, store)
            rendering = False
            host.end_render()
            store.step_ms = timer.per_item_ms(max(rendered, 1))
            store.rendered = rendered
            store.log("perf", f"rendered {rendered} frames; per frame: {timer.summary(max(rendered, 1))}")

        store.enter(Phase.ENCODING)
        progress = lambda done: store.advance(done, frames.count)  # noqa: E731
        file_name = settings.file_name()
        if part is None:
            output = await encoder.finish(wav, progress)
            signal.check()
            size = await host.deliver(output, file_name, MIME[settings.format])
        else:
            # The farm's driver joins the parts: nothing is muxed or downloaded here.
            part.output = await encoder.hand_over(part.segments, wav, progress)
            signal.check()
            size = int(part.output.size)
        result = ExportResult(file_name, MIME[settings.format], frames.count, float(frames.duration), size,
                              width, height, getattr(encoder, "codecs", ""))
        store.log("success", f"exported {file_name} ({size / 1e6:.2f} MB)")
        store.finish(Phase.COMPLETE, result=result.__dict__)
        return result
    except ExportCancelled as cancelled:
        # The user asked for it: news, not a warning about the video (the dialog lists warnings apart).
        store.log("info", str(cancelled))
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


def _wanted(encoder: Encoder, part: Part | None, frames: FrameRange):
    """Which frames to render: those the encoder still needs (not stored by an earlier run), and with a
    part only its segments' frames."""
    if part is None:
        return encoder.needs
    size = segment_frames(frames.fps)
    return lambda i: part.holds(i // size) and encoder.needs(i)


async def _render_frames(host: Host, encoder: Encoder, frames: FrameRange, needs, size: tuple[int, int],
                         signal: CancelSignal, store: ExportStore) -> tuple[StepTimer, int]:
    """Draw, take and hand over every frame; returns where the time went.

    A two-stage pipeline: the GPU draws frame i+1 while the CPU encodes frame i. So frame i is taken
    (read back, or captured as a VideoFrame) before frame i+1 is drawn over it.
    """
    take = _frame_taker(host, getattr(encoder, "wants", PIXELS), size)
    dt = float(frames.frame_duration)
    timer = StepTimer()
    todo = [i for i in range(frames.count) if needs(i)]
    done = frames.count - len(todo)
    store.advance(done, frames.count)
    if todo:
        host.draw_frame(todo[0], float(frames.time(todo[0])), dt)
    breathed = time.monotonic()

    async def breathe() -> None:
        # Checked twice a frame (after the read-back and the next draw, and after the encode): one frame's
        # work is two tasks of the page's thread, not one.
        nonlocal breathed
        if time.monotonic() - breathed > BREATHE_SECONDS:
            with timer.step("page"):
                await asyncio.sleep(0)  # let the page paint progress and take a Cancel click
            breathed = time.monotonic()
            signal.check()

    for k, i in enumerate(todo):
        signal.check()
        with timer.step("gpu"):  # what the GPU still had to do when the CPU came for the frame
            frame = await take()
        try:
            if k + 1 < len(todo):
                with timer.step("draw"):
                    host.draw_frame(todo[k + 1], float(frames.time(todo[k + 1])), dt)
            await breathe()
            with timer.step("encode"):
                await encoder.add_frame(i, frame)
        finally:
            frame.close()
        store.advance(done + k + 1, frames.count)
        await breathe()
    return timer, len(todo)


def _frame_taker(host: Host, form: str, size: tuple[int, int]):
    """How the loop takes each drawn frame: pixels go into one reused buffer; a VideoFrame stays in the
    page (no read-back at all)."""
    if form != PIXELS:
        return host.capture_frame
    width, height = size
    rgba = np.empty((height, width, 4), dtype=np.uint8)
    frame = Frame(rgba)

    async def read() -> Frame:
        await host.read_frame(rgba)
        return frame

    return read


async def _cleanup(host: Host, encoder: Encoder, store: ExportStore, rendering: bool) -> None:
    """Every step runs even if an earlier one fails: a failed cleanup must not leave frames behind."""

    async def end_render() -> None:
        if rendering:
            host.end_render()

    async def restore_playback() -> None:
        host.restore_playback()

    for what, step in [("end rendering", end_render), ("release the encoder's files", encoder.abort),
                       ("restore playback", restore_playback)]:
        try:
            await step()
        except Exception as error:  # noqa: BLE001 — report and keep cleaning
            store.log("error", f"cleanup: could not {what}: {error}")
