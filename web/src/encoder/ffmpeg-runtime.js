// @ts-check
// ffmpeg.wasm (single-thread core, served by the site) behind the small interface Python's FfmpegEncoder
// drives. A running exec cannot be interrupted, so cancelling terminates the worker; the next load()
// starts a fresh one. Its in-memory file system dies with it, which is the cleanup we want.
import { FFmpeg } from '@ffmpeg/ffmpeg';

/** @typedef {import('../storage/frame-store.js').FrameStore} FrameStore */

const LOG_TAIL = 30;

export class FfmpegRuntime {
  /** @param {FrameStore} frames @param {{coreURL: string, wasmURL: string}} core */
  constructor(frames, core) {
    this.frames = frames;
    this.core = core;
    /** @type {FFmpeg | null} */
    this.ffmpeg = null;
    /** @type {string[]} */
    this.logTail = [];
    /** @type {((frame: number) => void) | null} */
    this.onProgress = null;
  }

  async load() {
    if (this.ffmpeg?.loaded) return;
    const ffmpeg = new FFmpeg();
    ffmpeg.on('log', ({ message }) => {
      this.logTail.push(message);
      if (this.logTail.length > LOG_TAIL) this.logTail.shift();
      const match = /frame=\s*(\d+)/.exec(message);
      if (match && this.onProgress) this.onProgress(Number(match[1]));
    });
    await ffmpeg.load({ coreURL: this.core.coreURL, wasmURL: this.core.wasmURL });
    this.ffmpeg = ffmpeg;
  }

  /** @returns {FFmpeg} */
  instance() {
    if (!this.ffmpeg) throw new Error('ffmpeg.wasm is not loaded');
    return this.ffmpeg;
  }

  /** @param {number} count @param {string} pattern printf-style, e.g. frame_%06d.jpg */
  async writeFramesFromStore(count, pattern) {
    const ffmpeg = this.instance();
    for await (const [index, bytes] of this.frames.read(count)) {
      await ffmpeg.writeFile(frameName(pattern, index), bytes);
    }
  }

  /** @param {string} name @param {Uint8Array} data */
  async writeFile(name, data) {
    await this.instance().writeFile(name, data);
  }

  /**
   * @param {string[]} args
   * @param {(frame: number) => void} onProgress
   * @param {AbortSignal} signal
   */
  async run(args, onProgress, signal) {
    const ffmpeg = this.instance();
    if (signal.aborted) throw new DOMException('Export cancelled', 'AbortError');
    const abort = () => this.terminate();
    signal.addEventListener('abort', abort, { once: true });
    this.onProgress = onProgress;
    this.logTail = [];
    try {
      const code = await ffmpeg.exec(args);
      if (code !== 0) throw new Error(`ffmpeg exited with code ${code}: ${this.logTail.slice(-6).join(' | ')}`);
    } catch (error) {
      if (signal.aborted) throw new DOMException('Export cancelled', 'AbortError');
      // A crashed core ("memory access out of bounds") is dead: drop it so the next export reloads.
      this.terminate();
      throw error;
    } finally {
      signal.removeEventListener('abort', abort);
      this.onProgress = null;
    }
  }

  /** @param {string} name @param {string} mime */
  async readOutput(name, mime) {
    const data = await this.instance().readFile(name);
    return new Blob([data], { type: mime });
  }

  /** Names of the files in ffmpeg's working directory (what clear() removes). */
  async listFiles() {
    if (!this.ffmpeg) return [];
    const nodes = await this.ffmpeg.listDir('/');
    return nodes.filter((node) => !node.isDir).map((node) => node.name);
  }

  async clear() {
    if (!this.ffmpeg) return;
    for (const name of await this.listFiles()) await this.ffmpeg.deleteFile(name);
  }

  terminate() {
    this.ffmpeg?.terminate();
    this.ffmpeg = null;
  }
}

/** @param {string} pattern @param {number} index */
function frameName(pattern, index) {
  return pattern.replace(/%0(\d+)d/, (_, width) => String(index).padStart(Number(width), '0'));
}
