// What a Gemini TTS model (…-tts) answers: one inlineData part of raw PCM, as Google sends it
// (`audio/L16;codec=pcm;rate=24000`, mono, 16-bit little-endian, base64).

export const TTS_MIME_TYPE = "audio/L16;codec=pcm;rate=24000";
export const TTS_SAMPLE_RATE = 24_000;
/** Google counts audio output at 25 tokens a second. */
const TOKENS_PER_SECOND = 25;

/** @param {string} model */
export function isTtsModel(model) {
  return /-tts$/.test(model);
}

/**
 * A 440 Hz tone, 50 ms per character of the text read (0.1 s to 10 s), so a test can check
 * the length it gets back.
 * @param {string} text
 * @returns {Uint8Array}
 */
export function speechPcm(text) {
  const seconds = Math.min(10, Math.max(0.1, text.length * 0.05));
  const samples = Math.round(seconds * TTS_SAMPLE_RATE);
  const pcm = new Uint8Array(samples * 2);
  const view = new DataView(pcm.buffer);
  for (let i = 0; i < samples; i++) view.setInt16(i * 2, Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / TTS_SAMPLE_RATE)), true);
  return pcm;
}

/** @param {Uint8Array} pcm */
export function audioTokens(pcm) {
  return Math.ceil((pcm.length / 2 / TTS_SAMPLE_RATE) * TOKENS_PER_SECOND);
}
