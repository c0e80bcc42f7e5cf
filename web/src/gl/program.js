// @ts-check
// Small WebGL2 helpers shared by the renderer, the compositor and the shader layers.

/**
 * The info log alone only gives "0:12: ..." positions; quoting the offending lines makes the
 * error readable without opening the source.
 * @param {string} source
 * @param {string} log
 * @returns {string}
 */
function annotateLog(source, log) {
  const lines = source.split('\n');
  const quoted = new Set();
  const out = [];
  for (const m of log.matchAll(/\b0:(\d+):/g)) {
    const n = Number(m[1]);
    if (quoted.has(n) || n < 1 || n > lines.length) continue;
    quoted.add(n);
    out.push(`  ${n} | ${lines[n - 1]}`);
  }
  return out.length ? `${log.trim()}\n${out.join('\n')}` : log.trim();
}

/**
 * @param {WebGL2RenderingContext} gl
 * @param {number} type gl.VERTEX_SHADER or gl.FRAGMENT_SHADER
 * @param {string} source
 * @param {string} [label] names the shader in error messages
 * @returns {WebGLShader}
 */
export function compileShader(gl, type, source, label = 'shader') {
  const shader = gl.createShader(type);
  if (!shader) throw new Error(`${label}: gl.createShader failed (context lost?)`);
  gl.shaderSource(shader, source);
  gl.compileShader(shader);
  if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) {
    const log = gl.getShaderInfoLog(shader) ?? '(no info log)';
    gl.deleteShader(shader);
    const kind = type === gl.VERTEX_SHADER ? 'vertex' : 'fragment';
    throw new Error(`${label}: ${kind} shader failed to compile:\n${annotateLog(source, log)}`);
  }
  return shader;
}

/**
 * @param {WebGL2RenderingContext} gl
 * @param {string} vertexSource
 * @param {string} fragmentSource
 * @param {string} [label]
 * @returns {WebGLProgram}
 */
export function createProgram(gl, vertexSource, fragmentSource, label = 'program') {
  const vs = compileShader(gl, gl.VERTEX_SHADER, vertexSource, label);
  let fs;
  try {
    fs = compileShader(gl, gl.FRAGMENT_SHADER, fragmentSource, label);
  } catch (err) {
    gl.deleteShader(vs);
    throw err;
  }
  const program = gl.createProgram();
  if (!program) throw new Error(`${label}: gl.createProgram failed (context lost?)`);
  gl.attachShader(program, vs);
  gl.attachShader(program, fs);
  gl.linkProgram(program);
  // Once linked the shader objects are no longer needed; deleting them now avoids leaks on restore.
  gl.deleteShader(vs);
  gl.deleteShader(fs);
  if (!gl.getProgramParameter(program, gl.LINK_STATUS)) {
    const log = gl.getProgramInfoLog(program) ?? '(no info log)';
    gl.deleteProgram(program);
    throw new Error(`${label}: program failed to link:\n${log.trim()}`);
  }
  return program;
}

/**
 * One oversized triangle generated from gl_VertexID: no vertex buffer to manage, and no
 * diagonal seam as with two triangles. v_uv is 0..1 across the viewport.
 */
export const FULLSCREEN_VERTEX_SHADER = `#version 300 es
out vec2 v_uv;
void main() {
  vec2 p = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
  v_uv = p;
  gl_Position = vec4(p * 2.0 - 1.0, 0.0, 1.0);
}
`;

/**
 * @typedef {object} FullscreenTriangle
 * @property {() => void} draw
 * @property {() => void} dispose
 */

/**
 * @param {WebGL2RenderingContext} gl
 * @returns {FullscreenTriangle}
 */
export function createFullscreenTriangle(gl) {
  // An empty VAO is still required: drawing with the default VAO and no attributes is fragile across drivers.
  const vao = gl.createVertexArray();
  return {
    draw() {
      gl.bindVertexArray(vao);
      gl.drawArrays(gl.TRIANGLES, 0, 3);
      gl.bindVertexArray(null);
    },
    dispose() {
      gl.deleteVertexArray(vao);
    },
  };
}

/**
 * A 1-row R8 texture holding raw bytes (spectrum or waveform). NEAREST because shaders index
 * exact bins with texelFetch; filtering would blur neighbouring bins together.
 */
export class ByteTexture {
  /** @param {WebGL2RenderingContext} gl */
  constructor(gl) {
    this.gl = gl;
    this.texture = gl.createTexture();
    /** Allocated width in texels; 0 until the first update. */
    this.width = 0;
    gl.bindTexture(gl.TEXTURE_2D, this.texture);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
  }

  /**
   * Upload the bytes; reallocates only when the length changes, otherwise texSubImage2D.
   * @param {Uint8Array} data
   */
  update(data) {
    const gl = this.gl;
    const n = data.length;
    if (n === 0) throw new RangeError('ByteTexture.update: empty data');
    gl.bindTexture(gl.TEXTURE_2D, this.texture);
    // Rows of odd byte length would otherwise be read with 4-byte padding.
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
    if (n !== this.width) {
      const max = gl.getParameter(gl.MAX_TEXTURE_SIZE);
      if (n > max) {
        throw new RangeError(`ByteTexture: ${n} bytes exceed this GPU's MAX_TEXTURE_SIZE ${max} (use a smaller fftSize)`);
      }
      gl.texImage2D(gl.TEXTURE_2D, 0, gl.R8, n, 1, 0, gl.RED, gl.UNSIGNED_BYTE, data);
      this.width = n;
    } else {
      gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, 0, n, 1, gl.RED, gl.UNSIGNED_BYTE, data);
    }
  }

  /** @param {number} unit texture unit index */
  bind(unit) {
    const gl = this.gl;
    gl.activeTexture(gl.TEXTURE0 + unit);
    gl.bindTexture(gl.TEXTURE_2D, this.texture);
  }

  dispose() {
    this.gl.deleteTexture(this.texture);
    this.width = 0;
  }
}

/**
 * Colour options accept '#rgb', '#rrggbb' or [r, g, b] in 0..1; shaders want floats.
 * @param {string|ArrayLike<number>} color
 * @returns {[number, number, number]}
 */
export function parseColor(color) {
  if (typeof color === 'string') {
    const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim());
    if (!m) throw new RangeError(`Expected a colour like "#33ccff", got ${JSON.stringify(color)}`);
    const hex = m[1].length === 3 ? [...m[1]].map((c) => c + c).join('') : m[1];
    const [r, g, b] = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
    return [r, g, b];
  }
  if (color && color.length === 3 && Array.from(color).every((c) => Number.isFinite(c) && c >= 0 && c <= 1)) {
    return [color[0], color[1], color[2]];
  }
  throw new RangeError(`Expected a colour "#rrggbb" or [r, g, b] in 0..1, got ${JSON.stringify(color)}`);
}
