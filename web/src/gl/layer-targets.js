// @ts-check
// Where the layers draw: one RGBA8 texture array in the shared context, one slice per layer, each
// with its own framebuffer. The compositor reads every slice in one pass, so a frame leaves the GPU
// only once, as the composited result.

export class LayerTargets {
  /** @param {WebGL2RenderingContext} gl */
  constructor(gl) {
    this.gl = gl;
    /** @type {WebGLTexture | null} */
    this.texture = null;
    /** @type {WebGLFramebuffer[]} */
    this.framebuffers = [];
    this.width = 0;
    this.height = 0;
    this.count = 0;
  }

  /**
   * (Re)allocate for `count` layers of width x height; a no-op when nothing changed.
   * @param {number} width @param {number} height @param {number} count
   */
  allocate(width, height, count) {
    if (width === this.width && height === this.height && count === this.count) return;
    const gl = this.gl;
    this.dispose();
    this.width = width;
    this.height = height;
    this.count = count;
    if (count === 0) return;
    const max = gl.getParameter(gl.MAX_ARRAY_TEXTURE_LAYERS);
    if (count > max) throw new RangeError(`${count} layers exceed this GPU's ${max} texture layers`);
    this.texture = gl.createTexture();
    gl.bindTexture(gl.TEXTURE_2D_ARRAY, this.texture);
    gl.texStorage3D(gl.TEXTURE_2D_ARRAY, 1, gl.RGBA8, width, height, count);
    // The compositor uses texelFetch: filtering never applies, but NEAREST keeps the texture complete.
    gl.texParameteri(gl.TEXTURE_2D_ARRAY, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D_ARRAY, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
    for (let k = 0; k < count; k++) {
      const fb = /** @type {WebGLFramebuffer} */ (gl.createFramebuffer());
      gl.bindFramebuffer(gl.FRAMEBUFFER, fb);
      gl.framebufferTextureLayer(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, this.texture, 0, k);
      const status = gl.checkFramebufferStatus(gl.FRAMEBUFFER);
      if (status !== gl.FRAMEBUFFER_COMPLETE) throw new Error(`layer target ${k} is incomplete (0x${status.toString(16)})`);
      this.framebuffers.push(fb);
    }
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
  }

  /** Make slice k the draw target, cleared to transparent. @param {number} k */
  bind(k) {
    const gl = this.gl;
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.framebuffers[k]);
    gl.viewport(0, 0, this.width, this.height);
    gl.clearColor(0, 0, 0, 0);
    gl.clear(gl.COLOR_BUFFER_BIT);
  }

  /**
   * Read slice k (premultiplied RGBA, rows bottom-up): for tests that pin one layer's pixels.
   * @param {number} k @param {Uint8Array} dst
   */
  read(k, dst) {
    const gl = this.gl;
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.framebuffers[k]);
    gl.readPixels(0, 0, this.width, this.height, gl.RGBA, gl.UNSIGNED_BYTE, dst);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
  }

  /**
   * Overwrite slice k with given pixels: how tests composite known layers.
   * @param {number} k @param {Uint8Array} pixels width*height*4 bytes, rows bottom-up
   */
  upload(k, pixels) {
    const gl = this.gl;
    gl.bindTexture(gl.TEXTURE_2D_ARRAY, this.texture);
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 4);
    gl.texSubImage3D(gl.TEXTURE_2D_ARRAY, 0, 0, 0, k, this.width, this.height, 1, gl.RGBA, gl.UNSIGNED_BYTE, pixels);
  }

  dispose() {
    const gl = this.gl;
    for (const fb of this.framebuffers) gl.deleteFramebuffer(fb);
    this.framebuffers = [];
    if (this.texture) gl.deleteTexture(this.texture);
    this.texture = null;
    this.width = this.height = this.count = 0;
  }
}
