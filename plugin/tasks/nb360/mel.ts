/**
 * FSD50K chunk features (nas-bench-360.md §3.4): torchaudio's `MelSpectrogram` at 22 050 Hz with
 * n_fft 1920, win_length 661, hop 220, 96 mel bands and torchaudio's defaults (power 2, centred
 * frames with reflect padding, periodic Hann window zero-padded to n_fft in the middle, HTK mel
 * scale, no filter normalisation, f_min 0, f_max = sr/2), then librosa-style power → dB
 * (10·log10(max(S, 1e-10)), reference 1, clipped below max − 80), + 75, minus the mean over the
 * whole spectrogram. A 1 s chunk gives 96 × 101 (mels × frames), row-major.
 *
 * The DFT is computed directly on the 661 non-zero window samples of each frame (the rest of the
 * n_fft frame is the window's zero padding), in float64.
 */

export interface MelOptions {
  readonly sampleRate: number;
  readonly nFft: number;
  readonly winLength: number;
  readonly hop: number;
  readonly nMels: number;
}

export const FSD50K_MEL: MelOptions = { sampleRate: 22050, nFft: 1920, winLength: 661, hop: 220, nMels: 96 };

const hzToMel = (f: number): number => 2595 * Math.log10(1 + f / 700);
const melToHz = (m: number): number => 700 * (10 ** (m / 2595) - 1);

/** torchaudio `melscale_fbanks(n_freqs, 0, sr/2, n_mels, sr, norm=None, 'htk')`, as (n_freqs, n_mels) row-major. */
export function melFilterbank(options: MelOptions): Float64Array {
  const nFreqs = Math.floor(options.nFft / 2) + 1;
  const fMax = Math.floor(options.sampleRate / 2);
  const { nMels } = options;
  const allFreqs = Float64Array.from({ length: nFreqs }, (_, i) => (fMax * i) / (nFreqs - 1));
  const mMin = hzToMel(0);
  const mMax = hzToMel(options.sampleRate / 2);
  const fPts = Float64Array.from({ length: nMels + 2 }, (_, i) => melToHz(mMin + ((mMax - mMin) * i) / (nMels + 1)));
  const fb = new Float64Array(nFreqs * nMels);
  for (let f = 0; f < nFreqs; f++) {
    for (let m = 0; m < nMels; m++) {
      const down = (allFreqs[f]! - fPts[m]!) / (fPts[m + 1]! - fPts[m]!);
      const up = (fPts[m + 2]! - allFreqs[f]!) / (fPts[m + 2]! - fPts[m + 1]!);
      fb[f * nMels + m] = Math.max(0, Math.min(down, up));
    }
  }
  return fb;
}

interface Tables {
  readonly window: Float64Array;
  readonly cos: Float64Array;
  readonly sin: Float64Array;
  readonly fb: Float64Array;
}

const tableCache = new Map<string, Tables>();

function tables(options: MelOptions): Tables {
  const key = JSON.stringify(options);
  const hit = tableCache.get(key);
  if (hit) return hit;
  const { nFft, winLength } = options;
  const nFreqs = Math.floor(nFft / 2) + 1;
  // Periodic Hann: 0.5 − 0.5·cos(2πn/N).
  const window = Float64Array.from({ length: winLength }, (_, n) => 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / winLength));
  const offset = Math.floor((nFft - winLength) / 2);
  // Twiddles for the non-zero part of the frame: exp(−2πi·k·(offset + n)/n_fft).
  const cos = new Float64Array(nFreqs * winLength);
  const sin = new Float64Array(nFreqs * winLength);
  for (let k = 0; k < nFreqs; k++) {
    for (let n = 0; n < winLength; n++) {
      const angle = (2 * Math.PI * ((k * (offset + n)) % nFft)) / nFft;
      cos[k * winLength + n] = Math.cos(angle);
      sin[k * winLength + n] = Math.sin(angle);
    }
  }
  const t = { window, cos, sin, fb: melFilterbank(options) };
  tableCache.set(key, t);
  return t;
}

/** Reflect padding by `pad` on both sides (numpy/torch 'reflect': the edge sample not repeated). */
function reflectPad(x: Float32Array, pad: number): Float64Array {
  const n = x.length;
  const out = new Float64Array(n + 2 * pad);
  for (let i = 0; i < out.length; i++) {
    let j = i - pad;
    // Reflect until inside (signals shorter than the pad reflect more than once).
    while (j < 0 || j >= n) j = j < 0 ? -j : 2 * (n - 1) - j;
    out[i] = x[j]!;
  }
  return out;
}

/** Power mel spectrogram (n_mels × frames, row-major) of a mono signal. */
export function melSpectrogram(signal: Float32Array, options: MelOptions = FSD50K_MEL): { data: Float64Array; frames: number } {
  const { nFft, winLength, hop, nMels } = options;
  if (signal.length < 2) throw new RangeError('melSpectrogram: the signal needs at least 2 samples for reflect padding');
  const { window, cos, sin, fb } = tables(options);
  const nFreqs = Math.floor(nFft / 2) + 1;
  const padded = reflectPad(signal, Math.floor(nFft / 2));
  const frames = 1 + Math.floor(signal.length / hop);
  const offset = Math.floor((nFft - winLength) / 2);
  const out = new Float64Array(nMels * frames);
  const seg = new Float64Array(winLength);
  const power = new Float64Array(nFreqs);
  for (let t = 0; t < frames; t++) {
    const start = t * hop + offset;
    for (let n = 0; n < winLength; n++) seg[n] = padded[start + n]! * window[n]!;
    for (let k = 0; k < nFreqs; k++) {
      let re = 0;
      let im = 0;
      const row = k * winLength;
      for (let n = 0; n < winLength; n++) {
        re += seg[n]! * cos[row + n]!;
        im -= seg[n]! * sin[row + n]!;
      }
      power[k] = re * re + im * im;
    }
    for (let m = 0; m < nMels; m++) {
      let s = 0;
      for (let k = 0; k < nFreqs; k++) s += fb[k * nMels + m]! * power[k]!;
      out[m * frames + t] = s;
    }
  }
  return { data: out, frames };
}

/**
 * The network input of one chunk: dB features (see the module comment) as float32
 * (n_mels × width), frames beyond the chunk's own padded with the features' minimum (the
 * reference's evaluation-time padding to 101 frames).
 */
export function fsd50kFeatures(signal: Float32Array, width: number, options: MelOptions = FSD50K_MEL): Float32Array {
  const { data, frames } = melSpectrogram(signal, options);
  const db = Float64Array.from(data, (s) => 10 * Math.log10(Math.max(s, 1e-10)));
  let max = -Infinity;
  for (const v of db) max = Math.max(max, v);
  let sum = 0;
  for (let i = 0; i < db.length; i++) {
    db[i] = Math.max(db[i]!, max - 80) + 75;
    sum += db[i]!;
  }
  const mean = sum / db.length;
  let min = Infinity;
  for (let i = 0; i < db.length; i++) {
    db[i] = db[i]! - mean;
    min = Math.min(min, db[i]!);
  }
  const { nMels } = options;
  const out = new Float32Array(nMels * width);
  for (let m = 0; m < nMels; m++) {
    for (let t = 0; t < width; t++) out[m * width + t] = t < frames ? db[m * frames + t]! : min;
  }
  return out;
}
