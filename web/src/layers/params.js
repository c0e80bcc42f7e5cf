// @ts-check
// A layer kind's parameters, checked against contract.json's layerParams (the table Python checks a project
// against too): defaults for those left out, a RangeError naming the layer for a bad one.
import contract from '../../../py/vizengine/project/contract.json';

/** @type {Record<string, {params: Record<string, any>}>} */
const LAYER_PARAMS = /** @type {any} */ (contract.layerParams);
const HEX = /^#[0-9a-f]{6}$/i;
/** Options a factory may be given that are the layer's, not its parameters. */
const NOT_PARAMS = new Set(['id', 'style', 'name', 'visible']);

/**
 * @param {string} kind a contract layer kind
 * @param {Record<string, unknown>} options the factory's options: id, style and the parameters
 * @returns {Record<string, any>} exactly the kind's parameters, in the contract's order
 */
export function checkParams(kind, options) {
  const specs = LAYER_PARAMS[kind]?.params;
  if (!specs) throw new Error(`no layer kind "${kind}" in contract.json`);
  const where = `${kind} layer "${options.id}"`;
  for (const name of Object.keys(options)) {
    if (!NOT_PARAMS.has(name) && !(name in specs)) {
      throw new RangeError(`${where}: ${name} is not a parameter of a ${kind} layer (known: ${Object.keys(specs).join(', ')})`);
    }
  }
  /** @type {Record<string, any>} */
  const out = {};
  for (const [name, spec] of Object.entries(specs)) {
    const value = options[name] === undefined ? spec.default : options[name];
    const bad = (/** @type {string} */ what) => new RangeError(`${where}: ${name} must be ${what}, got ${JSON.stringify(value)}`);
    switch (spec.type) {
      case 'number':
      case 'int':
        if (typeof value !== 'number' || !Number.isFinite(value) || value < spec.min || value > spec.max
          || (spec.type === 'int' && !Number.isInteger(value))) {
          throw bad(`${spec.type === 'int' ? 'a whole number' : 'a number'} from ${spec.min} to ${spec.max}`);
        }
        break;
      case 'color':
        if (typeof value !== 'string' || !HEX.test(value)) throw bad('a colour #rrggbb');
        break;
      case 'choice':
        if (!spec.choices.includes(value)) throw bad(`one of ${spec.choices.join(', ')}`);
        break;
      case 'text':
        if (typeof value !== 'string' || value.length > spec.maxLength) throw bad(`text of at most ${spec.maxLength} characters`);
        break;
      case 'image':
        if (value !== null && !(typeof value === 'string' && value.startsWith('data:'))) throw bad('an image data: URL or null');
        break;
      default:
        throw new Error(`contract.json: unknown parameter type ${spec.type}`);
    }
    out[name] = value;
  }
  if ('minHz' in out && !(out.minHz < out.maxHz)) throw new RangeError(`${where}: minHz ${out.minHz} must be below maxHz ${out.maxHz}`);
  return out;
}

/** @param {string} kind @returns {import('./registry.js').LayerStyle} the contract's default style */
export function defaultStyle(kind) {
  return /** @type {any} */ ({ ...(/** @type {any} */ (contract.layerDefaults))[kind] });
}
