// @ts-check
// The contracts Python and the page share (blend modes, colour grammar, opacity range, settings limits),
// read from the one source Python reads too: py/vizengine/project/contract.json.
import contract from '../../py/vizengine/project/contract.json';

/** @type {readonly string[]} */
export const BLEND_MODES = Object.freeze([...contract.blendModes]);
export const OPACITY = Object.freeze({ ...contract.opacity });
export const COLOR = Object.freeze({ pattern: new RegExp(contract.color.pattern, 'i'), hint: String(contract.color.hint) });
export const PROJECT_VERSION = contract.projectVersion;
export const SETTINGS = contract.settings;
// Start and duration: seconds or m:ss(.fff); see time-text.js. No "i" flag: the grammar has no letters.
export const TIME = Object.freeze({ pattern: new RegExp(contract.time.pattern), hint: String(contract.time.hint) });
/** @type {readonly string[]} */
export const LAYER_KINDS = Object.freeze([...contract.layerKinds]);
/**
 * Per kind: its label and parameters ({type, default, min, max, step, choices, maxLength, label}); the
 * layer editor builds its controls from them and Python checks projects against them.
 * @type {Record<string, {label: string, params: Record<string, any>}>}
 */
export const LAYER_PARAMS = contract.layerParams;
/** @type {Record<string, {opacity: number, blendMode: string, background: string}>} */
export const LAYER_DEFAULT_STYLES = contract.layerDefaults;
