// @ts-check
// The live preview loop. Playing, it draws every screen refresh from the live analyser; paused, it
// draws once per change, holding the offline analysis frame Python computed for that time, so the
// paused preview is the picture the export makes there.
import { releaseHold } from './audio/audio-frame-data.js';

/**
 * @param {{
 *   renderer: import('./gl/renderer.js').Renderer,
 *   playback: import('./audio/playback.js').Playback,
 *   isExporting: () => boolean,
 * }} deps
 */
export function startPreview({ renderer, playback, isExporting }) {
  let dirty = true;
  // The paused frame's dt is the export's 1/fps, so the paused picture is the exported one.
  let pausedDt = 0;
  let previous = performance.now();
  let frames = 0;
  const loop = (/** @type {number} */ now) => {
    const dt = Math.min((now - previous) / 1000, 0.1);
    previous = now;
    // While exporting, the orchestrator owns the renderer.
    if (!isExporting() && (playback.playing || dirty)) {
      if (playback.playing) releaseHold();
      renderer.render(playback.currentTime, playback.playing ? dt : pausedDt);
      dirty = false;
      frames += 1;
    }
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
  return {
    /** @param {number} [dt] the paused frame's dt */
    redraw(dt) {
      if (dt !== undefined) pausedDt = dt;
      dirty = true;
    },
    /** Draw the picture again now, in this task, as the loop would (after something else used the canvas). */
    drawNow() {
      if (isExporting()) return;
      renderer.render(playback.currentTime, playback.playing ? 0 : pausedDt);
    },
    /** Frames drawn so far (tests wait for a redraw). */
    get frames() { return frames; },
  };
}
