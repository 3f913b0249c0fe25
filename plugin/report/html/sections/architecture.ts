/**
 * The winner drawn: the macro flow input → stem → stages → head → classifier as boxes with
 * their shapes, then each stage's cell as a small DAG (isolated nodes left out).
 */
import { describeCell, isActive, predecessors } from '../../../space/cell.js';
import type { Shape, ShapeTrace } from '../../../space/cost.js';
import { INPUT_NODE, INTERMEDIATE_NODES, OUTPUT_NODE, type Arch, type Cell, type OpName } from '../../../space/types.js';
import { escapeHtml } from '../escape.js';
import type { RunData } from '../run-data.js';
import { svgNumber } from '../scale.js';
import { COLORS } from '../svg-chart.js';

export function renderArchitecture(data: RunData): string {
  const view = data.arch;
  if (view === null) {
    const status = data.files.find((f) => f.name === 'best.arch.json' || f.name === 'arch.json');
    const why = status && status.state !== 'missing' ? `${status.name} ${status.detail ?? 'is unreadable'}` : 'no best.arch.json in the run directory';
    return `<section class="block" id="architecture"><h2>Architecture</h2><p class="missing">${escapeHtml(why)}.</p></section>`;
  }
  const { arch, shapes } = view;
  const heading = view.file === 'best.arch.json' ? `Winner architecture${view.candidateId !== null ? ` (candidate #${view.candidateId})` : ''}` : 'Architecture';
  return [
    `<section class="block" id="architecture"><h2>${escapeHtml(heading)}</h2>`,
    '<figure class="chart" id="fig-macro"><figcaption><h3>Macro structure</h3><p>Stem, stages and head with output shapes (height×width×channels). A stage repeats its cell; only the first repeat uses the stage stride.</p></figcaption>',
    macroFlow(arch, shapes),
    '</figure>',
    '<div class="cells">',
    ...arch.stages.map((stage, i) => cellFigure(stage.cell, i, arch, shapes)),
    '</div>',
    opLegend(),
    '</section>',
  ].join('');
}

const shapeText = (s: Shape): string => s.join('×');

interface FlowBox {
  readonly title: string;
  readonly lines: readonly string[];
  readonly kind: 'io' | 'stem' | 'stage' | 'head';
}

function flowBoxes(arch: Arch, shapes: ShapeTrace): FlowBox[] {
  const boxes: FlowBox[] = [
    { title: 'input', lines: [shapeText(shapes.input)], kind: 'io' },
    { title: 'stem', lines: [`conv 3×3 s${arch.stemStride} · BN`, `→ ${shapeText(shapes.stem)}`], kind: 'stem' },
  ];
  arch.stages.forEach((stage, i) => {
    const cells = shapes.cells.filter((c) => c.stage === i);
    const out = cells[cells.length - 1]?.output;
    boxes.push({
      title: `stage ${i + 1}`,
      lines: [`C=${stage.channels} · s=${stage.stride} · ×${stage.repeats}`, out ? `→ ${shapeText(out)}` : ''],
      kind: 'stage',
    });
  });
  boxes.push({ title: 'head', lines: [`conv 1×1, F=${arch.headWidth}`, `→ ${shapeText(shapes.headConv)} → pool`], kind: 'head' });
  boxes.push({ title: 'classifier', lines: [`linear ${arch.headWidth} → ${shapes.logits}`, `${shapes.logits} classes`], kind: 'io' });
  return boxes;
}

const FLOW = { width: 1040, maxBoxWidth: 140, minBoxWidth: 108, boxHeight: 64, gap: 22, rowGap: 40, pad: 6 } as const;

function macroFlow(arch: Arch, shapes: ShapeTrace): string {
  const boxes = flowBoxes(arch, shapes);
  // Shrink the boxes to keep one row when they stay legible, wrap otherwise.
  const fitted = (FLOW.width - 2 * FLOW.pad - (boxes.length - 1) * FLOW.gap) / boxes.length;
  const boxWidth = Math.floor(Math.min(FLOW.maxBoxWidth, Math.max(FLOW.minBoxWidth, fitted)));
  const perRow = Math.max(1, Math.floor((FLOW.width - 2 * FLOW.pad + FLOW.gap) / (boxWidth + FLOW.gap)));
  const rows = Math.ceil(boxes.length / perRow);
  const height = FLOW.pad * 2 + rows * FLOW.boxHeight + (rows - 1) * FLOW.rowGap;
  const pos = boxes.map((_, k) => ({
    x: FLOW.pad + (k % perRow) * (boxWidth + FLOW.gap),
    y: FLOW.pad + Math.floor(k / perRow) * (FLOW.boxHeight + FLOW.rowGap),
  }));
  const parts: string[] = [
    `<svg class="chart-svg" viewBox="0 0 ${FLOW.width} ${height}" width="${FLOW.width}" height="${height}" role="img" aria-label="macro structure: ${boxes.length} blocks from input to classifier">`,
  ];
  for (let k = 1; k < boxes.length; k++) {
    const a = pos[k - 1]!;
    const b = pos[k]!;
    if (a.y === b.y) {
      const y = a.y + FLOW.boxHeight / 2;
      parts.push(arrowPath(`M${a.x + boxWidth} ${y} H${b.x}`, [b.x, y], [1, 0]));
    } else {
      // Row break: down from the last box, back to the left, down into the next row.
      const ax = a.x + boxWidth / 2;
      const midY = a.y + FLOW.boxHeight + FLOW.rowGap / 2;
      const bx = b.x + boxWidth / 2;
      parts.push(arrowPath(`M${ax} ${a.y + FLOW.boxHeight} V${midY} H${bx} V${b.y}`, [bx, b.y], [0, 1]));
    }
  }
  boxes.forEach((box, k) => {
    const { x, y } = pos[k]!;
    const fill = { io: '#1f2937', stem: '#e5e7eb', stage: '#dbeafe', head: '#fde68a' }[box.kind];
    const ink = box.kind === 'io' ? '#ffffff' : '#111827';
    parts.push(
      `<g class="flow-box" data-kind="${box.kind}"><rect x="${x}" y="${y}" width="${boxWidth}" height="${FLOW.boxHeight}" rx="6" fill="${fill}" stroke="#374151"/>`,
      `<text x="${x + boxWidth / 2}" y="${y + 18}" text-anchor="middle" class="box-title" fill="${ink}">${escapeHtml(box.title)}</text>`,
      ...box.lines.map((line, j) => `<text x="${x + boxWidth / 2}" y="${y + 36 + j * 15}" text-anchor="middle" class="box-line" fill="${ink}">${escapeHtml(line)}</text>`),
      '</g>',
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

/** A stroke and a filled arrowhead whose tip is `tip`, pointing along `direction`. */
function arrowPath(d: string, tip: readonly [number, number], direction: readonly [number, number], color = '#374151', extra = ''): string {
  return `<path d="${d}" fill="none" stroke="${color}" stroke-width="1.5"${extra}/>${arrowHead(tip, direction, color)}`;
}

function arrowHead(tip: readonly [number, number], direction: readonly [number, number], color: string): string {
  const length = Math.hypot(direction[0], direction[1]) || 1;
  const [dx, dy] = [direction[0] / length, direction[1] / length];
  const [bx, by] = [tip[0] - 8 * dx, tip[1] - 8 * dy];
  const points = [tip, [bx - 4 * dy, by + 4 * dx], [bx + 4 * dy, by - 4 * dx]].map(([x, y]) => `${svgNumber(x!)},${svgNumber(y!)}`);
  return `<polygon class="arrow" points="${points.join(' ')}" fill="${color}"/>`;
}

const OP_COLORS: ReadonlyArray<{ readonly test: (op: OpName) => boolean; readonly fill: string; readonly stroke: string; readonly label: string }> = [
  { test: (op) => op === 'avg_pool', fill: '#f3f4f6', stroke: COLORS.grey, label: 'pooling' },
  { test: (op) => op === 'conv', fill: '#dbeafe', stroke: COLORS.blue, label: 'conv' },
  { test: (op) => op === 'sep_conv' || op === 'dil_conv', fill: '#d1fae5', stroke: COLORS.green, label: 'separable / dilated conv' },
  { test: (op) => op.startsWith('mbconv'), fill: '#fef3c7', stroke: COLORS.orange, label: 'MBConv (inverted bottleneck)' },
  { test: (op) => op.startsWith('bconv'), fill: '#fce7f3', stroke: COLORS.purple, label: 'bottleneck conv' },
];

function opStyle(op: OpName): { fill: string; stroke: string } {
  return OP_COLORS.find((c) => c.test(op)) ?? { fill: '#ffffff', stroke: COLORS.ink };
}

function opLegend(): string {
  const items = OP_COLORS.map(
    (c) => `<span class="legend-item"><span class="box" style="background:${c.fill};border:1.5px solid ${c.stroke}"></span>${escapeHtml(c.label)}</span>`,
  );
  return `<div class="legend">${items.join('')}<span class="legend-item">arcs above: between nodes · arcs below: reads of the cell input</span></div>`;
}

const DAG = { nodeWidth: 96, nodeHeight: 42, gap: 34, pad: 10, arcUnit: 16, arcBase: 14 } as const;

/** Nodes in index order, left to right; edges between neighbours are straight, longer ones arcs. */
function cellFigure(cell: Cell, stageIndex: number, arch: Arch, shapes: ShapeTrace): string {
  const stage = arch.stages[stageIndex]!;
  const cells = shapes.cells.filter((c) => c.stage === stageIndex);
  const first = cells[0];
  const nodes = [INPUT_NODE, ...INTERMEDIATE_NODES.filter((v) => isActive(cell, v)), OUTPUT_NODE];
  const column = new Map(nodes.map((v, k) => [v, k]));
  const edges: Array<[number, number]> = [];
  for (const v of nodes) for (const u of predecessors(cell, v)) if (column.has(u)) edges.push([u, v]);
  const span = (u: number, v: number) => column.get(v)! - column.get(u)!;
  const arcHeight = (s: number) => DAG.arcBase + DAG.arcUnit * (s - 1);
  const above = edges.filter(([u, v]) => u !== INPUT_NODE && span(u, v) > 1);
  const below = edges.filter(([u, v]) => u === INPUT_NODE && span(u, v) > 1);
  const topSpace = Math.max(0, ...above.map(([u, v]) => arcHeight(span(u, v)))) + DAG.pad;
  const bottomSpace = Math.max(0, ...below.map(([u, v]) => arcHeight(span(u, v)))) + DAG.pad;
  const width = DAG.pad * 2 + nodes.length * DAG.nodeWidth + (nodes.length - 1) * DAG.gap;
  const height = topSpace + DAG.nodeHeight + bottomSpace;
  const y0 = topSpace;
  const left = (v: number) => DAG.pad + column.get(v)! * (DAG.nodeWidth + DAG.gap);
  const parts: string[] = [
    `<svg class="chart-svg cell-dag" data-stage="${stageIndex + 1}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="stage ${stageIndex + 1} cell: ${nodes.length - 2} operation nodes, ${edges.length} edges">`,
  ];
  for (const [u, v] of edges) {
    const s = span(u, v);
    if (s === 1) {
      const y = y0 + DAG.nodeHeight / 2;
      const x1 = left(u) + DAG.nodeWidth;
      const x2 = left(v);
      parts.push(`<g class="edge" data-edge="${u}-${v}">${arrowPath(`M${x1} ${y} H${x2}`, [x2, y], [1, 0], '#4b5563')}</g>`);
      continue;
    }
    // Leave from the right half of the source, arrive on the left half of the target.
    const up = u !== INPUT_NODE;
    const yEdge = up ? y0 : y0 + DAG.nodeHeight;
    const x1 = left(u) + DAG.nodeWidth * 0.7;
    const x2 = left(v) + DAG.nodeWidth * 0.3;
    const h = arcHeight(s) * (up ? -1 : 1);
    // A quadratic Bézier peaks at half its control offset.
    const cx = (x1 + x2) / 2;
    const cy = yEdge + 2 * h;
    const color = up ? '#4b5563' : '#9ca3af';
    parts.push(
      `<g class="edge" data-edge="${u}-${v}">${arrowPath(`M${svgNumber(x1)} ${yEdge} Q${svgNumber(cx)} ${svgNumber(cy)} ${svgNumber(x2)} ${yEdge}`, [x2, yEdge], [x2 - cx, yEdge - cy], color)}</g>`,
    );
  }
  for (const v of nodes) {
    const x = left(v);
    const isIo = v === INPUT_NODE || v === OUTPUT_NODE;
    const style = isIo ? { fill: '#1f2937', stroke: '#1f2937' } : opStyle(cell.ops[v - 1]!);
    const ink = isIo ? '#ffffff' : '#111827';
    const title = v === INPUT_NODE ? 'input' : v === OUTPUT_NODE ? 'output (sum)' : cell.ops[v - 1]!;
    const sub = v === INPUT_NODE ? (first ? shapeText(first.input) : '') : v === OUTPUT_NODE ? (first ? shapeText(first.output) : '') : `k${cell.kernels[v - 1]} · n${v}`;
    parts.push(
      `<g class="node" data-node="${v}"><rect x="${x}" y="${y0}" width="${DAG.nodeWidth}" height="${DAG.nodeHeight}" rx="5" fill="${style.fill}" stroke="${style.stroke}" stroke-width="1.5"/>`,
      `<text x="${x + DAG.nodeWidth / 2}" y="${y0 + 17}" text-anchor="middle" class="node-title" fill="${ink}">${escapeHtml(title)}</text>`,
      `<text x="${x + DAG.nodeWidth / 2}" y="${y0 + 33}" text-anchor="middle" class="node-sub" fill="${ink}">${escapeHtml(sub)}</text></g>`,
    );
  }
  parts.push('</svg>');
  const inChannels = first ? first.input[2] : stage.channels;
  const caption = `Stage ${stageIndex + 1} cell · ${stage.repeats > 1 ? `shared by its ${stage.repeats} repeats` : 'used once'} · ${inChannels}→${stage.channels} channels, stride ${stage.stride} on the first repeat`;
  return [
    `<figure class="chart cell" id="fig-cell-${stageIndex + 1}"><figcaption><h3>${escapeHtml(caption)}</h3></figcaption>`,
    `<div class="scroll">${parts.join('')}</div>`,
    `<p class="genotype"><code>${escapeHtml(describeCell(cell))}</code></p>`,
    '</figure>',
  ].join('');
}
