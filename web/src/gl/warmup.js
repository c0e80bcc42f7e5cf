// @ts-check
// A short warm-up render that measures this machine before its first export, for the export estimate
// (py/vizengine/export/estimate.py scales it to a render loop). It draws a few frames at 720p with the
// real layers and compositor on the stage's own renderer and reads each back, one frame per task, and
// puts the preview's size and picture back in the same task: neither the browser's paint nor anything
// reading the canvas between tasks ever sees the warm-up, and an export that starts meanwhile stops the
// warm-up before its next frame.

export const WARMUP_SIZE = Object.freeze({ width: 1280, height: 720 });
export const WARMUP_FRAMES = 3;

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Milliseconds per frame (the median of WARMUP_FRAMES, after one untimed frame that allocates and
 * compiles), or null when an export started or the context is lost.
 * @param {{
 *   renderer: import('./renderer.js').Renderer,
 *   restore: () => void,
 *   busy: () => boolean,
 *   time: () => number,
 * }} deps restore: back to the preview's size and picture; busy: an export owns the renderer
 */
export async function measureWarmup({ renderer, restore, busy, time }) {
  const { width, height } = WARMUP_SIZE;
  const gl = renderer.gl;
  const pixels = new Uint8Array(width * height * 4);
  /** @type {number[]} */
  const times = [];
  for (let i = 0; i <= WARMUP_FRAMES; i++) {
    await nextTask();
    if (busy() || renderer.lost) return null;
    try {
      renderer.resize(width, height);
      const started = performance.now();
      renderer.render(time() + i / 30, 1 / 30);
      // A synchronous read: it waits for the GPU, so the time covers the whole frame.
      gl.bindFramebuffer(gl.FRAMEBUFFER, null);
      gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, pixels);
      if (i > 0) times.push(performance.now() - started);
    } finally {
      restore();
    }
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}
