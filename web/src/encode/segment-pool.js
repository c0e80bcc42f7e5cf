// @ts-check
// A pool of ffmpeg.wasm instances (each FFmpeg runs in its own Web Worker) encoding an export's segments
// side by side. A segment's frames go in as the Blobs IndexedDB hands back, mounted with WORKERFS: no copy
// of the frames enters JS or wasm memory, so memory stays flat however long the export is.
//
// ffmpeg.wasm cannot abort an exec: cancelling terminates the workers; a failed or crashed exec leaves an
// instance we do not trust (a crash leaves it dead), so that worker is terminated and loaded afresh.
// An instance's wasm heap also grows with every exec and never shrinks (a 1080p export crashed with
// "memory access out of bounds" after 44 segments on one instance), so each instance is replaced after
// RECYCLE_AFTER_JOBS jobs, and a segment whose exec crashed runs once more on a fresh instance.
import { FFmpeg } from '@ffmpeg/ffmpeg';

/** @typedef {import('../storage/export-db.js').ExportDb} ExportDb */
/**
 * @typedef {{exportId: string, segment: number, first: number, count: number, args: string[], output: string}} SegmentJob
 * @typedef {{
 *   frames: number,
 *   run: (worker: PoolWorker) => Promise<void>,
 *   done?: (error: unknown) => void,
 * }} Job  frames: what the job adds to framesEncoded; done: set for one-off jobs whose caller awaits them
 * @typedef {{
 *   ffmpeg: FFmpeg | null,
 *   loading: Promise<FFmpeg> | null,
 *   busy: boolean,
 *   frames: number,
 *   logTail: string[],
 *   jobs: number,
 * }} PoolWorker  jobs: run on the current instance  frames: the running segment's frame count so far (from ffmpeg's `frame=` lines)
 * @typedef {{test: () => boolean, resolve: () => void, reject: (error: unknown) => void}} Waiter
 */

const LOG_TAIL = 12;
/** Jobs an instance runs before it is replaced by a fresh one (a reload costs well under a second). */
export const RECYCLE_AFTER_JOBS = 8;
/** Where a job's inputs live inside its worker. Args name inputs bare (`-i frame_%06d.jpg`) so every
 * segment runs the same args; resolveInputs() points them here. Outputs go to ffmpeg's working folder. */
const INPUT_DIR = '/job';

export class SegmentPool {
  /** @param {ExportDb} db @param {{coreURL: string, wasmURL: string}} core */
  constructor(db, core) {
    this.db = db;
    this.core = core;
    /** @type {PoolWorker[]} */
    this.workers = [];
    /** Jobs waiting for a worker: bounded by the caller's waitForCapacity. @type {Job[]} */
    this.queue = [];
    this.running = 0;
    /** Frames of the segments finished since start(). */
    this.framesDone = 0;
    /** The first job error (or the AbortError of cancel()); sticky until start(). @type {unknown} */
    this.error = null;
    /** Bumped by cancel(): a job of an older generation reports an AbortError, stores nothing. */
    this.generation = 0;
    /** @type {Set<Waiter>} */
    this.waiters = new Set();
    /** @type {Set<(frames: number) => void>} */
    this.progressListeners = new Set();
    /** Settles when the jobs running at cancel() have stopped touching storage. @type {Set<Promise<void>>} */
    this.inflight = new Set();
    /** See RECYCLE_AFTER_JOBS; tests lower it to see recycling in a short export. */
    this.recycleAfter = RECYCLE_AFTER_JOBS;
  }

  /** Have n workers loading or loaded; forget an earlier error. @param {number} n */
  start(n) {
    if (!(n >= 1)) throw new Error(`the encoder needs at least one worker, got ${n}`);
    this.error = null;
    this.framesDone = 0;
    while (this.workers.length > n && !this.workers[this.workers.length - 1].busy) {
      this.workers.pop()?.ffmpeg?.terminate();
    }
    while (this.workers.length < n) {
      /** @type {PoolWorker} */
      const worker = { ffmpeg: null, loading: null, busy: false, frames: 0, logTail: [], jobs: 0 };
      this.load(worker);
      this.workers.push(worker);
    }
  }

  /** Queue a segment; its error, if any, reaches waitForCapacity/waitAll. @param {SegmentJob} job @param {Promise<void>} [ready] frames committed */
  encodeSegment(job, ready = Promise.resolve()) {
    if (this.error) return; // the export is failing or cancelled: the waiters already say so
    if (!this.workers.length) throw new Error('the segment encoder is not started');
    this.queue.push({
      frames: job.count,
      run: (worker) => this.runSegment(worker, job, ready).catch((error) => {
        if (error instanceof DOMException && error.name === 'AbortError') throw error;
        const last = job.first + job.count - 1;
        const Kind = error instanceof CrashError ? CrashError : Error; // a crash stays one: runJob retries it
        throw new Kind(`segment ${job.segment} (frames ${job.first}-${last}): ${error instanceof Error ? error.message : error}`);
      }),
    });
    this.pump();
  }

  /**
   * Encode one file on a pool worker: `input` is written (transferred: the caller's buffer is detached)
   * as `inputName`; returns the output's bytes.
   * @param {string} inputName @param {Uint8Array} input @param {string[]} args @param {string} output
   * @returns {Promise<Uint8Array<ArrayBuffer>>}
   */
  runOnce(inputName, input, args, output) {
    if (this.error) return Promise.reject(this.error); // the pool is failing or cancelled: nothing would run it
    if (!this.workers.length) return Promise.reject(new Error('the segment encoder is not started'));
    return new Promise((resolve, reject) => {
      /** @type {Uint8Array<ArrayBuffer> | null} */
      let result = null;
      this.queue.push({
        frames: 0,
        run: async (worker) => {
          const ffmpeg = await this.loaded(worker);
          await ffmpeg.createDir(INPUT_DIR);
          await ffmpeg.writeFile(`${INPUT_DIR}/${inputName}`, input);
          result = await this.exec(worker, args, output);
          await ffmpeg.deleteFile(`${INPUT_DIR}/${inputName}`);
          await ffmpeg.deleteDir(INPUT_DIR);
        },
        done: (error) => (error ? reject(error) : resolve(/** @type {Uint8Array<ArrayBuffer>} */ (result))),
      });
      this.pump();
    });
  }

  /** Jobs queued or running. */
  pending() {
    return this.queue.length + this.running;
  }

  /** Resolves once fewer than `limit` jobs are pending. @param {number} limit */
  waitForCapacity(limit) {
    return this.wait(() => this.pending() < limit);
  }

  /** Resolves when no job is pending; onProgress gets the frames encoded since start(). @param {(frames: number) => void} [onProgress] */
  async waitAll(onProgress) {
    if (onProgress) this.progressListeners.add(onProgress);
    try {
      await this.wait(() => this.pending() === 0);
    } finally {
      if (onProgress) this.progressListeners.delete(onProgress);
    }
    onProgress?.(this.framesDone);
  }

  /** Stop now: terminate every worker, drop the queue, reject the waiters with an AbortError. */
  cancel() {
    this.generation++; // running jobs now end as aborted and leave the counters alone
    for (const worker of this.workers) {
      worker.ffmpeg?.terminate();
      worker.ffmpeg = null;
      worker.loading = null;
    }
    this.workers = [];
    this.running = 0;
    this.error = aborted();
    this.fail(this.error);
  }

  /** Wait until jobs interrupted by cancel() have stopped (none will write to storage afterwards). */
  async settled() {
    await Promise.allSettled([...this.inflight]);
  }

  // ---- internals ----

  pump() {
    for (const worker of this.workers) {
      if (!this.queue.length || this.error) return;
      if (worker.busy) continue;
      const job = /** @type {Job} */ (this.queue.shift());
      worker.busy = true;
      this.running++;
      const generation = this.generation;
      const run = this.runJob(worker, job, generation);
      this.inflight.add(run);
      void run.finally(() => this.inflight.delete(run));
    }
  }

  /** @param {PoolWorker} worker @param {Job} job @param {number} generation */
  async runJob(worker, job, generation) {
    worker.frames = 0;
    worker.logTail = [];
    /** @type {unknown} */
    let error = null;
    try {
      try {
        await job.run(worker);
      } catch (crash) {
        if (!(crash instanceof CrashError) || generation !== this.generation) throw crash;
        this.reload(worker); // a crash is the instance's fault, not the segment's: once more, on a fresh one
        worker.frames = 0;
        await job.run(worker);
      }
      if (generation === this.generation) {
        this.framesDone += job.frames;
        if (++worker.jobs >= this.recycleAfter) this.reload(worker);
      }
    } catch (caught) {
      error = caught;
      if (generation === this.generation) this.reload(worker);
    }
    worker.frames = 0;
    worker.busy = false;
    if (generation !== this.generation) { // cancel() already settled the counters and the waiters
      job.done?.(aborted());
      return;
    }
    this.running--;
    if (job.done) job.done(error);
    else if (error) this.fail(error);
    this.reportProgress();
    this.notify();
    this.pump();
  }

  /** @param {PoolWorker} worker @param {SegmentJob} job @param {Promise<void>} ready */
  async runSegment(worker, { exportId, segment, first, count, args, output }, ready) {
    await ready;
    const blobs = await this.db.frames(exportId, first, count);
    const ffmpeg = await this.loaded(worker);
    await ffmpeg.createDir(INPUT_DIR);
    // Numbered from 0 within the segment, so every segment runs the same args.
    const files = blobs.map((data, k) => ({ name: `frame_${String(k).padStart(6, '0')}.jpg`, data }));
    await ffmpeg.mount(/** @type {any} */ ('WORKERFS'), { blobs: files }, INPUT_DIR);
    const bytes = await this.exec(worker, args, output);
    await ffmpeg.unmount(INPUT_DIR);
    await ffmpeg.deleteDir(INPUT_DIR);
    if (worker.ffmpeg !== ffmpeg) throw aborted(); // cancelled while reading: store nothing
    await this.db.putSegment(exportId, segment, new Blob([bytes], { type: mimeOf(output) }), first, count);
  }

  /** Run args; return the output's bytes and remove it. @param {PoolWorker} worker @param {string[]} args @param {string} output */
  async exec(worker, args, output) {
    const ffmpeg = await this.loaded(worker);
    let code;
    try {
      code = await ffmpeg.exec(resolveInputs(args));
    } catch (error) {
      throw new CrashError(`ffmpeg.wasm crashed (${error instanceof Error ? error.message : error}): ${tail(worker)}`);
    }
    if (code !== 0) throw new Error(`ffmpeg exited with code ${code}: ${tail(worker)}`);
    const data = /** @type {Uint8Array<ArrayBuffer>} */ (await ffmpeg.readFile(output)); // a fresh copy, transferred
    await ffmpeg.deleteFile(output);
    return data;
  }

  /** @param {PoolWorker} worker @returns {Promise<FFmpeg>} */
  async loaded(worker) {
    if (!worker.loading) this.load(worker);
    return /** @type {Promise<FFmpeg>} */ (worker.loading);
  }

  /** Start a fresh instance for this worker (the site's own core, never a CDN). @param {PoolWorker} worker */
  load(worker) {
    const ffmpeg = new FFmpeg();
    worker.ffmpeg = ffmpeg;
    worker.jobs = 0;
    ffmpeg.on('log', ({ message }) => {
      if (worker.ffmpeg !== ffmpeg) return;
      worker.logTail.push(message);
      if (worker.logTail.length > LOG_TAIL) worker.logTail.shift();
      const match = /frame=\s*(\d+)/.exec(message);
      if (match) {
        worker.frames = Number(match[1]);
        this.reportProgress();
      }
    });
    worker.loading = ffmpeg.load({ coreURL: this.core.coreURL, wasmURL: this.core.wasmURL }).then(
      () => ffmpeg,
      (error) => {
        if (worker.ffmpeg === ffmpeg) worker.loading = null; // the next job tries again
        throw new Error(`ffmpeg.wasm failed to load: ${error instanceof Error ? error.message : error}`);
      },
    );
    worker.loading.catch(() => {}); // reported to the job that awaits it
  }

  /** Terminate a worker's instance and load a fresh one (its file system goes with it). @param {PoolWorker} worker */
  reload(worker) {
    worker.ffmpeg?.terminate();
    if (this.workers.includes(worker)) this.load(worker);
  }

  /** @param {unknown} error */
  fail(error) {
    this.error ??= error;
    this.queue.splice(0).forEach((job) => job.done?.(this.error));
    this.notify();
  }

  /** @param {() => boolean} test @returns {Promise<void>} */
  wait(test) {
    if (this.error) return Promise.reject(this.error);
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.add({ test, resolve, reject }));
  }

  notify() {
    for (const waiter of [...this.waiters]) {
      if (this.error) waiter.reject(this.error);
      else if (waiter.test()) waiter.resolve();
      else continue;
      this.waiters.delete(waiter);
    }
  }

  reportProgress() {
    if (!this.progressListeners.size) return;
    const frames = this.workers.reduce((sum, worker) => sum + worker.frames, this.framesDone);
    for (const listener of this.progressListeners) listener(frames);
  }
}

/** An exec that threw (the wasm instance died), as opposed to ffmpeg exiting with an error code. */
class CrashError extends Error {}

function aborted() {
  return new DOMException('Export cancelled', 'AbortError');
}

/** Point bare input names (`-i NAME`) at the job's input folder. @param {string[]} args */
export function resolveInputs(args) {
  return args.map((arg, i) => (i > 0 && args[i - 1] === '-i' && !/[/:]/.test(arg) ? `${INPUT_DIR}/${arg}` : arg));
}

/** @param {PoolWorker} worker */
function tail(worker) {
  return worker.logTail.slice(-6).join(' | ') || 'no output';
}

/** @param {string} name */
export function mimeOf(name) {
  const ext = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
  return {
    mp4: 'video/mp4', m4a: 'audio/mp4', webm: 'video/webm', mkv: 'video/x-matroska', ogg: 'audio/ogg',
  }[ext] ?? 'application/octet-stream';
}
