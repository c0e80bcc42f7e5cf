// @ts-check
// Vertical bars along the bottom following the spectrum, transparent elsewhere.
//
// Bar heights are reduced from the bins in JS (once per frame, ~1k bytes) and passed as a
// uniform array: a per-pixel loop over each bar's bins would cost up to hundreds of texture
// reads per pixel at 4K on a software rasteriser.

import { parseColor } from '../gl/program.js';
import { ShaderLayer } from './shader-layer.js';

/** @typedef {import('./registry.js').Layer} Layer */
/** @typedef {import('./registry.js').LayerStyle} LayerStyle */

/** @type {LayerStyle} */
export const SPECTRUM_BARS_DEFAULT_STYLE = Object.freeze({ opacity: 0.9, blendMode: 'screen', background: 'transparent' });

/**
 * Each float of a uniform array may take a whole vec4 slot, and WebGL2 only guarantees 224
 * fragment uniform vectors, so the bar array must stay well under that.
 */
const MAX_BARS = 128;

/**
 * @typedef {object} SpectrumBarsOptions
 * @property {string} id
 * @property {Partial<LayerStyle>} [style]
 * @property {number} [bars=64]
 * @property {number} [minHz=30]      lowest frequency shown
 * @property {number} [maxHz=16000]   highest frequency shown (capped at Nyquist)
 * @property {number} [maxHeight=0.6] tallest bar as a fraction of the canvas height
 * @property {number} [gap=0.25]      space between bars as a fraction of each bar's slot
 * @property {number} [exponent=1.5]  >1 exaggerates loud bins; analyser bytes are already dB
 * @property {string|number[]} [colorLow='#22d3ee']  colour of the bass end
 * @property {string|number[]} [colorHigh='#e879f9'] colour of the treble end
 */

/**
 * Bin edges for `count` bars spaced logarithmically between minHz and maxHz, but at least one
 * bin wide: pure log spacing would give the low bars fractions of a bin, i.e. many identical
 * bass bars. The result is linear at the bottom and logarithmic above.
 * @param {number} count
 * @param {number} binCount
 * @param {number} sampleRate
 * @param {number} minHz
 * @param {number} maxHz
 * @returns {Int32Array} count+1 edges; bar i covers bins [edges[i], edges[i+1])
 */
export function logBarEdges(count, binCount, sampleRate, minHz, maxHz) {
  const binHz = sampleRate / (2 * binCount);
  const lo = Math.max(1, minHz / binHz);
  const hi = Math.max(lo + 1, Math.min(binCount, maxHz / binHz));
  const edges = new Int32Array(count + 1);
  for (let i = 0; i <= count; i++) {
    const logEdge = Math.round(lo * Math.pow(hi / lo, i / count));
    const minEdge = i === 0 ? 0 : edges[i - 1] + 1;
    edges[i] = Math.min(binCount, Math.max(logEdge, minEdge));
  }
  return edges;
}

/** @param {number} bars */
function fragmentSource(bars) {
  return `
#define BAR_COUNT ${bars}
uniform float u_bars[BAR_COUNT];  // 0..1 per bar
uniform float u_maxHeight;
uniform float u_gap;
uniform vec3 u_colorLow;
uniform vec3 u_colorHigh;
uniform float u_top;  // px above which no bar reaches this frame

void main() {
  vec2 p = gl_FragCoord.xy;
  // Indexing the uniform array costs about as much as a texture fetch on SwiftShader; most of
  // the canvas is above every bar, so skip it there.
  if (p.y > u_top) { fragColor = vec4(0.0); return; }
  float slot = u_resolution.x / float(BAR_COUNT);
  float fi = min(floor(p.x / slot), float(BAR_COUNT - 1));
  float local = p.x - fi * slot;
  float halfGap = 0.5 * u_gap * slot;
  // Coverage from the signed pixel distance to the bar's edges gives 1-pixel anti-aliasing
  // without multisampling.
  float covX = clamp(min(local - halfGap, slot - halfGap - local) + 0.5, 0.0, 1.0);
  float scale = min(u_resolution.x, u_resolution.y) / 720.0;  // the shorter side: 9:16 as 16:9
  float h = u_bars[int(fi)] * u_maxHeight * u_resolution.y + 2.0 * scale;  // a stub even in silence
  float covY = clamp(h - p.y + 0.5, 0.0, 1.0);
  float alpha = covX * covY;
  if (alpha <= 0.0) { fragColor = vec4(0.0); return; }

  float t = (fi + 0.5) / float(BAR_COUNT);
  vec3 col = mix(u_colorLow, u_colorHigh, t);
  float up = clamp(p.y / h, 0.0, 1.0);
  col *= 0.55 + 0.45 * up;
  // A bright cap marks the level even where the bar blends into a bright background.
  col = mix(col, vec3(1.0), smoothstep(h - 4.0 * scale, h, p.y) * 0.6);
  fragColor = vec4(col * alpha, alpha);
}
`;
}

/**
 * @param {number} value
 * @param {string} name
 * @param {number} min
 * @param {number} max
 */
function requireRange(value, name, min, max) {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`spectrum-bars: ${name} must be a number in ${min}..${max}, got ${value}`);
  }
}

/**
 * @param {WebGL2RenderingContext} gl
 * @param {SpectrumBarsOptions} options
 * @returns {Layer}
 */
export function createSpectrumBarsLayer(gl, {
  id, style, bars = 64, minHz = 30, maxHz = 16000, maxHeight = 0.6, gap = 0.25, exponent = 1.5,
  colorLow = '#22d3ee', colorHigh = '#e879f9',
}) {
  if (!Number.isInteger(bars) || bars < 1 || bars > MAX_BARS) {
    throw new RangeError(`spectrum-bars: bars must be an integer in 1..${MAX_BARS}, got ${bars}`);
  }
  requireRange(minHz, 'minHz', 0, Infinity);
  requireRange(maxHz, 'maxHz', minHz, Infinity);
  requireRange(maxHeight, 'maxHeight', 0, 1);
  requireRange(gap, 'gap', 0, 0.95);
  requireRange(exponent, 'exponent', 0.1, 10);
  const low = parseColor(colorLow);
  const high = parseColor(colorHigh);

  const heights = new Float32Array(bars);
  // Edges depend only on the audio format, so recompute only when it changes.
  let edges = new Int32Array(0);
  let edgesKey = '';

  return new ShaderLayer(gl, {
    id,
    kind: 'spectrum-bars',
    params: { bars, minHz, maxHz, maxHeight, gap, exponent, colorLow, colorHigh },
    style: { ...SPECTRUM_BARS_DEFAULT_STYLE, ...style },
    fragmentSource: fragmentSource(bars),
    uniforms(u, { audio, width, height }) {
      const freq = audio.frequency;
      let tallest = 0;
      const key = `${freq.length}/${audio.sampleRate}`;
      if (key !== edgesKey) {
        edges = logBarEdges(bars, freq.length, audio.sampleRate, minHz, maxHz);
        edgesKey = key;
      }
      for (let i = 0; i < bars; i++) {
        const start = Math.min(edges[i], freq.length - 1);
        const end = Math.max(start + 1, edges[i + 1]);
        // Peak rather than mean: wide treble bands would otherwise wash out a single loud bin.
        let peak = 0;
        for (let k = start; k < end; k++) if (freq[k] > peak) peak = freq[k];
        heights[i] = Math.pow(peak / 255, exponent);
        if (heights[i] > tallest) tallest = heights[i];
      }
      // Conservative bound on the shader's bar height (+1 px for the anti-aliased edge).
      const top = tallest * maxHeight * height + 2 * (Math.min(width, height) / 720) + 1;
      u.float('u_top', top);
      u.floatArray('u_bars', heights);
      u.float('u_maxHeight', maxHeight);
      u.float('u_gap', gap);
      u.vec3('u_colorLow', low);
      u.vec3('u_colorHigh', high);
      return [0, top];
    },
  });
}
