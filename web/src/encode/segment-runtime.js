// @ts-check
// The page side of the segmented, streamed export: the object Python's SegmentedEncoder drives
// (py/vizengine/encode). Frames go to IndexedDB as JPEG Blobs; a pool of ffmpeg.wasm workers turns each
// segment's frames into a segment file and drops the frames; mediabunny joins the segments and the audio
// into a file in the Origin Private File System, which the download is served from.
//
// Nothing here grows with the export's length: frames wait in batches of 8, jobs in a queue the caller
// bounds with waitForCapacity, and every byte of the export lives in IndexedDB or OPFS (on disk).
//
// Web Locks tell tabs apart: `viz-engine-export:<id>` is held by the tab running that export (until
// discard/finishExport or the tab closes), so resumable() offers only exports nobody is working on; and
// `viz-engine-output:<id>` protects a finished export's file while its download may still read it.
import { ExportDb } from '../storage/export-db.js';
import { listOutputs, muxExport, removeOutput } from './muxer.js';
import { mimeOf, SegmentPool } from './segment-pool.js';

/** @param {string} exportId */
const exportLock = (exportId) => `viz-engine-export:${exportId}`;
/** @param {string} exportId */
const outputLock = (exportId) => `viz-engine-output:${exportId}`;

/**
 * Hold a Web Lock until the returned release() is called (or the tab closes). release() resolves once
 * the lock is free again, so a locks.query() after it no longer lists it.
 * @param {string} name @returns {Promise<(() => Promise<void>) | null>} null if another tab holds it
 */
async function holdLock(name) {
  /** @type {() => void} */
  let unlock = () => {};
  const held = new Promise((resolve) => { unlock = () => resolve(undefined); });
  /** @type {(granted: boolean) => void} */
  let answer = () => {};
  const granted = new Promise((resolve) => { answer = resolve; });
  const done = navigator.locks.request(name, { ifAvailable: true }, (lock) => {
    answer(lock !== null);
    return lock ? held : undefined;
  });
  // The callback always runs (with null when the lock is taken); a failed request rejects `done`.
  if (!(await Promise.race([granted, done.then(() => false)]))) return null;
  return async () => {
    unlock();
    await done;
  };
}

export class SegmentRuntime {
  /** @param {{coreURL: string, wasmURL: string}} core the site's own ffmpeg core (never a CDN) */
  constructor({ coreURL, wasmURL }) {
    this.db = new ExportDb();
    this.pool = new SegmentPool(this.db, { coreURL, wasmURL });
    /** Locks this tab holds, by name. @type {Map<string, () => Promise<void>>} */
    this.locks = new Map();
    /** The mux in progress, so cancel() can stop it. @type {AbortController | null} */
    this.muxing = null;
  }

  /**
   * Start (or resume) an export: store/refresh its manifest, take its lock, start the encoder workers.
   * Its key (see manifestKey) is stored beside it for matching a resume.
   * @param {string} exportId @param {string} manifestJson
   * @param {number} workers how many encoders; 0 lets the page pick (see workerCount)
   * @returns {Promise<{finished: number[], workers: number}>} the segments already stored for this
   *   export, and the number of workers started
   */
  async begin(exportId, manifestJson, workers) {
    const name = exportLock(exportId);
    if (!this.locks.has(name)) {
      const release = await holdLock(name);
      if (!release) throw new Error('This export is running in another tab.');
      this.locks.set(name, release);
    }
    // The previous export's file (kept for its download) goes now, and so do files nobody holds.
    for (const held of [...this.locks.keys()]) {
      if (held.startsWith('viz-engine-output:')) await this.release(held);
    }
    await this.sweepOutputs(exportId);
    await this.db.resetWrites();
    const key = await manifestKey(manifestJson);
    await this.db.putManifest(exportId, key, manifestJson);
    const count = workerCount(workers);
    this.pool.start(count);
    return { finished: await this.db.segmentNumbers(exportId), workers: count };
  }

  /** @param {string} exportId @param {number} index @param {Uint8Array<ArrayBuffer>} jpegBytes @returns {Promise<void> | undefined} */
  putFrame(exportId, index, jpegBytes) {
    return this.db.putFrame(exportId, index, jpegBytes);
  }

  async flush() {
    await this.db.flush();
  }

  /**
   * Queue a segment and return at once; its frames must have been put (they are committed first).
   * Its error, if any, comes out of waitForCapacity/waitAll.
   * @param {string} exportId @param {number} segment @param {number} first @param {number} count
   * @param {string[]} args @param {string} output
   */
  encodeSegment(exportId, segment, first, count, args, output) {
    const ready = this.db.flush();
    ready.catch(() => {}); // the job awaits it and reports it
    this.pool.encodeSegment({ exportId, segment, first, count, args: Array.from(args), output }, ready);
  }

  /** Resolves once fewer than `limit` segment jobs are queued or running. @param {number} limit */
  async waitForCapacity(limit) {
    await this.pool.waitForCapacity(limit);
  }

  /** Resolves when every queued segment is stored. @param {(framesEncoded: number) => void} [onProgress] */
  async waitAll(onProgress) {
    await this.pool.waitAll(onProgress);
  }

  /**
   * Encode the export's audio once, on a pool worker (input file `audio.wav`), and store the result.
   * `wavBytes`' buffer is handed to the worker (detached), not copied.
   * @param {string} exportId @param {Uint8Array} wavBytes @param {string[]} args @param {string} output
   */
  async encodeAudio(exportId, wavBytes, args, output) {
    const bytes = await this.pool.runOnce('audio.wav', wavBytes, Array.from(args), output);
    await this.db.putAudio(exportId, new Blob([bytes], { type: mimeOf(output) }));
  }

  /**
   * Join the stored segments and audio into the export's file in OPFS, without re-encoding.
   * @param {string} exportId @param {import('./muxer.js').MuxPlan} plan
   * @returns {Promise<File>}
   */
  async mux(exportId, { format, fps, segmentFrames, frameCount, mime, audio }) {
    this.muxing = new AbortController();
    try {
      return await muxExport(this.db, exportId, { format, fps, segmentFrames, frameCount, mime, audio }, this.muxing.signal);
    } finally {
      this.muxing = null;
    }
  }

  /**
   * A render farm part's output (py/vizengine/export/part.py): the stored segments' bytes and, if asked,
   * the audio's, read into memory now because the export's data is deleted right after.
   * @param {string} exportId @param {number[]} numbers @param {boolean} withAudio
   * @returns {Promise<{segments: Uint8Array[], audio: Uint8Array | null, size: number}>}
   */
  async handOver(exportId, numbers, withAudio) {
    const segments = [];
    for (const n of Array.from(numbers)) {
      const blob = await this.db.segment(exportId, n);
      if (!blob) throw new Error(`segment ${n} of export ${exportId} is missing from browser storage`);
      segments.push(new Uint8Array(await blob.arrayBuffer()));
    }
    const audioBlob = withAudio ? await this.db.audio(exportId) : undefined;
    if (withAudio && !audioBlob) throw new Error(`the audio of export ${exportId} is missing from browser storage`);
    const audio = audioBlob ? new Uint8Array(await audioBlob.arrayBuffer()) : null;
    const size = segments.reduce((sum, bytes) => sum + bytes.byteLength, audio?.byteLength ?? 0);
    return { segments, audio, size };
  }

  /** Stop now: terminate every encoder worker (an exec cannot be interrupted otherwise), stop a mux. */
  cancel() {
    this.pool.cancel();
    this.muxing?.abort();
  }

  /**
   * Remove everything of an export, its OPFS file included, and release its lock. This tab's own export
   * is cancelled first; a stored one nobody runs (declined resume) is locked while it goes; one running
   * in another tab is refused.
   * @param {string} exportId
   */
  async discard(exportId) {
    const name = exportLock(exportId);
    if (this.locks.has(name)) {
      this.cancel();
      await this.pool.settled(); // no interrupted job may store a segment after the delete
    } else {
      const release = await holdLock(name);
      if (!release) throw new Error('This export is running in another tab.');
      this.locks.set(name, release);
    }
    await this.db.deleteExport(exportId);
    await removeOutput(exportId);
    await this.release(exportLock(exportId));
  }

  /**
   * After a successful download: stop the workers and remove the export's data, but keep its OPFS file
   * (and a lock on it) until the next export starts in this tab or the tab closes, since the download
   * may still read it.
   * @param {string} exportId
   */
  async finishExport(exportId) {
    await this.pool.settled();
    // Idle workers go too: a wasm heap never shrinks, and after a 4K encode each holds hundreds of MB.
    this.pool.cancel();
    await this.db.deleteExport(exportId);
    const release = await holdLock(outputLock(exportId));
    if (release) this.locks.set(outputLock(exportId), release);
    await this.release(exportLock(exportId));
  }

  /**
   * Stored exports no tab is working on, to offer a resume.
   * @returns {Promise<{exportId: string, key: string, manifest: string, segmentsDone: number[]}[]>}
   */
  async resumable() {
    const held = await heldLocks();
    const found = [];
    for (const record of await this.db.manifests()) {
      if (held.has(exportLock(record.exportId))) continue;
      const segmentsDone = await this.db.segmentNumbers(record.exportId);
      found.push({ exportId: record.exportId, key: record.key, manifest: record.manifest, segmentsDone });
    }
    return found;
  }

  /** Stored frames, segments and exports (manifests) over all exports, for tests. */
  async usage() {
    return this.db.usage();
  }

  // ---- internals ----

  /** @param {string} name */
  async release(name) {
    const release = this.locks.get(name);
    this.locks.delete(name);
    await release?.();
  }

  /**
   * Remove OPFS files no tab needs: neither lock of theirs is held (a finished export whose tab closed,
   * a mux that died). The export starting now is remuxed anyway, so its stale file goes too.
   * @param {string} starting
   */
  async sweepOutputs(starting) {
    const held = await heldLocks();
    for (const exportId of await listOutputs()) {
      if (exportId === starting || (!held.has(exportLock(exportId)) && !held.has(outputLock(exportId)))) {
        await removeOutput(exportId);
      }
    }
  }
}

/**
 * Encoders to run. Each is a single-threaded wasm ffmpeg, so more than the cores cannot help, and each
 * keeps its own wasm heap (hundreds of MB at 4K). Left to the page: one core stays for the render loop
 * (the page's thread and SwiftShader's), the rest encode, at most 4.
 * @param {number} requested
 */
function workerCount(requested) {
  const cores = navigator.hardwareConcurrency || 2;
  if (requested >= 1) return Math.min(Math.floor(requested), cores);
  return Math.max(1, Math.min(cores - 1, 4));
}

/** Names of the Web Locks held by any tab of this origin. */
async function heldLocks() {
  const { held = [] } = await navigator.locks.query();
  return new Set(held.map((lock) => lock.name));
}

/**
 * The key a resume matches on: the manifest's own `key` field if it has one, else the first 32 hex
 * digits of the SHA-256 of its JSON, which is how Python's Manifest.key is defined.
 * @param {string} manifestJson
 */
async function manifestKey(manifestJson) {
  try {
    const key = JSON.parse(manifestJson)?.key;
    if (typeof key === 'string') return key;
  } catch {
    // not JSON: hashed like any other text
  }
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(manifestJson));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('').slice(0, 32);
}
