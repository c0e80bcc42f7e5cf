// @ts-check
// Levels the layers read from the current audio frame (getAudioFrameData): the same frame for every layer.

/** Bass: the analyser bins from the first above DC up to this frequency. */
const BASS_HZ = 150;

/**
 * The bass level of an audio frame, 0..1: the mean of its dB-scaled bytes up to BASS_HZ.
 * @param {import('../audio/audio-frame-data.js').AudioFrameData} audio
 */
export function bassLevel(audio) {
  const freq = audio.frequency;
  const binHz = audio.sampleRate / audio.fftSize;
  const last = Math.min(freq.length - 1, Math.max(1, Math.round(BASS_HZ / binHz)));
  let sum = 0;
  for (let i = 1; i <= last; i++) sum += freq[i];
  return sum / (last * 255);
}
