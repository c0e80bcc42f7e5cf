// @ts-check
// The time-domain waveform as a bright anti-aliased line across the middle.
//
// Each pixel measures its distance to the polyline segments whose x-span is within reach, so
// the line keeps a constant thickness on steep slopes (a per-column |y - wave(x)| test would
// thin out to hairlines there). That loop is the expensive part on a software rasteriser, so
// the canvas is cut into vertical strips and JS passes each strip's vertical extent of the
// line: pixels outside it (most of the screen, for smooth waves) skip the segment loop.

import { parseColor } from '../gl/program.js';
import { ShaderLayer } from './shader-layer.js';

/** @typedef {import('./registry.js').Layer} Layer */
/** @typedef {import('./registry.js').LayerStyle} LayerStyle */

/** @type {LayerStyle} */
export const WAVEFORM_DEFAULT_STYLE = Object.freeze({ opacity: 0.85, blendMode: 'lighten', background: 'transparent' });

/** Loop bound in the shader; when more samples than this fall within reach, samples are strided. */
const MAX_SEGMENTS = 32;
/**
 * Strips for the early-out. A vec2 array element may take a whole vec4 slot and WebGL2 only
 * guarantees 224 fragment uniform vectors; measured on SwiftShader, 384 strips were no faster.
 */
const STRIPS = 128;

/**
 * @typedef {object} WaveformOptions
 * @property {string} id
 * @property {Partial<LayerStyle>} [style]
 * @property {number} [lineWidth=3]    pixels at 720p; scales with the canvas height
 * @property {number} [amplitude=0.35] full-scale deflection as a fraction of the canvas height
 * @property {string|number[]} [color='#bff4ff']
 */

const FRAGMENT = `
#define MAX_SEGMENTS ${MAX_SEGMENTS}
#define STRIPS ${STRIPS}
uniform float u_halfWidth;  // px
uniform float u_amplitude;  // px per unit sample
uniform vec2 u_band;            // lowest and highest y (px) the line reaches anywhere, fringe included
uniform vec2 u_strips[STRIPS];  // the same per vertical strip
uniform int u_stride;       // samples per polyline point
uniform vec3 u_color;

vec2 point(int j, float xScale, float mid) {
  int i = j * u_stride;
  return vec2(float(i) * xScale, mid + waveSample(i) * u_amplitude);
}

void main() {
  vec2 p = gl_FragCoord.xy;
  // The band test is nearly free; the strip lookup costs about a texture fetch, so do it second.
  if (p.y < u_band.x || p.y > u_band.y) {
    fragColor = vec4(0.0);
    return;
  }
  vec2 strip = u_strips[clamp(int(p.x * float(STRIPS) / u_resolution.x), 0, STRIPS - 1)];
  if (p.y < strip.x || p.y > strip.y) {
    fragColor = vec4(0.0);
    return;
  }
  float mid = 0.5 * u_resolution.y;
  float reach = u_halfWidth + 1.0;  // line plus its anti-aliasing fringe

  // Point j sits at x = j * stride * xScale, spanning the full width end to end.
  int lastPoint = (u_waveCount - 1) / u_stride;
  float xScale = u_resolution.x / float(max(lastPoint * u_stride, 1));
  float pointsPerPx = 1.0 / (xScale * float(u_stride));
  int first = clamp(int(floor((p.x - reach) * pointsPerPx)), 0, lastPoint);
  int last = clamp(int(ceil((p.x + reach) * pointsPerPx)), 0, lastPoint);

  float d = 1e6;
  vec2 a = point(first, xScale, mid);
  for (int k = 0; k < MAX_SEGMENTS; k++) {
    int j = first + k + 1;
    if (j > last) break;
    vec2 b = point(j, xScale, mid);
    vec2 pa = p - a;
    vec2 ba = b - a;
    float h = clamp(dot(pa, ba) / max(dot(ba, ba), 1e-6), 0.0, 1.0);
    d = min(d, length(pa - ba * h));
    a = b;
  }

  float alpha = clamp(u_halfWidth + 0.5 - d, 0.0, 1.0);
  // Whiter core so the line reads as bright even when blended with 'lighten' over a light background.
  float core = clamp(1.0 - d / max(u_halfWidth, 1.0), 0.0, 1.0);
  vec3 col = mix(u_color, vec3(1.0), core * 0.5);
  fragColor = vec4(col * alpha, alpha);
}
`;

/**
 * @param {WebGL2RenderingContext} gl
 * @param {WaveformOptions} options
 * @returns {Layer}
 */
export function createWaveformLayer(gl, { id, style, lineWidth = 3, amplitude = 0.35, color = '#bff4ff' }) {
  if (typeof lineWidth !== 'number' || !(lineWidth > 0 && lineWidth <= 64)) {
    throw new RangeError(`waveform: lineWidth must be a number in (0, 64], got ${lineWidth}`);
  }
  if (typeof amplitude !== 'number' || !(amplitude >= 0 && amplitude <= 0.5)) {
    throw new RangeError(`waveform: amplitude must be a number in 0..0.5, got ${amplitude}`);
  }
  const rgb = parseColor(color);
  const strips = new Float32Array(2 * STRIPS);

  return new ShaderLayer(gl, {
    id,
    kind: 'waveform',
    params: { lineWidth, amplitude, color },
    style: { ...WAVEFORM_DEFAULT_STYLE, ...style },
    fragmentSource: FRAGMENT,
    uniforms(u, { audio, width, height }) {
      const wave = audio.timeDomain;
      // px at 720p, scaled by the shorter side: as thick against a 9:16 frame's width as a 16:9 one's height
      const halfWidth = 0.5 * lineWidth * (Math.min(width, height) / 720);
      const reach = halfWidth + 1;
      const amp = amplitude * height;
      const last = Math.max(wave.length - 1, 1);
      // Keep the segments within a pixel's reach under the shader's loop bound; only very
      // large fftSizes on narrow canvases need a stride above 1.
      const inReach = (2 * reach + 2) * (last / width) + 2;
      const stride = Math.max(1, Math.ceil(inReach / MAX_SEGMENTS));
      // Mirror the shader's x mapping exactly: with a stride, the last point may fall short of
      // the last sample, and that stretches the polyline slightly.
      const span = Math.max(Math.floor(last / stride) * stride, 1);
      const samplesPerPx = span / width;

      // Conservative: every sample whose segment can come within reach of the strip counts,
      // a superset of the strided points the shader actually connects.
      const stripWidth = width / STRIPS;
      let bandLo = Infinity;
      let bandHi = -Infinity;
      for (let s = 0; s < STRIPS; s++) {
        const from = Math.max(0, Math.floor((s * stripWidth - reach) * samplesPerPx) - 1);
        const to = Math.min(span, Math.ceil(((s + 1) * stripWidth + reach) * samplesPerPx) + 1);
        let lo = 255;
        let hi = 0;
        for (let i = from; i <= to; i++) {
          const v = wave[i];
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        // Same byte-to-sample mapping as waveSample() in the prelude.
        strips[2 * s] = 0.5 * height + (lo / 128 - 1) * amp - reach;
        strips[2 * s + 1] = 0.5 * height + (hi / 128 - 1) * amp + reach;
        bandLo = Math.min(bandLo, strips[2 * s]);
        bandHi = Math.max(bandHi, strips[2 * s + 1]);
      }
      u.vec2('u_band', bandLo, bandHi);
      u.float('u_halfWidth', halfWidth);
      u.float('u_amplitude', amp);
      u.vec2Array('u_strips', strips);
      u.int('u_stride', stride);
      u.vec3('u_color', rgb);
      return [bandLo, bandHi];
    },
  });
}
