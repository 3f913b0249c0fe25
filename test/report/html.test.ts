/**
 * report.html on synthetic run directories whose candidates were chosen by hand, so the Pareto
 * fronts, the budget-line positions, the rank correlations and the summary figures below are
 * worked out in the comments, not read back from the code.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerReportCommand } from '../../plugin/cli/commands/report.js';
import { InputError } from '../../plugin/errors.js';
import { generateRunReport, loadRunData, writeRunReport } from '../../plugin/report/html/index.js';
import { paretoFront } from '../../plugin/report/html/pareto.js';
import { averageRanks, spearmanRank } from '../../plugin/report/html/rank.js';
import { niceTicks, svgNumber } from '../../plugin/report/html/scale.js';
import { proxyCorrelations } from '../../plugin/report/html/sections/proxies.js';
import { SCATTER_LAYOUT, scatterAxes } from '../../plugin/report/html/sections/search.js';

const EVIL = '<script>alert(1)</script> loss is NaN';

interface Cand {
  id: number;
  params: number;
  flops: number;
  fitness: number | null;
  reason?: string;
}

/**
 * Scored in this order (file order = evaluation index 1..9). ok candidates, (params, FLOPs, fitness):
 *   #0 (10 k, 2.0 M, 10)  #1 (20 k, 1.0 M, 30)  #2 (30 k, 3.0 M, 25)
 *   #3 (40 k, 2.5 M, 50)  #4 (75 k, 4.0 M, 50)  #5 (15 k, 1.5 M, 5)
 * failed: #6 and #8 with EVIL, #7 with "timeout".
 */
const CANDIDATES: Cand[] = [
  { id: 0, params: 10_000, flops: 2_000_000, fitness: 10 },
  { id: 1, params: 20_000, flops: 1_000_000, fitness: 30 },
  { id: 6, params: 5_000, flops: 500_000, fitness: null, reason: EVIL },
  { id: 2, params: 30_000, flops: 3_000_000, fitness: 25 },
  { id: 3, params: 40_000, flops: 2_500_000, fitness: 50 },
  { id: 7, params: 12_000, flops: 900_000, fitness: null, reason: 'timeout' },
  { id: 4, params: 75_000, flops: 4_000_000, fitness: 50 },
  { id: 5, params: 15_000, flops: 1_500_000, fitness: 5 },
  { id: 8, params: 8_000, flops: 700_000, fitness: null, reason: EVIL },
];

/** One stage; n1 = conv/k3 <- in, n2 = sep_conv/k5 <- in, n1; out <- in, n2; n3..n6 isolated. */
const ARCH = {
  format: 'hgnas/arch@1',
  input: { height: 28, width: 28, channels: 1 },
  numClasses: 10,
  stemStride: 1,
  se: false,
  headWidth: 16,
  stages: [
    {
      channels: 8,
      stride: 2,
      repeats: 1,
      cell: {
        nodes: [
          { op: 'conv', kernel: 3, inputs: ['in'] },
          { op: 'sep_conv', kernel: 5, inputs: ['in', 'n1'] },
          { op: 'avg_pool', kernel: 3, inputs: [] },
          { op: 'dil_conv', kernel: 3, inputs: [] },
          { op: 'mbconv_e3', kernel: 3, inputs: [] },
          { op: 'conv', kernel: 1, inputs: [] },
        ],
        output: ['in', 'n2'],
      },
    },
  ],
  meta: { candidateId: 3 },
};

const RESULT = {
  format: 'hgnas/result@1',
  name: 'synthetic <b>run</b>',
  task: 'mnist',
  metric: { name: 'accuracy', value: 0.9123, direction: 'max', split: 'test' },
  params: 40_000,
  flops: 2_500_000,
  budget: { params: 60_000, flops: 3_500_000 },
  search: {
    method: 'random', fitness: 'a', evaluations: 9, failed: 3, failureReasons: {}, rejectedOverBudget: 17,
    proxySeconds: 80, wallSeconds: 90, stoppedBy: 'evaluations', bestFitness: 50, winnerCandidateId: 3,
  },
  costs: { pretrainSeconds: 0, searchSeconds: 90, rerankSeconds: 0, trainSeconds: 150, totalSeconds: 250 },
  seed: 7,
  backend: { name: 'wasm', package: '@tensorflow/tfjs-backend-wasm', version: '4.22.0', detail: 'wasm SIMD, 1 thread' },
  workers: 2,
  versions: { hgnas: '0.1.0', node: 'v20.0.0', tfjs: '4.22.0' },
};

const HISTORY = {
  epochs: [0, 1, 2].map((epoch) => ({
    epoch, trainLoss: 1 - 0.3 * epoch, trainAccuracy: 0.6 + 0.1 * epoch, valLoss: 1.1 - 0.3 * epoch, valAccuracy: 0.55 + 0.1 * epoch,
    lr: 0.05, seconds: 10, imagesPerSecond: 100,
  })),
  totalSteps: 30,
  seconds: 30,
};

/** Proxies of an ok candidate: a = fitness, b = −fitness, c = params. */
function candidateLine(c: Cand): string {
  const ok = c.fitness !== null;
  return JSON.stringify({
    id: c.id, fingerprint: `fp${c.id}`, origin: 'random', parentId: null, ok,
    fitness: c.fitness, proxies: ok ? { a: c.fitness, b: -c.fitness!, c: c.params } : {},
    reason: c.reason ?? null, params: c.params, flops: c.flops, seconds: 1, arch: ARCH,
  });
}

const RECIPE = 'version: 1\nname: synthetic\nseed: 7\ntask:\n  id: mnist\nconstraints:\n  params: 60000\n  flops: 3500000\nsearch:\n  method: random\n  fitness: auto\n';

type FileName = 'recipe.resolved.yaml' | 'candidates.jsonl' | 'search-state.json' | 'best.arch.json' | 'train-history.json' | 'result.json';

function runDirWith(overrides: Partial<Record<FileName, string | null>> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'hgnas-report-'));
  const files: Record<FileName, string | null> = {
    'recipe.resolved.yaml': RECIPE,
    'candidates.jsonl': CANDIDATES.map(candidateLine).join('\n') + '\n',
    'search-state.json': JSON.stringify({ method: 'random', state: {}, evaluated: 9, failed: 3 }),
    'best.arch.json': JSON.stringify(ARCH),
    'train-history.json': JSON.stringify(HISTORY),
    'result.json': JSON.stringify(RESULT),
    ...overrides,
  };
  for (const [name, text] of Object.entries(files)) if (text !== null) writeFileSync(join(dir, name), text);
  return dir;
}

/** The markup of one <figure id=…>. */
function figureOf(html: string, id: string): string {
  const start = html.indexOf(`<figure class="chart" id="${id}"`);
  expect(start, `figure ${id}`).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf('</figure>', start));
}

function count(text: string, pattern: RegExp): number {
  return (text.match(pattern) ?? []).length;
}

function ids(text: string, pattern: RegExp): number[] {
  return [...text.matchAll(pattern)].map((m) => Number(m[1]));
}

describe('report.html of a complete run', () => {
  const dir = runDirWith();
  const path = writeRunReport(dir);
  const html = readFileSync(path, 'utf8');

  it('is written as <run-dir>/report.html', () => {
    expect(path).toBe(join(dir, 'report.html'));
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
  });

  it('summarises metric, costs against budgets, search, time split and environment', () => {
    expect(html).toContain('0.9123');
    expect(html).toContain('91.23 %');
    expect(html).toContain('↑ higher is better');
    expect(html).toContain('40,000'); // params
    expect(html).toContain('66.7 %'); // 40 000 / 60 000
    expect(html).toContain('60,000 budget');
    expect(html).toContain('2.5 M'); // FLOPs
    expect(html).toContain('71.4 %'); // 2.5 M / 3.5 M = 0.714…
    expect(html).toMatch(/evaluated<\/span><span class="v">9</);
    expect(html).toMatch(/failed<\/span><span class="v"><span class="warn">3</);
    expect(html).toContain('17 rejected before scoring');
    expect(html).toContain('search 1 min 30 s');
    expect(html).toContain('final training 2 min 30 s');
    expect(html).toContain('4 min 10 s'); // total; 10 s not in search or training shows as "other"
    expect(html).toContain('other (data, setup) 10 s');
    expect(html).toContain('wasm SIMD, 1 thread');
    expect(html).toMatch(/seed<\/span><span class="v">7</);
    expect(html).toContain('hgnas 0.1.0 · node v20.0.0 · tfjs 4.22.0');
  });

  it('draws one dot per scored candidate, a cross per failed one and the best-so-far steps', () => {
    const fig = figureOf(html, 'fig-progress');
    expect(count(fig, /<circle class="dot"/g)).toBe(6);
    expect(count(fig, /class="failed-mark"/g)).toBe(3);
    // Best so far: 10 at evaluation 1, 30 at 2, 50 at 5 (#4's 50 at 7 does not beat it): two jumps.
    const path = /class="best-line" d="([^"]+)"/.exec(fig)![1]!;
    expect(count(path, /V/g)).toBe(2);
  });

  it('highlights the Pareto fronts worked out by hand', () => {
    // Params: by cost 10k:10 ✓, 15k:5 ✗, 20k:30 ✓, 30k:25 ✗, 40k:50 ✓, 75k:50 ✗ (ties #3 at more cost).
    const params = figureOf(html, 'fig-params');
    expect(count(params, /<circle class="cand/g)).toBe(6);
    expect(ids(params, /<circle class="cand pareto" data-id="(\d+)"/g).sort()).toEqual([0, 1, 3]);
    // FLOPs: 1.0M:30 ✓, 1.5M:5 ✗, 2.0M:10 ✗, 2.5M:50 ✓, 3.0M:25 ✗, 4.0M:50 ✗.
    const flops = figureOf(html, 'fig-flops');
    expect(count(flops, /<circle class="cand/g)).toBe(6);
    expect(ids(flops, /<circle class="cand pareto" data-id="(\d+)"/g).sort()).toEqual([1, 3]);
    expect(ids(params, /<circle class="winner" data-id="(\d+)"/g)).toEqual([3]);
  });

  it('puts the dashed budget lines where the axis maps the budget', () => {
    // Plot area x: 78 … 510 − 22 = 488 (410 px). Params axis: 0 … 75 k + 3 % = 77.25 k with
    // ≈410/90 ≈ 5 intervals → raw step 15.45 k → nice step 20 k → domain [0, 80 k]; 60 k sits at
    // 78 + 0.75·410 = 385.5.
    expect(SCATTER_LAYOUT.margin.left).toBe(78);
    const scored = loadRunData(dir).candidates!.filter((c) => c.ok);
    const paramsAxis = scatterAxes(scored, 'params', 60_000);
    expect(paramsAxis.x.domain).toEqual([0, 80_000]);
    expect(paramsAxis.x.map(60_000)).toBe(385.5);
    const params = figureOf(html, 'fig-params');
    expect(params).toMatch(/<line class="budget" data-value="60000" x1="385.5" x2="385.5"[^>]*stroke-dasharray/);
    // FLOPs axis: 0 … 4.12 M, raw step 0.824 M → 1 M → domain [0, 5 M]; 3.5 M at 78 + 0.7·410 = 365.
    const flopsAxis = scatterAxes(scored, 'flops', 3_500_000);
    expect(flopsAxis.x.domain).toEqual([0, 5_000_000]);
    expect(svgNumber(flopsAxis.x.map(3_500_000))).toBe('365');
    expect(figureOf(html, 'fig-flops')).toMatch(/<line class="budget" data-value="3500000" x1="365" x2="365"/);
  });

  it('lists failed candidates by reason with counts, escaped', () => {
    const failures = html.slice(html.indexOf('<div class="failures"'));
    expect(failures).toContain('Failed candidates (3 of 9)');
    expect(failures).toMatch(/<td class="num">2<\/td><td><code>&lt;script&gt;alert\(1\)&lt;\/script&gt; loss is NaN<\/code><\/td><td>#6, #8<\/td>/);
    expect(failures).toMatch(/<td class="num">1<\/td><td><code>timeout<\/code><\/td><td>#7<\/td>/);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>run</b>');
    expect(html).toContain('synthetic &lt;b&gt;run&lt;/b&gt;');
  });

  it('shows the Spearman grid with the hand-computed values', () => {
    const fig = figureOf(html, 'fig-proxies');
    // a vs b = −a: exactly reversed ranks.
    expect(fig).toMatch(/data-pair="a\|b"><rect[^>]*><title>[^<]*ρ = -1\.000 over 6 candidates/);
    // a vs c: 0.870 (worked in the rank test below).
    expect(fig).toMatch(/data-pair="a\|c"><rect[^>]*><title>[^<]*ρ = 0\.870 over 6/);
    expect(count(fig, /class="corr-cell"/g)).toBe(9);
  });

  it('draws the winner: macro flow with shapes and the cell DAG without isolated nodes', () => {
    const macro = figureOf(html, 'fig-macro');
    // 28×28×1 → stem conv3×3 s1 → 28×28×8 → stage (s2, 1×1 projection, pad 0): ⌊27/2⌋+1 = 14 → head F=16.
    expect(macro).toContain('28×28×1');
    expect(macro).toContain('→ 28×28×8');
    expect(macro).toContain('C=8 · s=2 · ×1');
    expect(macro).toContain('→ 14×14×8');
    expect(macro).toContain('→ 14×14×16 → pool');
    expect(macro).toContain('linear 16 → 10');
    expect(count(macro, /class="flow-box"/g)).toBe(5); // input, stem, 1 stage, head, classifier
    const cell = html.slice(html.indexOf('<figure class="chart cell" id="fig-cell-1"'));
    const svg = cell.slice(0, cell.indexOf('</svg>'));
    expect(ids(svg, /class="node" data-node="(\d+)"/g)).toEqual([0, 1, 2, 7]);
    expect([...svg.matchAll(/data-edge="(\d+-\d+)"/g)].map((m) => m[1]).sort()).toEqual(['0-1', '0-2', '0-7', '1-2', '2-7']);
    expect(svg).toContain('>sep_conv<');
    expect(svg).toContain('>k5 · n2<');
  });

  it('plots train and validation curves per epoch', () => {
    const loss = figureOf(html, 'fig-loss');
    expect(loss).toContain('data-series="trainLoss"');
    expect(loss).toContain('data-series="valLoss"');
    const d = /data-series="trainLoss" d="([^"]+)"/.exec(loss)![1]!;
    expect(count(d, /[ML]/g)).toBe(3);
    expect(figureOf(html, 'fig-accuracy')).toContain('test 0.9123');
  });

  it('is self-contained: no scripts, no external URLs', () => {
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(/i);
    expect(html).not.toMatch(/https?:\/\//);
  });
});

describe('report.html degrades with missing or corrupt files', () => {
  it('an interrupted search: only recipe, candidates and search state', () => {
    const dir = runDirWith({ 'best.arch.json': null, 'train-history.json': null, 'result.json': null });
    const html = readFileSync(writeRunReport(dir), 'utf8');
    expect(html).toContain('This report is incomplete');
    expect(html).toMatch(/<strong>result\.json<\/strong> is missing/);
    expect(html).toMatch(/<strong>best\.arch\.json<\/strong> is missing/);
    expect(html).toMatch(/<strong>train-history\.json<\/strong> is missing/);
    expect(html).toContain('not available');
    // The search still shows, with budgets and fitness name taken from the recipe and candidates.
    expect(count(figureOf(html, 'fig-progress'), /<circle class="dot"/g)).toBe(6);
    expect(figureOf(html, 'fig-params')).toContain('data-value="60000"');
    expect(html).toContain('fitness: a (proxy score');
    expect(html).toContain('(from recipe.resolved.yaml)');
  });

  it('a corrupt result.json, genotype and history are reported inside the page', () => {
    const dir = runDirWith({
      'result.json': '{"format": "hgnas/result@1", "metric": {',
      'best.arch.json': JSON.stringify({ ...ARCH, stages: [] }),
      'train-history.json': '{"epochs": 3}',
    });
    const html = readFileSync(writeRunReport(dir), 'utf8');
    expect(html).toMatch(/<strong>result\.json<\/strong> is corrupt: cannot be parsed/);
    expect(html).toMatch(/<strong>best\.arch\.json<\/strong> is corrupt: not a valid hgnas\/arch@1 genotype/);
    expect(html).toMatch(/<strong>train-history\.json<\/strong> is corrupt: has no epochs list/);
    expect(count(figureOf(html, 'fig-params'), /<circle class="cand/g)).toBe(6);
  });

  it('a half-written last line of candidates.jsonl is skipped and named', () => {
    const lines = CANDIDATES.map(candidateLine);
    const dir = runDirWith({ 'candidates.jsonl': `${lines.join('\n')}\n{"id": 9, "ok": tr` });
    const report = generateRunReport(dir);
    expect(report.files.find((f) => f.name === 'candidates.jsonl')).toMatchObject({ state: 'partial' });
    const html = readFileSync(report.path, 'utf8');
    expect(html).toContain('line 10: not valid JSON');
    expect(count(figureOf(html, 'fig-progress'), /<circle class="dot"/g)).toBe(6);
  });

  it('an `hgnas train` run (arch.json, no search files) says there was no search', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hgnas-report-train-'));
    writeFileSync(join(dir, 'recipe.resolved.yaml'), RECIPE);
    writeFileSync(join(dir, 'arch.json'), JSON.stringify(ARCH));
    writeFileSync(join(dir, 'train-history.json'), JSON.stringify(HISTORY));
    writeFileSync(join(dir, 'result.json'), JSON.stringify({ format: 'hgnas/train-result@1', task: 'mnist', metric: RESULT.metric, params: 40_000, flops: 2_500_000 }));
    const report = generateRunReport(dir);
    expect(report.files.map((f) => f.name)).toEqual(['recipe.resolved.yaml', 'arch.json', 'train-history.json', 'result.json']);
    const html = readFileSync(report.path, 'utf8');
    expect(html).not.toContain('This report is incomplete');
    expect(html).toContain('there was no search');
    expect(html).toContain('id="fig-cell-1"');
    expect(html).toContain('id="fig-loss"');
  });

  it('refuses a directory that is not a run', () => {
    const empty = mkdtempSync(join(tmpdir(), 'hgnas-report-empty-'));
    expect(() => writeRunReport(empty)).toThrow(InputError);
    expect(existsSync(join(empty, 'report.html'))).toBe(false);
    expect(() => writeRunReport(join(empty, 'nope'))).toThrow(InputError);
  });
});

describe('hgnas report', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  function program(): { run: (args: string[]) => Promise<void>; out: () => string } {
    const chunks: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(String(chunk));
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const p = new Command().exitOverride();
    registerReportCommand(p);
    return { run: async (args) => void (await p.parseAsync(['node', 'hgnas', 'report', ...args])), out: () => chunks.join('') };
  }

  it('writes the report and prints its path (or JSON with --json)', async () => {
    const dir = runDirWith({ 'result.json': null });
    const plain = program();
    await plain.run([dir]);
    expect(plain.out().trim()).toBe(join(dir, 'report.html'));
    vi.restoreAllMocks();
    const json = program();
    await json.run([dir, '--json']);
    const parsed = JSON.parse(json.out()) as { report: string; files: Array<{ name: string; state: string }> };
    expect(parsed.report).toBe(join(dir, 'report.html'));
    expect(parsed.files.find((f) => f.name === 'result.json')?.state).toBe('missing');
  });

  it('a missing or non-run directory is an InputError (exit code 2)', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'hgnas-report-empty-'));
    mkdirSync(join(empty, 'sub'));
    await expect(program().run([join(empty, 'sub')])).rejects.toBeInstanceOf(InputError);
    await expect(program().run([join(empty, 'missing')])).rejects.toBeInstanceOf(InputError);
  });
});

describe('report building blocks', () => {
  it('Pareto front: dominated points out, exact duplicates of a front point kept', () => {
    const front = paretoFront([
      { cost: 1, fitness: 1 },
      { cost: 1, fitness: 1 },
      { cost: 2, fitness: 0.5 }, // dominated by the two above
      { cost: 3, fitness: 2 },
      { cost: 0.5, fitness: 0 },
    ]);
    expect(front).toEqual([4, 0, 1, 3]);
  });

  it('Spearman: the classic 1 − 6Σd²/(n(n²−1)) without ties, average ranks with ties', () => {
    // d = (−1, 1, −1, 1, 0): Σd² = 4 → 1 − 24/120 = 0.8.
    expect(spearmanRank([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])).toBeCloseTo(0.8, 12);
    expect(averageRanks([10, 30, 25, 50, 50, 5])).toEqual([2, 4, 3, 5.5, 5.5, 1]);
    // The grid's a vs c: rank deviations from 3.5 are a (−1.5, .5, −.5, 2, 2, −2.5) and
    // c (−2.5, −.5, .5, 1.5, 2.5, −1.5): Σ = 15, Σa² = 17, Σc² = 17.5 → 15/√297.5.
    expect(spearmanRank([10, 30, 25, 50, 50, 5], [10_000, 20_000, 30_000, 40_000, 75_000, 15_000])).toBeCloseTo(15 / Math.sqrt(297.5), 12);
    expect(spearmanRank([1, 1, 1], [1, 2, 3])).toBeNull();
  });

  it('the correlation matrix skips pairs without enough shared candidates', () => {
    const rec = (id: number, proxies: Record<string, number>) => ({
      index: id + 1, id, origin: 'random', ok: true, fitness: 1, proxies, reason: null, params: 1, flops: 1, seconds: 1,
    });
    const m = proxyCorrelations([rec(0, { x: 1, y: 3 }), rec(1, { x: 2, y: 2 }), rec(2, { x: 3 }), rec(3, { x: 4, y: 1 })]);
    expect(m.names).toEqual(['x', 'y']);
    expect(m.n[0]![1]).toBe(3);
    expect(m.rho[0]![1]).toBeCloseTo(-1, 12);
    expect(m.rho[1]![1]).toBeCloseTo(1, 12);
  });

  it('nice ticks: 1/2/5 steps that cover the data', () => {
    expect(niceTicks(0, 75_000, 5)).toMatchObject({ min: 0, max: 80_000, step: 20_000 });
    expect(niceTicks(0.55, 0.95, 5)).toMatchObject({ min: 0.5, max: 1, step: 0.1 });
    expect(niceTicks(0.55, 0.95, 5).values).toEqual([0.5, 0.6, 0.7, 0.8, 0.9, 1]);
  });
});
