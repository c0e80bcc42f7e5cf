// @ts-check
// The autosave: the project file's text and the loaded track, in IndexedDB (an embedded image or a track
// is far too large for localStorage), so a reload loses nothing. One record each, replaced on change.
import { openDB } from 'idb';

const DB_NAME = 'viz-engine-project';
const VERSION = 1;

/** @typedef {{name: string, file: Blob | null}} SavedTrack file null: the built-in demo track */

export class ProjectStore {
  constructor(name = DB_NAME) {
    /** @type {Promise<import('idb').IDBPDatabase> | null} */
    this.dbPromise = null;
    this.name = name;
  }

  db() {
    this.dbPromise ??= openDB(this.name, VERSION, {
      upgrade(db) {
        db.createObjectStore('autosave'); // 'project' -> project file text, 'track' -> SavedTrack
      },
    });
    return this.dbPromise;
  }

  /** @param {string} text */
  async saveProject(text) {
    await (await this.db()).put('autosave', text, 'project');
  }

  /** @param {SavedTrack} track */
  async saveTrack(track) {
    await (await this.db()).put('autosave', track, 'track');
  }

  /** @returns {Promise<{project: string | undefined, track: SavedTrack | undefined}>} */
  async load() {
    const db = await this.db();
    return { project: await db.get('autosave', 'project'), track: await db.get('autosave', 'track') };
  }

  async clear() {
    await (await this.db()).clear('autosave');
  }
}
