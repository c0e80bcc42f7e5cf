// @ts-check
// Encoded frames in IndexedDB through one connection that stays open for the whole session: opening a
// connection per frame costs more than rendering it.
import { openDB } from 'idb';

const DB_NAME = 'viz-engine-export';
const STORE = 'frames';
/** Frames read per transaction when handing them to the encoder: bounded memory, few transactions. */
const READ_CHUNK = 60;
/** Frames written per transaction: one transaction per frame cost ~25 ms of a 720p frame's ~200 ms. */
const WRITE_BATCH = 8;

export class FrameStore {
  constructor(name = DB_NAME) {
    this.name = name;
    /** @type {Promise<import('idb').IDBPDatabase> | null} */
    this.dbPromise = null;
    /** @type {[number, Uint8Array][]} frames accepted but not yet written */
    this.pending = [];
    /** @type {Promise<void> | null} the batch being committed */
    this.inflight = null;
  }

  db() {
    this.dbPromise ??= openDB(this.name, 1, {
      upgrade(db) {
        db.createObjectStore(STORE);
      },
    });
    return this.dbPromise;
  }

  /**
   * Accept a frame; every WRITE_BATCH frames go to IndexedDB in one transaction. Returns null while the
   * batch fills (no await, so the export does not hand the thread to the browser for every frame), else
   * a promise: one batch may be committing while the next fills, so this waits only for the batch
   * before (back-pressure); a failed batch rejects the next one or flush().
   * @param {number} index @param {Uint8Array} bytes
   * @returns {Promise<void> | null}
   */
  put(index, bytes) {
    this.pending.push([index, bytes]);
    if (this.pending.length < WRITE_BATCH) return null;
    const batch = this.takePending();
    return this.settle().then(() => {
      this.inflight = this.write(batch);
    });
  }

  /** Write every accepted frame and wait until all are committed. */
  async flush() {
    await this.settle();
    if (this.pending.length) await this.write(this.takePending());
  }

  /** Wait for the batch in flight; rethrow its error once. */
  async settle() {
    const inflight = this.inflight;
    this.inflight = null;
    if (inflight) await inflight;
  }

  takePending() {
    const batch = this.pending;
    this.pending = [];
    return batch;
  }

  /** @param {[number, Uint8Array][]} batch */
  write(batch) {
    const done = (async () => {
      const tx = (await this.db()).transaction(STORE, 'readwrite');
      for (const [index, bytes] of batch) void tx.store.put(bytes, index);
      await tx.done;
    })();
    done.catch(() => {}); // reported where it is awaited (settle), not as an unhandled rejection
    return done;
  }

  async count() {
    await this.flush();
    return (await this.db()).count(STORE);
  }

  async clear() {
    this.pending = [];
    await this.settle().catch(() => {}); // a failed batch does not matter once everything goes
    await (await this.db()).clear(STORE);
  }

  /**
   * Frames 0..count-1 in order, a chunk at a time.
   * @param {number} count
   * @returns {AsyncGenerator<[number, Uint8Array]>}
   */
  async *read(count) {
    await this.flush();
    const db = await this.db();
    for (let first = 0; first < count; first += READ_CHUNK) {
      const last = Math.min(first + READ_CHUNK, count) - 1;
      const [keys, values] = await Promise.all([
        db.getAllKeys(STORE, IDBKeyRange.bound(first, last)),
        db.getAll(STORE, IDBKeyRange.bound(first, last)),
      ]);
      if (keys.length !== last - first + 1) {
        const missing = Array.from({ length: last - first + 1 }, (_, k) => first + k).find((i) => !keys.includes(i));
        throw new Error(`frame ${missing} is missing from browser storage`);
      }
      for (let k = 0; k < keys.length; k++) yield [Number(keys[k]), values[k]];
    }
  }
}
