/** The PCM layout of Gemini's TTS audio: `audio/L16;codec=pcm;rate=24000`, mono, 16-bit little-endian. */
export interface PcmFormat {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
}

export const GEMINI_TTS_PCM: PcmFormat = Object.freeze({ sampleRate: 24_000, channels: 1, bitsPerSample: 16 });

export const WAV_HEADER_BYTES = 44;

/** The 44-byte RIFF/WAVE header (canonical PCM `fmt ` chunk) for `dataBytes` of PCM. */
export function wavHeader(dataBytes: number, format: PcmFormat = GEMINI_TTS_PCM): Uint8Array {
  const header = new Uint8Array(WAV_HEADER_BYTES);
  const view = new DataView(header.buffer);
  const blockAlign = (format.channels * format.bitsPerSample) / 8;
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < text.length; i++) header[offset + i] = text.charCodeAt(i);
  };
  ascii(0, "RIFF");
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true); // fmt chunk size for PCM
  view.setUint16(20, 1, true); // audio format 1 = PCM
  view.setUint16(22, format.channels, true);
  view.setUint32(24, format.sampleRate, true);
  view.setUint32(28, format.sampleRate * blockAlign, true); // byte rate
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, format.bitsPerSample, true);
  ascii(36, "data");
  view.setUint32(40, dataBytes, true);
  return header;
}

/** PCM wrapped in a WAV file. */
export function pcmToWav(pcm: Uint8Array, format: PcmFormat = GEMINI_TTS_PCM): Uint8Array {
  const wav = new Uint8Array(WAV_HEADER_BYTES + pcm.byteLength);
  wav.set(wavHeader(pcm.byteLength, format), 0);
  wav.set(pcm, WAV_HEADER_BYTES);
  return wav;
}

/**
 * The PCM format a Gemini audio part declares in its mime type (`audio/L16;codec=pcm;rate=24000`),
 * or null when it is not raw 16-bit PCM.
 */
export function pcmFormatOf(mimeType: string): PcmFormat | null {
  const [type, ...params] = mimeType.split(";").map((piece) => piece.trim().toLowerCase());
  if (type !== "audio/l16" && type !== "audio/pcm") return null;
  const param = (name: string) => params.find((p) => p.startsWith(`${name}=`))?.slice(name.length + 1);
  const rate = Number(param("rate") ?? GEMINI_TTS_PCM.sampleRate);
  const channels = Number(param("channels") ?? 1);
  if (!Number.isInteger(rate) || rate <= 0 || rate > 384_000 || !Number.isInteger(channels) || channels < 1 || channels > 8) return null;
  return { sampleRate: rate, channels, bitsPerSample: 16 };
}

/** How long `bytes` of PCM in `format` play, in milliseconds (Gemini's TTS: 48,000 bytes a second). */
export function pcmDurationMs(bytes: number, format: PcmFormat = GEMINI_TTS_PCM): number {
  const bytesPerSecond = (format.sampleRate * format.channels * format.bitsPerSample) / 8;
  return bytesPerSecond > 0 ? Math.round((bytes * 1000) / bytesPerSecond) : 0;
}

/**
 * How long a WAV file plays, in milliseconds, from its header: the `data` chunk's size over the
 * `fmt ` chunk's byte rate (chunks walked in order, as RIFF lays them out). Null when the bytes
 * are not a RIFF/WAVE file or lack either chunk. A `data` size past the end of the file (a
 * streamed WAV writes 0 or 0xFFFFFFFF there) counts the bytes actually present.
 */
export function wavDurationMs(wav: Uint8Array): number | null {
  const view = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
  const tag = (offset: number) => String.fromCharCode(wav[offset]!, wav[offset + 1]!, wav[offset + 2]!, wav[offset + 3]!);
  if (wav.byteLength < 12 || tag(0) !== "RIFF" || tag(8) !== "WAVE") return null;
  let byteRate = 0;
  for (let offset = 12; offset + 8 <= wav.byteLength; ) {
    const id = tag(offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === "fmt " && size >= 16 && body + 16 <= wav.byteLength) byteRate = view.getUint32(body + 8, true);
    if (id === "data") {
      if (byteRate === 0) return null;
      const present = Math.min(size === 0 ? Infinity : size, wav.byteLength - body);
      return Math.round((present * 1000) / byteRate);
    }
    offset = body + size + (size % 2); // chunks are padded to an even size
  }
  return null;
}
