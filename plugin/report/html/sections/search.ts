/**
 * The search: best fitness so far per evaluation, cost-vs-fitness scatters with budget lines and
 * the Pareto front, and the failed candidates grouped by reason.
 */
import { escapeHtml } from '../escape.js';
import type { RunFacts } from '../facts.js';
import { formatCount, formatSi, formatValue } from '../format.js';
import { paretoFront } from '../pareto.js';
import type { CandidateRecord, RunData } from '../run-data.js';
import { svgNumber } from '../scale.js';
import { COLORS, extent, figure, makeAxes, padded, renderAxes, svgOpen, type Axes, type ChartLayout, type LegendItem } from '../svg-chart.js';

export const PROGRESS_LAYOUT: ChartLayout = { width: 1040, height: 320, margin: { top: 18, right: 24, bottom: 50, left: 78 } };
export const SCATTER_LAYOUT: ChartLayout = { width: 510, height: 350, margin: { top: 22, right: 22, bottom: 50, left: 78 } };

export type CostAxis = 'params' | 'flops';

const COST_LABEL: Readonly<Record<CostAxis, string>> = {
  params: 'trainable parameters (count)',
  flops: 'FLOPs per input (2×MACs)',
};

export function renderSearch(data: RunData, facts: RunFacts): string {
  const candidates = data.candidates;
  if (data.kind === 'train') {
    return section('Search', '<p class="ok-note">This run trained a given architecture (<code>hgnas train</code>): there was no search.</p>');
  }
  if (candidates === null) {
    return section('Search', '<p class="missing">No candidates.jsonl: the search progress and cost/fitness plots cannot be drawn.</p>');
  }
  const scored = candidates.filter((c) => c.ok);
  if (scored.length === 0) {
    return section('Search', `<p class="missing">No candidate was scored successfully (${formatCount(candidates.length)} recorded).</p>${failures(candidates)}`);
  }
  const fitness = fitnessLabel(facts);
  return section(
    'Search',
    [
      progressChart(candidates, fitness),
      '<div class="pair">',
      scatter(scored, 'params', facts.budgetParams?.value ?? null, facts.winnerId, fitness),
      scatter(scored, 'flops', facts.budgetFlops?.value ?? null, facts.winnerId, fitness),
      '</div>',
      failures(candidates),
    ].join(''),
  );
}

function section(title: string, body: string): string {
  return `<section class="block" id="search"><h2>${escapeHtml(title)}</h2>${body}</section>`;
}

function fitnessLabel(facts: RunFacts): string {
  return `fitness${facts.fitnessName ? `: ${facts.fitnessName}` : ''} (proxy score, higher is better)`;
}

function progressChart(candidates: readonly CandidateRecord[], fitnessText: string): string {
  const scored = candidates.filter((c) => c.ok);
  const yExtent = extent(scored.map((c) => c.fitness!))!;
  const axes = makeAxes(PROGRESS_LAYOUT, [0, candidates.length + 0.5], padded(yExtent, 0.06, 0.06));
  const marks: string[] = [];
  // Best so far as a step line: flat until a candidate beats it, then a jump.
  let best = -Infinity;
  const path: string[] = [];
  for (const c of candidates) {
    if (!c.ok || c.fitness! <= best) continue;
    const x = svgNumber(axes.x.map(c.index));
    const y = svgNumber(axes.y.map(c.fitness!));
    path.push(path.length === 0 ? `M${x} ${y}` : `H${x} V${y}`);
    best = c.fitness!;
  }
  path.push(`H${svgNumber(axes.x.map(candidates.length))}`);
  marks.push(`<path class="best-line" d="${path.join(' ')}" fill="none" stroke="${COLORS.vermillion}" stroke-width="2.5"/>`);
  for (const c of candidates) {
    const x = svgNumber(axes.x.map(c.index));
    if (c.ok) {
      marks.push(
        `<circle class="dot" data-id="${c.id}" cx="${x}" cy="${svgNumber(axes.y.map(c.fitness!))}" r="3.5" fill="${COLORS.blue}" fill-opacity="0.5" stroke="${COLORS.blue}"><title>${escapeHtml(`evaluation ${c.index} · candidate #${c.id} · fitness ${formatValue(c.fitness)}`)}</title></circle>`,
      );
    } else {
      const y = axes.bottom - 7;
      marks.push(
        `<path class="failed-mark" d="M${svgNumber(+x - 4)} ${y - 4} L${svgNumber(+x + 4)} ${y + 4} M${svgNumber(+x + 4)} ${y - 4} L${svgNumber(+x - 4)} ${y + 4}" stroke="${COLORS.vermillion}" stroke-width="2"><title>${escapeHtml(`evaluation ${c.index} · candidate #${c.id} failed: ${c.reason ?? 'no reason given'}`)}</title></path>`,
      );
    }
  }
  const failed = candidates.length - scored.length;
  const legend: LegendItem[] = [
    { label: 'scored candidate', kind: 'dot', color: COLORS.blue },
    { label: 'best fitness so far', kind: 'step', color: COLORS.vermillion },
  ];
  if (failed > 0) legend.push({ label: 'failed candidate (no fitness)', kind: 'cross', color: COLORS.vermillion });
  return figure({
    id: 'fig-progress',
    title: 'Search progress',
    caption: `Fitness of each of the ${formatCount(candidates.length)} evaluated candidates in the order they were scored, and the best so far.`,
    svg: `${svgOpen(PROGRESS_LAYOUT, 'best fitness so far against evaluation index')}${renderAxes(axes, 'evaluation (candidates scored so far)', fitnessText)}${marks.join('')}</svg>`,
    legend,
  });
}

/**
 * The scales of a cost/fitness scatter: cost from 0 to 3 % past the larger of the costliest
 * candidate and the budget (so the budget line is always inside, and no point sits on the
 * frame), fitness over its range widened by 6 % each side.
 */
export function scatterAxes(scored: readonly CandidateRecord[], cost: CostAxis, budget: number | null): Axes {
  const costs = scored.map((c) => c[cost]).filter((v): v is number => v !== null);
  const maxCost = Math.max(0, ...costs, budget ?? 0);
  return makeAxes(SCATTER_LAYOUT, padded([0, maxCost], 0, 0.03), padded(extent(scored.map((c) => c.fitness!))!, 0.06, 0.06));
}

/** Candidates (with a cost) on the front of "max fitness, min cost", cheapest first. */
export function frontMembers(scored: readonly CandidateRecord[], cost: CostAxis): CandidateRecord[] {
  const withCost = scored.filter((c) => c[cost] !== null);
  return paretoFront(withCost.map((c) => ({ cost: c[cost]!, fitness: c.fitness! }))).map((i) => withCost[i]!);
}

function scatter(scored: readonly CandidateRecord[], cost: CostAxis, budget: number | null, winnerId: number | null, fitnessText: string): string {
  const axes = scatterAxes(scored, cost, budget);
  const withCost = scored.filter((c) => c[cost] !== null);
  const front = frontMembers(scored, cost);
  const onFront = new Set(front);
  const marks: string[] = [];
  const pt = (c: CandidateRecord) => ({ x: axes.x.map(c[cost]!), y: axes.y.map(c.fitness!) });
  if (budget !== null) {
    const x = svgNumber(axes.x.map(budget));
    marks.push(
      `<line class="budget" data-value="${budget}" x1="${x}" x2="${x}" y1="${axes.top}" y2="${axes.bottom}" stroke="${COLORS.ink}" stroke-width="1.5" stroke-dasharray="6 4"/>`,
      // Above the plot area, where no point can sit under it.
      `<text class="budget-label" x="${x}" y="${axes.top - 7}" text-anchor="${+x > axes.right - 40 ? 'end' : 'middle'}">budget ${escapeHtml(formatSi(budget))}</text>`,
    );
  }
  // The front as a staircase: the best fitness reachable at or below each cost.
  if (front.length > 0) {
    const steps = front.map((c, k) => {
      const p = pt(c);
      return k === 0 ? `M${svgNumber(p.x)} ${svgNumber(p.y)}` : `H${svgNumber(p.x)} V${svgNumber(p.y)}`;
    });
    marks.push(`<path class="pareto-line" d="${steps.join(' ')}" fill="none" stroke="${COLORS.orange}" stroke-width="2"/>`);
  }
  for (const c of withCost) {
    if (onFront.has(c)) continue;
    const p = pt(c);
    marks.push(`<circle class="cand" data-id="${c.id}" cx="${svgNumber(p.x)}" cy="${svgNumber(p.y)}" r="3.5" fill="${COLORS.blue}" fill-opacity="0.45" stroke="${COLORS.blue}">${pointTitle(c, cost)}</circle>`);
  }
  for (const c of front) {
    const p = pt(c);
    marks.push(`<circle class="cand pareto" data-id="${c.id}" cx="${svgNumber(p.x)}" cy="${svgNumber(p.y)}" r="5" fill="${COLORS.orange}" stroke="${COLORS.ink}" stroke-width="1">${pointTitle(c, cost)}</circle>`);
  }
  const winner = withCost.find((c) => c.id === winnerId);
  if (winner) {
    const p = pt(winner);
    marks.push(
      `<circle class="winner" data-id="${winner.id}" cx="${svgNumber(p.x)}" cy="${svgNumber(p.y)}" r="9" fill="none" stroke="${COLORS.green}" stroke-width="2.5"/>`,
      `<text class="point-label" x="${svgNumber(p.x + (p.x > axes.right - 95 ? -12 : 12))}" y="${svgNumber(p.y + 4)}" text-anchor="${p.x > axes.right - 95 ? 'end' : 'start'}">winner #${winner.id}</text>`,
    );
  }
  const legend: LegendItem[] = [
    { label: 'candidate', kind: 'dot', color: COLORS.blue },
    { label: 'Pareto front (max fitness, min cost)', kind: 'big-dot', color: COLORS.orange },
  ];
  if (budget !== null) legend.push({ label: 'budget', kind: 'dashed', color: COLORS.ink });
  if (winner) legend.push({ label: 'winner', kind: 'ring', color: COLORS.green });
  const missing = scored.length - withCost.length;
  const title = cost === 'params' ? 'Parameters vs fitness' : 'FLOPs vs fitness';
  return figure({
    id: `fig-${cost}`,
    title,
    caption: `${formatCount(withCost.length)} scored candidates${missing > 0 ? ` (${missing} without a recorded ${cost} count left out)` : ''}; ${front.length} on the Pareto front.`,
    svg: `${svgOpen(SCATTER_LAYOUT, `${title}, with the budget and the Pareto front`)}${renderAxes(axes, COST_LABEL[cost], fitnessText)}${marks.join('')}</svg>`,
    legend,
    after: frontList(front, cost),
  });
}

function pointTitle(c: CandidateRecord, cost: CostAxis): string {
  const value = cost === 'params' ? formatCount(c[cost]!) : formatSi(c[cost]!);
  return `<title>${escapeHtml(`candidate #${c.id} · ${cost} ${value} · fitness ${formatValue(c.fitness)}`)}</title>`;
}

function frontList(front: readonly CandidateRecord[], cost: CostAxis): string {
  const items = front.map(
    (c) => `<li data-id="${c.id}">#${c.id}: ${escapeHtml(cost === 'params' ? formatCount(c[cost]!) : formatSi(c[cost]!))} → ${escapeHtml(formatValue(c.fitness))}</li>`,
  );
  return `<details class="front"><summary>Pareto front members (${front.length})</summary><ol>${items.join('')}</ol></details>`;
}

function failures(candidates: readonly CandidateRecord[]): string {
  const failed = candidates.filter((c) => !c.ok);
  if (failed.length === 0) return '<p class="ok-note" id="failed">No candidate failed.</p>';
  const groups = new Map<string, number[]>();
  for (const c of failed) {
    const reason = c.reason ?? 'no reason given';
    groups.set(reason, [...(groups.get(reason) ?? []), c.id]);
  }
  const rows = [...groups.entries()]
    .sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))
    .map(([reason, ids]) => {
      const shown = ids.slice(0, 24).map((id) => `#${id}`).join(', ') + (ids.length > 24 ? `, … ${ids.length - 24} more` : '');
      return `<tr><td class="num">${ids.length}</td><td><code>${escapeHtml(reason)}</code></td><td>${escapeHtml(shown)}</td></tr>`;
    });
  return [
    `<div class="failures" id="failed"><h3>Failed candidates (${failed.length} of ${candidates.length})</h3>`,
    '<table><thead><tr><th class="num">count</th><th>reason</th><th>candidates</th></tr></thead>',
    `<tbody>${rows.join('')}</tbody></table></div>`,
  ].join('');
}
