// @ts-check
// The one compositor, for the live preview and the export alike: a fragment program that stacks the
// layer slices onto the opaque stage background in one pass, per the plan Python builds
// (vizengine.frames.gpu_plan). Its formulas are those of the numpy reference compositor
// (vizengine.frames.compositing), which tests compare it with.

import { createFullscreenTriangle, createProgram, FULLSCREEN_VERTEX_SHADER } from './program.js';

/** Two uniform vectors per layer stay well under WebGL2's 224 fragment vectors. */
export const MAX_LAYERS = 32;

/**
 * @typedef {object} GpuLayer
 * @property {number} slice      which layer texture
 * @property {number} mode       index into the contract's blendModes
 * @property {number} opacity    0..1
 * @property {number[]} background premultiplied RGBA in 0..1 (zeros when transparent)
 */

/**
 * @typedef {object} GpuPlan
 * @property {number[]} stage   opaque stage background, RGB in 0..1
 * @property {GpuLayer[]} layers bottom to top, invisible ones already left out
 */

/**
 * Blend functions of W3C Compositing Level 1; the non-separable ones with Lum/Sat/ClipColor. Divisions
 * the spec guards with a branch use a denominator floored at the smallest normal float, as the numpy
 * reference does.
 */
const LIBRARY = `
const float TINY = 1.17549435e-38;  // smallest normal float: guards divisions as the numpy reference does

float lum(vec3 c) { return 0.3 * c.r + 0.59 * c.g + 0.11 * c.b; }
float sat(vec3 c) { return max(max(c.r, c.g), c.b) - min(min(c.r, c.g), c.b); }

vec3 clipColor(vec3 c, float l) {
  float n = min(min(c.r, c.g), c.b);
  float x = max(max(c.r, c.g), c.b);
  float lp = max(l, 0.0);
  float s1 = lp / (max(l - n, lp) + TINY);
  float oneMinus = max(1.0 - l, 0.0);
  float s2 = oneMinus / (max(x - l, oneMinus) + TINY);
  return l + (c - l) * (s1 * s2);
}
vec3 setLum(vec3 c, float l) { return clipColor(c + (l - lum(c)), l); }
vec3 setSat(vec3 c, float s) {
  float n = min(min(c.r, c.g), c.b);
  float range = max(max(c.r, c.g), c.b) - n + TINY;
  return (c - n) * (s / range);
}

vec3 multiply(vec3 b, vec3 s) { return b * s; }
vec3 screen(vec3 b, vec3 s) { return b + s - b * s; }
vec3 hardLight(vec3 b, vec3 s) {
  return mix(screen(b, 2.0 * s - 1.0), b * (2.0 * s), lessThanEqual(s, vec3(0.5)));
}
vec3 softLight(vec3 b, vec3 s) {
  vec3 d = mix(sqrt(max(b, 0.0)), ((16.0 * b - 12.0) * b + 4.0) * b, lessThanEqual(b, vec3(0.25)));
  vec3 low = b - (1.0 - 2.0 * s) * b * (1.0 - b);
  vec3 high = b + (2.0 * s - 1.0) * (d - b);
  return mix(high, low, lessThanEqual(s, vec3(0.5)));
}
`;

/** B(b, s) per blend mode, in the contract's order (normal is handled apart: it needs no un-premultiply). */
const BLEND = [
  's', 'multiply(b, s)', 'screen(b, s)', 'hardLight(s, b)', 'min(b, s)', 'max(b, s)',
  'min(b / max(1.0 - s, TINY), 1.0)', // color-dodge: 0 at b == 0, 1 at s == 1
  '1.0 - min((1.0 - b) / max(s, TINY), 1.0)', // color-burn
  'hardLight(b, s)', 'softLight(b, s)', 'abs(b - s)', 'b + s - 2.0 * b * s',
  'setLum(setSat(s, sat(b)), lum(b))', // hue
  'setLum(setSat(b, sat(s)), lum(b))', // saturation
  'setLum(s, lum(b))', // color
  'setLum(b, lum(s))', // luminosity
];

/**
 * The composite program for one sequence of (slice, blend mode), unrolled: SwiftShader runs a loop over
 * uniform arrays with a switch per pixel several times slower than straight-line code. Opacity and
 * background stay uniforms, so dragging a slider does not recompile.
 * @param {{slice: number, mode: number}[]} layers
 */
function fragmentSource(layers) {
  const steps = layers.map(({ slice, mode }, k) => {
    const blend = mode === 0
      ? 'cb = cb * (1.0 - p.a) + p.rgb;'
      : `vec3 s = min(p.rgb / (p.a + TINY), 1.0);
    vec3 b = min(cb, 1.0);
    cb = b + p.a * (${BLEND[mode]} - b);`;
    // The element image: the layer over its own background, then scaled by opacity. Outside the rows
    // the layer drew in (and with no background) it is transparent and changes nothing: skip the
    // texture fetch, the costliest step on a software GPU.
    return `  if (y >= u_rows${k}.x && y <= u_rows${k}.y) {
    vec4 p = texelFetch(u_layers, ivec3(px, ${slice}), 0) * u_opacity${k};
    p += u_background${k} * (u_opacity${k} - p.a);
    ${blend}
  }`;
  });
  const uniforms = layers.map((_, k) => `uniform float u_opacity${k};\nuniform vec4 u_background${k};\nuniform vec2 u_rows${k};`).join('\n');
  return `#version 300 es
precision highp float;
precision highp int;
precision highp sampler2DArray;
uniform sampler2DArray u_layers;
uniform vec3 u_stage;
${uniforms}
out vec4 fragColor;
${LIBRARY}
void main() {
  ivec2 px = ivec2(gl_FragCoord.xy);
  float y = gl_FragCoord.y;
  vec3 cb = u_stage;
${steps.join('\n')}
  fragColor = vec4(cb, 1.0);
}
`;
}

export class Compositor {
  /** @param {WebGL2RenderingContext} gl */
  constructor(gl) {
    this.gl = gl;
    this.triangle = createFullscreenTriangle(gl);
    /** One program per sequence of (slice, mode): editing a blend mode back and forth compiles once.
     * @type {Map<string, {program: WebGLProgram, at: (name: string) => WebGLUniformLocation | null}>} */
    this.programs = new Map();
    /** @type {GpuPlan | null} */
    this.plan = null;
    this.current = this.programFor([]);
  }

  /** @param {{slice: number, mode: number}[]} layers */
  programFor(layers) {
    const key = layers.map(({ slice, mode }) => `${slice}:${mode}`).join(',');
    let entry = this.programs.get(key);
    if (!entry) {
      const gl = this.gl;
      const program = createProgram(gl, FULLSCREEN_VERTEX_SHADER, fragmentSource(layers), 'compositor');
      const locations = new Map();
      const at = (/** @type {string} */ name) => {
        if (!locations.has(name)) locations.set(name, gl.getUniformLocation(program, name));
        return locations.get(name);
      };
      entry = { program, at };
      this.programs.set(key, entry);
    }
    return entry;
  }

  /**
   * Take a plan from Python. Checked here only for what would silently draw garbage on the GPU;
   * Python validated the styles.
   * @param {GpuPlan} plan
   * @param {number} slices how many layer textures exist
   */
  configure(plan, slices) {
    if (plan.layers.length > MAX_LAYERS) throw new RangeError(`the compositor takes at most ${MAX_LAYERS} layers, got ${plan.layers.length}`);
    plan.layers.forEach((layer, k) => {
      if (!Number.isInteger(layer.slice) || layer.slice < 0 || layer.slice >= slices) {
        throw new RangeError(`composite plan: layer ${k} refers to texture ${layer.slice}, but there are ${slices}`);
      }
      if (!Number.isInteger(layer.mode) || layer.mode < 0 || layer.mode >= BLEND.length) {
        throw new RangeError(`composite plan: layer ${k} has blend mode ${layer.mode}`);
      }
    });
    this.current = this.programFor(plan.layers);
    this.plan = plan;
  }

  /**
   * Composite the layer texture array onto the default framebuffer (the visible canvas).
   * @param {WebGLTexture | null} layers @param {number} width @param {number} height
   * @param {([number, number] | null)[]} [rows] per slice, the rows its layer drew in (null: all)
   */
  draw(layers, width, height, rows = []) {
    const gl = this.gl;
    const plan = layers ? this.plan : null;
    const { program, at } = plan ? this.current : this.programFor([]);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    gl.viewport(0, 0, width, height);
    gl.useProgram(program);
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D_ARRAY, layers);
    gl.uniform1i(at('u_layers'), 0);
    gl.uniform3fv(at('u_stage'), plan ? plan.stage : [0, 0, 0]);
    plan?.layers.forEach((layer, k) => {
      gl.uniform1f(at(`u_opacity${k}`), layer.opacity);
      gl.uniform4fv(at(`u_background${k}`), layer.background);
      const drawn = layer.background[3] > 0 ? null : rows[layer.slice];
      gl.uniform2f(at(`u_rows${k}`), drawn ? drawn[0] : -1, drawn ? drawn[1] : height + 1);
    });
    this.triangle.draw();
    // Unbound again so a layer drawing into a slice never samples the array it writes (a feedback loop).
    gl.bindTexture(gl.TEXTURE_2D_ARRAY, null);
  }
}
