// A Layer drawn by one fragment shader over the whole canvas. Output is a pure function of
// (time, dt, audio frame, uniforms): nothing accumulates across frames, which is what lets the
// exporter render frame N in isolation and get the same pixels as the preview.

import { getAudioFrameData } from '../audio/audio-frame-data.js';
import { ByteTexture, createFullscreenTriangle, createGLContext, createProgram, FULLSCREEN_VERTEX_SHADER } from './gl.js';

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
  /** @param {string} name @param {Float32Array} values 4-tuples for `uniform vec4 name[N]` */
  vec4Array(name, values) { this.gl.uniform4fv(this.location(name), values); }
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
 * @property {string} fragmentSource GLSL appended after SHADER_PRELUDE; must define main()
 * @property {(u: UniformSetter, frame: UniformFrame) => void} [uniforms] layer-specific uniforms, set every frame
 */

/** @implements {import('./registry.js').Layer} */
export class ShaderLayer {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {ShaderLayerOptions} options
   */
  constructor(canvas, { id, kind, style, fragmentSource, uniforms }) {
    if (typeof id !== 'string' || !id) throw new TypeError('ShaderLayer: id must be a non-empty string');
    this.id = id;
    this.kind = kind;
    this.canvas = canvas;
    /** @type {LayerStyle} */
    this.style = { ...style };
    this.fragmentSource = SHADER_PRELUDE + fragmentSource;
    this.uniformsCallback = uniforms ?? null;
    this.contextLost = false;
    this.gl = createGLContext(canvas);

    this.onContextLost = (/** @type {Event} */ event) => {
      // preventDefault tells the browser we can restore, so it will fire webglcontextrestored.
      event.preventDefault();
      this.contextLost = true;
      console.warn(`Layer "${this.id}": WebGL context lost; rendering paused until it is restored`);
    };
    this.onContextRestored = () => {
      this.contextLost = false;
      this.initGL();
    };
    canvas.addEventListener('webglcontextlost', this.onContextLost);
    canvas.addEventListener('webglcontextrestored', this.onContextRestored);
    this.initGL();
  }

  /** Builds every GL object; also run after a context restore, when the old objects are gone. */
  initGL() {
    const gl = this.gl;
    this.program = createProgram(gl, FULLSCREEN_VERTEX_SHADER, this.fragmentSource, `layer "${this.id}"`);
    this.uniforms = new UniformSetter(gl, this.program);
    this.triangle = createFullscreenTriangle(gl);
    this.freqTexture = new ByteTexture(gl);
    this.waveTexture = new ByteTexture(gl);
    gl.disable(gl.BLEND);
    gl.disable(gl.DEPTH_TEST);
    gl.viewport(0, 0, this.canvas.width, this.canvas.height);
    gl.clearColor(0, 0, 0, 0);
    gl.useProgram(this.program);
    this.uniforms.int('u_freq', 0);
    this.uniforms.int('u_wave', 1);
  }

  /**
   * @param {number} time seconds
   * @param {number} dt   seconds since the previous frame
   */
  render(time, dt) {
    if (this.contextLost) return;
    const gl = this.gl;
    const audio = getAudioFrameData();
    const { width, height } = this.canvas;
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
    if (this.uniformsCallback) this.uniformsCallback(u, { time, dt, audio, width, height });

    // A shader that leaves pixels untouched must not show the previous frame (the buffer is preserved).
    gl.clear(gl.COLOR_BUFFER_BIT);
    this.triangle.draw();
    // Send the commands to the GPU process now: an export draws frame i+1 and composites frame i on
    // the CPU meanwhile; without a flush the work would wait for the readback.
    gl.flush();
  }

  /** Stateless by design, so nothing to clear; kept for the Layer contract. */
  reset() {}

  /**
   * @param {number} width  drawing-buffer pixels
   * @param {number} height
   */
  resize(width, height) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
      throw new RangeError(`Layer "${this.id}": size must be positive integers, got ${width}x${height}`);
    }
    this.canvas.width = width;
    this.canvas.height = height;
    if (this.contextLost) return;
    const gl = this.gl;
    // Browsers may silently cap huge drawing buffers; an export at the wrong size must fail loudly.
    if (gl.drawingBufferWidth !== width || gl.drawingBufferHeight !== height) {
      throw new Error(
        `Layer "${this.id}": asked for ${width}x${height} but the browser allocated ${gl.drawingBufferWidth}x${gl.drawingBufferHeight}`,
      );
    }
    gl.viewport(0, 0, width, height);
  }

  /**
   * Whole drawing buffer as RGBA bytes, premultiplied, rows bottom-up (the compositor flips).
   * @param {Uint8Array} dst exactly width*height*4 bytes
   */
  readPixels(dst) {
    const { width, height } = this.canvas;
    if (dst.length !== width * height * 4) {
      throw new RangeError(`Layer "${this.id}": readPixels needs ${width * height * 4} bytes, got ${dst.length}`);
    }
    // Blank pixels would silently end up in the video; better to stop the export.
    if (this.contextLost || this.gl.isContextLost()) throw new Error(`Layer "${this.id}": WebGL context lost`);
    const gl = this.gl;
    gl.pixelStorei(gl.PACK_ALIGNMENT, 4);
    gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, dst);
  }

  dispose() {
    this.canvas.removeEventListener('webglcontextlost', this.onContextLost);
    this.canvas.removeEventListener('webglcontextrestored', this.onContextRestored);
    if (!this.contextLost) {
      const gl = this.gl;
      this.freqTexture.dispose();
      this.waveTexture.dispose();
      this.triangle.dispose();
      gl.deleteProgram(this.program);
      // Browsers cap live WebGL contexts (~16); releasing ours keeps later layers from evicting others.
      gl.getExtension('WEBGL_lose_context')?.loseContext();
    }
    this.contextLost = true;
  }
}
