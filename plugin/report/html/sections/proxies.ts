/** Spearman rank correlation between every pair of proxies the candidates carry, as a grid. */
import { escapeHtml } from '../escape.js';
import { formatCount } from '../format.js';
import { spearmanRank } from '../rank.js';
import type { CandidateRecord, RunData } from '../run-data.js';
import { svgNumber } from '../scale.js';

export interface CorrelationMatrix {
  readonly names: readonly string[];
  /** rho[i][j]; null when fewer than 3 candidates carry both or one of them is constant. */
  readonly rho: ReadonlyArray<ReadonlyArray<number | null>>;
  /** Number of candidates with finite values of both proxies. */
  readonly n: ReadonlyArray<ReadonlyArray<number>>;
}

/** Proxies in first-seen order; each pair uses the candidates that have both values. */
export function proxyCorrelations(candidates: readonly CandidateRecord[]): CorrelationMatrix {
  const names: string[] = [];
  for (const c of candidates) for (const name of Object.keys(c.proxies)) if (!names.includes(name)) names.push(name);
  const rho = names.map(() => names.map((): number | null => null));
  const n = names.map(() => names.map(() => 0));
  names.forEach((a, i) => {
    names.forEach((b, j) => {
      if (j < i) return;
      const pairs = candidates.filter((c) => c.proxies[a] !== undefined && c.proxies[b] !== undefined);
      const value = pairs.length >= 3 ? spearmanRank(pairs.map((c) => c.proxies[a]!), pairs.map((c) => c.proxies[b]!)) : null;
      rho[i]![j] = rho[j]![i] = value;
      n[i]![j] = n[j]![i] = pairs.length;
    });
  });
  return { names, rho, n };
}

export function renderProxies(data: RunData): string {
  const body = (() => {
    if (data.kind === 'train') return '<p class="ok-note">No search, so no proxy values (<code>hgnas train</code> run).</p>';
    if (data.candidates === null) return '<p class="missing">No candidates.jsonl: no proxy values to correlate.</p>';
    const matrix = proxyCorrelations(data.candidates);
    if (matrix.names.length < 2) {
      return `<p class="missing">The candidates carry ${matrix.names.length === 0 ? 'no proxy values' : `one proxy only (${escapeHtml(matrix.names[0]!)})`}: nothing to correlate.</p>`;
    }
    return correlationFigure(matrix);
  })();
  return `<section class="block" id="proxies"><h2>Proxy agreement</h2>${body}</section>`;
}

const CELL = 78;

function correlationFigure(m: CorrelationMatrix): string {
  const labelWidth = Math.max(90, 8 * Math.max(...m.names.map((s) => s.length)) + 16);
  const size = m.names.length * CELL;
  const legendWidth = 70;
  const width = labelWidth + size + legendWidth + 20;
  const height = 28 + size + 10;
  const parts: string[] = [
    `<svg class="chart-svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Spearman correlation matrix of the proxies">`,
  ];
  m.names.forEach((name, j) => {
    parts.push(`<text class="tick-label strong" x="${labelWidth + j * CELL + CELL / 2}" y="18" text-anchor="middle">${escapeHtml(name)}</text>`);
  });
  m.names.forEach((name, i) => {
    const y = 28 + i * CELL;
    parts.push(`<text class="tick-label strong" x="${labelWidth - 10}" y="${y + CELL / 2}" text-anchor="end" dominant-baseline="middle">${escapeHtml(name)}</text>`);
    m.names.forEach((other, j) => {
      const x = labelWidth + j * CELL;
      const r = m.rho[i]![j]!;
      const fill = r === null ? '#f3f4f6' : divergingColor(r);
      const ink = r !== null && Math.abs(r) > 0.55 ? '#ffffff' : '#1f2937';
      const text = r === null ? 'n/a' : r.toFixed(2);
      const tip = `${name} vs ${other}: ${r === null ? 'not defined' : `ρ = ${r.toFixed(3)}`} over ${formatCount(m.n[i]![j]!)} candidates`;
      parts.push(
        `<g class="corr-cell" data-pair="${escapeHtml(`${name}|${other}`)}"><rect x="${x}" y="${y}" width="${CELL - 2}" height="${CELL - 2}" fill="${fill}" rx="3"><title>${escapeHtml(tip)}</title></rect>`,
        `<text x="${x + CELL / 2 - 1}" y="${y + CELL / 2 - 4}" text-anchor="middle" dominant-baseline="middle" class="corr-value" fill="${ink}">${text}</text>`,
        `<text x="${x + CELL / 2 - 1}" y="${y + CELL / 2 + 14}" text-anchor="middle" class="corr-n" fill="${ink}">n=${m.n[i]![j]}</text></g>`,
      );
    });
  });
  // Colour key from +1 (top) to −1 (bottom).
  const kx = labelWidth + size + 24;
  const steps = 20;
  const keyHeight = size;
  for (let s = 0; s < steps; s++) {
    const r = 1 - (2 * (s + 0.5)) / steps;
    parts.push(`<rect x="${kx}" y="${svgNumber(28 + (s * keyHeight) / steps)}" width="14" height="${svgNumber(keyHeight / steps + 0.5)}" fill="${divergingColor(r)}"/>`);
  }
  for (const [r, label] of [[1, '+1'], [0, '0'], [-1, '−1']] as const) {
    parts.push(`<text class="tick-label" x="${kx + 20}" y="${svgNumber(28 + ((1 - r) / 2) * keyHeight)}" dominant-baseline="middle">${label}</text>`);
  }
  parts.push('</svg>');
  return [
    '<figure class="chart" id="fig-proxies">',
    '<figcaption><h3>Spearman rank correlation between proxies</h3>',
    '<p>ρ between the rankings two proxies give the scored candidates: +1 = identical order, 0 = unrelated, −1 = reversed. n = candidates carrying both values.</p></figcaption>',
    parts.join(''),
    '</figure>',
  ].join('');
}

/** −1 → blue, 0 → white, +1 → red (ColorBrewer RdBu end points). */
export function divergingColor(r: number): string {
  const t = Math.max(-1, Math.min(1, r));
  const [end, white] = [t >= 0 ? [178, 24, 43] : [33, 102, 172], [247, 247, 247]];
  const a = Math.abs(t);
  const mix = white.map((w, k) => Math.round(w + (end[k]! - w) * a));
  return `rgb(${mix.join(',')})`;
}
