// @ts-check
// The ordered set of layers and their styles. The renderer draws them in this order into their
// texture slices; Python reads them (with the stage background and analyser settings) as the project
// description and plans the composite from it, for the preview and the export alike.

import { BLEND_MODES, COLOR, OPACITY } from '../contract.js';

/**
 * @typedef {object} LayerStyle
 * @property {number} opacity    0..1
 * @property {string} blendMode  one of the contract's 16 blend modes
 * @property {string} background a colour in the contract's grammar, drawn behind the layer's transparent pixels
 */

/**
 * @typedef {object} Layer
 * @property {string} id
 * @property {string} kind
 * @property {LayerStyle} style
 * @property {Record<string, unknown>} params
 * @property {(time: number, dt: number, width: number, height: number) => ([number, number] | null)} draw into the
 *   bound framebuffer; returns the rows it drew in (GL y, pixel centres), null for all
 * @property {() => void} initGL  rebuild GL objects (after a context restore)
 * @property {() => void} dispose
 */

/** @type {Layer[]} */
const layers = [];
/** @type {Set<() => void>} */
const listeners = new Set();

/**
 * Reject bad values here, where the user made them, rather than when Python plans the composite.
 * @param {Partial<LayerStyle>} style
 * @param {string} id
 */
function validateStyle(style, id) {
  if (style.opacity !== undefined) {
    const o = style.opacity;
    if (typeof o !== 'number' || !Number.isFinite(o) || o < OPACITY.min || o > OPACITY.max) {
      throw new RangeError(`Layer "${id}": opacity must be a number in ${OPACITY.min}..${OPACITY.max}, got ${o}`);
    }
  }
  if (style.blendMode !== undefined && !BLEND_MODES.includes(style.blendMode)) {
    throw new RangeError(`Layer "${id}": unknown blendMode "${style.blendMode}" (expected one of ${BLEND_MODES.join(', ')})`);
  }
  if (style.background !== undefined && !(typeof style.background === 'string' && COLOR.pattern.test(style.background))) {
    throw new RangeError(`Layer "${id}": background ${JSON.stringify(style.background)}: ${COLOR.hint}`);
  }
}

/**
 * Append a layer on top of the stack.
 * @param {Layer} layer
 */
export function registerLayer(layer) {
  if (!layer || typeof layer.id !== 'string' || !layer.id) throw new TypeError('registerLayer: layer.id must be a non-empty string');
  if (layers.some((l) => l.id === layer.id)) throw new Error(`registerLayer: duplicate layer id "${layer.id}"`);
  validateStyle(layer.style, layer.id);
  layers.push(layer);
  for (const listener of listeners) listener();
}

/**
 * A copy, so callers cannot reorder the registry by accident.
 * @returns {Layer[]} bottom to top
 */
export function getLayers() {
  return layers.slice();
}

/**
 * @param {string} id
 * @param {Partial<LayerStyle>} partialStyle
 */
export function setLayerStyle(id, partialStyle) {
  const layer = layers.find((l) => l.id === id);
  if (!layer) throw new Error(`No layer with id "${id}"`);
  validateStyle(partialStyle, id);
  layer.style = { ...layer.style, ...partialStyle };
  for (const listener of listeners) listener();
}

/**
 * Called after any change to the layers or their styles (the page re-plans the composite).
 * @param {() => void} listener
 */
export function onLayersChanged(listener) {
  listeners.add(listener);
}

/**
 * The layers as the project description has them, bottom to top.
 * @returns {object[]}
 */
export function describeLayers() {
  return layers.map(({ id, kind, style, params }) => ({
    id, kind, visible: true, opacity: style.opacity, blendMode: style.blendMode, background: style.background, params,
  }));
}
