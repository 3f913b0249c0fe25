import { DataFormatError } from './errors.js';

/**
 * CIFAR binary batches. CIFAR-10 records are <label><3072 pixels>, CIFAR-100 records are
 * <coarse label><fine label><3072 pixels>; the pixels are three 32×32 row-major planes (R, G, B).
 * Images come back channels-last (N, 32, 32, 3), scaled to [0, 1].
 */
export interface CifarBatch {
  count: number;
  /** NHWC, length count·32·32·3. */
  images: Float32Array;
  /** CIFAR-10 class, or CIFAR-100 fine class. */
  labels: Int32Array;
  /** CIFAR-100 only. */
  coarseLabels?: Int32Array;
}

const SIDE = 32;
const PLANE = SIDE * SIDE;
const PIXELS = 3 * PLANE;

export function readCifarBinary(bytes: Uint8Array, file: string, variant: 'cifar10' | 'cifar100'): CifarBatch {
  const labelBytes = variant === 'cifar10' ? 1 : 2;
  const record = labelBytes + PIXELS;
  if (bytes.length === 0 || bytes.length % record !== 0) {
    throw new DataFormatError(file, `a whole number of ${record}-byte ${variant === 'cifar10' ? 'CIFAR-10' : 'CIFAR-100'} records`, `${bytes.length} bytes (${Math.floor(bytes.length / record)} records + ${bytes.length % record} bytes)`);
  }
  const count = bytes.length / record;
  const maxLabel = variant === 'cifar10' ? 9 : 99;
  const images = new Float32Array(count * PIXELS);
  const labels = new Int32Array(count);
  const coarse = variant === 'cifar100' ? new Int32Array(count) : undefined;
  for (let n = 0; n < count; n++) {
    const base = n * record;
    const label = bytes[base + labelBytes - 1];
    if (label > maxLabel) throw new DataFormatError(file, `a label 0..${maxLabel} in record ${n}`, String(label), base + labelBytes - 1);
    labels[n] = label;
    if (coarse) {
      if (bytes[base] > 19) throw new DataFormatError(file, `a coarse label 0..19 in record ${n}`, String(bytes[base]), base);
      coarse[n] = bytes[base];
    }
    const px = base + labelBytes;
    const out = n * PIXELS;
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < PLANE; p++) images[out + p * 3 + c] = bytes[px + c * PLANE + p] / 255;
    }
  }
  return coarse ? { count, images, labels, coarseLabels: coarse } : { count, images, labels };
}
