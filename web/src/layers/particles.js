// @ts-check
// A field of glowing particles drifting upwards as the bass pushes them, scattering outwards on onsets.
//
// Deterministic: a particle's place is a pure function of (seed, its index, the track's cumulative bass
// energy at `time`, the onsets before `time`) — the whole-track features Python computed offline
// (audio/track-features.js) — so drawing frame i directly gives the frame drawn after 0..i-1. Distance
// travelled is speed * cumulative energy (so speed follows the energy); each onset adds a burst that rises
// within BURST_RISE seconds and fades over the next second. Without features (no track yet) the particles
// rest at their seeded places.
//
// Each particle is one instanced quad: only the pixels under particles are shaded.

import { cumulativeEnergyAt, getTrackFeatures, onsetsUpTo, trackFeaturesReady } from '../audio/track-features.js';
import { parseColor } from '../gl/program.js';
import { checkParams, defaultStyle } from './params.js';
import { InstancedQuads, QUAD_CORNER } from './quads.js';

/** @typedef {import('./registry.js').Layer} Layer */

/** Shorter sides travelled per unit of cumulative energy at speed 1 (about 4 s to cross at the mean). */
const TRAVEL = 0.25;
/** Seconds from an onset to its burst's peak; bursts older than BURST_WINDOW are spent. */
const BURST_RISE = 0.09;
const BURST_WINDOW = 1.2;
/** Outward push at a burst's peak, as a fraction of each particle's distance from the centre, at burst 1. */
const BURST_SPREAD = 0.18;

const VERTEX = `#version 300 es
layout(location = 0) in vec4 a_instance;  // centre x, y (GL px), radius px, brightness
uniform vec2 u_resolution;
out vec2 v_local;     // px from the centre
out float v_radius;
out float v_bright;
${QUAD_CORNER}
void main() {
  float reach = a_instance.z + 1.0;  // the disc and its anti-aliased fringe
  v_local = (quadCorner() * 2.0 - 1.0) * reach;
  v_radius = a_instance.z;
  v_bright = a_instance.w;
  gl_Position = vec4((a_instance.xy + v_local) / u_resolution * 2.0 - 1.0, 0.0, 1.0);
}
`;

const FRAGMENT = `#version 300 es
precision highp float;
uniform vec3 u_color;
in vec2 v_local;
in float v_radius;
in float v_bright;
out vec4 fragColor;
void main() {
  float d = length(v_local);
  float alpha = clamp(v_radius + 0.5 - d, 0.0, 1.0);
  if (alpha <= 0.0) discard;
  // A brighter core: the particle reads as a glow, not a flat dot.
  float core = 1.0 - 0.55 * clamp(d / max(v_radius, 0.5), 0.0, 1.0);
  float a = alpha * v_bright * core;
  fragColor = vec4(u_color * a, a);
}
`;

/** A 32-bit integer hash (lowbias32): the particles' random numbers, the same in every browser. */
function hash(/** @type {number} */ x) {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** @param {number} seed @param {number} index @param {number} k @returns {number} in [0, 1) */
function random(seed, index, k) {
  return hash(hash(hash(seed) ^ Math.imul(index + 1, 0x9e3779b1)) ^ Math.imul(k + 1, 0x85ebca6b)) / 4294967296;
}

/** @param {number} tau seconds since the onset @returns {number} 0..1, peaking at BURST_RISE */
function burstShape(tau) {
  const u = tau / BURST_RISE;
  return u * Math.exp(1 - u);
}

/** @implements {Layer} */
class ParticlesLayer {
  /** @param {WebGL2RenderingContext} gl @param {any} options */
  constructor(gl, options) {
    this.id = options.id;
    this.kind = 'particles';
    this.params = checkParams('particles', options);
    this.style = { ...defaultStyle('particles'), ...options.style };
    this.color = parseColor(this.params.color);
    const { count, seed } = this.params;
    // Each particle's constants: home (fractions of the frame), heading, pace, size, brightness, sway.
    this.home = new Float64Array(2 * count);
    this.heading = new Float64Array(2 * count);
    this.pace = new Float64Array(count);
    this.radius = new Float64Array(count);
    this.bright = new Float64Array(count);
    this.sway = new Float64Array(2 * count);
    for (let i = 0; i < count; i++) {
      this.home[2 * i] = random(seed, i, 0);
      this.home[2 * i + 1] = random(seed, i, 1);
      const angle = Math.PI / 2 + (random(seed, i, 2) - 0.5) * 1.2;  // upwards, +-35 degrees
      this.heading[2 * i] = Math.cos(angle);
      this.heading[2 * i + 1] = Math.sin(angle);
      this.pace[i] = 0.4 + 1.2 * random(seed, i, 3);
      this.radius[i] = 0.6 + 0.8 * random(seed, i, 4);
      this.bright[i] = 0.35 + 0.65 * random(seed, i, 5);
      this.sway[2 * i] = 0.5 + random(seed, i, 6);         // sways per unit of energy
      this.sway[2 * i + 1] = 2 * Math.PI * random(seed, i, 7);  // phase
    }
    this.instances = new Float32Array(4 * count);
    this.quads = new InstancedQuads(gl, VERTEX, FRAGMENT, `layer "${this.id}"`);
  }

  /** Resolves once the loaded track's features are in (or there is no track). */
  get ready() {
    return trackFeaturesReady().catch((error) => {
      throw new Error(`Particles layer "${this.id}": ${error instanceof Error ? error.message : error}`);
    });
  }

  initGL() {
    this.quads.initGL();
  }

  /**
   * The onsets' burst at `time`: the sum of the recent onsets' shapes by strength, at most 2.
   * @param {import('../audio/track-features.js').TrackFeatures | null} features @param {number} time
   */
  burstAt(features, time) {
    if (!features) return 0;
    let burst = 0;
    for (let j = onsetsUpTo(features, time) - 1; j >= 0; j--) {
      const tau = time - features.onsetTimes[j];
      if (tau > BURST_WINDOW) break;
      burst += features.onsetStrengths[j] * burstShape(tau);
    }
    return Math.min(burst, 2);
  }

  /**
   * @param {number} time @param {number} dt @param {number} width @param {number} height
   * @returns {[number, number] | null}
   */
  draw(time, dt, width, height) {
    const { count, size, speed, burst } = this.params;
    const features = getTrackFeatures();
    const energy = cumulativeEnergyAt(features, time);
    const kick = burst * this.burstAt(features, time);
    const unit = Math.min(width, height);  // layout in shorter sides
    const spanX = width / unit;
    const spanY = height / unit;
    const travel = TRAVEL * speed * energy;
    const baseRadius = 0.5 * size * (unit / 720) * (1 + 0.5 * kick);
    // Particles wrap round the frame with a margin, so none pops in or out while on screen.
    // (The margin holds the largest particle at the largest burst: it must not change with the burst.)
    const margin = (0.5 * size * (unit / 720) * 2 * 1.4 + 1) / unit;
    const wrapX = spanX + 2 * margin;
    const wrapY = spanY + 2 * margin;
    const out = this.instances;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < count; i++) {
      const along = travel * this.pace[i];
      const swing = 0.015 * Math.sin(this.sway[2 * i] * energy + this.sway[2 * i + 1]);
      let px = this.home[2 * i] * wrapX + this.heading[2 * i] * along + swing;
      let py = this.home[2 * i + 1] * wrapY + this.heading[2 * i + 1] * along;
      px = px - wrapX * Math.floor(px / wrapX) - margin;
      py = py - wrapY * Math.floor(py / wrapY) - margin;
      // The burst pushes each particle away from the centre.
      const spread = 1 + BURST_SPREAD * kick * this.pace[i];
      px = spanX / 2 + (px - spanX / 2) * spread;
      py = spanY / 2 + (py - spanY / 2) * spread;
      const r = baseRadius * this.radius[i];
      const gy = py * unit;  // y counts up: the field rises with GL's y
      out[4 * i] = px * unit;
      out[4 * i + 1] = gy;
      out[4 * i + 2] = r;
      out[4 * i + 3] = Math.min(1, this.bright[i] * (1 + 0.35 * kick));
      if (gy - r < lo) lo = gy - r;
      if (gy + r > hi) hi = gy + r;
    }
    const gl = this.quads.gl;
    this.quads.use();
    gl.uniform2f(this.quads.uniform('u_resolution'), width, height);
    gl.uniform3f(this.quads.uniform('u_color'), this.color[0], this.color[1], this.color[2]);
    this.quads.draw(out, count);
    return [Math.max(0, lo - 1), Math.min(height, hi + 1)];
  }

  dispose() {
    this.quads.dispose();
  }
}

/**
 * @param {WebGL2RenderingContext} gl
 * @param {{id: string, style?: object} & Record<string, unknown>} options the contract's particles parameters
 * @returns {Layer}
 */
export function createParticlesLayer(gl, options) {
  return new ParticlesLayer(gl, options);
}
