import { ByteReader, latin1 } from './bytes.js';
import { DataFormatError } from './errors.js';

/**
 * RIFF/WAVE audio: PCM 8/16/24/32-bit integers and 32/64-bit IEEE floats, any channel count,
 * WAVE_FORMAT_EXTENSIBLE included. Samples are scaled to [-1, 1) the way torchaudio and
 * soundfile normalise them (int16 / 32768, unsigned 8-bit centred on 128).
 */
export interface WavAudio {
  sampleRate: number;
  bitsPerSample: number;
  encoding: 'pcm' | 'float';
  /** One Float32Array per channel. */
  channels: Float32Array[];
}

const PCM = 1;
const FLOAT = 3;
const EXTENSIBLE = 0xfffe;

export function readWav(bytes: Uint8Array, file: string): WavAudio {
  const r = new ByteReader(bytes, file);
  const riff = latin1(r.take(4, 'the RIFF magic'));
  if (riff !== 'RIFF') throw new DataFormatError(file, 'a RIFF/WAVE file ("RIFF")', JSON.stringify(riff), 0);
  r.u32('RIFF size');
  const wave = latin1(r.take(4, 'the WAVE form type'));
  if (wave !== 'WAVE') throw new DataFormatError(file, 'RIFF form type "WAVE"', JSON.stringify(wave), 8);
  let fmt: { format: number; channels: number; sampleRate: number; blockAlign: number; bits: number } | null = null;
  while (r.remaining > 0) {
    const at = r.pos;
    const id = latin1(r.take(4, 'a chunk id'));
    let size = r.u32(`the size of chunk "${id}"`);
    if (id === 'fmt ') {
      const c = new ByteReader(r.take(size, 'the fmt chunk'), file);
      let format = c.u16('audio format');
      const channels = c.u16('channel count');
      const sampleRate = c.u32('sample rate');
      c.u32('byte rate');
      const blockAlign = c.u16('block align');
      const bits = c.u16('bits per sample');
      if (format === EXTENSIBLE) {
        c.u16('extension size');
        c.u16('valid bits');
        c.u32('channel mask');
        format = c.u16('sub-format');
      }
      fmt = { format, channels, sampleRate, blockAlign, bits };
    } else if (id === 'data') {
      if (!fmt) throw new DataFormatError(file, 'a "fmt " chunk before the "data" chunk', 'data first', at);
      if (size === 0xffffffff) size = r.remaining; // streaming writers leave the size open
      return decode(r.take(size, 'the audio samples'), fmt, file, r.pos - size);
    } else {
      r.take(size, `chunk "${id}"`);
    }
    if (size % 2 === 1 && r.remaining > 0) r.pos++;
  }
  throw new DataFormatError(file, 'a "data" chunk', fmt ? 'none (file truncated?)' : 'neither "fmt " nor "data" chunk');
}

function decode(raw: Uint8Array, fmt: { format: number; channels: number; sampleRate: number; blockAlign: number; bits: number }, file: string, at: number): WavAudio {
  const { format, channels: nch, bits } = fmt;
  const bytesPer = bits / 8;
  const supported = (format === PCM && [8, 16, 24, 32].includes(bits)) || (format === FLOAT && (bits === 32 || bits === 64));
  if (!supported || nch < 1) throw new DataFormatError(file, 'PCM 8/16/24/32-bit or float 32/64-bit audio with at least one channel', `format ${format}, ${bits} bits, ${nch} channels`);
  if (fmt.blockAlign !== nch * bytesPer) throw new DataFormatError(file, `block align ${nch * bytesPer} for ${nch} × ${bits}-bit`, String(fmt.blockAlign));
  if (raw.length % fmt.blockAlign !== 0) throw new DataFormatError(file, `whole sample frames of ${fmt.blockAlign} bytes`, `${raw.length} data bytes (file truncated?)`, at);
  const frames = raw.length / fmt.blockAlign;
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = Array.from({ length: nch }, () => new Float32Array(frames));
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < nch; c++) {
      const p = f * fmt.blockAlign + c * bytesPer;
      let x: number;
      if (format === FLOAT) x = bits === 32 ? v.getFloat32(p, true) : v.getFloat64(p, true);
      else if (bits === 8) x = (v.getUint8(p) - 128) / 128;
      else if (bits === 16) x = v.getInt16(p, true) / 32768;
      else if (bits === 24) x = (((v.getUint8(p + 2) << 24) | (v.getUint8(p + 1) << 16) | (v.getUint8(p) << 8)) >> 8) / 8388608;
      else x = v.getInt32(p, true) / 2147483648;
      out[c][f] = x;
    }
  }
  return { sampleRate: fmt.sampleRate, bitsPerSample: bits, encoding: format === FLOAT ? 'float' : 'pcm', channels: out };
}

/** Writes 16-bit PCM (values clipped to [-1, 1]); used by tests and for exporting. */
export function writeWav16(channels: Float32Array[], sampleRate: number): Uint8Array {
  const nch = channels.length;
  const frames = channels[0]?.length ?? 0;
  const dataSize = frames * nch * 2;
  const out = new Uint8Array(44 + dataSize);
  const v = new DataView(out.buffer);
  const ascii = (p: number, s: string): void => {
    for (let i = 0; i < s.length; i++) out[p + i] = s.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  v.setUint32(4, 36 + dataSize, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, PCM, true);
  v.setUint16(22, nch, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * nch * 2, true);
  v.setUint16(32, nch * 2, true);
  v.setUint16(34, 16, true);
  ascii(36, 'data');
  v.setUint32(40, dataSize, true);
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < nch; c++) {
      const x = Math.max(-1, Math.min(1, channels[c][f]));
      v.setInt16(44 + (f * nch + c) * 2, Math.max(-32768, Math.min(32767, Math.round(x * 32768))), true);
    }
  }
  return out;
}
