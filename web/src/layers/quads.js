// @ts-check
// GL helpers for layers that draw only where they have something: quads, not a fullscreen shader. On a
// software rasteriser every shaded pixel costs, so a particle or a bar shades only its own pixels.
import { createProgram } from '../gl/program.js';

/**
 * Premultiplied "over" blending inside a layer's own slice (particles and bars may overlap): the slice
 * starts cleared, so a lone quad gives its own premultiplied colour.
 * @param {WebGL2RenderingContext} gl @param {() => void} draw
 */
export function withOverBlending(gl, draw) {
  gl.enable(gl.BLEND);
  gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
  try {
    draw();
  } finally {
    gl.disable(gl.BLEND);
  }
}

/** Two triangles from gl_VertexID 0..5: corner in {0,1}^2. */
export const QUAD_CORNER = `
vec2 quadCorner() {
  int i = gl_VertexID;
  return vec2((i == 1 || i == 2 || i == 4) ? 1.0 : 0.0, (i == 2 || i == 4 || i == 5) ? 1.0 : 0.0);
}
`;

/**
 * Instanced quads: one vec4 per instance (attribute location 0, `in vec4 a_instance`), the vertex shader
 * places each quad from it, six vertices per instance.
 */
export class InstancedQuads {
  /**
   * @param {WebGL2RenderingContext} gl
   * @param {string} vertexSource must declare `layout(location = 0) in vec4 a_instance;`
   * @param {string} fragmentSource
   * @param {string} label
   */
  constructor(gl, vertexSource, fragmentSource, label) {
    this.gl = gl;
    this.vertexSource = vertexSource;
    this.fragmentSource = fragmentSource;
    this.label = label;
    this.capacity = 0;
    this.initGL();
  }

  initGL() {
    const gl = this.gl;
    this.program = createProgram(gl, this.vertexSource, this.fragmentSource, this.label);
    /** @type {Map<string, WebGLUniformLocation | null>} */
    this.locations = new Map();
    this.vao = gl.createVertexArray();
    this.buffer = gl.createBuffer();
    this.capacity = 0;
    gl.bindVertexArray(this.vao);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.buffer);
    gl.enableVertexAttribArray(0);
    gl.vertexAttribPointer(0, 4, gl.FLOAT, false, 16, 0);
    gl.vertexAttribDivisor(0, 1);
    gl.bindVertexArray(null);
    gl.bindBuffer(gl.ARRAY_BUFFER, null);
  }

  /** @param {string} name */
  uniform(name) {
    let loc = this.locations.get(name);
    if (loc === undefined) {
      loc = this.gl.getUniformLocation(/** @type {WebGLProgram} */ (this.program), name);
      this.locations.set(name, loc);
    }
    return loc;
  }

  /** Bind the program (then set uniforms). */
  use() {
    this.gl.useProgram(/** @type {WebGLProgram} */ (this.program));
  }

  /**
   * Upload `count` instances (4 floats each) and draw them, blended over what the slice holds.
   * @param {Float32Array} instances @param {number} count
   */
  draw(instances, count) {
    if (count <= 0) return;
    const gl = this.gl;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.buffer);
    if (instances.length > this.capacity) {
      gl.bufferData(gl.ARRAY_BUFFER, instances.byteLength, gl.DYNAMIC_DRAW);
      this.capacity = instances.length;
    }
    gl.bufferSubData(gl.ARRAY_BUFFER, 0, instances, 0, count * 4);
    gl.bindBuffer(gl.ARRAY_BUFFER, null);
    gl.bindVertexArray(this.vao);
    withOverBlending(gl, () => gl.drawArraysInstanced(gl.TRIANGLES, 0, 6, count));
    gl.bindVertexArray(null);
  }

  dispose() {
    const gl = this.gl;
    gl.deleteBuffer(this.buffer);
    gl.deleteVertexArray(this.vao);
    gl.deleteProgram(/** @type {WebGLProgram} */ (this.program));
  }
}

const RECT_VERTEX = `#version 300 es
uniform vec4 u_rect;        // x0, y0, x1, y1 in GL pixels (y up)
uniform vec2 u_resolution;
${QUAD_CORNER}
void main() {
  // One pixel of fringe round the rect for the anti-aliased edge.
  vec2 p = mix(u_rect.xy - 1.0, u_rect.zw + 1.0, quadCorner());
  gl_Position = vec4(p / u_resolution * 2.0 - 1.0, 0.0, 1.0);
}
`;

const RECT_FRAGMENT = `#version 300 es
precision highp float;
uniform sampler2D u_texture;  // premultiplied RGBA, row 0 at the top
uniform vec4 u_rect;
uniform vec4 u_uv;            // u0, v0 (top), u1, v1 (bottom): the part of the texture the rect shows
uniform vec2 u_resolution;
out vec4 fragColor;
void main() {
  vec2 p = gl_FragCoord.xy;
  // Coverage from the signed distance to the rect's edges: 1-pixel anti-aliasing without multisampling.
  vec2 inside = min(p - u_rect.xy, u_rect.zw - p);
  float cover = clamp(min(inside.x, inside.y) + 0.5, 0.0, 1.0);
  if (cover <= 0.0) { fragColor = vec4(0.0); return; }
  vec2 f = (p - u_rect.xy) / (u_rect.zw - u_rect.xy);  // 0..1 from the rect's bottom-left
  vec2 uv = vec2(mix(u_uv.x, u_uv.z, f.x), mix(u_uv.w, u_uv.y, f.y));
  fragColor = texture(u_texture, uv) * cover;
}
`;

/** A texture drawn into a rect of the slice, anti-aliased at its edges, trilinear inside. */
export class TexturedRect {
  /** @param {WebGL2RenderingContext} gl @param {string} label */
  constructor(gl, label) {
    this.gl = gl;
    this.label = label;
    this.initGL();
  }

  initGL() {
    const gl = this.gl;
    this.program = createProgram(gl, RECT_VERTEX, RECT_FRAGMENT, this.label);
    this.vao = gl.createVertexArray();
    this.texture = gl.createTexture();
    this.width = 0;
    this.height = 0;
    /** @type {Record<string, WebGLUniformLocation | null>} */
    this.at = Object.fromEntries(['u_rect', 'u_uv', 'u_resolution', 'u_texture']
      .map((name) => [name, gl.getUniformLocation(/** @type {WebGLProgram} */ (this.program), name)]));
  }

  /**
   * Upload the picture (premultiplying it unless it is an ImageBitmap made premultiplied) and its mipmaps.
   * @param {TexImageSource} source @param {number} width @param {number} height
   */
  upload(source, width, height) {
    const gl = this.gl;
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, this.texture);
    gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, true);
    gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, false);
    try {
      gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, width, height, 0, gl.RGBA, gl.UNSIGNED_BYTE, source);
    } finally {
      gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, false);
    }
    gl.generateMipmap(gl.TEXTURE_2D);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.LINEAR_MIPMAP_LINEAR);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
    this.width = width;
    this.height = height;
  }

  /**
   * @param {[number, number, number, number]} rect x0, y0, x1, y1 in GL pixels
   * @param {[number, number, number, number]} uv u0, v0 (top), u1, v1 (bottom)
   * @param {number} width @param {number} height the slice's size
   */
  draw(rect, uv, width, height) {
    const gl = this.gl;
    gl.useProgram(/** @type {WebGLProgram} */ (this.program));
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, this.texture);
    gl.uniform1i(this.at.u_texture, 0);
    gl.uniform4f(this.at.u_rect, rect[0], rect[1], rect[2], rect[3]);
    gl.uniform4f(this.at.u_uv, uv[0], uv[1], uv[2], uv[3]);
    gl.uniform2f(this.at.u_resolution, width, height);
    gl.bindVertexArray(this.vao);
    gl.drawArrays(gl.TRIANGLES, 0, 6);
    gl.bindVertexArray(null);
  }

  dispose() {
    const gl = this.gl;
    gl.deleteTexture(this.texture);
    gl.deleteVertexArray(this.vao);
    gl.deleteProgram(/** @type {WebGLProgram} */ (this.program));
  }
}
