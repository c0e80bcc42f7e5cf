// @ts-check
// The dialog's resolution: a preset from the contract, or "Custom…", which shows width and height fields
// checked as the user types. The limits and the sentences are Python's (py/vizengine/export/resolution.py),
// from the same contract.json, so what the dialog accepts Python accepts too (and checks again).
import { SETTINGS } from '../contract.js';

export const CUSTOM = 'custom';
/** @type {Record<string, string>} */
const PRESET_NAMES = { '4k': '4K' };

/** Greatest common divisor. @param {number} a @param {number} b @returns {number} */
const gcd = (a, b) => (b ? gcd(b, a % b) : a);

/** "16:9", "9:16", "1:1", "4:3"… @param {number} width @param {number} height */
export function aspectText(width, height) {
  const d = gcd(width, height);
  return `${width / d}:${height / d}`;
}

/** The select's options: [value, label], presets first, then Custom…. @returns {[string, string][]} */
export function resolutionChoices() {
  const presets = Object.entries(/** @type {Record<string, [number, number]>} */ (SETTINGS.resolutions))
    .map(([name, [w, h]]) => /** @type {[string, string]} */ (
      [name, `${w} × ${h} (${aspectText(w, h)} ${PRESET_NAMES[name] ?? name})`]));
  return [...presets, [CUSTOM, 'Custom…']];
}

/**
 * Why a side's text is not an exportable size, or ''; Python's words (custom_size_problem).
 * @param {'width' | 'height'} side
 * @param {string} text
 */
export function sideProblem(side, text) {
  const { min, max, multipleOf } = SETTINGS.customSize;
  const label = side === 'width' ? 'Width' : 'Height';
  if (!/^\s*\d+\s*$/.test(text)) return `${label}: enter a whole number of pixels from ${min} to ${max}.`;
  const value = Number(text);
  if (value < min || value > max) return `${label} must be from ${min} to ${max} pixels.`;
  if (value % multipleOf) return `${label} must be even.`;
  return '';
}

/**
 * What the dialog sends as `resolution`: the preset's name, or "WxH" from the custom fields.
 * Stateless (reads the form), so the estimate reads exactly what Start would send.
 * @param {HTMLFormElement} form
 */
export function resolutionValue(form) {
  const named = (/** @type {string} */ name) => /** @type {HTMLInputElement} */ (form.elements.namedItem(name)).value;
  const choice = named('resolution');
  return choice === CUSTOM ? `${named('customWidth').trim()}x${named('customHeight').trim()}` : choice;
}

/**
 * The frame size of a valid value, or null. @param {string} value a preset's name or "WxH"
 * @returns {[number, number] | null}
 */
export function sizeOf(value) {
  const preset = /** @type {Record<string, [number, number]>} */ (SETTINGS.resolutions)[value];
  if (preset) return [preset[0], preset[1]];
  const match = /^\s*(\d+)\s*[x×]\s*(\d+)\s*$/i.exec(value);
  if (!match || sideProblem('width', match[1]) || sideProblem('height', match[2])) return null;
  return [Number(match[1]), Number(match[2])];
}

/**
 * Wire the select and the custom fields. `onValidity` runs after every edit (the dialog enables or
 * disables Start); `onSize` gets each new valid frame size (the preview takes its shape).
 * @param {HTMLFormElement} form
 * @param {{onValidity: () => void, onSize: (width: number, height: number) => void}} deps
 */
export function setupResolutionField(form, { onValidity, onSize }) {
  const select = /** @type {HTMLSelectElement} */ (form.elements.namedItem('resolution'));
  const box = /** @type {HTMLElement} */ (form.querySelector('#export-custom-size'));
  const sides = /** @type {const} */ (['width', 'height']).map((side) => {
    const input = /** @type {HTMLInputElement} */ (form.elements.namedItem(side === 'width' ? 'customWidth' : 'customHeight'));
    const message = /** @type {HTMLElement} */ (document.getElementById(String(input.getAttribute('aria-describedby'))));
    return { side, input, message };
  });
  const { min, max, multipleOf } = SETTINGS.customSize;
  for (const { input } of sides) Object.assign(input, { min: String(min), max: String(max), step: String(multipleOf) });

  /** Show each custom side's problem (none while a preset is chosen); true when the choice is valid. */
  const check = () => {
    const custom = select.value === CUSTOM;
    box.hidden = !custom;
    let valid = true;
    for (const { side, input, message } of sides) {
      const problem = custom ? sideProblem(side, input.value) : '';
      // Rewrite only on change: a live region re-announces whatever is written into it.
      if (message.textContent !== problem) message.textContent = problem;
      input.setAttribute('aria-invalid', String(problem !== ''));
      valid &&= problem === '';
    }
    return valid;
  };

  /** @type {string} */
  let shown = '';
  const changed = (notify = true) => {
    check();
    if (notify) onValidity();
    const size = sizeOf(resolutionValue(form));
    // An invalid custom size leaves the preview as it was: it is a half-typed number, not a shape.
    if (size && size.join('x') !== shown) {
      shown = size.join('x');
      onSize(size[0], size[1]);
    }
  };

  select.addEventListener('change', () => {
    // Custom starts from the preset that was chosen, so both fields hold a valid size at once.
    if (select.value === CUSTOM && sides.every(({ input }) => input.value === '')) {
      const [w, h] = shown.split('x');
      sides[0].input.value = w;
      sides[1].input.value = h;
    }
    changed();
  });
  for (const { input } of sides) input.addEventListener('input', () => changed());

  /** Set the field from stored settings (a resumed export): a preset's name or "WxH". @param {unknown} value */
  const fill = (value) => {
    const text = value == null ? String(SETTINGS.defaults.resolution) : String(value).trim().toLowerCase();
    const match = /^(\d+)\s*[x×]\s*(\d+)$/.exec(text);
    if (match) {
      select.value = CUSTOM;
      sides[0].input.value = match[1];
      sides[1].input.value = match[2];
    } else {
      select.value = text;
    }
    changed();
  };
  changed(false); // the default's shape, before the dialog (which onValidity reaches) is wired
  return { check, fill };
}
