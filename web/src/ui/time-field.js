// @ts-check
// The dialog's Start and Duration fields: text in the contract's time grammar, checked as the user types,
// with the reason beside the field. The dialog keeps Start disabled while either is invalid, so what
// Python receives is always text it reads the same way (it checks again, with the same grammar).
import { TIME } from '../contract.js';
import { plainSeconds, readSeconds } from '../time-text.js';

/** @typedef {'start' | 'duration'} TimeName */

/**
 * Why `text` is not a valid value for the field, or '' when it is. Empty is valid: start at 0, or
 * export to the end of the track.
 * @param {TimeName} name
 * @param {string} text
 */
export function timeProblem(name, text) {
  if (text.trim() === '') return '';
  const label = name === 'start' ? 'Start' : 'Duration';
  const seconds = readSeconds(TIME.pattern, text);
  if (seconds === null) return `${label}: enter ${TIME.hint}.`;
  if (name === 'start' && seconds < 0) return 'Start must not be negative.';
  if (name === 'duration' && seconds <= 0) return 'Duration must be more than 0 (or empty: to the end).';
  return '';
}

/**
 * Wire the fields; `onValidity` runs after every edit so the dialog can enable or disable Start.
 * Each field names its message element with aria-describedby (index.html).
 * @param {HTMLFormElement} form
 * @param {() => void} onValidity
 */
export function setupTimeFields(form, onValidity) {
  /** @type {TimeName[]} */
  const names = ['start', 'duration'];
  const fields = names.map((name) => {
    const input = /** @type {HTMLInputElement} */ (form.elements.namedItem(name));
    const message = /** @type {HTMLElement} */ (document.getElementById(String(input.getAttribute('aria-describedby'))));
    return { name, input, message };
  });

  /** Show each field's problem (or none); true when both are valid. */
  const check = () => {
    let valid = true;
    for (const { name, input, message } of fields) {
      const problem = timeProblem(name, input.value);
      // Rewrite only on change: a live region re-announces whatever is written into it.
      if (message.textContent !== problem) message.textContent = problem;
      input.setAttribute('aria-invalid', String(problem !== ''));
      valid &&= problem === '';
    }
    return valid;
  };
  for (const { input } of fields) input.addEventListener('input', onValidity);

  /** Fill a field from a stored export's settings (a number of seconds, or null: the default). */
  const fill = (/** @type {TimeName} */ name, /** @type {unknown} */ value) => {
    const field = fields.find((f) => f.name === name);
    if (field) field.input.value = typeof value === 'number' ? plainSeconds(value) : value == null ? '' : String(value);
  };
  return { check, fill };
}
