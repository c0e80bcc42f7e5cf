// @ts-check
// Spectrum bars around a circle: bar i points outwards at angle i/bars of a turn (from the top, clockwise)
// plus rotation * time turns, from the inner radius out to its level times the longest bar's length
// (both fractions of the frame's shorter side), coloured from bass to treble. Log-spaced bins as
// spectrum-bars (logBarEdges). Each bar is one instanced quad, so only the bars' pixels are shaded.

import { getAudioFrameData } from '../audio/audio-frame-data.js';
import { parseColor } from '../gl/program.js';
import { checkParams, defaultStyle } from './params.js';
import { InstancedQuads, QUAD_CORNER } from './quads.js';
import { logBarEdges } from './spectrum-bars.js';

/** @typedef {import('./registry.js').Layer} Layer */

/** Gap between neighbouring bars at the inner radius, as a fraction of each bar's slot. */
const GAP = 0.35;

const VERTEX = `#version 300 es
layout(location = 0) in vec4 a_instance;  // direction x, y (unit), length px, position 0..1 bass to treble
uniform vec2 u_centre;     // GL px
uniform float u_inner;     // px
uniform float u_halfWidth; // px
uniform vec2 u_resolution;
out vec2 v_local;          // px: x along the bar from its root, y across it
out float v_length;
out float v_t;
${QUAD_CORNER}
void main() {
  vec2 c = quadCorner();
  vec2 dir = a_instance.xy;
  vec2 across = vec2(-dir.y, dir.x);
  // One pixel of fringe on every side for the anti-aliased edges.
  v_local = vec2(mix(-1.0, a_instance.z + 1.0, c.x), mix(-u_halfWidth - 1.0, u_halfWidth + 1.0, c.y));
  v_length = a_instance.z;
  v_t = a_instance.w;
  vec2 p = u_centre + dir * (u_inner + v_local.x) + across * v_local.y;
  gl_Position = vec4(p / u_resolution * 2.0 - 1.0, 0.0, 1.0);
}
`;

const FRAGMENT = `#version 300 es
precision highp float;
uniform float u_halfWidth;
uniform float u_scale;     // shorter side / 720
uniform vec3 u_colorLow;
uniform vec3 u_colorHigh;
in vec2 v_local;
in float v_length;
in float v_t;
out vec4 fragColor;
void main() {
  float along = v_local.x;
  float cover = clamp(min(along, v_length - along) + 0.5, 0.0, 1.0)
              * clamp(u_halfWidth - abs(v_local.y) + 0.5, 0.0, 1.0);
  if (cover <= 0.0) discard;
  vec3 col = mix(u_colorLow, u_colorHigh, v_t);
  col *= 0.55 + 0.45 * clamp(along / max(v_length, 1.0), 0.0, 1.0);
  // A bright tip marks the level, as spectrum-bars' cap does.
  col = mix(col, vec3(1.0), smoothstep(v_length - 4.0 * u_scale, v_length, along) * 0.6);
  fragColor = vec4(col * cover, cover);
}
`;

/** @implements {Layer} */
class RadialSpectrumLayer {
  /** @param {WebGL2RenderingContext} gl @param {any} options */
  constructor(gl, options) {
    this.id = options.id;
    this.kind = 'radial-spectrum';
    this.params = checkParams('radial-spectrum', options);
    this.style = { ...defaultStyle('radial-spectrum'), ...options.style };
    this.low = parseColor(this.params.colorLow);
    this.high = parseColor(this.params.colorHigh);
    this.instances = new Float32Array(4 * this.params.bars);
    this.edges = new Int32Array(0);
    this.edgesKey = '';
    this.quads = new InstancedQuads(gl, VERTEX, FRAGMENT, `layer "${this.id}"`);
  }

  initGL() {
    this.quads.initGL();
  }

  /**
   * @param {number} time @param {number} dt @param {number} width @param {number} height
   * @returns {[number, number] | null}
   */
  draw(time, dt, width, height) {
    const { bars, minHz, maxHz, exponent, x, y, radius, length, rotation } = this.params;
    const audio = getAudioFrameData();
    const freq = audio.frequency;
    const key = `${freq.length}/${audio.sampleRate}`;
    if (key !== this.edgesKey) {
      this.edges = logBarEdges(bars, freq.length, audio.sampleRate, minHz, maxHz);
      this.edgesKey = key;
    }
    const unit = Math.min(width, height);
    const scale = unit / 720;
    const inner = radius * unit;
    const longest = length * unit;
    const stub = 2 * scale;  // a stub even in silence
    // Bars as wide as their slot on the inner circle less the gap; never thinner than 1.5 px at 720p.
    const halfWidth = Math.max(0.75 * scale, (Math.PI * inner / bars) * (1 - GAP));
    // The angle is a function of time alone (deterministic); reduced to one turn before the trigonometry.
    const turn = rotation * time - Math.floor(rotation * time);
    const out = this.instances;
    let reach = 0;
    for (let i = 0; i < bars; i++) {
      const start = Math.min(this.edges[i], freq.length - 1);
      const end = Math.max(start + 1, this.edges[i + 1]);
      let peak = 0;
      for (let k = start; k < end; k++) if (freq[k] > peak) peak = freq[k];
      const level = Math.pow(peak / 255, exponent);
      const angle = 2 * Math.PI * ((i + 0.5) / bars + turn);
      const len = stub + level * longest;
      // Clockwise from the top: x = sin, y (up) = cos.
      out[4 * i] = Math.sin(angle);
      out[4 * i + 1] = Math.cos(angle);
      out[4 * i + 2] = len;
      out[4 * i + 3] = bars > 1 ? i / (bars - 1) : 0;
      if (len > reach) reach = len;
    }
    const cx = x * width;
    const cy = height - y * height;
    const gl = this.quads.gl;
    this.quads.use();
    gl.uniform2f(this.quads.uniform('u_centre'), cx, cy);
    gl.uniform1f(this.quads.uniform('u_inner'), inner);
    gl.uniform1f(this.quads.uniform('u_halfWidth'), halfWidth);
    gl.uniform1f(this.quads.uniform('u_scale'), scale);
    gl.uniform2f(this.quads.uniform('u_resolution'), width, height);
    gl.uniform3f(this.quads.uniform('u_colorLow'), this.low[0], this.low[1], this.low[2]);
    gl.uniform3f(this.quads.uniform('u_colorHigh'), this.high[0], this.high[1], this.high[2]);
    this.quads.draw(out, bars);
    const extent = inner + reach + halfWidth + 2;
    return [Math.max(0, cy - extent), Math.min(height, cy + extent)];
  }

  dispose() {
    this.quads.dispose();
  }
}

/**
 * @param {WebGL2RenderingContext} gl
 * @param {{id: string, style?: object} & Record<string, unknown>} options the contract's radial-spectrum parameters
 * @returns {Layer}
 */
export function createRadialSpectrumLayer(gl, options) {
  return new RadialSpectrumLayer(gl, options);
}
