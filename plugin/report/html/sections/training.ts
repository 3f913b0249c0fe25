/** Final training: loss and accuracy per epoch, train vs validation, and the epoch table. */
import { escapeHtml } from '../escape.js';
import { formatSeconds, formatValue } from '../format.js';
import { numberAt, stringAt } from '../json-fields.js';
import type { EpochRecord, RunData } from '../run-data.js';
import { svgNumber } from '../scale.js';
import { COLORS, extent, figure, makeAxes, padded, renderAxes, svgOpen, type ChartLayout, type LegendItem } from '../svg-chart.js';

export const CURVE_LAYOUT: ChartLayout = { width: 510, height: 300, margin: { top: 20, right: 22, bottom: 50, left: 70 } };

type Series = { readonly key: keyof EpochRecord; readonly label: string; readonly color: string; readonly dashed: boolean };

export function renderTraining(data: RunData): string {
  const history = data.history;
  if (history === null) {
    const status = data.files.find((f) => f.name === 'train-history.json');
    const why = status && status.state !== 'missing' ? `train-history.json ${status.detail ?? 'is unreadable'}` : 'no train-history.json: the final training did not run or did not finish';
    return `<section class="block" id="training"><h2>Final training</h2><p class="missing">${escapeHtml(why)}.</p></section>`;
  }
  if (history.epochs.length === 0) {
    return '<section class="block" id="training"><h2>Final training</h2><p class="missing">train-history.json lists no epoch.</p></section>';
  }
  const testValue = numberAt(data.result, 'metric.value');
  const testName = stringAt(data.result, 'metric.name');
  const testAccuracy = testValue !== null && testName !== null && /accuracy/i.test(testName) ? testValue : null;
  return [
    '<section class="block" id="training"><h2>Final training</h2>',
    '<div class="pair">',
    curve(history.epochs, 'fig-loss', 'Loss per epoch', 'loss (mean over the split)', [
      { key: 'trainLoss', label: 'train', color: COLORS.blue, dashed: false },
      { key: 'valLoss', label: 'validation', color: COLORS.orange, dashed: true },
    ], null),
    curve(history.epochs, 'fig-accuracy', 'Accuracy per epoch', 'accuracy (fraction correct)', [
      { key: 'trainAccuracy', label: 'train', color: COLORS.blue, dashed: false },
      { key: 'valAccuracy', label: 'validation', color: COLORS.orange, dashed: true },
    ], testAccuracy),
    '</div>',
    epochTable(history.epochs),
    '</section>',
  ].join('');
}

function curve(epochs: readonly EpochRecord[], id: string, title: string, yLabel: string, series: readonly Series[], test: number | null): string {
  const values = epochs.flatMap((e) => series.map((s) => e[s.key])).filter((v): v is number => v !== null);
  if (test !== null) values.push(test);
  const yExtent = extent(values);
  if (yExtent === null) return `<p class="missing">${escapeHtml(title)}: no values recorded.</p>`;
  // Epochs are 0-based in the history; people count them from 1.
  const xs = epochs.map((e) => e.epoch + 1);
  const axes = makeAxes(CURVE_LAYOUT, [Math.min(1, ...xs) - (xs.length === 1 ? 1 : 0), Math.max(...xs)], withinUnit(yExtent));
  const marks: string[] = [];
  const legend: LegendItem[] = [];
  for (const s of series) {
    const points = epochs.filter((e) => e[s.key] !== null).map((e) => [axes.x.map(e.epoch + 1), axes.y.map(e[s.key] as number)] as const);
    if (points.length === 0) continue;
    const d = points.map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${svgNumber(x)} ${svgNumber(y)}`).join(' ');
    marks.push(`<path class="series" data-series="${s.key}" d="${d}" fill="none" stroke="${s.color}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="7 4"' : ''}/>`);
    for (const [x, y] of points) marks.push(`<circle cx="${svgNumber(x)}" cy="${svgNumber(y)}" r="3" fill="${s.color}"/>`);
    legend.push({ label: s.label, kind: s.dashed ? 'dashed' : 'line', color: s.color });
  }
  if (test !== null) {
    const y = svgNumber(axes.y.map(test));
    marks.push(
      `<line class="test-line" x1="${axes.left}" x2="${axes.right}" y1="${y}" y2="${y}" stroke="${COLORS.green}" stroke-width="1.5" stroke-dasharray="2 3"/>`,
      `<text class="point-label" x="${axes.left + 6}" y="${svgNumber(+y - 6)}">test ${escapeHtml(formatValue(test))}</text>`,
    );
    legend.push({ label: 'test (after training)', kind: 'dashed', color: COLORS.green });
  }
  return figure({
    id,
    title,
    caption: `${epochs.length} epoch${epochs.length > 1 ? 's' : ''}; validation is measured after each epoch.`,
    svg: `${svgOpen(CURVE_LAYOUT, title)}${renderAxes(axes, 'epoch', yLabel)}${marks.join('')}</svg>`,
    legend,
  });
}

function epochTable(epochs: readonly EpochRecord[]): string {
  const cell = (v: number | null) => `<td class="num">${escapeHtml(formatValue(v))}</td>`;
  const rows = epochs.map(
    (e) =>
      `<tr><td class="num">${e.epoch + 1}</td>${cell(e.trainLoss)}${cell(e.valLoss)}${cell(e.trainAccuracy)}${cell(e.valAccuracy)}${cell(e.lr)}<td class="num">${escapeHtml(formatSeconds(e.seconds))}</td>${cell(e.imagesPerSecond === null ? null : Math.round(e.imagesPerSecond))}</tr>`,
  );
  return [
    '<details class="epochs"><summary>Epoch table</summary><table>',
    '<thead><tr><th class="num">epoch</th><th class="num">train loss</th><th class="num">val loss</th><th class="num">train acc.</th><th class="num">val acc.</th><th class="num">learning rate</th><th class="num">time</th><th class="num">images/s</th></tr></thead>',
    `<tbody>${rows.join('')}</tbody></table></details>`,
  ].join('');
}

/** Padded so no point sits on the frame, but accuracies (and losses) below 1 never get an axis past 1 or below 0. */
function withinUnit(range: readonly [number, number]): [number, number] {
  const [lo, hi] = padded(range, 0.04, 0.04);
  const unit = range[0] >= 0 && range[1] <= 1;
  return unit ? [Math.max(0, lo), Math.min(1, hi)] : [lo, hi];
}
