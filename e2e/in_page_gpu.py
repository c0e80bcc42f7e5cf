"""Runs INSIDE the page's Pyodide (never imported by CPython): the heavy side of the GPU tests.

`gpu_page.install(page)` loads this source into the page as the module `in_page_gpu`; the tests call its
async functions through `gpu_page.call`. Every function returns a small JSON-able dict, so only numbers
cross Playwright, never pixels. Pixels stay in wasm memory one layer or one band at a time, so a 4K
stack of 16 layers fits in Pyodide's heap.
"""

from __future__ import annotations

from fractions import Fraction

import js  # type: ignore[import-not-found]
import numpy as np
from pyodide.ffi import to_js  # type: ignore[import-not-found]

from vizengine._browser.bridge import to_plain_js, to_uint8array
from vizengine.audio.analysis import analyse
from vizengine.export.cancel import CancelSignal
from vizengine.export.orchestrator import export_video
from vizengine.export.settings import ExportSettings
from vizengine.export.store import ExportStore
from vizengine.frames.compositing import Compositor
from vizengine.frames.gpu_plan import gpu_plan
from vizengine.project.contract import BLEND_MODES
from vizengine.project.description import Project, composite_plan

V = js.window.vizengine
# Random layers are generated (and regenerated for the reference) in bands of this many rows, each band
# from its own seed: 720 and 2160 are multiples of it.
BAND_ROWS = 120
BLOCK = 40  # divides BAND_ROWS, 1280 and 3840


# --- reading pixels back --------------------------------------------------------------------------


async def read_canvas(width: int, height: int) -> np.ndarray:
    """The composited canvas: uint8 (height, width, 4) RGBA, rows bottom-up, read as the export reads it."""
    dst = js.Uint8Array.new(width * height * 4)
    V.renderer.startRead()
    await V.renderer.readFrame(dst)
    out = np.empty((height, width, 4), dtype=np.uint8)
    dst.assign_to(out)
    return out


def read_slice(k: int, out: np.ndarray, scratch) -> np.ndarray:
    """Layer slice k (premultiplied RGBA, rows bottom-up) into `out`, through a reused JS buffer."""
    V.renderer.targets.read(k, scratch)
    scratch.assign_to(out)
    return out


def difference(a: np.ndarray, b: np.ndarray) -> dict:
    """Per-channel max and mean |a - b| (uint8 arrays of equal shape, ... x 3)."""
    d = np.abs(a.astype(np.int16) - b.astype(np.int16)).reshape(-1, a.shape[-1])
    return {"max": d.max(axis=0).tolist(), "sum": d.sum(axis=0, dtype=np.int64).tolist(), "n": int(len(d))}


# --- seeded random layer stacks -------------------------------------------------------------------


def layer_rows(seed: int, k: int, y0: int, rows: int, width: int) -> np.ndarray:
    """Rows y0..y0+rows (GL order, bottom-up) of random layer k: valid premultiplied RGBA (rgb <= alpha)
    with every alpha from 0 to 255, about 10% fully transparent and 10% fully opaque pixels, inside
    40-pixel blocks of which the layer covers 60% (the rest transparent). Without the blocks, seven
    random layers in one mode average out to a nearly flat picture (exclusion gives almost uniform grey);
    with them, each region shows a different subset of the stack."""
    rng = np.random.default_rng([seed, k, y0])
    alpha = rng.integers(0, 256, size=(rows, width), dtype=np.uint16)
    kind = rng.random((rows, width), dtype=np.float32)
    alpha[kind < 0.1] = 0
    alpha[kind > 0.9] = 255
    covered = rng.random((rows // BLOCK, width // BLOCK)) < 0.6
    alpha *= np.repeat(np.repeat(covered, BLOCK, axis=0), BLOCK, axis=1)
    colour = rng.integers(0, 256, size=(rows, width, 3), dtype=np.uint16)
    out = np.empty((rows, width, 4), dtype=np.uint8)
    out[..., :3] = (colour * (alpha[..., None] + 1)) >> 8  # floor(c (a+1) / 256) <= a
    out[..., 3] = alpha
    return out


def random_layer(seed: int, k: int, width: int, height: int) -> np.ndarray:
    return np.concatenate([layer_rows(seed, k, y0, BAND_ROWS, width) for y0 in range(0, height, BAND_ROWS)])


def stack_project(seed: int, modes: list[str]) -> dict:
    """A project JSON whose layers use `modes` bottom to top, with random opacity (never 0), translucent
    '#rrggbbaa' backgrounds (alpha 0x40..0xc0) on every other layer, 'transparent' on the rest, and an
    opaque random stage background."""
    rng = np.random.default_rng([seed, 999])
    hexes = lambda n: "".join(f"{int(v):02x}" for v in rng.integers(0, 256, n))  # noqa: E731
    layers = []
    for k, mode in enumerate(modes):
        background = f"#{hexes(3)}{int(rng.integers(0x40, 0xC1)):02x}" if k % 2 == 1 else "transparent"
        opacity = 1.0 if k == len(modes) - 1 else round(float(rng.uniform(0.15, 1.0)), 3)
        layers.append({"id": f"layer{k}", "kind": "pulse-gradient", "opacity": opacity, "blendMode": mode,
                       "background": background})
    return {"version": 1, "background": f"#{hexes(3)}",
            "analyser": {"fftSize": 2048, "smoothing": 0.8, "minDb": -100, "maxDb": -30}, "layers": layers}


async def gpu_vs_reference(seed: int, width: int, height: int, modes: list[str]) -> dict:
    """Upload a random stack into the renderer's layer textures, composite it on the GPU with the plan
    gpu_plan() makes, and compare with the numpy reference Compositor for the same project."""
    assert height % BAND_ROWS == 0, height
    project = Project.from_json(stack_project(seed, modes))
    plan = gpu_plan(project)
    assert len(plan["layers"]) == len(modes), "gpu_plan dropped a layer of the test stack"
    renderer, n = V.renderer, len(modes)
    # Everything from resize to the read's startRead runs without yielding, so the preview loop cannot
    # draw over it; the read itself is queued on the GPU then, whatever is drawn while it is awaited.
    renderer.resize(width, height)
    renderer.targets.allocate(width, height, n)
    for k in range(n):
        renderer.targets.upload(k, to_uint8array(random_layer(seed, k, width, height)))
    renderer.compositor.configure(to_plain_js(plan), n)
    renderer.compositor.draw(renderer.targets.texture, width, height)
    gpu = (await read_canvas(width, height))

    reference = Compositor(composite_plan(project, width, BAND_ROWS))
    stats = {"max": [0, 0, 0], "sum": [0, 0, 0], "n": 0}
    ref_sum = ref_sq = 0.0
    worst = None
    for y0 in range(0, height, BAND_ROWS):
        band = np.stack([layer_rows(seed, k, y0, BAND_ROWS, width) for k in range(n)])
        ref = reference.compose(band)  # top-down
        got = gpu[y0 : y0 + BAND_ROWS, :, :3][::-1]
        d = difference(got, ref)
        if max(d["max"]) > max(stats["max"]):
            diff = np.abs(got.astype(np.int16) - ref).max(axis=2)
            r, x = np.unravel_index(int(diff.argmax()), diff.shape)
            worst = {"gl_row": y0 + BAND_ROWS - 1 - int(r), "x": int(x), "gpu": got[r, x].tolist(),
                     "reference": ref[r, x].tolist(), "layers": band[:, BAND_ROWS - 1 - r, x].tolist()}
        stats["max"] = [max(a, b) for a, b in zip(stats["max"], d["max"])]
        stats["sum"] = [a + b for a, b in zip(stats["sum"], d["sum"])]
        stats["n"] += d["n"]
        ref_sum += float(ref.sum(dtype=np.float64))
        ref_sq += float(np.square(ref, dtype=np.float64).sum())
    count = stats["n"] * 3
    ref_std = (ref_sq / count - (ref_sum / count) ** 2) ** 0.5
    return {"modes": modes, "max": stats["max"], "mean": [s / stats["n"] for s in stats["sum"]],
            "reference_std": ref_std, "gpu_alpha_min": int(gpu[..., 3].min()), "worst": worst,
            "plan": plan}


async def restore() -> dict:
    """Back to the preview: its drawing-buffer size (and layer slices) and the project's own plan."""
    V.stage.showPreviewSize()
    V.app.plan_preview()
    return {}


async def rendered_vs_reference(width: int, height: int, fps: int, start: str, frames: int, check_from: int) -> dict:
    """Render frames 0..frames-1 of the page's own layers with the export's injected analysis; for each
    frame from `check_from` on, composite the layer slices the renderer drew with the numpy reference and
    compare with what the GPU compositor put on the canvas (which may skip rows a layer says it left empty)."""
    app = V.app
    audio = await app.host.decode_audio()
    project = app.host.project()
    audio_frames = analyse(audio.samples, audio.sample_rate, fps, start=Fraction(start), frames=frames,
                           **project.analyser_kwargs())
    n = len(project.layers)
    reference = Compositor(composite_plan(project, width, height))
    scratch = js.Uint8Array.new(width * height * 4)
    slices = np.empty((n, height, width, 4), dtype=np.uint8)
    stats = {"max": [0, 0, 0], "sum": [0, 0, 0], "n": 0}
    per_frame = []
    app.host.configure_compositor(gpu_plan(project))
    app.host.begin_render(width, height, audio_frames)
    try:
        for i in range(frames):
            app.host.draw_frame(i, float(Fraction(start) + Fraction(i, fps)), 1.0 / fps)
            if i < check_from:
                continue
            for k in range(n):
                read_slice(k, slices[k], scratch)
            gpu = (await read_canvas(width, height))[::-1, :, :3]
            d = difference(gpu, reference.compose(slices))
            per_frame.append(max(d["max"]))
            stats["max"] = [max(a, b) for a, b in zip(stats["max"], d["max"])]
            stats["sum"] = [a + b for a, b in zip(stats["sum"], d["sum"])]
            stats["n"] += d["n"]
            del gpu
    finally:
        app.host.end_render()
    return {"styles": [(layer.id, layer.blend_mode, layer.opacity, layer.background) for layer in project.layers],
            "max": stats["max"], "mean": [s / stats["n"] for s in stats["sum"]], "max_per_frame": per_frame,
            "covered": [int(np.count_nonzero(slices[k][..., 3])) for k in range(n)]}


# --- layers rendered with the export's injected analysis ------------------------------------------


async def layer_determinism(width: int, height: int, fps: int, start: str, frames: int, frame: int,
                            other: int) -> dict:
    """Draw frames 0..frame in order, read every layer's slice; draw `other`, then `frame` alone, read
    again. Returns, per layer, whether the two reads of `frame` are identical and how many pixels differ
    between `frame` and `other`."""
    app = V.app
    audio = await app.host.decode_audio()
    project = app.host.project()
    audio_frames = analyse(audio.samples, audio.sample_rate, fps, start=Fraction(start), frames=frames,
                           **project.analyser_kwargs())
    time = lambda i: float(Fraction(start) + Fraction(i, fps))  # noqa: E731
    dt = 1.0 / fps
    ids = [layer.id for layer in V.layers()]
    scratch = js.Uint8Array.new(width * height * 4)
    read = np.empty((height, width, 4), dtype=np.uint8)
    # Every read is taken (slices) or queued (the canvas) right after its draw, before any await: the
    # preview loop cannot draw in between.
    app.host.configure_compositor(gpu_plan(project))
    app.host.begin_render(width, height, audio_frames)
    try:
        for i in range(frame + 1):
            app.host.draw_frame(i, time(i), dt)
        in_order = [read_slice(k, np.empty_like(read), scratch) for k in range(len(ids))]
        composite = (await read_canvas(width, height))
        app.host.draw_frame(other, time(other), dt)
        changed = []
        for k in range(len(ids)):
            changed.append(int(np.count_nonzero((read_slice(k, read, scratch) != in_order[k]).any(axis=2))))
        app.host.draw_frame(frame, time(frame), dt)
        result = {}
        for k, layer_id in enumerate(ids):
            again = read_slice(k, read, scratch)
            result[layer_id] = {
                "identical": bool(np.array_equal(again, in_order[k])),
                "differing_bytes": int(np.count_nonzero(again != in_order[k])),
                "pixels_changed_by_other_frame": changed[k],
                "covered_pixels": int(np.count_nonzero(in_order[k][..., 3])),
            }
        composite_identical = bool(np.array_equal((await read_canvas(width, height)), composite))
    finally:
        app.host.end_render()
    return {"layers": result, "composite_identical": composite_identical, "pixels": width * height,
            "audio_frames_differ": bool((audio_frames.frequency[frame] != audio_frames.frequency[other]).any())}


# --- the paused preview and an export of the same frame -------------------------------------------

PREVIEW: dict[str, np.ndarray] = {}


async def keep_preview(width: int, height: int) -> dict:
    """Read the preview canvas as it is now and keep it (top-down RGB) for compare_with_export."""
    assert (V.renderer.canvas.width, V.renderer.canvas.height) == (width, height)
    PREVIEW["rgb"] = np.ascontiguousarray((await read_canvas(width, height))[::-1, :, :3])
    return {"std": float(PREVIEW["rgb"].std())}


def distinct_colours(rgb: np.ndarray) -> int:
    packed = (rgb[..., 0].astype(np.uint32) << 16) | (rgb[..., 1].astype(np.uint32) << 8) | rgb[..., 2]
    return int(len(np.unique(packed)))


class CapturingEncoder:
    """A lossless Encoder: keeps frame `keep`'s exact pixels, delivers a token file."""

    name = "capture (test)"

    def __init__(self, keep: int) -> None:
        self.keep, self.kept, self.indices, self.job = keep, None, [], None

    async def start(self, job, manifest, signal) -> None:
        self.job = job

    def needs(self, index: int) -> bool:
        return True

    async def add_frame(self, index: int, frame) -> None:
        self.indices.append(index)
        if index == self.keep:
            self.kept = frame.rgb()

    async def finish(self, audio_wav, progress):
        progress(self.job.frame_count)
        parts = to_js([to_uint8array(b"captured frames stay in the page")])
        return js.Blob.new(parts, to_plain_js({"type": "application/octet-stream"}))

    async def abort(self) -> None:
        pass


async def compare_with_export(resolution: str, fps: int, frame: int) -> dict:
    """Export [0, (frame+1)/fps) through export_video with a capturing encoder; compare its frame
    `frame` with the kept preview pixels."""
    encoder = CapturingEncoder(frame)
    settings = ExportSettings.from_dict({"resolution": resolution, "fps": fps, "quality": "high", "format": "mp4",
                                         "start": 0, "duration": Fraction(frame + 1, fps)})
    store = ExportStore()
    result = await export_video(V.app.host, settings, CancelSignal(), store, encoder)
    preview = PREVIEW.pop("rgb")
    exported = encoder.kept
    assert exported is not None, f"the encoder never got frame {frame} (got {encoder.indices[-3:]})"
    assert exported.shape == preview.shape, (exported.shape, preview.shape)
    d = difference(preview, exported)
    sample = exported[::4, ::4]  # the flatness figures need no full-frame float copies
    return {"frames": result.frames, "indices_in_order": encoder.indices == list(range(result.frames)),
            "max": d["max"], "mean": [s / d["n"] for s in d["sum"]],
            "identical": bool(np.array_equal(preview, exported)), "std": float(sample.std()),
            "distinct_colours": distinct_colours(sample), "phase": store.phase.value}


# --- where each layer drew --------------------------------------------------------------------------


async def layer_footprints(width: int, height: int, fps: int, start: str, frames: int, frame: int,
                           points: list) -> dict:
    """Draw frame `frame` of the page's layers with the export's injected analysis and say, per layer,
    where its slice has alpha (bounding box, top-down pixels: [x0, y0, x1, y1] inclusive), how many pixels,
    and its premultiplied RGBA at each of `points` ([x, y], top-down pixels)."""
    app = V.app
    audio = await app.host.decode_audio()
    project = app.host.project()
    audio_frames = analyse(audio.samples, audio.sample_rate, fps, start=Fraction(start), frames=frames,
                           **project.analyser_kwargs())
    ids = [layer.id for layer in V.layers()]
    scratch = js.Uint8Array.new(width * height * 4)
    read = np.empty((height, width, 4), dtype=np.uint8)
    app.host.configure_compositor(gpu_plan(project))
    app.host.begin_render(width, height, audio_frames)
    result = {}
    try:
        app.host.draw_frame(frame, float(Fraction(start) + Fraction(frame, fps)), 1.0 / fps)
        for k, layer_id in enumerate(ids):
            top_down = read_slice(k, read, scratch)[::-1]
            ys, xs = np.nonzero(top_down[..., 3])
            box = [int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())] if len(xs) else None
            result[layer_id] = {"box": box, "covered": int(len(xs)),
                                "at": [top_down[y, x].tolist() for x, y in points]}
    finally:
        app.host.end_render()
    return result
