// @ts-check
// A picture (cover art, a logo) from an embedded data: URL, fitted into a box of size*width by size*height
// of the frame centred at (x, y) (fractions of the frame from its top left): `contain` shows all of it,
// `cover` fills the box and crops, `stretch` fills it and distorts. The box scales with the bass by `pulse`.
// Decoded once with createImageBitmap from a Blob (no <img>, no fetch of the URL: fine under a strict CSP);
// `ready` resolves when it is on the GPU and rejects naming the layer when it cannot be decoded.

import { getAudioFrameData } from '../audio/audio-frame-data.js';
import { bassLevel } from './audio-levels.js';
import { checkParams, defaultStyle } from './params.js';
import { TexturedRect } from './quads.js';

/** @typedef {import('./registry.js').Layer} Layer */

/** Decoded pictures are cut down to this many pixels a side (mipmaps take care of the rest). */
const MAX_SIDE = 4096;

/** @param {string} src a data: URL @returns {Blob} */
function dataURLBlob(src) {
  const match = /^data:([^;,]+)(;base64)?,(.*)$/s.exec(src);
  if (!match) throw new Error('the image is not a data: URL');
  const [, mime, base64, payload] = match;
  if (!base64) return new Blob([decodeURIComponent(payload)], { type: mime });
  const text = atob(payload.replace(/\s+/g, ''));
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return new Blob([bytes], { type: mime });
}

/** @implements {Layer} */
class ImageLayer {
  /** @param {WebGL2RenderingContext} gl @param {any} options */
  constructor(gl, options) {
    this.id = options.id;
    this.kind = 'image';
    this.params = checkParams('image', options);
    this.style = { ...defaultStyle('image'), ...options.style };
    this.gl = gl;
    this.quad = new TexturedRect(gl, `layer "${this.id}"`);
    /** @type {ImageBitmap | null} */
    this.bitmap = null;
    this.uploaded = false;
    /** @type {Promise<void>} */
    this.ready = this.decode();
    this.ready.catch(() => {}); // the export and the preview report it; no unhandled rejection meanwhile
  }

  async decode() {
    const { src } = this.params;
    if (src === null) return;
    try {
      const blob = dataURLBlob(src);
      const probe = await createImageBitmap(blob);
      const { width, height } = probe;
      const shrink = Math.min(1, MAX_SIDE / Math.max(width, height));
      probe.close();
      this.bitmap = await createImageBitmap(blob, {
        premultiplyAlpha: 'premultiply', colorSpaceConversion: 'default', imageOrientation: 'from-image',
        ...(shrink < 1 ? { resizeWidth: Math.max(1, Math.round(width * shrink)), resizeHeight: Math.max(1, Math.round(height * shrink)), resizeQuality: 'high' } : {}),
      });
      this.imageWidth = width;
      this.imageHeight = height;
      this.upload();
    } catch (error) {
      throw new Error(`Image layer "${this.id}": the image could not be decoded (${error instanceof Error ? error.message : error})`);
    }
  }

  upload() {
    if (!this.bitmap) return;
    this.quad.upload(this.bitmap, this.bitmap.width, this.bitmap.height);
    this.uploaded = true;
  }

  initGL() {
    this.quad.initGL();
    this.uploaded = false;
    this.upload();
  }

  /**
   * @param {number} time @param {number} dt @param {number} width @param {number} height
   * @returns {[number, number] | null}
   */
  draw(time, dt, width, height) {
    if (!this.uploaded || !this.bitmap) return [0, -1];
    const { fit, x, y, size, pulse } = this.params;
    const s = pulse > 0 ? 1 + pulse * bassLevel(getAudioFrameData()) : 1;
    const boxW = size * width * s;
    const boxH = size * height * s;
    const iw = /** @type {number} */ (this.imageWidth);
    const ih = /** @type {number} */ (this.imageHeight);
    let w = boxW;
    let h = boxH;
    /** @type {[number, number, number, number]} */
    let uv = [0, 0, 1, 1];
    if (fit === 'contain') {
      const k = Math.min(boxW / iw, boxH / ih);
      w = iw * k;
      h = ih * k;
    } else if (fit === 'cover') {
      // The box is filled; the picture's middle part that fits it is shown.
      const k = Math.max(boxW / iw, boxH / ih);
      const du = (1 - boxW / (iw * k)) / 2;
      const dv = (1 - boxH / (ih * k)) / 2;
      uv = [du, dv, 1 - du, 1 - dv];
    }
    const cx = x * width;
    const cy = height - y * height;  // GL rows count up from the bottom
    const rect = /** @type {[number, number, number, number]} */ ([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2]);
    this.quad.draw(rect, uv, width, height);
    return [Math.max(0, rect[1] - 1), Math.min(height, rect[3] + 1)];
  }

  dispose() {
    this.quad.dispose();
    this.bitmap?.close();
    this.bitmap = null;
  }
}

/**
 * @param {WebGL2RenderingContext} gl
 * @param {{id: string, style?: object} & Record<string, unknown>} options the contract's image parameters
 * @returns {Layer}
 */
export function createImageLayer(gl, options) {
  return new ImageLayer(gl, options);
}
