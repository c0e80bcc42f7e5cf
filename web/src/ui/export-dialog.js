// @ts-check
// The export dialog: settings in, one export at a time, progress / ETA / log / errors out. Its choices
// come from the contract Python validates against (py/vizengine/project/contract.json).
import { SETTINGS } from '../contract.js';
import { setupExportConsole } from './export-console.js';
import { setupResultPanel } from './result-panel.js';
import { setupExportTiming } from './export-timing.js';
import { setupExportWarnings } from './export-warnings.js';
import { resolutionChoices, resolutionValue, setupResolutionField } from './resolution-field.js';
import { setupTimeFields } from './time-field.js';

/** @type {Record<string, string>} */
const FORMAT_LABELS = { mp4: 'MP4 (H.264 + AAC)', webm: 'WebM (VP9 + Opus; VP8 + Vorbis with ffmpeg.wasm)' };
/** @type {Record<string, string>} */
const ENCODER_LABELS = { auto: 'Automatic', webcodecs: 'WebCodecs (browser)', ffmpeg: 'ffmpeg.wasm' };

/** @param {HTMLFormElement} form */
function fillChoices(form) {
  /** @type {Record<string, [string, string][]>} */
  const choices = {
    resolution: resolutionChoices(),
    fps: SETTINGS.fps.map((fps) => [String(fps), `${fps} fps`]),
    quality: SETTINGS.qualities.map((q) => [q, q[0].toUpperCase() + q.slice(1)]),
    format: SETTINGS.formats.map((f) => [f, FORMAT_LABELS[f] ?? f]),
    encoder: SETTINGS.encoders.map((e) => [e, ENCODER_LABELS[e] ?? e]),
  };
  for (const [name, options] of Object.entries(choices)) {
    const select = /** @type {HTMLSelectElement} */ (form.elements.namedItem(name));
    const chosen = String(/** @type {Record<string, unknown>} */ (SETTINGS.defaults)[name]);
    for (const [value, label] of options) select.add(new Option(label, value, value === chosen, value === chosen));
  }
}

/** One readable line of an error: a Python exception's message through Pyodide is its whole traceback. @param {unknown} error */
function lastLine(error) {
  const text = error instanceof Error ? error.message : String(error);
  return text.trim().split('\n').pop() ?? text;
}

const PHASE_LABELS = {
  idle: 'Ready', preparing: 'Preparing', rendering: 'Rendering', encoding: 'Encoding',
  complete: 'Complete', cancelled: 'Cancelled', failed: 'Failed',
};

/**
 * @param {{
 *   dialog: HTMLDialogElement, openButton: HTMLButtonElement,
 *   getApp: () => any, hasTrack: () => boolean, trackDuration: () => number,
 *   onSize: (width: number, height: number) => void,
 * }} deps onSize: the chosen frame size, whenever it changes (the preview takes its shape)
 */
export function setupExportDialog({ dialog, openButton, getApp, hasTrack, trackDuration, onSize }) {
  const form = /** @type {HTMLFormElement} */ (dialog.querySelector('#export-form'));
  const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (dialog.querySelector(`#${id}`));
  const start = /** @type {HTMLButtonElement} */ ($('export-start'));
  const cancel = /** @type {HTMLButtonElement} */ ($('export-cancel'));
  const close = /** @type {HTMLButtonElement} */ ($('export-close'));
  const bar = /** @type {HTMLProgressElement} */ ($('export-bar'));
  const progressBox = $('export-progress');
  fillChoices(form);
  const log = setupExportConsole($('export-log'));
  const resultPanel = setupResultPanel($('export-result'));
  let running = false;
  const times = setupTimeFields(form, () => setRunning(running));
  const resolution = setupResolutionField(form, { onValidity: () => setRunning(running), onSize });
  const warnings = setupExportWarnings($('export-warnings'));
  const timing = setupExportTiming(progressBox);

  const setRunning = (/** @type {boolean} */ value) => {
    running = value;
    const valid = times.check() && resolution.check();
    start.disabled = value || !getApp() || !hasTrack() || !valid;
    cancel.disabled = !value;
    close.disabled = value;
    for (const field of form.querySelectorAll('select, input')) /** @type {HTMLInputElement} */ (field).disabled = value;
  };

  openButton.addEventListener('click', () => {
    const duration = /** @type {HTMLInputElement} */ (form.elements.namedItem('duration'));
    duration.placeholder = `to the end (${trackDuration().toFixed(2)} s)`;
    setRunning(running);
    dialog.showModal();
  });
  close.addEventListener('click', () => dialog.close());
  dialog.addEventListener('cancel', (event) => { if (running) event.preventDefault(); });
  cancel.addEventListener('click', () => getApp()?.cancel());

  /** The form's settings as Python reads them (text, checked there). @returns {Record<string, string>} */
  function current() {
    const data = new FormData(form);
    const settings = Object.fromEntries(['fps', 'quality', 'format', 'encoder', 'start', 'duration', 'encodeWorkers']
      .map((key) => [key, String(data.get(key) ?? '')]));
    settings.resolution = resolutionValue(form);
    return settings;
  }

  start.addEventListener('click', async () => {
    const settings = current();
    $('export-error').textContent = '';
    log.clear();
    resultPanel.clear();
    warnings.clear();
    setRunning(true);
    try {
      const result = await getApp().start_export(settings);
      const plain = result?.toJs ? result.toJs({ dict_converter: Object.fromEntries }) : result;
      dialog.dataset.result = JSON.stringify(plain);
      if (plain?.status === 'complete') resultPanel.show(plain);
      // Python records its failures in the state too; this covers a message that never reached it.
      if (plain?.status === 'failed' && !$('export-error').textContent) $('export-error').textContent = plain.message;
      dialog.dispatchEvent(new CustomEvent('export-finished', { detail: plain }));
    } catch (error) {
      $('export-error').textContent = `Export failed: ${lastLine(error)}`;
    } finally {
      setRunning(false);
    }
  });

  /** Render one state snapshot from Python's ExportStore. @param {any} state */
  function render(state) {
    progressBox.dataset.phase = state.phase;
    progressBox.dataset.frame = String(state.frame);
    progressBox.dataset.total = String(state.total);
    bar.value = state.progress;
    $('export-phase').textContent = PHASE_LABELS[/** @type {keyof PHASE_LABELS} */ (state.phase)] ?? state.phase;
    $('export-frames').textContent = state.total ? `frame ${state.frame} / ${state.total}` : '';
    timing.render(state);
    $('export-error').textContent = state.phase === 'failed' ? state.error ?? '' : '';
    log.add(state.logs);
    warnings.render(state);
  }

  /** Put these settings in the form (a project opened, an export resumed). @param {Record<string, unknown>} settings */
  function fill(settings) {
    for (const [name, value] of Object.entries(settings)) {
      if (name === 'start' || name === 'duration') { times.fill(name, value); continue; }
      if (name === 'resolution') { resolution.fill(value); continue; }
      const field = /** @type {HTMLInputElement | null} */ (form.elements.namedItem(name));
      if (field) {
        field.value = value == null ? '' : String(value);
        field.dispatchEvent(new Event('change', { bubbles: true }));
      }
    }
  }

  /** Open the dialog with these settings and start (a resumed export). @param {Record<string, unknown>} settings */
  function startWith(settings) {
    fill(settings);
    openButton.click();
    start.click();
  }

  return { render, startWith, fill, current, delivered: resultPanel.hold };
}
