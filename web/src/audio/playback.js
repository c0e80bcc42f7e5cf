// @ts-check
// Web Audio playback of the loaded track through the live AnalyserNode the preview layers read.

/** Playback and the export decode at one fixed rate so the export does not depend on the sound card. */
export const SAMPLE_RATE = 48000;

export class Playback {
  /** @param {{fftSize: number, smoothing: number, minDb: number, maxDb: number}} analyserConfig */
  constructor(analyserConfig) {
    this.context = new AudioContext({ sampleRate: SAMPLE_RATE });
    this.analyser = this.context.createAnalyser();
    this.analyser.fftSize = analyserConfig.fftSize;
    this.analyser.smoothingTimeConstant = analyserConfig.smoothing;
    this.analyser.minDecibels = analyserConfig.minDb;
    this.analyser.maxDecibels = analyserConfig.maxDb;
    this.analyser.connect(this.context.destination);
    /** @type {AudioBuffer | null} */
    this.buffer = null;
    /** @type {AudioBufferSourceNode | null} */
    this.source = null;
    this.name = '';
    this.offset = 0;
    this.startedAt = 0;
    this.playing = false;
    /** @type {() => void} */
    /** @type {Set<() => void>} */
    this.listeners = new Set();
  }

  /**
   * Decode and switch to a new track. On failure the current track stays loaded.
   * @param {ArrayBuffer} data
   * @param {string} name
   */
  async load(data, name) {
    let buffer;
    try {
      buffer = await this.context.decodeAudioData(data);
    } catch (error) {
      throw new Error(`"${name}" could not be decoded as audio (${error instanceof Error ? error.message : error}). ` +
        'Try mp3, wav, ogg, flac or m4a.');
    }
    if (buffer.length === 0) throw new Error(`"${name}" holds no audio samples.`);
    this.pause();
    this.buffer = buffer;
    this.name = name;
    this.offset = 0;
    this.changed();
  }

  get duration() {
    return this.buffer ? this.buffer.duration : 0;
  }

  get currentTime() {
    if (!this.playing) return this.offset;
    return Math.min(this.context.currentTime - this.startedAt, this.duration);
  }

  play() {
    if (!this.buffer || this.playing) return;
    void this.context.resume();
    if (this.offset >= this.duration) this.offset = 0;
    const source = this.context.createBufferSource();
    source.buffer = this.buffer;
    source.connect(this.analyser);
    source.onended = () => {
      if (this.source !== source) return;
      this.source = null;
      this.playing = false;
      this.offset = 0;
      this.changed();
    };
    source.start(0, this.offset);
    this.startedAt = this.context.currentTime - this.offset;
    this.source = source;
    this.playing = true;
    this.changed();
  }

  pause() {
    if (!this.playing || !this.source) return;
    this.offset = this.currentTime;
    const source = this.source;
    this.source = null;
    source.onended = null;
    source.stop();
    source.disconnect();
    this.playing = false;
    this.changed();
  }

  /** Call `listener` after every load, play, pause, seek and end. @param {() => void} listener */
  listen(listener) {
    this.listeners.add(listener);
  }

  changed() {
    for (const listener of this.listeners) listener();
  }

  /** @param {number} seconds */
  seek(seconds) {
    const wasPlaying = this.playing;
    this.pause();
    this.offset = Math.max(0, Math.min(seconds, this.duration));
    if (wasPlaying) this.play();
    this.changed();
  }
}
