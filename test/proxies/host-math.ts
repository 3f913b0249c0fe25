/** Float64 reference computations on plain arrays for checking tensor code. */

export type Matrix = number[][];

export function matmul(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): Matrix {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
}

export function transpose(a: readonly (readonly number[])[]): Matrix {
  return a[0]!.map((_, j) => a.map((row) => row[j]!));
}

export function softmaxRows(a: readonly (readonly number[])[]): Matrix {
  return a.map((row) => {
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const z = e.reduce((s, v) => s + v, 0);
    return e.map((v) => v / z);
  });
}

/** (softmax(logits) − onehot(labels)) / B: ∂(mean CE)/∂logits. */
export function ceLogitGradient(logits: Matrix, labels: readonly number[]): Matrix {
  const p = softmaxRows(logits);
  const b = logits.length;
  return p.map((row, i) => row.map((v, k) => (v - (labels[i] === k ? 1 : 0)) / b));
}

export function meanCrossEntropy(logits: Matrix, labels: readonly number[]): number {
  const p = softmaxRows(logits);
  return -p.reduce((s, row, i) => s + Math.log(row[labels[i]!]!), 0) / logits.length;
}

/** Sum, unbiased std and the §5.2 SNR of |W ⊙ G| over all entries. */
export function saliencyStats(w: Matrix, g: Matrix): { sum: number; std: number; snr: number } {
  const s = w.flatMap((row, i) => row.map((v, j) => Math.abs(v * g[i]![j]!)));
  const sum = s.reduce((a, v) => a + v, 0);
  const mean = sum / s.length;
  const std = Math.sqrt(s.reduce((a, v) => a + (v - mean) ** 2, 0) / (s.length - 1));
  const snr = std === 0 || Number.isNaN(std) ? sum : sum / std;
  return { sum, std, snr };
}
