// @ts-check
// Everything a segmented export keeps in the browser, per export id, so an export survives a reload and
// several exports (other tabs, an abandoned one waiting to be resumed) never touch each other's data.
// One connection for the session: opening one per frame costs more than rendering the frame.
import { openDB } from 'idb';

const DB_NAME = 'viz-engine-exports';
const VERSION = 1;
/** Frames written per transaction: one transaction per frame cost ~25 ms of a 720p frame's ~200 ms. */
const WRITE_BATCH = 8;

/**
 * @typedef {{exportId: string, key: string, manifest: string, created: number, updated: number}} ManifestRecord
 * @typedef {[string, number, Blob]} PendingFrame
 */

/** Every [exportId, n] key of one export, whatever n is: arrays compare element by element. @param {string} exportId */
function allOf(exportId) {
  return IDBKeyRange.bound([exportId, -Infinity], [exportId, Infinity]);
}

export class ExportDb {
  constructor(name = DB_NAME) {
    this.name = name;
    /** @type {Promise<import('idb').IDBPDatabase> | null} */
    this.dbPromise = null;
    /** @type {PendingFrame[]} frames accepted, not yet handed to a transaction (at most WRITE_BATCH) */
    this.pending = [];
    /** Batches commit one after another; this is the last one. A failed batch stays failed (its error
     * reaches the next putFrame/flush) until resetWrites(). @type {Promise<void>} */
    this.tail = Promise.resolve();
  }

  db() {
    this.dbPromise ??= openDB(this.name, VERSION, {
      upgrade(db) {
        db.createObjectStore('manifests', { keyPath: 'exportId' });
        db.createObjectStore('frames'); // [exportId, index] -> Blob image/jpeg
        db.createObjectStore('segments'); // [exportId, segment] -> Blob (the encoded segment file)
        db.createObjectStore('audio'); // exportId -> Blob (the encoded audio track)
      },
    });
    return this.dbPromise;
  }

  // ---- manifests ----

  /** Store or refresh an export's manifest; `created` survives a refresh. @param {string} exportId @param {string} key @param {string} manifest */
  async putManifest(exportId, key, manifest) {
    const tx = (await this.db()).transaction('manifests', 'readwrite');
    /** @type {ManifestRecord | undefined} */
    const old = await tx.store.get(exportId);
    const now = Date.now();
    await tx.store.put({ exportId, key, manifest, created: old?.created ?? now, updated: now });
    await tx.done;
  }

  /** @returns {Promise<ManifestRecord[]>} one record per export: few, small */
  async manifests() {
    return (await this.db()).getAll('manifests');
  }

  // ---- frames ----

  /**
   * Accept a frame (the bytes are copied into a Blob: the caller may reuse its buffer). Every WRITE_BATCH
   * frames become one transaction. Returns undefined while the batch fills, so the caller does not yield
   * to the browser for every frame; else the promise of the batch *before* this one: one batch commits
   * while the next fills (back-pressure without waiting for our own commit).
   * @param {string} exportId @param {number} index @param {Uint8Array<ArrayBuffer>} bytes
   * @returns {Promise<void> | undefined}
   */
  putFrame(exportId, index, bytes) {
    this.pending.push([exportId, index, new Blob([bytes], { type: 'image/jpeg' })]);
    if (this.pending.length < WRITE_BATCH) return undefined;
    const before = this.tail;
    this.tail = this.chain(this.pending.splice(0));
    return before;
  }

  /** Commit every accepted frame; rejects with the first failed batch's error. */
  async flush() {
    if (this.pending.length) this.tail = this.chain(this.pending.splice(0));
    await this.tail;
  }

  /** Forget accepted frames and a failed batch (a new export starts, or one is discarded). */
  async resetWrites() {
    this.pending = [];
    await this.tail.catch(() => {});
    this.tail = Promise.resolve();
  }

  /** @param {PendingFrame[]} batch */
  chain(batch) {
    const next = this.tail.then(async () => {
      const tx = (await this.db()).transaction('frames', 'readwrite');
      for (const [exportId, index, blob] of batch) void tx.store.put(blob, [exportId, index]);
      await tx.done;
    });
    next.catch(() => {}); // reported where it is awaited (putFrame's caller, flush), not as unhandled
    return next;
  }

  /**
   * Frames first..first+count-1 of an export, in order: Blob handles (disk-backed once committed), not bytes.
   * @param {string} exportId @param {number} first @param {number} count
   * @returns {Promise<Blob[]>}
   */
  async frames(exportId, first, count) {
    const db = await this.db();
    const range = IDBKeyRange.bound([exportId, first], [exportId, first + count - 1]);
    const tx = db.transaction('frames');
    const [keys, blobs] = await Promise.all([tx.store.getAllKeys(range), tx.store.getAll(range)]);
    if (keys.length !== count) {
      const have = new Set(keys.map((key) => /** @type {[string, number]} */ (key)[1]));
      let missing = first;
      while (have.has(missing)) missing++;
      throw new Error(`frame ${missing} of export ${exportId} is missing from browser storage`);
    }
    return blobs;
  }

  /** Delete frames lo..hi (inclusive) of one export. @param {string} exportId @param {number} lo @param {number} hi */
  async deleteFrames(exportId, lo, hi) {
    await (await this.db()).delete('frames', IDBKeyRange.bound([exportId, lo], [exportId, hi]));
  }

  // ---- segments and audio ----

  /**
   * Store an encoded segment and drop its frames in one transaction: after a crash either the frames or
   * the segment exist, never neither.
   * @param {string} exportId @param {number} segment @param {Blob} blob @param {number} first @param {number} count
   */
  async putSegment(exportId, segment, blob, first, count) {
    const tx = (await this.db()).transaction(['segments', 'frames'], 'readwrite');
    void tx.objectStore('segments').put(blob, [exportId, segment]);
    void tx.objectStore('frames').delete(IDBKeyRange.bound([exportId, first], [exportId, first + count - 1]));
    await tx.done;
  }

  /** @param {string} exportId @param {number} segment @returns {Promise<Blob | undefined>} */
  async segment(exportId, segment) {
    return (await this.db()).get('segments', [exportId, segment]);
  }

  /** Numbers of the stored segments of an export, ascending. @param {string} exportId @returns {Promise<number[]>} */
  async segmentNumbers(exportId) {
    const keys = await (await this.db()).getAllKeys('segments', allOf(exportId));
    return keys.map((key) => /** @type {[string, number]} */ (key)[1]);
  }

  /** @param {string} exportId @param {Blob} blob */
  async putAudio(exportId, blob) {
    await (await this.db()).put('audio', blob, exportId);
  }

  /** @param {string} exportId @returns {Promise<Blob | undefined>} */
  async audio(exportId) {
    return (await this.db()).get('audio', exportId);
  }

  // ---- whole exports ----

  /** Remove everything of one export (frames, segments, audio, manifest) and nothing of another. @param {string} exportId */
  async deleteExport(exportId) {
    this.pending = this.pending.filter(([id]) => id !== exportId);
    await this.tail.catch(() => {}); // a batch still committing must not re-add frames after the delete
    const tx = (await this.db()).transaction(['manifests', 'frames', 'segments', 'audio'], 'readwrite');
    void tx.objectStore('frames').delete(allOf(exportId));
    void tx.objectStore('segments').delete(allOf(exportId));
    void tx.objectStore('audio').delete(exportId);
    void tx.objectStore('manifests').delete(exportId);
    await tx.done;
  }

  /** Stored counts over all exports (for tests). */
  async usage() {
    const db = await this.db();
    const [frames, segments, exports] = await Promise.all([db.count('frames'), db.count('segments'), db.count('manifests')]);
    return { frames, segments, exports };
  }
}
