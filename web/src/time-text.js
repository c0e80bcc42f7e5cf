// @ts-check
// Start and duration as text, in the contract's time grammar (contract.json "time"): the one Python's
// ExportSettings reads (py/vizengine/export/time_text.py). No imports, so node can test it against Python.

/**
 * Seconds from "12", "12.5", "1:05" or "1:05.250"; null when the text is not in the grammar. A leading
 * sign is kept, so the caller can say "must not be negative" instead of "not a time".
 * @param {RegExp} grammar the compiled contract pattern
 * @param {string} text
 * @returns {number | null}
 */
export function readSeconds(grammar, text) {
  const match = grammar.exec(text);
  if (!match) return null;
  const [, sign, minutes, secondsOfMinute, plain] = match;
  const value = plain !== undefined ? Number(plain) : 60 * Number(minutes) + Number(secondsOfMinute);
  return sign === '-' ? -value : value;
}

/**
 * A number of seconds as text the grammar reads back to the same value: String() would write 1e-7,
 * which the grammar refuses, so a stored export's tiny start could not be filled in again to resume it.
 * @param {number} value
 * @returns {string}
 */
export function plainSeconds(value) {
  const text = String(value);
  const small = /^(-?)(\d)(?:\.(\d+))?e-(\d+)$/.exec(text);
  if (!small) return text;
  const [, sign, lead, rest = '', exponent] = small;
  return `${sign}0.${'0'.repeat(Number(exponent) - 1)}${lead}${rest}`;
}
