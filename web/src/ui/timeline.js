// @ts-check
// The timeline under the stage: the track's waveform (Python's peaks), the export range's start and end
// markers, and the playhead. The markers and the export dialog's Start/Duration fields are two views of
// one range: moving a marker writes the fields, typing a valid value in a field moves the markers. The
// end marker at the track's end is an empty Duration ("to the end"), so exporting the whole track never
// depends on a rounded length that could run past the last sample.
import { TIME } from '../contract.js';
import { plainSeconds, readSeconds } from '../time-text.js';
import { timeProblem } from './time-field.js';
import { drawWaveform } from './timeline-draw.js';
import './timeline.css';

// Arrow keys move the focused slider by STEP seconds; Shift+arrow, Page Up and Page Down by BIG_STEP.
export const STEP = 1;
export const BIG_STEP = 10;
// The shortest range the markers make: three frames at 30 fps, so the range always holds a frame.
const MIN_RANGE = 0.1;
// Dragging the window's edge resizes many times a second; the peaks are asked for once it settles.
const RESIZE_SETTLE_MS = 150;

/** Marker times are whole milliseconds, so the fields read "3.457", not "3.4571428571428573". @param {number} t */
const toMs = (t) => Math.round(t * 1000) / 1000;
/** @param {number} t @param {number} lo @param {number} hi */
const clamp = (t, lo, hi) => Math.min(hi, Math.max(lo, t));

/** @param {number} t @param {number} digits */
function clock(t, digits = 2) {
  const m = Math.floor(t / 60);
  return `${m}:${(t - m * 60).toFixed(digits).padStart(3 + digits, '0')}`;
}

/** @param {HTMLElement} parent @param {string} tag @param {Record<string, string>} attributes */
function element(parent, tag, attributes) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  parent.append(node);
  return node;
}

/**
 * One of the three sliders: its element, its bounds and value now, and what moving it does.
 * @typedef {{el: HTMLElement, min: () => number, max: () => number, value: () => number, set: (t: number) => void}} Slider
 */

/**
 * @param {{
 *   box: HTMLElement, form: HTMLFormElement,
 *   playback: import('../audio/playback.js').Playback,
 *   getApp: () => any, isBusy: () => boolean,
 * }} deps
 */
export function setupTimeline({ box, form, playback, getApp, isBusy }) {
  const track = element(box, 'div', { class: 'timeline-track' });
  const canvas = /** @type {HTMLCanvasElement} */ (
    element(track, 'canvas', { class: 'timeline-wave', 'aria-hidden': 'true' }));
  const before = element(track, 'div', { class: 'timeline-shade', 'data-side': 'before' });
  const after = element(track, 'div', { class: 'timeline-shade', 'data-side': 'after' });
  const slider = (/** @type {string} */ kind, /** @type {string} */ label) =>
    element(track, 'div', { class: `timeline-${kind}`, role: 'slider', 'aria-label': label, tabindex: '-1' });
  const startEl = slider('marker', 'Export start');
  startEl.dataset.edge = 'start';
  const endEl = slider('marker', 'Export end');
  endEl.dataset.edge = 'end';
  const playheadEl = slider('playhead', 'Playhead');
  const readout = element(box, 'p', { class: 'timeline-readout' });
  const nowText = element(readout, 'span', { 'data-field': 'now' });
  const rangeText = element(readout, 'span', { 'data-field': 'range' });
  const startField = /** @type {HTMLInputElement} */ (form.elements.namedItem('start'));
  const durationField = /** @type {HTMLInputElement} */ (form.elements.namedItem('duration'));

  const duration = () => playback.duration;
  const gap = () => Math.min(MIN_RANGE, duration());
  const range = { start: 0, end: 0 };
  const atEnd = () => range.end >= duration();

  /** @type {Record<'playhead' | 'start' | 'end', Slider>} */
  const sliders = {
    playhead: { el: playheadEl, min: () => 0, max: duration, value: () => playback.currentTime,
      set: (t) => playback.seek(t) },
    start: { el: startEl, min: () => 0, max: () => Math.max(0, range.end - gap()), value: () => range.start,
      set: (t) => moveMarker('start', t) },
    end: { el: endEl, min: () => Math.min(duration(), range.start + gap()), max: duration, value: () => range.end,
      set: (t) => moveMarker('end', t) },
  };

  /** @param {Slider} s @param {number} value @param {string} text */
  const describe = (s, value, text) => {
    s.el.setAttribute('aria-valuemin', String(toMs(s.min())));
    s.el.setAttribute('aria-valuemax', String(toMs(s.max())));
    s.el.setAttribute('aria-valuenow', String(toMs(value)));
    s.el.setAttribute('aria-valuetext', text);
    s.el.style.left = `${duration() > 0 ? clamp(value / duration(), 0, 1) * 100 : 0}%`;
  };

  const renderRange = () => {
    describe(sliders.start, range.start, clock(range.start, 3));
    describe(sliders.end, range.end, atEnd() ? `${clock(range.end, 3)} (end of track)` : clock(range.end, 3));
    const d = duration() || 1;
    before.style.width = `${clamp(range.start / d, 0, 1) * 100}%`;
    after.style.width = `${clamp(1 - range.end / d, 0, 1) * 100}%`;
    rangeText.textContent = playback.buffer
      ? `Export ${clock(range.start, 3)} – ${clock(range.end, 3)} (${(range.end - range.start).toFixed(3)} s)` : '';
  };

  let shownTime = NaN;
  const renderPlayhead = () => {
    const t = playback.currentTime;
    if (t === shownTime) return;
    shownTime = t;
    describe(sliders.playhead, t, clock(t));
    nowText.textContent = playback.buffer ? `Playhead ${clock(t)} / ${clock(duration())}` : '';
  };
  const follow = () => {
    renderPlayhead();
    requestAnimationFrame(follow);
  };

  /** The dialog's fields, written from the markers (no input event: the markers are already there). */
  const fillFields = () => {
    startField.value = plainSeconds(range.start);
    durationField.value = atEnd() ? '' : plainSeconds(toMs(range.end - range.start));
  };

  /** @param {'start' | 'end'} edge @param {number} t */
  function moveMarker(edge, t) {
    let value = toMs(t);
    // At the track's end, the end itself: a millisecond-rounded neighbour would run past the last sample.
    if (edge === 'end' && value >= duration() - 0.0005) value = duration();
    range[edge] = clamp(value, sliders[edge].min(), sliders[edge].max());
    fillFields();
    renderRange();
  }

  /** The markers, from the fields' text where it is valid; invalid text leaves its marker where it is. */
  const fromFields = () => {
    if (!playback.buffer) return;
    /** @param {'start' | 'duration'} name @param {HTMLInputElement} field @returns {number | null | undefined} */
    const read = (name, field) => {
      if (timeProblem(name, field.value) !== '') return undefined;
      return field.value.trim() === '' ? null : readSeconds(TIME.pattern, field.value);
    };
    const start = read('start', startField);
    const length = read('duration', durationField);
    if (start !== undefined) range.start = clamp(start ?? 0, 0, duration());
    if (length === null) range.end = duration();
    else if (length !== undefined) range.end = Math.min(range.start + length, duration());
    range.end = Math.max(range.end, range.start);
    renderRange();
  };
  startField.addEventListener('input', fromFields);
  durationField.addEventListener('input', fromFields);

  // -- the waveform: asked of Python when the track or the canvas's device-pixel width changes ----------
  let columns = 0;
  let rows = 0;
  /** @type {{buffer: AudioBuffer, columns: number} | null} */
  let asked = null;
  /** @type {{mins: Float32Array, maxs: Float32Array} | null} */
  let peaks = null;
  let request = 0;

  const paint = () => {
    if (!peaks || peaks.mins.length !== columns) return;
    canvas.width = columns;
    canvas.height = rows;
    drawWaveform(canvas, peaks.mins, peaks.maxs);
    box.dataset.waveform = 'drawn';
  };

  const askForPeaks = async () => {
    const app = getApp();
    const buffer = playback.buffer;
    if (!app || !buffer || columns < 1) return;
    if (asked && asked.buffer === buffer && asked.columns === columns) return paint();
    asked = { buffer, columns };
    const mine = ++request;
    box.dataset.waveform = 'loading';
    try {
      const result = await app.waveform(columns);
      if (mine !== request) return; // a newer track or width asked meanwhile
      peaks = { mins: result.mins, maxs: result.maxs };
      paint();
    } catch (error) {
      if (mine !== request) return;
      asked = null; // asked again on the next change
      box.dataset.waveform = 'failed';
      console.warn('timeline: no waveform:', error instanceof Error ? error.message : error);
    }
  };

  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let settle;
  const resized = new ResizeObserver(([entry]) => {
    const device = entry.devicePixelContentBoxSize?.[0];
    columns = Math.round(device ? device.inlineSize : entry.contentRect.width * devicePixelRatio);
    rows = Math.round(device ? device.blockSize : entry.contentRect.height * devicePixelRatio);
    clearTimeout(settle);
    settle = setTimeout(() => void askForPeaks(), RESIZE_SETTLE_MS);
  });
  try {
    resized.observe(canvas, { box: 'device-pixel-content-box' }); // a zoom changes the pixels, not the CSS width
  } catch {
    resized.observe(canvas);
  }

  // -- pointer: drag a marker by its handle, or press/drag anywhere else to seek ------------------------
  /** @param {number} clientX */
  const timeAt = (clientX) => {
    const rect = canvas.getBoundingClientRect();
    return rect.width > 0 ? clamp((clientX - rect.left) / rect.width, 0, 1) * duration() : 0;
  };
  const usable = () => playback.buffer !== null && !isBusy();

  track.addEventListener('pointerdown', (event) => {
    if (event.button !== 0 || !usable()) return;
    event.preventDefault();
    const handle = /** @type {HTMLElement} */ (event.target).closest('[data-edge]');
    const edge = /** @type {'start' | 'end' | undefined} */ (
      handle instanceof HTMLElement ? handle.dataset.edge : undefined);
    // A marker keeps the spot where it was grabbed under the pointer, so grabbing it does not move it.
    const at = handle?.getBoundingClientRect();
    const grab = edge && at ? event.clientX - (at.left + at.width / 2) : 0;
    const to = (/** @type {number} */ x) => (edge ? moveMarker(edge, timeAt(x - grab)) : playback.seek(timeAt(x)));
    (edge ? /** @type {HTMLElement} */ (handle) : playheadEl).focus({ preventScroll: true });
    if (!edge) to(event.clientX);
    track.setPointerCapture(event.pointerId);
    const move = (/** @type {PointerEvent} */ e) => { if (usable()) to(e.clientX); };
    const end = () => {
      track.removeEventListener('pointermove', move);
      track.removeEventListener('pointerup', end);
      track.removeEventListener('pointercancel', end);
    };
    track.addEventListener('pointermove', move);
    track.addEventListener('pointerup', end);
    track.addEventListener('pointercancel', end);
  });

  // -- keyboard: the ARIA slider keys on each of the three ---------------------------------------------
  for (const s of Object.values(sliders)) {
    s.el.addEventListener('keydown', (event) => {
      if (!usable()) return;
      const step = event.shiftKey ? BIG_STEP : STEP;
      /** @type {Record<string, () => number>} */
      const keys = {
        ArrowRight: () => s.value() + step, ArrowUp: () => s.value() + step,
        ArrowLeft: () => s.value() - step, ArrowDown: () => s.value() - step,
        PageUp: () => s.value() + BIG_STEP, PageDown: () => s.value() - BIG_STEP,
        Home: s.min, End: s.max,
      };
      if (!(event.key in keys)) return;
      event.preventDefault();
      s.set(clamp(keys[event.key](), s.min(), s.max()));
    });
  }

  // -- track changes and exports ------------------------------------------------------------------------
  /** @type {AudioBuffer | null} */
  let loaded = null;
  const refresh = () => {
    const busy = isBusy();
    for (const s of Object.values(sliders)) {
      s.el.tabIndex = playback.buffer ? 0 : -1;
      s.el.setAttribute('aria-disabled', String(busy || !playback.buffer));
    }
    box.dataset.busy = String(busy);
    // A resumed export fills the fields itself: the markers show the range that is exporting.
    if (busy) fromFields();
    void askForPeaks();
  };
  playback.listen(() => {
    if (playback.buffer !== loaded) {
      loaded = playback.buffer;
      // A new track starts with the whole of it selected, in the markers and the fields alike.
      range.start = 0;
      range.end = duration();
      fillFields();
      peaks = null;
      request++; // a waveform still on its way belongs to the previous track
      canvas.getContext('2d')?.clearRect(0, 0, canvas.width, canvas.height);
      shownTime = NaN;
      renderRange();
      refresh();
    }
    renderPlayhead(); // a seek shows at once, not on the next animation frame
  });
  renderRange();
  refresh();
  follow();
  return { refresh, range: () => ({ ...range }) };
}
