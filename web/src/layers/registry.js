// The ordered set of layers. The browser composites the canvases for preview via CSS; on export
// the Python compositor redoes the same composition from readAllPixels + describeLayers, so
// the style fields here are the contract between the two and are validated up front.

import { nextAudioFrame } from '../audio/audio-frame-data.js';

/**
 * @typedef {object} LayerStyle
 * @property {number} opacity    0..1
 * @property {string} blendMode  a CSS mix-blend-mode keyword
 * @property {string} background a CSS colour drawn behind the layer's transparent pixels
 */

/**
 * @typedef {object} Layer
 * @property {string} id
 * @property {string} kind
 * @property {HTMLCanvasElement} canvas
 * @property {LayerStyle} style
 * @property {(time: number, dt: number) => void} render
 * @property {() => void} reset
 * @property {(width: number, height: number) => void} resize
 * @property {(dst: Uint8Array) => void} readPixels  RGBA, premultiplied, rows bottom-up
 * @property {() => void} dispose
 */

/**
 * @typedef {object} LayerDescription
 * @property {string} id
 * @property {string} kind
 * @property {number} opacity
 * @property {string} blendMode
 * @property {string} background
 */

/**
 * The 16 mix-blend-modes of W3C Compositing Level 1, the set the Python compositor implements
 * (py/vizengine/blend_modes.py); CSS has more (plus-lighter) that the export could not reproduce.
 */
export const BLEND_MODES = Object.freeze([
  'normal', 'multiply', 'screen', 'overlay', 'darken', 'lighten', 'color-dodge', 'color-burn',
  'hard-light', 'soft-light', 'difference', 'exclusion', 'hue', 'saturation', 'color', 'luminosity',
]);

/**
 * The colour forms the compositor parses (hex, transparent, rgb()/rgba()); named colours and
 * hsl() work in CSS but would fail only at export time.
 */
const COMPOSITOR_COLOR = /^\s*(transparent|#[0-9a-f]{3,8}|rgba?\(.*\))\s*$/i;

/** @type {Layer[]} */
const layers = [];

/**
 * @param {string} id
 * @returns {Layer}
 */
function findLayer(id) {
  const layer = layers.find((l) => l.id === id);
  if (!layer) throw new Error(`No layer with id "${id}"`);
  return layer;
}

/**
 * Reject bad values here rather than letting CSS silently ignore them, which would make the
 * preview and the exported video disagree.
 * @param {Partial<LayerStyle>} style
 * @param {string} id
 */
function validateStyle(style, id) {
  if (style.opacity !== undefined) {
    const o = style.opacity;
    if (typeof o !== 'number' || !Number.isFinite(o) || o < 0 || o > 1) {
      throw new RangeError(`Layer "${id}": opacity must be a number in 0..1, got ${o}`);
    }
  }
  if (style.blendMode !== undefined && !BLEND_MODES.includes(/** @type {string} */ (style.blendMode))) {
    throw new RangeError(`Layer "${id}": unknown blendMode "${style.blendMode}" (expected one of ${BLEND_MODES.join(', ')})`);
  }
  if (style.background !== undefined) {
    const bg = style.background;
    const ok = typeof bg === 'string' && COMPOSITOR_COLOR.test(bg) && (typeof CSS === 'undefined' || CSS.supports('background-color', bg));
    if (!ok) {
      throw new RangeError(
        `Layer "${id}": background must be 'transparent', '#rrggbb[aa]' or 'rgb(a)(...)', got ${JSON.stringify(bg)}`,
      );
    }
  }
}

/**
 * @param {HTMLCanvasElement} canvas
 * @param {LayerStyle} style
 */
function applyStyle(canvas, style) {
  const s = canvas.style;
  s.position = 'absolute';
  s.inset = '0';
  s.width = '100%';
  s.height = '100%';
  s.opacity = String(style.opacity);
  s.setProperty('mix-blend-mode', style.blendMode);
  s.backgroundColor = style.background;
}

/**
 * Append a layer on top of the stack. The caller places the canvas in the (isolated) stage;
 * keep DOM order equal to registration order so preview and export stack the same way.
 * @param {Layer} layer
 */
export function registerLayer(layer) {
  if (!layer || typeof layer.id !== 'string' || !layer.id) throw new TypeError('registerLayer: layer.id must be a non-empty string');
  for (const method of ['render', 'reset', 'resize', 'readPixels', 'dispose']) {
    if (typeof (/** @type {any} */ (layer)[method]) !== 'function') {
      throw new TypeError(`registerLayer: layer "${layer.id}" has no ${method}() method`);
    }
  }
  if (layers.some((l) => l.id === layer.id)) throw new Error(`registerLayer: duplicate layer id "${layer.id}"`);
  const style = layer.style;
  if (!style || style.opacity === undefined || style.blendMode === undefined || style.background === undefined) {
    throw new TypeError(`registerLayer: layer "${layer.id}" needs a full style {opacity, blendMode, background}`);
  }
  validateStyle(style, layer.id);
  layers.push(layer);
  applyStyle(layer.canvas, layer.style);
}

/**
 * Remove a layer from the stack. Does not dispose it: the caller owns its canvas.
 * @param {string} id
 * @returns {Layer|undefined} the removed layer
 */
export function unregisterLayer(id) {
  const i = layers.findIndex((l) => l.id === id);
  if (i < 0) return undefined;
  return layers.splice(i, 1)[0];
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
  const layer = findLayer(id);
  validateStyle(partialStyle, id);
  const next = { ...layer.style };
  if (partialStyle.opacity !== undefined) next.opacity = partialStyle.opacity;
  if (partialStyle.blendMode !== undefined) next.blendMode = partialStyle.blendMode;
  if (partialStyle.background !== undefined) next.background = partialStyle.background;
  layer.style = next;
  applyStyle(layer.canvas, next);
}

/**
 * Render one frame of every layer. Audio advances exactly once here so all layers of a frame
 * see identical data.
 * @param {number} time      seconds
 * @param {number} deltaTime seconds since the previous frame
 */
export function renderAllLayers(time, deltaTime) {
  nextAudioFrame();
  for (const layer of layers) layer.render(time, deltaTime);
}

export function resetAllLayers() {
  for (const layer of layers) layer.reset();
}

/**
 * Set every layer's drawing-buffer size; the CSS size stays whatever the stage makes it.
 * @param {number} width
 * @param {number} height
 */
export function resizeAllLayers(width, height) {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`resizeAllLayers: size must be positive integers, got ${width}x${height}`);
  }
  for (const layer of layers) layer.resize(width, height);
}

/**
 * Read every layer into one buffer, layer k at byte offset k*w*h*4 (bottom layer first).
 * @param {Uint8Array} dst exactly layers*width*height*4 bytes
 * @returns {{width: number, height: number, count: number}}
 */
export function readAllPixels(dst) {
  if (layers.length === 0) return { width: 0, height: 0, count: 0 };
  const { width, height } = layers[0].canvas;
  for (const layer of layers) {
    if (layer.canvas.width !== width || layer.canvas.height !== height) {
      throw new Error(
        `readAllPixels: layer "${layer.id}" is ${layer.canvas.width}x${layer.canvas.height}, expected ${width}x${height} (call resizeAllLayers)`,
      );
    }
  }
  const size = width * height * 4;
  if (!(dst instanceof Uint8Array) || dst.length !== layers.length * size) {
    throw new RangeError(
      `readAllPixels: dst must be a Uint8Array of ${layers.length} layers x ${width}x${height}x4 = ${layers.length * size} bytes, got ${dst?.length}`,
    );
  }
  layers.forEach((layer, k) => layer.readPixels(dst.subarray(k * size, (k + 1) * size)));
  return { width, height, count: layers.length };
}

/**
 * Plain JSON for the Python compositor, in stacking order (bottom to top).
 * @returns {LayerDescription[]}
 */
export function describeLayers() {
  return layers.map(({ id, kind, style }) => ({
    id,
    kind,
    opacity: style.opacity,
    blendMode: style.blendMode,
    background: style.background,
  }));
}
