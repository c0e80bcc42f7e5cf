// @ts-check
// The live layer objects, bottom to top, kept in step with the project document (project-document.js):
// applyLayers reconciles them with the document's layer list, keeping a layer's GL objects when only its
// style, name or visibility changed and building it anew when its kind or parameters did. The renderer
// draws them in this order into their texture slices; Python reads them back as the project description.

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
 * @property {string} [name]      what the editor shows; the id never changes
 * @property {boolean} [visible]  hidden layers are not drawn or composited
 * @property {Promise<void>} [ready] resolves once the layer can draw its final picture (fonts, images)
 * @property {(time: number, dt: number, width: number, height: number) => ([number, number] | null)} draw into the
 *   bound framebuffer; returns the rows it drew in (GL y, pixel centres), null for all
 * @property {() => void} initGL  rebuild GL objects (after a context restore)
 * @property {() => void} dispose
 */

/**
 * One layer as the project document has it (the project description's JSON, camelCase).
 * @typedef {object} LayerSpec
 * @property {string} id
 * @property {string} name
 * @property {string} kind
 * @property {boolean} visible
 * @property {number} opacity
 * @property {string} blendMode
 * @property {string} background
 * @property {Record<string, unknown>} params
 */

/** @type {Layer[]} */
let layers = [];
/** @type {Set<() => void>} */
const listeners = new Set();

/**
 * Reject bad values here, where they were made, rather than when Python plans the composite.
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

/** @param {unknown} a @param {unknown} b */
const sameJSON = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Make the live layers match `specs` (bottom to top). Layers whose id, kind and params are unchanged are
 * kept; the rest are built with `create` and the ones no longer listed are disposed. All specs are built
 * before anything is replaced, so a spec a factory refuses leaves the layers as they were.
 * @param {LayerSpec[]} specs
 * @param {(spec: LayerSpec) => Layer} create
 */
export function applyLayers(specs, create) {
  const ids = new Set();
  for (const spec of specs) {
    if (typeof spec.id !== 'string' || !spec.id) throw new TypeError('applyLayers: a layer id must be a non-empty string');
    if (ids.has(spec.id)) throw new Error(`applyLayers: duplicate layer id "${spec.id}"`);
    ids.add(spec.id);
    validateStyle(spec, spec.id);
  }
  const byId = new Map(layers.map((layer) => [layer.id, layer]));
  /** @type {Layer[]} */
  const created = [];
  /** @type {Layer[]} */
  let next;
  try {
    next = specs.map((spec) => {
      const old = byId.get(spec.id);
      const layer = old && old.kind === spec.kind && sameJSON(old.params, spec.params) ? old : create(spec);
      if (layer !== old) created.push(layer);
      layer.name = spec.name;
      layer.visible = spec.visible;
      layer.style = { opacity: spec.opacity, blendMode: spec.blendMode, background: spec.background };
      return layer;
    });
  } catch (error) {
    for (const layer of created) layer.dispose();
    throw error;
  }
  const kept = new Set(next);
  for (const layer of layers) if (!kept.has(layer)) layer.dispose();
  layers = next;
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
 * Called after any change to the layers or their styles (the page re-plans the composite).
 * @param {() => void} listener
 */
export function onLayersChanged(listener) {
  listeners.add(listener);
}

/** Resolves once every layer can draw its final picture (fonts loaded, images decoded). */
export function whenLayersReady() {
  return Promise.all(layers.map((layer) => layer.ready)).then(() => undefined);
}
