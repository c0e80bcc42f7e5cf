"""`make bench`: where export time goes, in the real browser, against native ffmpeg on this machine.

For each case it first measures the renderer alone (bench_render: the layers' floor, the GPU compositor
against the numpy reference, read-back), then exports 5 s of the demo track through the dialog and prints
time and fps per phase, the mean per-frame cost of each render-loop step, the loop's fps (segments encode
on the worker pool meanwhile) against the render-only fps, the time the export needs after its last frame,
and native ffmpeg encoding the same frames with the same arguments (encoding.ffmpeg_args) for comparison.
It also times the offline analysis and the waveform peaks inside Pyodide, and the ETA's error after 10 %
of the frames (bench_eta). Figures, not pass/fail: targets
are read off the ratios. `--parts` runs a subset (each part takes minutes; all of them about 45).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path


from ..encode.encoding import EncodeJob, ffmpeg_args
from ..export.settings import RESOLUTIONS
from . import bench_eta, bench_render, bench_responsive
from .bench_encode import encode_only
from .bench_memory import peak_rss
from .long_track import long_demo
from .browser import launch_persistent_chromium
from .driver import export_to_file, load_audio, load_demo, open_app
from .render import DIST
from .server import serve

CASES = [("720p", 30), ("1080p", 60)]
MEMORY_SECONDS = (10, 60)  # two 720p30 exports: the difference of their peaks is the growth with length
SECONDS = 5

ANALYSIS_IN_PYODIDE = """
import time, numpy as np
from vizengine.audio.analysis import analyse, peaks
rng = np.random.default_rng(1)
samples = (0.3 * rng.standard_normal((2, 180 * 48000))).astype(np.float32)
best = min((lambda t0: (analyse(samples, 48000, 60, fft_size=2048), time.perf_counter() - t0)[1])(time.perf_counter()) for _ in range(3))
hour = (0.3 * rng.standard_normal(3600 * 48000)).astype(np.float32)
t0 = time.perf_counter(); peaks(hour, 48000, 2000); peak_s = time.perf_counter() - t0
f"{best:.3f} {peak_s:.3f}"
"""


def native_encode_seconds(video: Path, width: int, height: int, fps: int, frames: int, quality: str) -> float:
    """Decode the export back to JPEG frames, then time native ffmpeg encoding them with our arguments."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        subprocess.run(["ffmpeg", "-v", "error", "-i", str(video), "-start_number", "0", "-q:v", "2",
                        str(work / "frame_%06d.jpg")], check=True)
        subprocess.run(["ffmpeg", "-v", "error", "-i", str(video), "-vn", "-c:a", "pcm_s16le",
                        str(work / "audio.wav")], check=True)
        args = ffmpeg_args(EncodeJob(width, height, fps, frames, quality, "mp4"))
        start = time.perf_counter()
        subprocess.run(["ffmpeg", "-v", "error", *args], cwd=work, check=True)
        return time.perf_counter() - start


PARTS = ("exports", "memory", "responsive", "eta")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vizengine.cli.bench")
    parser.add_argument("--parts", default=",".join(PARTS),
                        help=f"comma-separated, in this order: {','.join(PARTS)} (default: all)")
    parts = parser.parse_args(argv).parts.split(",")
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}: choose from {', '.join(PARTS)}")
    print(f"viz-engine bench: {SECONDS} s of the demo track per case, MP4 high, headless Chromium (software GL)")
    rows = []
    # A profile on disk, as the CLI uses: IndexedDB and OPFS hold the export's data in files, not in RAM.
    with tempfile.TemporaryDirectory() as tmp, serve(DIST) as url, \
            launch_persistent_chromium(Path(tmp) / "profile") as context:
        page = context.new_page()
        open_app(page, url, autosave=False)
        load_demo(page)
        analysis_s, peaks_s = map(float, page.evaluate(
            "code => window.vizengine.python.runPython(code)", ANALYSIS_IN_PYODIDE).split())
        # Paused at a loud moment, the preview holds that moment's analysis frame: the layers draw real bars.
        page.evaluate("async () => { window.vizengine.playback.seek(5); "
                      "await window.vizengine.app.show_paused_frame(5, 60); }")
        for resolution, fps in CASES if "exports" in parts else []:
            render = bench_render.measure(page, *RESOLUTIONS[resolution])
            render["loop_fps"] = bench_render.loop_fps(page, resolution, fps)
            out = Path(tmp) / f"{resolution}-{fps}.mp4"
            # ffmpeg.wasm, named: these rows compare it with native ffmpeg on the same arguments.
            state = export_to_file(page, {"resolution": resolution, "fps": fps, "quality": "high", "format": "mp4",
                                          "start": 4, "duration": SECONDS, "encoder": "ffmpeg"}, out)
            page.click("#export-close")
            webcodecs = export_to_file(page, {"resolution": resolution, "fps": fps, "quality": "high",
                                              "format": "mp4", "start": 4, "duration": SECONDS,
                                              "encoder": "webcodecs"}, Path(tmp) / f"{resolution}-{fps}-wc.mp4")
            page.click("#export-close")
            render["webcodecs"] = webcodecs["phaseSeconds"]
            frames = state["total"]
            width, height = RESOLUTIONS[resolution]
            native = native_encode_seconds(out, width, height, fps, frames, "high")
            encode = encode_only(page, out, EncodeJob(width, height, fps, frames, "high", "mp4"))
            rows.append((resolution, fps, frames, state["phaseSeconds"], state["stepMs"], native, render, encode))
        memory = []
        if "memory" in parts:
            load_audio(page, long_demo(Path(tmp) / "long-demo.wav", max(MEMORY_SECONDS) + 5))
        for seconds in MEMORY_SECONDS if "memory" in parts else []:
            with peak_rss() as peak:
                state = export_to_file(page, {"resolution": "720p", "fps": 30, "quality": "high", "format": "mp4",
                                              "start": 0, "duration": seconds, "encoder": "ffmpeg"},
                                       Path(tmp) / f"memory-{seconds}.mp4")
            page.click("#export-close")
            memory.append((seconds, state["total"], peak["peak_mib"], sum(state["phaseSeconds"].values())))
        responsive = bench_responsive.measure(page, Path(tmp)) if "responsive" in parts else None
        load_demo(page)
        eta = bench_eta.measure_cases(page) if "eta" in parts else None

    print(f"\nanalysis in Pyodide, 3 min stereo 48 kHz @60 fps, fft 2048: {analysis_s:.3f} s (target < 0.5 s)")
    print(f"waveform peaks in Pyodide, 1 h mono 48 kHz, 2000 buckets: {peaks_s:.3f} s (target < 1 s)")
    for resolution, fps, frames, phases, steps, native, render, (encode_s, workers) in rows:
        total = sum(phases.values())
        print(f"\n{resolution}@{fps}: {frames} frames, {total:.1f} s in all ({frames / total:.2f} fps overall, "
              f"{total / (frames / fps):.1f}x the clip's duration)")
        print(f"  renderer per frame: layers only (the floor) {render['layers']:.1f} ms; "
              f"composite: GPU {render['composite']:.1f} ms vs numpy reference {render['numpy']:.1f} ms "
              f"({render['numpy'] / render['composite']:.1f}x); layers + composite {render['render']:.1f} ms "
              f"({1000 / render['render']:.1f} fps render-only); + read-back {render['renderRead']:.1f} ms")
        for phase, seconds in phases.items():
            rate = f"{frames / seconds:6.2f} fps" if phase != "preparing" else ""
            print(f"  {phase:<10} {seconds:7.2f} s {rate}")
        print("  render loop per frame: " + ", ".join(f"{k} {v:.1f} ms" for k, v in steps.items()))
        loop_fps = frames / phases["rendering"]
        layers_fps, render_fps = 1000 / render["layers"], 1000 / render["render"]
        print(f"  render loop (segments encoding beside it) {loop_fps:.1f} fps: {loop_fps / layers_fps:.2f}x the "
              f"layers-only {layers_fps:.1f} fps, {loop_fps / render_fps:.2f}x layers + composite "
              f"{render_fps:.1f} fps (target >= 0.7x)")
        print(f"  render loop without encoding (layers + composite + read-back + JPEG): {render['loop_fps']:.1f} "
              f"fps: {render['loop_fps'] / layers_fps:.2f}x layers-only, {render['loop_fps'] / render_fps:.2f}x "
              f"layers + composite")
        tail = phases["encoding"]
        print(f"  after the last frame: {tail:.2f} s for the last segments, the audio and the join; "
              f"native ffmpeg encodes the same frames single-pass in {native:.2f} s ({frames / native:.1f} fps)")
        render_s = frames / render["loop_fps"]
        print(f"  streamed vs sequential: render-only loop {render['loop_fps']:.2f} fps, encode-only "
              f"{frames / encode_s:.2f} fps ({workers} ffmpeg.wasm worker{'s' if workers > 1 else ''}, "
              f"{frames / native / (frames / encode_s):.1f}x slower than native), end-to-end {frames / total:.2f} "
              f"fps; end-to-end time {total:.1f} s = {total / (render_s + encode_s):.2f}x (render-only "
              f"{render_s:.1f} s + encode-only {encode_s:.1f} s) (target <= 0.75x)")
        wc = render["webcodecs"]
        wc_total = sum(wc.values())
        wc_fps = frames / wc_total
        print(f"  WebCodecs (H.264 from VideoFrames of the canvas, no read-back): {wc_total:.1f} s in all, "
              f"{wc_fps:.2f} fps end-to-end = {wc_fps / render['loop_fps']:.2f}x the render loop without "
              f"encoding (target >= 0.7x), {wc_fps / render_fps:.2f}x layers + composite {render_fps:.1f} fps; "
              f"rendering {frames / wc['rendering']:.2f} fps, then {wc['encoding']:.2f} s for the last "
              f"segments, the audio and the join; ffmpeg.wasm end-to-end {frames / total:.2f} fps")
    if memory:
        (short_s, short_n, short_mib, short_t), (long_s, long_n, long_mib, long_t) = memory
        growth_kb = (long_mib - short_mib) * 1024 * 1.024 / (long_n - short_n)
        print(f"\nbrowser peak memory (summed RSS of its processes), 720p30 MP4: {short_s} s export {short_mib:.0f} "
              f"MiB ({short_t:.0f} s), {long_s} s export {long_mib:.0f} MiB ({long_t:.0f} s): {growth_kb:+.1f} KB per "
              f"extra frame (target < 10 KB)")
    if responsive is not None:
        bench_responsive.report(responsive)
    if eta is not None:
        bench_eta.report(eta)
    return 0


if __name__ == "__main__":
    sys.exit(main())
