// @ts-check
// Encoded frames in IndexedDB through one connection that stays open for the whole session: opening a
// connection per frame costs more than rendering it.
import { openDB } from 'idb';

const DB_NAME = 'viz-engine-export';
const STORE = 'frames';
/** Frames read per transaction when handing them to the encoder: bounded memory, few transactions. */
const READ_CHUNK = 60;

export class FrameStore {
  constructor(name = DB_NAME) {
    this.name = name;
    /** @type {Promise<import('idb').IDBPDatabase> | null} */
    this.dbPromise = null;
  }

  db() {
    this.dbPromise ??= openDB(this.name, 1, {
      upgrade(db) {
        db.createObjectStore(STORE);
      },
    });
    return this.dbPromise;
  }

  /** @param {number} index @param {Uint8Array} bytes */
  async put(index, bytes) {
    await (await this.db()).put(STORE, bytes, index);
  }

  async count() {
    return (await this.db()).count(STORE);
  }

  async clear() {
    await (await this.db()).clear(STORE);
  }

  /**
   * Frames 0..count-1 in order, a chunk at a time.
   * @param {number} count
   * @returns {AsyncGenerator<[number, Uint8Array]>}
   */
  async *read(count) {
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
