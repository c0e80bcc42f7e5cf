// @ts-check
// Joins an export's stored segments and its audio into the final file without re-encoding and without
// holding the file in memory: each segment is read through a BlobSource (slices on demand), its packets are
// copied into one Output with their timestamps moved to the segment's place, and the Output streams into
// a file in the Origin Private File System, which the download is then served from.
//
// MP4: fastStart 'reserve' writes the index (moov) into space reserved before the media data, sized from
// the packet counts we know up front: the file plays and seeks before it has fully arrived, as ffmpeg's
// +faststart would give, but without the second pass over the file that +faststart needs.
// WebM: Matroska's normal writer also streams (clusters appended; seek head, duration and cues patched
// in place at the end); appendOnly would drop the duration and cues.
import {
  ALL_FORMATS, BlobSource, EncodedAudioPacketSource, EncodedPacketSink, EncodedVideoPacketSource, Input,
  Mp4OutputFormat, Output, StreamTarget, WebMOutputFormat,
} from 'mediabunny';

/** @typedef {import('../storage/export-db.js').ExportDb} ExportDb */
/**
 * @typedef {{format: 'mp4' | 'webm', fps: number, segmentFrames: number, frameCount: number, mime?: string,
 *   audio?: boolean}} MuxPlan  audio: true requires the stored audio, false leaves it out, unset takes it if stored
 */

/** The OPFS folder holding finished exports (one file each, named from the export id). */
const OUTPUT_DIR = 'viz-engine-exports';

/** @returns {Promise<FileSystemDirectoryHandle>} */
async function outputDir() {
  const root = await navigator.storage.getDirectory();
  return root.getDirectoryHandle(OUTPUT_DIR, { create: true });
}

/** @param {string} exportId @param {string} format */
function outputName(exportId, format) {
  return `${encodeURIComponent(exportId)}.${format}`;
}

/** Export ids that have a file in OPFS. @returns {Promise<string[]>} */
export async function listOutputs() {
  const ids = [];
  for await (const name of /** @type {any} */ (await outputDir()).keys()) {
    ids.push(decodeURIComponent(String(name).replace(/\.[^.]*$/, '')));
  }
  return ids;
}

/** Delete an export's OPFS file, whatever its format. @param {string} exportId */
export async function removeOutput(exportId) {
  const dir = await outputDir();
  const stem = encodeURIComponent(exportId);
  /** @type {string[]} */
  const names = [];
  for await (const name of /** @type {any} */ (dir).keys()) {
    if (String(name).replace(/\.[^.]*$/, '') === stem) names.push(String(name));
  }
  for (const name of names) await dir.removeEntry(name).catch(() => {});
}

/**
 * Mux segments 0..⌈frameCount/segmentFrames⌉-1 and the audio (if stored) into the export's OPFS file.
 * Frame i sits at exactly i/fps. Returns that file.
 * @param {ExportDb} db @param {string} exportId @param {MuxPlan} plan @param {AbortSignal} [signal]
 * @returns {Promise<File>}
 */
export async function muxExport(db, exportId, { format, fps, segmentFrames, frameCount, mime, audio: withAudio }, signal) {
  if (format !== 'mp4' && format !== 'webm') throw new Error(`cannot mux to ${format}`);
  if (!(frameCount > 0 && segmentFrames > 0 && fps > 0)) throw new Error('mux needs frameCount, segmentFrames and fps');
  const segments = Math.ceil(frameCount / segmentFrames);
  const name = outputName(exportId, format);
  const dir = await outputDir();
  const handle = await dir.getFileHandle(name, { create: true });
  const writable = await handle.createWritable(); // empty: keepExistingData defaults to false
  /** @type {Input | null} */
  let audioInput = null;
  /** @type {Output | null} */
  let output = null;
  try {
    const audioBlob = withAudio === false ? undefined : await db.audio(exportId);
    if (withAudio && !audioBlob) throw new Error(`the audio of export ${exportId} is missing from browser storage`);
    audioInput = audioBlob ? new Input({ source: new BlobSource(audioBlob), formats: ALL_FORMATS }) : null;
    const audioTrack = audioInput ? await audioInput.getPrimaryAudioTrack() : null;
    if (audioInput && !audioTrack) throw new Error('the stored audio has no audio track');

    const first = await openSegment(db, exportId, 0);
    const videoCodec = await first.track.getCodec();
    const decoderConfig = await first.track.getDecoderConfig();
    first.input.dispose();
    if (!videoCodec || !decoderConfig) throw new Error('segment 0 has no video the muxer knows');

    output = new Output({
      format: format === 'mp4' ? new Mp4OutputFormat({ fastStart: 'reserve' }) : new WebMOutputFormat(),
      target: new StreamTarget(/** @type {WritableStream<any>} */ (writable)),
    });
    const video = new EncodedVideoPacketSource(videoCodec);
    output.addVideoTrack(video, { frameRate: fps, maximumPacketCount: frameCount });
    /** @type {EncodedAudioPacketSource | null} */
    let audio = null;
    /** @type {AudioDecoderConfig | null} */
    let audioConfig = null;
    if (audioTrack) {
      const audioCodec = await audioTrack.getCodec();
      audioConfig = await audioTrack.getDecoderConfig();
      if (!audioCodec || !audioConfig) throw new Error('the stored audio has a codec the muxer does not know');
      audio = new EncodedAudioPacketSource(audioCodec);
      const { packetCount } = await audioTrack.computePacketStats();
      output.addAudioTrack(audio, { maximumPacketCount: packetCount });
    }
    await output.start();

    // Audio goes in alongside the video, never far ahead or behind: the muxer holds back packets of one
    // track until the other catches up, so feeding all video first would keep the whole video in memory.
    const audioPackets = audioTrack ? new EncodedPacketSink(audioTrack).packets() : null;
    let nextAudio = audioPackets ? await audioPackets.next() : null;
    let audioMeta = audioConfig ? { decoderConfig: audioConfig } : undefined;
    /** @param {number} until seconds */
    const audioUpTo = async (until) => {
      while (audio && audioPackets && nextAudio && !nextAudio.done && nextAudio.value.timestamp <= until) {
        await audio.add(nextAudio.value, audioMeta);
        audioMeta = undefined;
        nextAudio = await audioPackets.next();
      }
    };

    /** @type {EncodedVideoChunkMetadata | undefined} */
    let videoMeta = { decoderConfig };
    for (let s = 0; s < segments; s++) {
      const expected = Math.min(segmentFrames, frameCount - s * segmentFrames);
      const { input, track } = await openSegment(db, exportId, s);
      try {
        if (s > 0) sameCodec(s, decoderConfig, await track.getDecoderConfig());
        // Frames are numbered from the segment's first presentation time: an ffmpeg MP4 with B-frames may
        // start a little after 0 (its edit list), and the join must not carry that shift along.
        const base = await track.getFirstTimestamp();
        let count = 0;
        for await (const packet of new EncodedPacketSink(track).packets()) {
          if (signal?.aborted) throw new DOMException('Export cancelled', 'AbortError');
          const k = Math.round((packet.timestamp - base) * fps);
          if (k < 0 || k >= expected) throw new Error(`segment ${s} has a frame at ${packet.timestamp} s, outside its ${expected} frames`);
          const timestamp = (s * segmentFrames + k) / fps;
          await audioUpTo(timestamp);
          await video.add(packet.clone({ timestamp, duration: 1 / fps }), videoMeta);
          videoMeta = undefined;
          count++;
        }
        if (count !== expected) throw new Error(`segment ${s} has ${count} frames, expected ${expected}`);
      } finally {
        input.dispose();
      }
    }
    await audioUpTo(Infinity);
    await output.finalize(); // closes the writable: the OPFS file is complete
    const file = await handle.getFile();
    // Same bytes (a File made from a Blob refers to it), with the MIME type the download should carry.
    return mime && file.type !== mime ? new File([file], file.name, { type: mime }) : file;
  } catch (error) {
    if (output && output.state !== 'finalized') await output.cancel().catch(() => {});
    await writable.abort().catch(() => {}); // a stream the output already closed refuses: fine
    await dir.removeEntry(name).catch(() => {});
    throw error;
  } finally {
    audioInput?.dispose();
  }
}

/** @param {ExportDb} db @param {string} exportId @param {number} segment */
async function openSegment(db, exportId, segment) {
  const blob = await db.segment(exportId, segment);
  if (!blob) throw new Error(`segment ${segment} of export ${exportId} is missing from browser storage`);
  const input = new Input({ source: new BlobSource(blob), formats: ALL_FORMATS });
  const track = await input.getPrimaryVideoTrack();
  if (!track) {
    input.dispose();
    throw new Error(`segment ${segment} has no video track`);
  }
  return { input, track };
}

/**
 * Segments are joined under the first one's decoder configuration, so each must have the same one (the
 * same arguments give the same SPS/PPS); anything else would decode wrongly after the join.
 * @param {number} segment @param {VideoDecoderConfig} first @param {VideoDecoderConfig | null} other
 */
function sameCodec(segment, first, other) {
  const bytes = (/** @type {any} */ d) => (d ? Array.from(new Uint8Array(ArrayBuffer.isView(d) ? d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength) : d)).join(',') : '');
  if (!other || other.codec !== first.codec || other.codedWidth !== first.codedWidth
    || other.codedHeight !== first.codedHeight || bytes(other.description) !== bytes(first.description)) {
    throw new Error(`segment ${segment} was encoded with other codec settings than segment 0 (${other?.codec} vs ${first.codec})`);
  }
}
