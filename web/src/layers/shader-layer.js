// @ts-check
// A Layer drawn by one fragment shader into its slice of the renderer's layer textures. Output is a
// pure function of (time, dt, audio frame, parameters): nothing accumulates across frames, which is
// what lets an export render frame N in isolation and get the same pixels as the preview.

import { getAudioFrameData } from '../audio/audio-frame-data.js';
import { ByteTexture, createFullscreenTriangle, createProgram, FULLSCREEN_VERTEX_SHADER } from '../gl/program.js';

/** @typedef {import('./registry.js').LayerStyle} LayerStyle */
/** @typedef {import('../audio/audio-frame-data.js').AudioFrameData} AudioFrameData */

/**
 * Declarations every layer shader gets, so layers share one convention for reading audio.
 * Outputs must be premultiplied (rgb already multiplied by alpha).
 */
export const SHADER_PRELUDE = `#version 300 es
precision highp float;
precision highp int;
precision highp sampler2D;
uniform sampler2D u_freq;   // R8, u_binCount texels: analyser frequency bytes
uniform sampler2D u_wave;   // R8, u_waveCount texels: time-domain bytes, 128 = zero
uniform float u_time;       // seconds
uniform float u_dt;         // seconds since previous frame
uniform vec2 u_resolution;  // drawing-buffer size in pixels
uniform int u_binCount;
uniform int u_waveCount;
in vec2 v_uv;
out vec4 fragColor;
// 0..1 magnitude of bin i (clamped into range).
float freqBin(int i) { return texelFetch(u_freq, ivec2(clamp(i, 0, u_binCount - 1), 0), 0).r; }
// -1..1 sample i (clamped into range).
float waveSample(int i) {
  return texelFetch(u_wave, ivec2(clamp(i, 0, u_waveCount - 1), 0), 0).r * (255.0 / 128.0) - 1.0;
}
`;

/**
 * Sets uniforms by name, caching locations. Names the compiler optimised away resolve to null,
 * which gl.uniform* ignores, so layers need not track which uniforms survived.
 */
export class UniformSetter {
  /**
   * @param {WebGL2RenderingContext} gl
   * @param {WebGLProgram} program
   */
  constructor(gl, program) {
    this.gl = gl;
    this.program = program;
    /** @type {Map<string, WebGLUniformLocation|null>} */
    this.locations = new Map();
  }

  /** @param {string} name */
  location(name) {
    let loc = this.locations.get(name);
    if (loc === undefined) {
      loc = this.gl.getUniformLocation(this.program, name);
      this.locations.set(name, loc);
    }
    return loc;
  }

  /** @param {string} name @param {number} x */
  float(name, x) { this.gl.uniform1f(this.location(name), x); }
  /** @param {string} name @param {number} x */
  int(name, x) { this.gl.uniform1i(this.location(name), x); }
  /** @param {string} name @param {number} x @param {number} y */
  vec2(name, x, y) { this.gl.uniform2f(this.location(name), x, y); }
  /** @param {string} name @param {ArrayLike<number>} v 3 components */
  vec3(name, v) { this.gl.uniform3f(this.location(name), v[0], v[1], v[2]); }
  /** @param {string} name @param {ArrayLike<number>} v 4 components */
  vec4(name, v) { this.gl.uniform4f(this.location(name), v[0], v[1], v[2], v[3]); }
  /** @param {string} name @param {Float32Array} values for `uniform float name[N]` */
  floatArray(name, values) { this.gl.uniform1fv(this.location(name), values); }
  /** @param {string} name @param {Float32Array} values x,y pairs for `uniform vec2 name[N]` */
  vec2Array(name, values) { this.gl.uniform2fv(this.location(name), values); }
}

/**
 * @typedef {object} UniformFrame
 * @property {number} time
 * @property {number} dt
 * @property {AudioFrameData} audio
 * @property {number} width  drawing-buffer pixels
 * @property {number} height
 */

/**
 * @typedef {object} ShaderLayerOptions
 * @property {string} id
 * @property {string} kind
 * @property {LayerStyle} style
 * @property {Record<string, unknown>} params the options the layer was made with, for the project description
 * @property {string} fragmentSource GLSL appended after SHADER_PRELUDE; must define main()
 * @property {(u: UniformSetter, frame: UniformFrame) => ([number, number] | void)} [uniforms] layer-specific
 *   uniforms, set every frame; may return the rows [lowest, highest] (GL y, pixel centres) outside which the
 *   layer draws nothing this frame, which lets the compositor skip it there
 */

/** @implements {import('./registry.js').Layer} */
export class ShaderLayer {
  /**
   * @param {WebGL2RenderingContext} gl the renderer's shared context
   * @param {ShaderLayerOptions} options
   */
  constructor(gl, { id, kind, style, params, fragmentSource, uniforms }) {
    if (typeof id !== 'string' || !id) throw new TypeError('ShaderLayer: id must be a non-empty string');
    this.id = id;
    this.kind = kind;
    /** @type {LayerStyle} */
    this.style = { ...style };
    this.params = { ...params };
    this.gl = gl;
    this.fragmentSource = SHADER_PRELUDE + fragmentSource;
    this.uniformsCallback = uniforms ?? null;
    this.initGL();
  }

  /** Builds every GL object; the renderer calls it again after a context restore. */
  initGL() {
    const gl = this.gl;
    this.program = createProgram(gl, FULLSCREEN_VERTEX_SHADER, this.fragmentSource, `layer "${this.id}"`);
    this.uniforms = new UniformSetter(gl, this.program);
    this.triangle = createFullscreenTriangle(gl);
    this.freqTexture = new ByteTexture(gl);
    this.waveTexture = new ByteTexture(gl);
    gl.useProgram(this.program);
    this.uniforms.int('u_freq', 0);
    this.uniforms.int('u_wave', 1);
  }

  /**
   * Draw into the bound framebuffer (the renderer binds this layer's texture and clears it).
   * @param {number} time seconds
   * @param {number} dt   seconds since the previous frame
   * @param {number} width  target pixels
   * @param {number} height
   * @returns {[number, number] | null} the rows the layer drew in, null for all of them
   */
  draw(time, dt, width, height) {
    const gl = this.gl;
    const audio = getAudioFrameData();
    this.freqTexture.update(audio.frequency);
    this.waveTexture.update(audio.timeDomain);

    gl.useProgram(this.program);
    this.freqTexture.bind(0);
    this.waveTexture.bind(1);
    const u = this.uniforms;
    u.float('u_time', time);
    u.float('u_dt', dt);
    u.vec2('u_resolution', width, height);
    u.int('u_binCount', audio.frequency.length);
    u.int('u_waveCount', audio.timeDomain.length);
    const rows = this.uniformsCallback ? this.uniformsCallback(u, { time, dt, audio, width, height }) : undefined;
    this.triangle.draw();
    return rows ?? null;
  }

  dispose() {
    const gl = this.gl;
    this.freqTexture.dispose();
    this.waveTexture.dispose();
    this.triangle.dispose();
    gl.deleteProgram(this.program);
  }
}
