// @ts-check
// Text (a title, an artist): rasterised with Canvas2D into a texture, drawn as one quad, optionally
// scaled with the bass. The raster is made again only when what it shows changes (text, font, size, the
// frame's size); the per-frame scale is the quad's, sampled trilinearly from a raster made at the largest
// scale the pulse can reach, so a pulse never magnifies the raster. Without a pulse the texels map 1:1
// onto the frame's pixels.
//
// Layout is relative to the frame: the font size is a fraction of the shorter side, (x, y) a point in
// fractions of the frame from its top left; `align` says whether x is the text's left end, centre or right
// end; y is the vertical centre of the text's lines.

import { getAudioFrameData } from '../audio/audio-frame-data.js';
import { bassLevel } from './audio-levels.js';
import { FONT_LICENCES, FONT_WEIGHTS } from './fonts.js';
import { checkParams, defaultStyle } from './params.js';
import { TexturedRect } from './quads.js';

/** @typedef {import('./registry.js').Layer} Layer */

const LINE_HEIGHT = 1.2;
/** Largest raster side: beyond it the raster's scale drops (the text is then magnified a little). */
const MAX_RASTER = 4096;

/**
 * @typedef {object} Raster
 * @property {string} key
 * @property {boolean} empty
 * @property {[number, number, number, number]} bounds x0, y0 (top), x1, y1 (bottom) in frame pixels at scale 1
 */

/** @implements {Layer} */
class TextLayer {
  /** @param {WebGL2RenderingContext} gl @param {any} options */
  constructor(gl, options) {
    this.id = options.id;
    this.kind = 'text';
    this.params = checkParams('text', options);
    this.style = { ...defaultStyle('text'), ...options.style };
    this.gl = gl;
    this.quad = new TexturedRect(gl, `layer "${this.id}"`);
    /** @type {Raster | null} */
    this.raster = null;
    this.fontLoaded = false;
    const { font, weight, text } = this.params;
    /** Where the build keeps the font's licence (the OFL asks that it travel with the font). */
    this.fontLicence = FONT_LICENCES[/** @type {'Inter'} */ (font)];
    this.css = (/** @type {number} */ px) => `${FONT_WEIGHTS[/** @type {'normal'|'bold'} */ (weight)]} ${px}px "${font}"`;
    // Only the glyphs' subsets the text needs are fetched (each @font-face has its unicode-range).
    const fonts = typeof document !== 'undefined' ? document.fonts : null;
    /** @type {Promise<void>} */
    this.ready = (fonts ? fonts.load(this.css(32), text || ' ') : Promise.resolve([]))
      .then((faces) => {
        if (fonts && faces.length === 0 && /[A-Za-z0-9]/.test(text)) throw new Error(`the font ${font} did not load`);
        this.fontLoaded = true;
      })
      .catch((error) => { throw new Error(`Text layer "${this.id}": ${error instanceof Error ? error.message : error}`); });
    this.ready.catch(() => {}); // the export and the preview report it; no unhandled rejection meanwhile
  }

  initGL() {
    this.quad.initGL();
    this.raster = null;
  }

  /**
   * @param {number} width @param {number} height
   * @returns {Raster}
   */
  rasterise(width, height) {
    const { text, size, color, align, x, y, pulse } = this.params;
    const scale = 1 + pulse;  // the raster's scale: the largest the quad reaches
    const key = `${width}x${height}`;
    if (this.raster && this.raster.key === key) return this.raster;
    const px = size * Math.min(width, height);
    const lines = String(text).split('\n');
    const measure = new OffscreenCanvas(1, 1).getContext('2d');
    if (!measure) throw new Error(`Text layer "${this.id}": no 2D canvas`);
    measure.font = this.css(px);
    measure.textAlign = /** @type {CanvasTextAlign} */ (align);
    const lineHeight = LINE_HEIGHT * px;
    const top = y * height - (lines.length * lineHeight) / 2;
    const anchorX = x * width;
    let x0 = Infinity; let x1 = -Infinity; let y0 = Infinity; let y1 = -Infinity;
    const metrics = lines.map((line) => measure.measureText(line));
    const ascent = metrics[0].fontBoundingBoxAscent;
    const descent = metrics[0].fontBoundingBoxDescent;
    const baselines = lines.map((_, i) => top + i * lineHeight + (lineHeight - (ascent + descent)) / 2 + ascent);
    metrics.forEach((m, i) => {
      if (!lines[i].trim()) return;
      // Measured with the layer's textAlign: the ink's extents from the point fillText is given.
      x0 = Math.min(x0, anchorX - m.actualBoundingBoxLeft);
      x1 = Math.max(x1, anchorX + m.actualBoundingBoxRight);
      y0 = Math.min(y0, baselines[i] - Math.max(m.actualBoundingBoxAscent, ascent));
      y1 = Math.max(y1, baselines[i] + Math.max(m.actualBoundingBoxDescent, descent));
    });
    // Whole pixels, a pixel of margin, and only the part inside the frame: at a scale >= 1 about the
    // anchor (inside the frame) nothing outside it can come into view.
    const b = /** @type {[number, number, number, number]} */ ([
      Math.max(0, Math.floor(x0) - 1), Math.max(0, Math.floor(y0) - 1),
      Math.min(width, Math.ceil(x1) + 1), Math.min(height, Math.ceil(y1) + 1)]);
    if (!(b[2] > b[0] && b[3] > b[1])) {
      this.raster = { key, empty: true, bounds: b };
      return this.raster;
    }
    const r = Math.min(scale, MAX_RASTER / (b[2] - b[0]), MAX_RASTER / (b[3] - b[1]));
    const canvas = new OffscreenCanvas(Math.ceil((b[2] - b[0]) * r), Math.ceil((b[3] - b[1]) * r));
    const ctx = /** @type {OffscreenCanvasRenderingContext2D} */ (canvas.getContext('2d'));
    ctx.setTransform(r, 0, 0, r, -b[0] * r, -b[1] * r);
    ctx.font = this.css(px);
    ctx.fillStyle = color;
    ctx.textAlign = /** @type {CanvasTextAlign} */ (align);
    ctx.textBaseline = 'alphabetic';
    lines.forEach((line, i) => ctx.fillText(line, anchorX, baselines[i]));
    this.quad.upload(canvas, canvas.width, canvas.height);
    this.raster = { key, empty: false, bounds: b };
    return this.raster;
  }

  /**
   * @param {number} time @param {number} dt @param {number} width @param {number} height
   * @returns {[number, number] | null}
   */
  draw(time, dt, width, height) {
    if (!this.fontLoaded) return [0, -1];  // not before its font: the export waits for `ready`
    const raster = this.rasterise(width, height);
    if (raster.empty) return [0, -1];
    const { x, y, pulse } = this.params;
    const s = pulse > 0 ? 1 + pulse * bassLevel(getAudioFrameData()) : 1;
    // Scale about the anchor; GL rows count up from the bottom.
    const ax = x * width;
    const ay = y * height;
    const [bx0, by0, bx1, by1] = raster.bounds;
    const left = ax + (bx0 - ax) * s;
    const right = ax + (bx1 - ax) * s;
    const top = height - (ay + (by0 - ay) * s);
    const bottom = height - (ay + (by1 - ay) * s);
    this.quad.draw([left, bottom, right, top], [0, 0, 1, 1], width, height);
    return [Math.max(0, bottom - 1), Math.min(height, top + 1)];
  }

  dispose() {
    this.quad.dispose();
  }
}

/**
 * @param {WebGL2RenderingContext} gl
 * @param {{id: string, style?: object} & Record<string, unknown>} options the contract's text parameters
 * @returns {Layer}
 */
export function createTextLayer(gl, options) {
  return new TextLayer(gl, options);
}
