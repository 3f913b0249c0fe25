/** The header: what the run found, what it cost and where it ran, as cards. */
import { escapeHtml } from '../escape.js';
import type { RunFacts, Sourced } from '../facts.js';
import { formatCount, formatPercent, formatSeconds, formatSi, formatValue } from '../format.js';
import { asObject, at, numberAt, numberRecord, stringAt, stringRecord } from '../json-fields.js';
import type { RunData } from '../run-data.js';
import { COLORS } from '../svg-chart.js';

export function renderSummary(data: RunData, facts: RunFacts): string {
  return [
    '<section class="summary" aria-label="Run summary">',
    metricCard(data),
    budgetCard('Parameters', facts.winnerParams, facts.budgetParams, formatCount),
    budgetCard('FLOPs (2×MACs per input)', facts.winnerFlops, facts.budgetFlops, (n) => formatSi(n, 3)),
    searchCard(data, facts),
    costCard(data),
    environmentCard(data, facts),
    '</section>',
  ].join('');
}

function card(title: string, body: string, extraClass = ''): string {
  return `<div class="card ${extraClass}"><h2 class="card-title">${escapeHtml(title)}</h2>${body}</div>`;
}

function row(label: string, value: string): string {
  return `<div class="kv"><span class="k">${escapeHtml(label)}</span><span class="v">${value}</span></div>`;
}

function source(s: Sourced<unknown> | null): string {
  return s && s.source !== 'result.json' ? ` <span class="src">(from ${escapeHtml(s.source)})</span>` : '';
}

function metricCard(data: RunData): string {
  const value = numberAt(data.result, 'metric.value');
  if (value === null) {
    return card('Test metric', '<div class="big muted">not available</div><p class="sub">result.json is missing or has no metric: the run did not finish its final training and test.</p>', 'metric');
  }
  const name = stringAt(data.result, 'metric.name') ?? 'metric';
  const direction = stringAt(data.result, 'metric.direction');
  const split = stringAt(data.result, 'metric.split') ?? 'test';
  const arrow = direction === 'max' ? '↑ higher is better' : direction === 'min' ? '↓ lower is better' : 'direction unknown';
  const asPercent = /accuracy/i.test(name) && value >= 0 && value <= 1 ? ` <span class="sub">(${formatPercent(value, 2)})</span>` : '';
  return card(
    `Test ${name}`,
    `<div class="big">${escapeHtml(formatValue(value))}${asPercent}</div><p class="sub">${escapeHtml(arrow)} · ${escapeHtml(split)} split</p>`,
    'metric',
  );
}

function budgetCard(title: string, used: Sourced<number> | null, budget: Sourced<number> | null, fmt: (n: number) => string): string {
  if (used === null) return card(title, '<div class="big muted">—</div><p class="sub">no winner recorded yet</p>');
  const parts = [`<div class="big">${escapeHtml(fmt(used.value))}${source(used)}</div>`];
  if (budget !== null && budget.value > 0) {
    const fraction = used.value / budget.value;
    const over = fraction > 1;
    parts.push(
      `<div class="meter" role="img" aria-label="${escapeHtml(formatPercent(fraction))} of the budget"><div class="meter-fill${over ? ' over' : ''}" style="width:${Math.min(100, fraction * 100).toFixed(1)}%"></div></div>`,
      `<p class="sub">${escapeHtml(formatPercent(fraction))} of the ${escapeHtml(fmt(budget.value))} budget${source(budget)}${over ? ' — <strong>over budget</strong>' : ''}</p>`,
    );
  } else {
    parts.push('<p class="sub">no budget set</p>');
  }
  return card(title, parts.join(''));
}

function searchCard(data: RunData, facts: RunFacts): string {
  const { result, candidates, searchState } = data;
  if (data.kind === 'train') return card('Search', '<div class="big muted">none</div><p class="sub">hgnas train: a given architecture was trained</p>');
  const rows: string[] = [];
  rows.push(row('method', facts.method ? `${escapeHtml(facts.method.value)}${source(facts.method)}` : '—'));
  rows.push(row('fitness', facts.fitnessName ? escapeHtml(facts.fitnessName) : '—'));
  const fromCandidates = candidates ? { evaluated: candidates.length, failed: candidates.filter((c) => !c.ok).length } : null;
  const evaluated = numberAt(result, 'search.evaluations') ?? numberAt(searchState, 'evaluated') ?? fromCandidates?.evaluated ?? null;
  const failed = numberAt(result, 'search.failed') ?? numberAt(searchState, 'failed') ?? fromCandidates?.failed ?? null;
  rows.push(row('evaluated', evaluated === null ? '—' : escapeHtml(formatCount(evaluated))));
  rows.push(row('failed', failed === null ? '—' : `<span class="${failed > 0 ? 'warn' : ''}">${escapeHtml(formatCount(failed))}</span>`));
  const rejected = numberAt(result, 'search.rejectedOverBudget') ?? numberAt(searchState, 'state.rejectedOverBudget');
  if (rejected !== null) rows.push(row('over-budget draws', `${escapeHtml(formatCount(rejected))} rejected before scoring`));
  const stoppedBy = stringAt(result, 'search.stoppedBy');
  if (stoppedBy !== null) rows.push(row('stopped by', escapeHtml(stoppedBy)));
  const best = numberAt(result, 'search.bestFitness') ?? bestFitness(data);
  if (best !== null) rows.push(row('best fitness', `${escapeHtml(formatValue(best))}${facts.winnerId !== null ? ` <span class="src">(winner #${escapeHtml(String(facts.winnerId))})</span>` : ''}`));
  if (result === null && candidates !== null) rows.push('<p class="sub">no result.json: counts come from the search files</p>');
  return card('Search', rows.join(''));
}

function bestFitness(data: RunData): number | null {
  let best: number | null = null;
  for (const c of data.candidates ?? []) if (c.fitness !== null && (best === null || c.fitness > best)) best = c.fitness;
  return best;
}

const COST_PARTS = [
  { key: 'pretrainSeconds', label: 'pretraining', color: COLORS.purple },
  { key: 'searchSeconds', label: 'search', color: COLORS.blue },
  { key: 'rerankSeconds', label: 're-rank', color: COLORS.green },
  { key: 'trainSeconds', label: 'final training', color: COLORS.orange },
] as const;

function costCard(data: RunData): string {
  const costs = numberRecord(at(data.result, 'costs'));
  const total = costs.totalSeconds ?? null;
  if (Object.keys(costs).length === 0) {
    const wall = data.history?.seconds ?? null;
    return card('Time', `<div class="big muted">—</div><p class="sub">no costs recorded (result.json missing)${wall !== null ? `; training so far ${escapeHtml(formatSeconds(wall))}` : ''}</p>`);
  }
  const parts = COST_PARTS.map((p) => ({ ...p, seconds: costs[p.key] ?? 0 })).filter((p) => p.seconds > 0);
  const accounted = parts.reduce((s, p) => s + p.seconds, 0);
  const whole = Math.max(total ?? 0, accounted);
  const other = whole - accounted;
  const segments = parts.map(
    (p) => `<div class="seg" style="width:${((p.seconds / whole) * 100).toFixed(2)}%;background:${p.color}" title="${escapeHtml(`${p.label}: ${formatSeconds(p.seconds)}`)}"></div>`,
  );
  if (other > 0.5) segments.push(`<div class="seg" style="width:${((other / whole) * 100).toFixed(2)}%;background:#d1d5db" title="${escapeHtml(`other: ${formatSeconds(other)}`)}"></div>`);
  const legend = parts
    .map((p) => `<span class="legend-item"><span class="box" style="background:${p.color}"></span>${escapeHtml(p.label)} ${escapeHtml(formatSeconds(p.seconds))}</span>`)
    .concat(other > 0.5 ? [`<span class="legend-item"><span class="box" style="background:#d1d5db"></span>other (data, setup) ${escapeHtml(formatSeconds(other))}</span>`] : []);
  return card(
    'Time',
    `<div class="big">${escapeHtml(formatSeconds(whole))}</div><div class="stack" role="img" aria-label="time split">${segments.join('')}</div><div class="legend small">${legend.join('')}</div>`,
  );
}

function environmentCard(data: RunData, facts: RunFacts): string {
  const { result } = data;
  const rows: string[] = [];
  if (facts.task !== null) rows.push(row('task', escapeHtml(facts.task)));
  const backend = asObject(at(result, 'backend'));
  if (backend) {
    const name = stringAt(backend, 'name') ?? '?';
    const detail = stringAt(backend, 'detail');
    const pkg = [stringAt(backend, 'package'), stringAt(backend, 'version')].filter((s) => s !== null).join(' ');
    rows.push(row('backend', `${escapeHtml(name)}${detail ? ` <span class="src">(${escapeHtml(detail)})</span>` : ''}${pkg ? `<br><span class="src">${escapeHtml(pkg)}</span>` : ''}`));
  } else {
    const wanted = stringAt(data.recipe, 'runtime.backend');
    if (wanted !== null) rows.push(row('backend', `${escapeHtml(wanted)} <span class="src">(requested in the recipe)</span>`));
  }
  const workers = numberAt(result, 'workers') ?? numberAt(data.recipe, 'runtime.workers');
  if (workers !== null) rows.push(row('workers', escapeHtml(String(workers))));
  if (facts.seed !== null) rows.push(row('seed', `${escapeHtml(String(facts.seed.value))}${source(facts.seed)}`));
  const versions = stringRecord(at(result, 'versions'));
  const versionText = Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(' · ');
  if (versionText) rows.push(row('versions', escapeHtml(versionText)));
  const split = asObject(at(result, 'split'));
  if (split) {
    const counts = ['train', 'val', 'test'].map((k) => `${formatCount(numberAt(split, k) ?? NaN)} ${k}`).join(' / ');
    rows.push(row('data', `${escapeHtml(counts)}${stringAt(split, 'source') ? `<br><span class="src">${escapeHtml(stringAt(split, 'source')!)}</span>` : ''}`));
  }
  const started = stringAt(result, 'startedAt');
  const finished = stringAt(result, 'finishedAt');
  if (started && finished) rows.push(row('ran', `${escapeHtml(started)} → ${escapeHtml(finished)}`));
  return card('Environment', rows.length > 0 ? rows.join('') : '<p class="sub">nothing recorded</p>');
}
