// @ts-check
// The one WebGL2 context of the page, on the visible stage canvas. Every layer draws into its slice of
// a texture array there and the compositor stacks the slices onto the canvas: the live preview and
// the export run this same path, so an exported frame is the picture the paused preview shows.
// Browsers allow only ~16 live contexts; one per page leaves room for any number of layers.

import { nextAudioFrame } from '../audio/audio-frame-data.js';
import { getLayers } from '../layers/registry.js';
import { Compositor } from './compositor.js';
import { LayerTargets } from './layer-targets.js';

/** @type {WebGLContextAttributes} */
const CONTEXT_ATTRIBUTES = Object.freeze({
  // The stage background is opaque, so the composite is too.
  alpha: false,
  // A paused preview keeps its picture, and the export reads the canvas after the browser has shown it.
  preserveDrawingBuffer: true,
  antialias: false,
  depth: false,
  stencil: false,
});

export class Renderer {
  /** @param {HTMLCanvasElement} canvas */
  constructor(canvas) {
    const gl = canvas.getContext('webgl2', CONTEXT_ATTRIBUTES);
    if (!gl) throw new Error('WebGL2 is not available (canvas.getContext("webgl2") returned null)');
    this.canvas = canvas;
    this.gl = gl;
    this.lost = false;
    /** @type {WebGLBuffer | null} */
    this.pixelBuffer = null;
    this.pixelBufferSize = 0;
    /** @type {WebGLSync | null} */
    this.fence = null;
    this.initGL();
    canvas.addEventListener('webglcontextlost', (event) => {
      // preventDefault tells the browser we can restore, so it will fire webglcontextrestored.
      event.preventDefault();
      this.lost = true;
      console.warn('WebGL context lost; rendering paused until it is restored');
    });
    canvas.addEventListener('webglcontextrestored', () => {
      this.lost = false;
      const plan = this.compositor.plan;
      this.initGL();
      for (const layer of getLayers()) layer.initGL();
      if (plan) this.configure(plan);
    });
  }

  initGL() {
    const gl = this.gl;
    gl.disable(gl.BLEND);
    gl.disable(gl.DEPTH_TEST);
    this.targets = new LayerTargets(gl);
    this.compositor = new Compositor(gl);
  }

  /**
   * Size of the drawing buffer and of every layer texture (the CSS size is the page's business).
   * @param {number} width @param {number} height
   */
  resize(width, height) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
      throw new RangeError(`renderer: size must be positive integers, got ${width}x${height}`);
    }
    this.canvas.width = width;
    this.canvas.height = height;
    const gl = this.gl;
    // Browsers may silently cap huge drawing buffers; an export at the wrong size must fail loudly.
    if (gl.drawingBufferWidth !== width || gl.drawingBufferHeight !== height) {
      throw new Error(`asked for ${width}x${height} but the browser allocated ${gl.drawingBufferWidth}x${gl.drawingBufferHeight}`);
    }
    this.targets.allocate(width, height, getLayers().length);
  }

  /** @param {import('./compositor.js').GpuPlan} plan from Python */
  configure(plan) {
    this.compositor.configure(plan, getLayers().length);
  }

  /**
   * Draw every layer at `time` and composite them onto the canvas. Audio advances exactly once here,
   * so all layers of a frame see the same data.
   * @param {number} time seconds @param {number} dt seconds since the previous frame
   */
  render(time, dt) {
    if (this.lost) return;
    const { width, height } = this.canvas;
    const layers = getLayers();
    this.targets.allocate(width, height, layers.length);
    nextAudioFrame();
    const rows = this.compositor.plan
      ? layers.map((layer, k) => {
        // Python leaves hidden layers out of the plan: their slices are never read.
        if (layer.visible === false) return null;
        this.targets.bind(k);
        return layer.draw(time, dt, width, height);
      })
      : [];
    this.compositor.draw(this.targets.texture, width, height, rows);
    // Send the commands to the GPU process now: the export encodes frame i while the GPU draws i+1.
    this.gl.flush();
  }

  /**
   * Queue a copy of the composited frame into a pixel buffer, behind a fence: the GPU process does the
   * copy when it gets there, and the page's thread is free meanwhile (readPixels into client memory
   * would stop it until the GPU had finished the whole frame). readFrame collects the copy.
   */
  startRead() {
    if (this.lost || this.gl.isContextLost()) throw new Error('WebGL context lost');
    const gl = this.gl;
    const { width, height } = this.canvas;
    const size = width * height * 4;
    if (!this.pixelBuffer) this.pixelBuffer = gl.createBuffer();
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, this.pixelBuffer);
    if (this.pixelBufferSize !== size) {
      gl.bufferData(gl.PIXEL_PACK_BUFFER, size, gl.STREAM_READ);
      this.pixelBufferSize = size;
    }
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    gl.pixelStorei(gl.PACK_ALIGNMENT, 4);
    gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, 0);
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
    this.startFence();
  }

  /**
   * A fence behind the frame drawn so far, without reading it back: waitForGpu then resolves once the
   * canvas holds the whole frame (for a VideoFrame of the canvas, which needs no pixels here).
   */
  startFence() {
    if (this.lost || this.gl.isContextLost()) throw new Error('WebGL context lost');
    const gl = this.gl;
    if (this.fence) gl.deleteSync(this.fence);
    this.fence = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0);
    gl.flush();
  }

  /**
   * Resolves once the GPU has passed the fence startFence/startRead set, polling between tasks so the
   * page keeps painting and hears a Cancel click.
   */
  async waitForGpu() {
    const gl = this.gl;
    const fence = this.fence;
    if (!fence) throw new Error('waitForGpu before startFence');
    for (;;) {
      // Blank pixels would silently end up in the video; better to stop the export.
      if (this.lost || gl.isContextLost()) throw new Error('WebGL context lost');
      const status = gl.clientWaitSync(fence, 0, 0);
      if (status === gl.ALREADY_SIGNALED || status === gl.CONDITION_SATISFIED) break;
      if (status === gl.WAIT_FAILED) throw new Error('waiting for the GPU failed');
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    gl.deleteSync(fence);
    this.fence = null;
  }

  /**
   * The frame startRead queued: RGBA bytes, rows bottom-up. Resolves once the GPU is done with it,
   * polling the fence between tasks so the page keeps painting and hears a Cancel click.
   * @param {Uint8Array} dst width*height*4 bytes
   */
  async readFrame(dst) {
    const { width, height } = this.canvas;
    if (dst.length !== width * height * 4) throw new RangeError(`readFrame needs ${width * height * 4} bytes, got ${dst.length}`);
    const gl = this.gl;
    if (!this.fence) throw new Error('readFrame before startRead');
    await this.waitForGpu();
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, this.pixelBuffer);
    gl.getBufferSubData(gl.PIXEL_PACK_BUFFER, 0, dst);
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
  }

  /** Drop the pixel buffer (the export is over; a 4K one holds 33 MB). */
  releaseRead() {
    const gl = this.gl;
    if (this.fence) gl.deleteSync(this.fence);
    if (this.pixelBuffer) gl.deleteBuffer(this.pixelBuffer);
    this.fence = null;
    this.pixelBuffer = null;
    this.pixelBufferSize = 0;
  }
}
