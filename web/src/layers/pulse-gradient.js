// @ts-check
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

// Everything that only depends on time and bass (palette colours, brightness) is computed once
// per frame in JS; per pixel there is only mixing, because transcendental functions are slow
// on SwiftShader at 4K.
const FRAGMENT = `
uniform vec3 u_a0;        // gradient colours at the two ends of the diagonal, two families
uniform vec3 u_a1;
uniform vec3 u_b0;
uniform vec3 u_b1;
uniform vec3 u_glow;      // glow colour, already scaled by bass
uniform float u_glowFalloff;
uniform float u_gain;     // overall brightness, follows bass

void main() {
  vec2 uv = v_uv;
  float diag = dot(uv, vec2(0.6, 0.4));
  vec3 col = mix(mix(u_a0, u_a1, diag) * 0.55, mix(u_b0, u_b1, diag) * 0.25, smoothstep(0.0, 1.0, uv.y));

  // In units of the shorter side: the glow is as big against a 9:16 or 1:1 frame as against 16:9.
  vec2 c = (uv - 0.5) * u_resolution / min(u_resolution.x, u_resolution.y);
  float g = 1.0 / (1.0 + u_glowFalloff * dot(c, c));
  col += u_glow * (g * g);

  col *= u_gain;
  // Interleaved gradient noise: breaks up 8-bit banding in the encoded video, costs two fract(),
  // and depends on position only, so identical inputs still give identical pixels.
  col += (fract(52.9829189 * fract(dot(gl_FragCoord.xy, vec2(0.06711056, 0.00583715)))) - 0.5) / 255.0;
  fragColor = vec4(clamp(col, 0.0, 1.0), 1.0);
}
`;

/**
 * Cosine palette: smooth hue cycling as t goes round 0..1.
 * @param {number} t
 * @param {Float32Array} out
 * @param {number} [scale=1]
 */
function palette(t, out, scale = 1) {
  for (let i = 0; i < 3; i++) out[i] = scale * (0.5 + 0.5 * Math.cos(2 * Math.PI * (t + i / 3)));
  return out;
}

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
 * @param {WebGL2RenderingContext} gl
 * @param {PulseGradientOptions} options
 * @returns {Layer}
 */
export function createPulseGradientLayer(gl, { id, style, bassBins = 8, speed = 0.03, floor = 0.35, pulse = 0.65 }) {
  if (!Number.isInteger(bassBins) || bassBins < 1) throw new RangeError(`pulse-gradient: bassBins must be a positive integer, got ${bassBins}`);
  requireNonNegative(speed, 'speed');
  requireNonNegative(floor, 'floor');
  requireNonNegative(pulse, 'pulse');
  const tmp = new Float32Array(3);
  return new ShaderLayer(gl, {
    id,
    kind: 'pulse-gradient',
    params: { bassBins, speed, floor, pulse },
    style: { ...PULSE_GRADIENT_DEFAULT_STYLE, ...style },
    fragmentSource: FRAGMENT,
    uniforms(u, { time, audio }) {
      const n = Math.min(bassBins, audio.frequency.length);
      let sum = 0;
      for (let i = 0; i < n; i++) sum += audio.frequency[i];
      const bass = sum / (n * 255);
      const phase = time * speed;
      // Diagonal spans 0.35 of the palette: a gentle two-hue gradient rather than a rainbow.
      u.vec3('u_a0', palette(phase, tmp));
      u.vec3('u_a1', palette(phase + 0.35, tmp));
      u.vec3('u_b0', palette(phase + 0.5, tmp));
      u.vec3('u_b1', palette(phase + 0.85, tmp));
      u.vec3('u_glow', palette(phase + 0.25, tmp, 0.35 * bass));
      // The glow widens with bass so the pulse is felt in the centre, where the other layers sit.
      u.float('u_glowFalloff', 12 - 6 * bass);
      u.float('u_gain', floor + pulse * bass);
    },
  });
}
