// @ts-check
// The timeline's waveform pixels. Python sends one (min, max) pair per device-pixel column, so drawing is
// one whole-pixel rectangle per column: a 1-hour track costs no more than a 1-minute one, and nothing
// here depends on the track's length.

export const WAVE_COLOUR = '#5fb4e8';

/**
 * The rows column x fills, top inclusive, bottom exclusive. The loudest peak of the track reaches the
 * canvas edge (quiet tracks stay readable); silence is still a one-row line, so a loaded track shows.
 * e2e/test_timeline.py computes the same rows from Python's peaks.
 * @param {number} min @param {number} max @param {number} gain rows per unit of amplitude @param {number} half
 * @returns {[number, number]}
 */
export function columnRows(min, max, gain, half) {
  const top = Math.floor(half - max * gain);
  const bottom = Math.ceil(half - min * gain);
  return [top, Math.max(bottom, top + 1)];
}

/**
 * Paint the peaks onto the canvas, whose width is already one pixel per column. The background stays
 * transparent: the selection shading and markers are elements above it, so moving them never redraws.
 * @param {HTMLCanvasElement} canvas
 * @param {Float32Array} mins
 * @param {Float32Array} maxs
 */
export function drawWaveform(canvas, mins, maxs) {
  const context = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  const { width, height } = canvas;
  context.clearRect(0, 0, width, height);
  let level = 0;
  for (let x = 0; x < mins.length; x++) level = Math.max(level, -mins[x], maxs[x]);
  const half = height / 2;
  const gain = level > 0 ? half / level : 0;
  context.fillStyle = WAVE_COLOUR;
  const columns = Math.min(width, mins.length, maxs.length);
  for (let x = 0; x < columns; x++) {
    const [top, bottom] = columnRows(mins[x], maxs[x], gain, half);
    context.fillRect(x, top, 1, bottom - top);
  }
}
