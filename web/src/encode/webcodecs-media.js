// @ts-check
// The WebCodecs encoder's media steps that need no state: asking the browser what it can encode, packing
// one segment's encoded frames into a small MP4/WebM (what the muxer joins, as it joins ffmpeg's
// segments), and encoding the export's audio to Opus.
import {
  ALL_FORMATS, BlobSource, BufferTarget, Conversion, EncodedVideoPacketSource, Input, Mp4OutputFormat, Output,
  WebMOutputFormat,
} from 'mediabunny';

/** @typedef {import('mediabunny').EncodedPacket} EncodedPacket */
/**
 * What Python's webcodecs.WebCodecsConfig.to_dict() gives.
 * @typedef {{video: VideoEncoderConfig, audio: {codec: 'aac' | 'opus', bitrate: number | null}, keyFrameInterval: number}} CodecConfig
 */

/** The app decodes every track at this rate (Opus takes no other). */
const SAMPLE_RATE = 48_000;

/**
 * Whether this browser encodes `config`, and if not, why (a phrase for the export's log).
 * @param {CodecConfig} config @returns {Promise<{supported: boolean, why: string}>}
 */
export async function supportsConfig(config) {
  const { video, audio } = config;
  if (typeof VideoEncoder === 'undefined') return { supported: false, why: 'this browser has no WebCodecs VideoEncoder' };
  const where = `${video.codec} at ${video.width}x${video.height}, ${video.framerate} fps, ${Math.round((video.bitrate ?? 0) / 1000)} kb/s`;
  try {
    const answer = await VideoEncoder.isConfigSupported(video);
    if (!answer.supported) return { supported: false, why: `VideoEncoder.isConfigSupported refuses ${where}` };
  } catch (error) {
    return { supported: false, why: `VideoEncoder.isConfigSupported failed for ${where}: ${error instanceof Error ? error.message : error}` };
  }
  if (audio.codec === 'opus') {
    if (typeof AudioEncoder === 'undefined') return { supported: false, why: 'this browser has no WebCodecs AudioEncoder for Opus' };
    const answer = await AudioEncoder.isConfigSupported({
      codec: 'opus', sampleRate: SAMPLE_RATE, numberOfChannels: 2, bitrate: audio.bitrate ?? undefined,
    }).catch(() => ({ supported: false }));
    if (!answer.supported) return { supported: false, why: 'AudioEncoder.isConfigSupported refuses Opus' };
  }
  return { supported: true, why: '' };
}

/**
 * One segment's packets in a container of its own: frame k at exactly k/fps from 0, the encoder's decoder
 * configuration (SPS/PPS, colour) on the first packet.
 * @param {EncodedPacket[]} packets in decode order, timestamps in seconds from the segment's start
 * @param {VideoDecoderConfig} decoderConfig @param {'mp4' | 'webm'} format @param {number} fps
 * @returns {Promise<Blob>}
 */
export async function packSegment(packets, decoderConfig, format, fps) {
  const target = new BufferTarget();
  const output = new Output({ format: format === 'mp4' ? new Mp4OutputFormat() : new WebMOutputFormat(), target });
  const source = new EncodedVideoPacketSource(format === 'mp4' ? 'avc' : 'vp9');
  output.addVideoTrack(source, { frameRate: fps });
  await output.start();
  /** @type {EncodedVideoChunkMetadata | undefined} */
  let meta = { decoderConfig };
  for (const packet of packets) {
    const k = Math.round(packet.timestamp * fps);
    await source.add(packet.clone({ timestamp: k / fps, duration: 1 / fps }), meta);
    meta = undefined;
  }
  await output.finalize();
  return new Blob([/** @type {ArrayBuffer} */ (target.buffer)], { type: format === 'mp4' ? 'video/mp4' : 'video/webm' });
}

/**
 * The trimmed WAV as Opus in WebM (WebCodecs' AudioEncoder, driven by mediabunny), bounded to the video's
 * `seconds`. `onConversion` gets the running conversion, so a cancel can stop it.
 * @param {Uint8Array} wav @param {number} bitrate @param {number} seconds
 * @param {(conversion: Conversion | null) => void} onConversion
 * @returns {Promise<Blob>}
 */
export async function encodeOpus(wav, bitrate, seconds, onConversion) {
  const input = new Input({ source: new BlobSource(new Blob([/** @type {Uint8Array<ArrayBuffer>} */ (wav)])), formats: ALL_FORMATS });
  const target = new BufferTarget();
  const output = new Output({ format: new WebMOutputFormat(), target });
  try {
    const conversion = await Conversion.init({
      input, output, video: { discard: true }, trim: { start: 0, end: seconds },
      audio: { codec: 'opus', bitrate, sampleRate: SAMPLE_RATE, forceTranscode: true },
    });
    if (!conversion.isValid) {
      throw new Error(`cannot encode the audio to Opus here: ${conversion.discardedTracks.map((t) => t.reason).join(', ')}`);
    }
    onConversion(conversion);
    await conversion.execute();
  } finally {
    onConversion(null);
    input.dispose();
  }
  return new Blob([/** @type {ArrayBuffer} */ (target.buffer)], { type: 'audio/webm' });
}
