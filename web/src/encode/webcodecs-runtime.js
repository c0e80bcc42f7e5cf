// @ts-check
// The page side of the WebCodecs encoder (py/vizengine/encode/webcodecs_encoder.py drives it). Frames come
// as VideoFrames of the composited canvas (host.captureFrame): nothing is read back or copied through
// Python. Each segment gets a fresh VideoEncoder, so it starts on a key frame and depends on no other;
// when its last frame is queued the encoder is drained in the background, its packets are packed into a
// small file and stored as the segment, exactly where the ffmpeg.wasm pool stores its segments, so the
// same muxer joins them and the same resume finds them.
//
// Memory stays flat: at most MAX_QUEUE captured frames wait in an encoder, and at most MAX_STORING ended
// segments (2 s of encoded video each) wait to be stored.
import { EncodedPacket } from 'mediabunny';
import { encodeOpus, packSegment, supportsConfig } from './webcodecs-media.js';

/** Captured frames an encoder may hold before encodeFrame waits: each is a full-size picture. */
const MAX_QUEUE = 4;
/** Ended segments draining or being stored before endSegment waits. */
const MAX_STORING = 2;

/**
 * @typedef {{segment: number, encoder: VideoEncoder, packets: EncodedPacket[],
 *   decoderConfig: VideoDecoderConfig | null}} OpenSegment
 */

export class WebCodecsRuntime {
  /** @param {import('./segment-runtime.js').SegmentRuntime} segments its storage is where segments go */
  constructor(segments) {
    this.db = segments.db;
    /** @type {import('./webcodecs-media.js').CodecConfig | null} */
    this.config = null;
    this.fps = 0;
    /** @type {'mp4' | 'webm'} */
    this.format = 'mp4';
    /** @type {OpenSegment | null} */
    this.current = null;
    /** @type {Set<Promise<void>>} */
    this.storing = new Set();
    /** Encoders not yet closed, so cancel() can close them all. @type {Set<VideoEncoder>} */
    this.encoders = new Set();
    /** The first failure, or the AbortError of cancel(); sticky until configure(). @type {unknown} */
    this.error = null;
    /** Bumped by cancel(): work of an older generation stores nothing. */
    this.generation = 0;
    /** @type {import('mediabunny').Conversion | null} */
    this.conversion = null;
  }

  /** @param {import('./webcodecs-media.js').CodecConfig} config */
  supports(config) {
    return supportsConfig(config);
  }

  /**
   * Start an export's encoding (after cancel() or a finished export: everything is fresh).
   * @param {import('./webcodecs-media.js').CodecConfig} config @param {number} fps @param {'mp4' | 'webm'} format
   */
  configure(config, fps, format) {
    this.config = config;
    this.fps = fps;
    this.format = format;
    this.current = null;
    this.error = null;
  }

  /**
   * Encode frame `offset` of `segment`; the caller closes `videoFrame` afterwards (encode() keeps its own
   * reference). Resolves once the encoder's queue has room.
   * @param {VideoFrame} videoFrame @param {number} segment @param {number} offset @param {boolean} keyFrame
   */
  async encodeFrame(videoFrame, segment, offset, keyFrame) {
    this.check();
    if (this.current?.segment !== segment) {
      if (this.current) throw new Error(`segment ${this.current.segment} did not end before segment ${segment} began`);
      if (offset !== 0) throw new Error(`segment ${segment} must start at its first frame, not frame ${offset}`);
      this.current = this.open(segment);
    }
    const { encoder } = this.current;
    // The segment's own clock: frame k at k/fps (in µs, rounded; packSegment puts it back exactly).
    const frame = new VideoFrame(videoFrame, {
      timestamp: Math.round((offset * 1e6) / this.fps), duration: Math.round(1e6 / this.fps),
    });
    try {
      encoder.encode(frame, { keyFrame });
    } finally {
      frame.close();
    }
    while (encoder.encodeQueueSize > MAX_QUEUE && encoder.state === 'configured') {
      await new Promise((resolve) => {
        encoder.addEventListener('dequeue', resolve, { once: true });
        setTimeout(resolve, 20); // a missed event must not stall the export
      });
      this.check();
    }
  }

  /**
   * `segment`'s last frame was queued: drain and store it in the background. Resolves once fewer than
   * MAX_STORING segments are still being stored; a failure comes out of the next call.
   * @param {string} exportId @param {number} segment @param {number} first @param {number} count
   */
  async endSegment(exportId, segment, first, count) {
    this.check();
    const open = this.current;
    if (!open || open.segment !== segment) throw new Error(`segment ${segment} ended before any of its frames`);
    this.current = null;
    const job = this.store(exportId, open, first, count, this.generation);
    this.storing.add(job);
    job.catch((error) => { this.error ??= error; }).finally(() => this.storing.delete(job));
    while (this.storing.size >= MAX_STORING) await Promise.race([...this.storing].map((p) => p.catch(() => {})));
    this.check();
  }

  /** Resolves when every ended segment is stored; rejects with the first failure. */
  async waitAll() {
    while (this.storing.size) await Promise.allSettled([...this.storing]);
    this.check();
    if (this.current) throw new Error(`segment ${this.current.segment} never ended`);
  }

  /**
   * The export's audio as Opus (WebM), stored beside the segments for the muxer.
   * @param {string} exportId @param {Uint8Array} wav @param {number} bitrate @param {number} seconds
   */
  async encodeOpus(exportId, wav, bitrate, seconds) {
    this.check();
    const generation = this.generation;
    const blob = await encodeOpus(wav, bitrate, seconds, (conversion) => { this.conversion = conversion; });
    this.check();
    if (generation === this.generation) await this.db.putAudio(exportId, blob);
  }

  /** Stop now: close every encoder and the audio conversion; waits reject with an AbortError. */
  cancel() {
    this.generation++;
    this.error ??= new DOMException('Export cancelled', 'AbortError');
    for (const encoder of this.encoders) {
      if (encoder.state !== 'closed') encoder.close();
    }
    this.encoders.clear();
    this.current = null;
    void this.conversion?.cancel();
  }

  /** cancel(), then wait until no segment of this export is being written. */
  async stop() {
    this.cancel();
    await Promise.allSettled([...this.storing]);
  }

  // ---- internals ----

  check() {
    if (this.error) throw this.error;
  }

  /** A fresh encoder for one segment. @param {number} segment @returns {OpenSegment} */
  open(segment) {
    if (!this.config) throw new Error('the WebCodecs encoder is not configured');
    /** @type {OpenSegment} */
    const open = { segment, encoder: /** @type {any} */ (null), packets: [], decoderConfig: null };
    open.encoder = new VideoEncoder({
      output: (chunk, meta) => {
        if (meta?.decoderConfig && !open.decoderConfig) open.decoderConfig = meta.decoderConfig;
        open.packets.push(EncodedPacket.fromEncodedChunk(chunk));
      },
      error: (error) => { this.error ??= new Error(`the video encoder failed in segment ${segment}: ${error.message}`); },
    });
    open.encoder.configure(this.config.video);
    this.encoders.add(open.encoder);
    return open;
  }

  /**
   * @param {string} exportId @param {OpenSegment} open @param {number} first @param {number} count
   * @param {number} generation
   */
  async store(exportId, open, first, count, generation) {
    try {
      await open.encoder.flush();
    } finally {
      if (open.encoder.state !== 'closed') open.encoder.close();
      this.encoders.delete(open.encoder);
    }
    if (generation !== this.generation) return;
    if (open.packets.length !== count) {
      throw new Error(`segment ${open.segment}: the encoder gave ${open.packets.length} frames, not ${count}`);
    }
    const video = /** @type {VideoEncoderConfig} */ (this.config?.video);
    const decoderConfig = open.decoderConfig ?? { codec: video.codec, codedWidth: video.width, codedHeight: video.height };
    const blob = await packSegment(open.packets, decoderConfig, this.format, this.fps);
    if (generation !== this.generation) return;
    await this.db.putSegment(exportId, open.segment, blob, first, count);
  }
}
