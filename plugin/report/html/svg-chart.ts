/**
 * Chart building blocks: a plot area with two linear axes (grid, ticks, labels with units), the
 * figure wrapper with its title, and an HTML legend whose swatches are drawn like the marks.
 */
import { escapeHtml } from './escape.js';
import { formatTick } from './format.js';
import { linearScale, niceTicks, svgNumber, type LinearScale, type NiceTicks } from './scale.js';

export interface ChartLayout {
  readonly width: number;
  readonly height: number;
  readonly margin: { readonly top: number; readonly right: number; readonly bottom: number; readonly left: number };
}

export interface Axes {
  readonly layout: ChartLayout;
  readonly x: LinearScale;
  readonly y: LinearScale;
  readonly xTicks: NiceTicks;
  readonly yTicks: NiceTicks;
  /** Plot area in SVG coordinates. */
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

export const COLORS = {
  // Okabe–Ito: distinguishable with the common colour-vision deficiencies.
  blue: '#0072B2',
  orange: '#E69F00',
  green: '#009E73',
  vermillion: '#D55E00',
  sky: '#56B4E9',
  purple: '#CC79A7',
  grey: '#6b7280',
  ink: '#1f2937',
} as const;

/** Nice-tick axes over the given data ranges; y grows upwards. */
export function makeAxes(layout: ChartLayout, xData: readonly [number, number], yData: readonly [number, number]): Axes {
  const { width, height, margin } = layout;
  const left = margin.left;
  const right = width - margin.right;
  const top = margin.top;
  const bottom = height - margin.bottom;
  const xTicks = niceTicks(xData[0], xData[1], Math.max(2, Math.round((right - left) / 90)));
  const yTicks = niceTicks(yData[0], yData[1], Math.max(2, Math.round((bottom - top) / 55)));
  return {
    layout,
    x: linearScale([xTicks.min, xTicks.max], [left, right]),
    y: linearScale([yTicks.min, yTicks.max], [bottom, top]),
    xTicks,
    yTicks,
    left,
    right,
    top,
    bottom,
  };
}

/** Grid lines, tick marks, tick labels and the two axis titles (which carry the units). */
export function renderAxes(axes: Axes, xLabel: string, yLabel: string): string {
  const { left, right, top, bottom, layout } = axes;
  const parts: string[] = ['<g class="axes">'];
  for (const v of axes.yTicks.values) {
    const y = svgNumber(axes.y.map(v));
    parts.push(`<line class="grid" x1="${left}" x2="${right}" y1="${y}" y2="${y}"/>`);
    parts.push(`<line class="tick" x1="${left - 5}" x2="${left}" y1="${y}" y2="${y}"/>`);
    parts.push(`<text class="tick-label" x="${left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeHtml(formatTick(v, axes.yTicks.step))}</text>`);
  }
  for (const v of axes.xTicks.values) {
    const x = svgNumber(axes.x.map(v));
    parts.push(`<line class="grid" x1="${x}" x2="${x}" y1="${top}" y2="${bottom}"/>`);
    parts.push(`<line class="tick" x1="${x}" x2="${x}" y1="${bottom}" y2="${bottom + 5}"/>`);
    parts.push(`<text class="tick-label" x="${x}" y="${bottom + 18}" text-anchor="middle">${escapeHtml(formatTick(v, axes.xTicks.step))}</text>`);
  }
  parts.push(`<line class="axis" x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}"/>`);
  parts.push(`<line class="axis" x1="${left}" x2="${left}" y1="${top}" y2="${bottom}"/>`);
  parts.push(`<text class="axis-label" x="${svgNumber((left + right) / 2)}" y="${layout.height - 8}" text-anchor="middle">${escapeHtml(xLabel)}</text>`);
  const cy = svgNumber((top + bottom) / 2);
  parts.push(`<text class="axis-label" transform="translate(16 ${cy}) rotate(-90)" text-anchor="middle">${escapeHtml(yLabel)}</text>`);
  parts.push('</g>');
  return parts.join('');
}

/** Opening tag of a chart SVG; `label` is what a screen reader announces. */
export function svgOpen(layout: ChartLayout, label: string): string {
  return `<svg class="chart-svg" viewBox="0 0 ${layout.width} ${layout.height}" width="${layout.width}" height="${layout.height}" role="img" aria-label="${escapeHtml(label)}">`;
}

export interface FigureParts {
  readonly id: string;
  readonly title: string;
  /** One sentence on how to read the chart. */
  readonly caption: string;
  readonly svg: string;
  readonly legend?: readonly LegendItem[];
  /** Extra HTML under the legend (already escaped). */
  readonly after?: string;
}

export function figure(parts: FigureParts): string {
  return [
    `<figure class="chart" id="${escapeHtml(parts.id)}">`,
    `<figcaption><h3>${escapeHtml(parts.title)}</h3><p>${escapeHtml(parts.caption)}</p></figcaption>`,
    parts.svg,
    parts.legend && parts.legend.length > 0 ? legend(parts.legend) : '',
    parts.after ?? '',
    '</figure>',
  ].join('');
}

export type SwatchKind = 'dot' | 'big-dot' | 'ring' | 'line' | 'dashed' | 'cross' | 'step';

export interface LegendItem {
  readonly label: string;
  readonly kind: SwatchKind;
  readonly color: string;
}

function legend(items: readonly LegendItem[]): string {
  const entries = items.map(
    (item) => `<span class="legend-item">${swatch(item.kind, item.color)}${escapeHtml(item.label)}</span>`,
  );
  return `<div class="legend">${entries.join('')}</div>`;
}

function swatch(kind: SwatchKind, color: string): string {
  const body = {
    dot: `<circle cx="11" cy="7" r="3.5" fill="${color}" fill-opacity="0.55" stroke="${color}"/>`,
    'big-dot': `<circle cx="11" cy="7" r="5" fill="${color}" stroke="#1f2937" stroke-width="1"/>`,
    ring: `<circle cx="11" cy="7" r="5.5" fill="none" stroke="${color}" stroke-width="2"/>`,
    line: `<line x1="1" x2="21" y1="7" y2="7" stroke="${color}" stroke-width="2.5"/>`,
    dashed: `<line x1="1" x2="21" y1="7" y2="7" stroke="${color}" stroke-width="2" stroke-dasharray="5 3"/>`,
    cross: `<path d="M7 3 L15 11 M15 3 L7 11" stroke="${color}" stroke-width="2"/>`,
    step: `<path d="M1 11 H9 V3 H21" fill="none" stroke="${color}" stroke-width="2"/>`,
  }[kind];
  return `<svg class="swatch" width="22" height="14" viewBox="0 0 22 14" aria-hidden="true">${body}</svg>`;
}

/** Range of finite values, or null when there is none. */
export function extent(values: readonly number[]): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}

/**
 * Widens a data range by fractions of its span so that marks at the extremes do not sit on the
 * plot frame (where they hide behind the axis or collide with labels drawn above it).
 */
export function padded(range: readonly [number, number], below: number, above: number): [number, number] {
  const span = range[1] - range[0] || Math.abs(range[0]) || 1;
  return [range[0] - below * span, range[1] + above * span];
}
