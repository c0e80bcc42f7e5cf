// @ts-check
// The render farm's page entry point (py/vizengine/cli/farm_worker.py calls it through Playwright as
// window.vizengine.farm): Python's App.farm_plan, render_segments and encode_audio
// (py/vizengine/_browser/farm_entry.py), with their bytes made base64 so they cross the DevTools
// protocol as one string each (Playwright hands a typed array to Python as a list of numbers).

/**
 * @typedef {{resolution: string, fps: number, quality: string, format: string, start: string | number,
 *   duration: string | number | null, encoder: string, encodeWorkers?: number}} FarmSettings
 * @typedef {{status: string, message?: string, manifestKey: string, encoder: string, codecs: string,
 *   segments: Uint8Array[], audio: Uint8Array | null, size: number}} PartReply
 */

/** @param {Uint8Array} bytes @returns {Promise<string>} base64, by the browser's own encoder */
function base64(bytes) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).slice(String(reader.result).indexOf(',') + 1));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(new Blob([/** @type {Uint8Array<ArrayBuffer>} */ (bytes)]));
  });
}

/** A reply Python marked failed or cancelled becomes an Error with its message. @param {any} reply */
function settled(reply) {
  const plain = reply?.toJs ? reply.toJs({ dict_converter: Object.fromEntries }) : reply;
  if (plain.status !== 'complete' && plain.status !== 'ready') throw new Error(plain.message || plain.status);
  return plain;
}

/** @param {PartReply} part */
async function encoded(part) {
  return {
    manifestKey: part.manifestKey, encoder: part.encoder, codecs: part.codecs, size: part.size,
    segments: await Promise.all(Array.from(part.segments, base64)),
    audio: part.audio ? await base64(part.audio) : null,
  };
}

/** @param {() => any} getApp the booted Python App (null before boot) */
export function farmEntry(getApp) {
  const app = () => {
    const booted = getApp();
    if (!booted) throw new Error('Python has not booted');
    return booted;
  };
  return {
    /** The export's frame count, segments, the concrete encoder auto picks here and the build id.
     * @param {FarmSettings} settings */
    async plan(settings) {
      return settled(await app().farm_plan(settings));
    },
    /** Segments [first, end), encoded as the whole export would: {manifestKey, encoder, codecs, size,
     * segments: base64[], audio: null}. @param {FarmSettings} settings @param {number} first @param {number} end */
    async renderSegments(settings, first, end) {
      return encoded(settled(await app().render_segments(settings, first, end)));
    },
    /** The export's audio encoded once, as renderSegments' reply with `audio` set. @param {FarmSettings} settings */
    async encodeAudio(settings) {
      return encoded(settled(await app().encode_audio(settings)));
    },
  };
}
