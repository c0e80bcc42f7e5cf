// @ts-check
// A truncated file (an interrupted download, a cut copy) often still decodes, just shorter than its
// container says: the MP3's Xing header or the WAV's data size still count the missing part. A media
// element reports that stated duration; the decoded AudioBuffer has what is really there.

// Codecs pad or trim a few frames (encoder delay, AAC priming), so small differences are normal:
// a difference counts when it exceeds 0.5 s or 2 % of the stated length, whichever is smaller, but never
// less than 0.1 s.
const MAX_SECONDS = 0.5;
const MAX_SHARE = 0.02;
const MIN_SECONDS = 0.1;

/**
 * The duration the file's container states, or null when the browser does not say (no header, a stream,
 * a format the media element does not play, or no answer within `timeoutMs`).
 * @param {Blob} file
 * @param {number} [timeoutMs]
 * @returns {Promise<number | null>}
 */
export function statedDuration(file, timeoutMs = 5000) {
  return new Promise((resolve) => {
    const url = URL.createObjectURL(file);
    const media = document.createElement('audio');
    let settled = false;
    /** @param {number | null} value */
    const done = (value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      media.removeAttribute('src');
      media.load(); // let go of the file
      URL.revokeObjectURL(url);
      resolve(value);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    media.preload = 'metadata';
    media.addEventListener('loadedmetadata', () => done(Number.isFinite(media.duration) && media.duration > 0 ? media.duration : null));
    media.addEventListener('error', () => done(null));
    media.src = url;
  });
}

/**
 * A warning when the decoded audio is clearly shorter or longer than the container says, else ''.
 * @param {string} name
 * @param {number} decoded seconds in the AudioBuffer
 * @param {number | null} stated seconds the container states
 */
export function durationWarning(name, decoded, stated) {
  if (stated === null) return '';
  const tolerance = Math.max(MIN_SECONDS, Math.min(MAX_SECONDS, MAX_SHARE * stated));
  if (Math.abs(decoded - stated) <= tolerance) return '';
  return `"${name}" may be damaged or truncated: it decodes to ${decoded.toFixed(2)} s of audio, ` +
    `but the file says it lasts ${stated.toFixed(2)} s.`;
}
