// Opaque background: a slowly drifting colour gradient whose brightness follows the bass.

import { ShaderLayer } from './shader-layer.js';

/** @typedef {import('./registry.js').Layer} Layer */
/** @typedef {import('./registry.js').LayerStyle} LayerStyle */

/** @type {LayerStyle} */
export const PULSE_GRADIENT_DEFAULT_STYLE = Object.freeze({ opacity: 1, blendMode: 'normal', background: 'transparent' });

/**
 * @typedef {object} PulseGradientOptions
 * @property {string} id
 * @property {Partial<LayerStyle>} [style]
 * @property {number} [bassBins=8]     how many of the lowest frequency bins count as bass
 * @property {number} [speed=0.03]     palette cycles per second; slow so it reads as mood, not flicker
 * @property {number} [floor=0.35]     brightness with no bass, so silence is dim rather than black
 * @property {number} [pulse=0.65]     extra brightness at full bass
 */

const FRAGMENT = `
uniform float u_bass;    // 0..1, averaged in JS: one value per frame, not per pixel
uniform float u_speed;
uniform float u_floor;
uniform float u_pulse;

// Cosine palette: smooth hue cycling with a handful of ALU ops, cheap even on SwiftShader at 4K.
vec3 palette(float t) {
  return 0.5 + 0.5 * cos(6.2831853 * (t + vec3(0.0, 0.33, 0.67)));
}

// Position-only hash: breaks up 8-bit banding in the encoded video while staying identical
// for identical inputs (no time or random term).
float dither(vec2 p) {
  return fract(sin(dot(p, vec2(12.9898, 78.233))) * 43758.5453) - 0.5;
}

void main() {
  vec2 uv = gl_FragCoord.xy / u_resolution;
  float aspect = u_resolution.x / u_resolution.y;
  float phase = u_time * u_speed;
  float diag = dot(uv, vec2(0.6, 0.4));
  vec3 a = palette(phase + diag * 0.35);
  vec3 b = palette(phase + 0.5 + diag * 0.35);
  vec3 col = mix(a * 0.55, b * 0.25, smoothstep(0.0, 1.0, uv.y));

  // The glow widens with bass so the pulse is felt in the centre, where the other layers sit.
  vec2 c = (uv - 0.5) * vec2(aspect, 1.0);
  float glow = exp(-dot(c, c) * (6.0 - 3.0 * u_bass));
  col += palette(phase + 0.25) * glow * 0.35 * u_bass;

  col *= u_floor + u_pulse * u_bass;
  col += dither(gl_FragCoord.xy) / 255.0;
  fragColor = vec4(clamp(col, 0.0, 1.0), 1.0);
}
`;

/**
 * @param {number} value
 * @param {string} name
 */
function requireNonNegative(value, name) {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`pulse-gradient: ${name} must be a non-negative number, got ${value}`);
  }
  return value;
}

/**
 * @param {HTMLCanvasElement} canvas
 * @param {PulseGradientOptions} options
 * @returns {Layer}
 */
export function createPulseGradientLayer(canvas, { id, style, bassBins = 8, speed = 0.03, floor = 0.35, pulse = 0.65 }) {
  if (!Number.isInteger(bassBins) || bassBins < 1) throw new RangeError(`pulse-gradient: bassBins must be a positive integer, got ${bassBins}`);
  requireNonNegative(speed, 'speed');
  requireNonNegative(floor, 'floor');
  requireNonNegative(pulse, 'pulse');
  return new ShaderLayer(canvas, {
    id,
    kind: 'pulse-gradient',
    style: { ...PULSE_GRADIENT_DEFAULT_STYLE, ...style },
    fragmentSource: FRAGMENT,
    uniforms(u, { audio }) {
      const n = Math.min(bassBins, audio.frequency.length);
      let sum = 0;
      for (let i = 0; i < n; i++) sum += audio.frequency[i];
      u.float('u_bass', sum / (n * 255));
      u.float('u_speed', speed);
      u.float('u_floor', floor);
      u.float('u_pulse', pulse);
    },
  });
}
