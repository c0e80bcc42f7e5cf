"""Per-frame render costs inside the page, for `make bench`: the floor the layers set and what compositing adds.

Measured on the page's own renderer with the demo track paused at a loud moment (its offline analysis
frame held), each step synced by a one-pixel read-back: layers only (the floor), layers + the GPU
compositor, that + reading the composited frame back, and the numpy reference compositor the export used
before the GPU one, on the same layer pixels.
"""

from __future__ import annotations

FRAMES = 12

RENDER_JS = """async ([width, height, frames]) => {
  const v = window.vizengine;
  const r = v.renderer;
  const gl = r.gl;
  v.host.pausePlayback();  // the preview loop leaves the renderer alone while "exporting"
  r.resize(width, height);
  const layers = v.layers();
  const one = new Uint8Array(4);
  const sync = () => gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, one);
  const frame = new Uint8Array(width * height * 4);
  const time = async (step) => {
    await step(0); sync();  // warm-up: shader compiles, texture allocation
    const t0 = performance.now();
    for (let i = 1; i <= frames; i++) { await step(i); sync(); }
    return (performance.now() - t0) / frames;
  };
  const drawLayers = (i) => layers.forEach((layer, k) => {
    r.targets.bind(k);
    layer.draw(5 + i / 60, 1 / 60, width, height);
  });
  const out = {
    layers: await time(drawLayers),
    composite: await time(() => r.compositor.draw(r.targets.texture, width, height)),
    render: await time((i) => r.render(5 + i / 60, 1 / 60)),
    renderRead: await time(async (i) => { r.render(5 + i / 60, 1 / 60); r.startRead(); await r.readFrame(frame); }),
  };
  // The layer pixels for the numpy reference, read once.
  const slices = new Uint8Array(layers.length * width * height * 4);
  layers.forEach((_, k) => r.targets.read(k, slices.subarray(k * width * height * 4, (k + 1) * width * height * 4)));
  v.benchSlices = slices;
  v.host.restorePlayback();
  v.stage.showPreviewSize();
  return out;
}"""

REFERENCE_PY = """
import time, numpy as np
from js import window
from vizengine.project.description import composite_plan
from vizengine.frames.compositing import Compositor
project = window.vizengine.app.host.project()
plan = composite_plan(project, WIDTH, HEIGHT)
pixels = np.empty((len(project.layers), HEIGHT, WIDTH, 4), dtype=np.uint8)
window.vizengine.benchSlices.assign_to(pixels)
window.vizengine.benchSlices = None
compositor = Compositor(plan)
compositor.compose(pixels)
t0 = time.perf_counter()
for _ in range(3):
    compositor.compose(pixels)
(time.perf_counter() - t0) / 3 * 1000
"""


def measure(page, width: int, height: int) -> dict[str, float]:
    """Milliseconds per frame: layers, composite, render (both), renderRead (+ read-back), numpy."""
    out = page.evaluate(RENDER_JS, [width, height, FRAMES])
    code = f"WIDTH, HEIGHT = {width}, {height}\n{REFERENCE_PY}"
    out["numpy"] = float(page.evaluate("code => window.vizengine.python.runPython(code)", code))
    return out


LOOP_PY = """
import asyncio, js
from pyodide.ffi import to_js
from vizengine._browser.bridge import to_plain_js
from vizengine.encode.encoder import FRAME_JPEG_QUALITY
from vizengine.export.cancel import CancelSignal
from vizengine.export.orchestrator import export_video
from vizengine.export.settings import ExportSettings
from vizengine.export.store import ExportStore

class JpegOnly:
    name = "jpeg only (bench)"
    async def start(self, job, manifest, signal): self.job = job
    def needs(self, index): return True
    async def add_frame(self, index, frame): frame.jpeg(FRAME_JPEG_QUALITY)
    async def finish(self, wav, progress): return js.Blob.new(to_js([]), to_plain_js({"type": "video/mp4"}))
    async def abort(self): pass

store = ExportStore()
settings = ExportSettings.from_dict({"resolution": RESOLUTION, "fps": FPS, "start": "4", "duration": "2"})
await export_video(js.window.vizengine.app.host, settings, CancelSignal(), store, JpegOnly())
store.total / store.phase_seconds["rendering"]
"""


def loop_fps(page, resolution: str, fps: int) -> float:
    """The render loop without encoding: layers + composite + read-back + JPEG, 2 s of the demo."""
    code = f"RESOLUTION, FPS = {resolution!r}, {fps}\n{LOOP_PY}"
    return float(page.evaluate("code => window.vizengine.python.runPythonAsync(code)", code))
