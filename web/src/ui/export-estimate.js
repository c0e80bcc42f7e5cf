// @ts-check
// The export dialog's estimate before Start: frames, video length, export time and file size for the
// settings and range as they stand, and a warning (never a block) for an export over 30 minutes or one
// that needs more storage than the browser has left. Python computes it (App.estimate, from
// py/vizengine/export/estimate.py) from this machine's last export; this module reads the form, the
// track and the storage quota, shows the figures, and runs the warm-up render while nothing has
// measured the machine yet.
import { WARMUP_FRAMES, WARMUP_SIZE } from '../gl/warmup.js';
import { resolutionValue } from './resolution-field.js';
import { formatDuration } from './result-panel.js';

const FIELDS = ['resolution', 'fps', 'quality', 'format', 'start', 'duration', 'encodeWorkers'];
// The range can change without an input event (set from code, e.g. a timeline): a cheap look at the
// fields' values twice a second catches that; Python runs only when they changed.
const POLL_MS = 500;
const ROWS = /** @type {const} */ ([['frames', 'Frames'], ['length', 'Video length'], ['time', 'Export time'], ['size', 'File size']]);

/** @param {any} value a Pyodide proxy or a plain value */
function plain(value) {
  if (!value?.toJs) return value;
  const out = value.toJs({ dict_converter: Object.fromEntries });
  value.destroy?.();
  return out;
}

/**
 * @param {{
 *   box: HTMLElement, dialog: HTMLDialogElement, openButton: HTMLButtonElement,
 *   getApp: () => any, track: () => AudioBuffer | null, busy: () => boolean,
 *   warmup: () => Promise<number | null>,
 * }} deps busy: an export runs; warmup: measureWarmup with the page's renderer
 */
export function setupExportEstimate({ box, dialog, openButton, getApp, track, busy, warmup }) {
  const form = /** @type {HTMLFormElement} */ (dialog.querySelector('form'));
  const list = document.createElement('dl');
  /** @type {Record<string, HTMLElement>} */
  const values = {};
  for (const [key, label] of ROWS) {
    const term = document.createElement('dt');
    term.id = `estimate-${key}-label`;
    term.textContent = label;
    const value = document.createElement('dd');
    value.setAttribute('aria-labelledby', term.id);
    value.dataset.field = key;
    values[key] = value;
    list.append(term, value);
  }
  const basis = document.createElement('p');
  basis.className = 'estimate-basis';
  const warnings = document.createElement('ul');
  warnings.setAttribute('aria-label', 'Estimate warnings');
  warnings.setAttribute('aria-live', 'polite');
  warnings.hidden = true;
  box.replaceChildren(list, basis, warnings);

  /** @type {number | null} */
  let freeBytes = null;
  let lastKey = '';
  let measuring = false;
  let measured = false;

  // What Start would send: the resolution is a preset's name or the custom fields' "WxH".
  const settings = () => Object.fromEntries(FIELDS.map((name) => {
    if (name === 'resolution') return [name, resolutionValue(form)];
    const field = /** @type {HTMLInputElement | null} */ (form.elements.namedItem(name));
    return [name, field ? field.value : ''];
  }));

  /** @param {string[]} items */
  const showWarnings = (items) => {
    const text = items.join('\n');
    if (warnings.dataset.text === text) return; // a live region re-announces whatever is rewritten
    warnings.dataset.text = text;
    warnings.replaceChildren(...items.map((message) => Object.assign(document.createElement('li'), { textContent: message })));
    warnings.hidden = items.length === 0;
  };

  /** @param {string} message shown in place of the figures */
  const showNothing = (message) => {
    for (const value of Object.values(values)) value.textContent = '—';
    delete box.dataset.seconds;
    delete box.dataset.frames;
    basis.textContent = message;
    showWarnings([]);
  };

  /** @param {any} result App.estimate's dict */
  const show = (result) => {
    values.frames.textContent = result.frames.toLocaleString('en-US');
    values.length.textContent = formatDuration(result.videoSeconds);
    values.time.textContent = `about ${result.secondsText}`;
    values.size.textContent = `about ${result.bytesText}`;
    Object.assign(box.dataset, {
      frames: String(result.frames), videoSeconds: String(result.videoSeconds), seconds: String(result.seconds),
      bytes: String(result.bytes), basis: result.basis,
    });
    basis.textContent = measuring ? `${result.basisText} (measuring this machine…)` : result.basisText;
    showWarnings(result.warnings);
  };

  const startWarmup = () => {
    measuring = true;
    warmup()
      .then((ms) => {
        if (ms == null) return; // an export took the renderer: it measures the machine itself
        getApp()?.record_warmup(ms, WARMUP_SIZE.width, WARMUP_SIZE.height, WARMUP_FRAMES);
        measured = true;
      })
      .catch((error) => console.warn('export estimate: warm-up failed', error))
      .finally(() => {
        measuring = false;
        refresh(true);
      });
  };

  /** Recompute when anything it depends on changed (or when forced: the stored figures changed). */
  function refresh(force = false) {
    const app = getApp();
    const buffer = track();
    // Only what the user can see: a closed dialog needs no estimate (and no warm-up on the stage's canvas).
    if (!app || !buffer || busy() || !dialog.open) return;
    const chosen = settings();
    const key = JSON.stringify([chosen, buffer.length, buffer.sampleRate, freeBytes, measuring]);
    if (!force && key === lastKey) return;
    lastKey = key;
    box.dataset.settings = JSON.stringify(chosen);
    if (form.querySelector('[aria-invalid="true"]')) {
      showNothing('Fix the settings above to see an estimate.');
      return;
    }
    let result;
    try {
      result = plain(app.estimate(chosen, buffer.length, buffer.sampleRate, freeBytes, navigator.hardwareConcurrency || 2,
        typeof VideoEncoder === 'function'));
    } catch (error) {
      showNothing(`No estimate: ${error instanceof Error ? error.message.trim().split('\n').pop() : error}`);
      return;
    }
    if (result.error) {
      showNothing(result.error);
      return;
    }
    show(result);
    if (result.basis === 'default' && !measuring && !measured) startWarmup();
  }

  const updateQuota = async () => {
    try {
      const { quota, usage } = await navigator.storage.estimate();
      freeBytes = quota != null && usage != null ? Math.max(quota - usage, 0) : null;
    } catch {
      freeBytes = null; // unknown: no storage warning rather than a wrong one
    }
    refresh();
  };

  /** @type {ReturnType<typeof setInterval> | null} */
  let poll = null;
  openButton.addEventListener('click', () => {
    refresh(true);
    void updateQuota();
    poll ??= setInterval(() => { if (dialog.open) refresh(); }, POLL_MS);
  });
  dialog.addEventListener('close', () => {
    if (poll !== null) clearInterval(poll);
    poll = null;
  });
  form.addEventListener('input', () => refresh());
  form.addEventListener('change', () => refresh());
  // A finished export replaced the stored figures (and used storage): the next estimate builds on it.
  dialog.addEventListener('export-finished', () => { void updateQuota().then(() => refresh(true)); });
  return { refresh: () => refresh(true) };
}
