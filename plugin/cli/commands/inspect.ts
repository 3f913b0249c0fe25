import type { Command } from 'commander';
import { archFromJson } from '../../space/arch-json.js';
import { describeCell } from '../../space/cell.js';
import { archCost, traceShapes } from '../../space/cost.js';
import { archFingerprint } from '../../space/macro.js';
import { addCommonOptions, printJson, readJsonFile, type CommonOptions } from '../shared.js';

interface InspectOptions extends CommonOptions {
  readonly build?: boolean;
}

export function registerInspectCommand(program: Command): void {
  addCommonOptions(
    program
      .command('inspect')
      .description('params, FLOPs, cells and per-stage shapes of an hgnas/arch@1 genotype')
      .argument('<arch.json>', 'architecture file (hgnas/arch@1)')
      .option('--build', 'also build the tfjs network and count its trainable parameters'),
    {},
  ).action(async (path: string, options: InspectOptions) => {
    const arch = archFromJson(readJsonFile(path, 'architecture'));
    const cost = archCost(arch);
    const shapes = traceShapes(arch);
    let built: number | null = null;
    if (options.build) {
      const { initBackend } = await import('../../nn/backend.js');
      const { buildNetwork } = await import('../../nn/network.js');
      await initBackend('auto');
      const net = buildNetwork(arch, { seed: 0 });
      built = net.parameterCount();
      net.dispose();
    }
    const report = {
      fingerprint: archFingerprint(arch),
      params: cost.params,
      builtParams: built,
      flops: cost.flops,
      flopsConvLinear: cost.flopsConvLinear,
      convLinearLayers: cost.layers,
      cells: cost.cells,
      input: arch.input,
      numClasses: arch.numClasses,
      stemStride: arch.stemStride,
      se: arch.se,
      headWidth: arch.headWidth,
      shapes,
      stages: arch.stages.map((s, i) => ({ stage: i, channels: s.channels, stride: s.stride, repeats: s.repeats, cell: describeCell(s.cell) })),
    };
    if (options.json) {
      printJson(report);
      return;
    }
    const lines = [
      `fingerprint      ${report.fingerprint}`,
      `params           ${cost.params}${built !== null ? ` (built tfjs network: ${built})` : ''}`,
      `FLOPs            ${cost.flops} (2×MACs, ptflops rules: conv, linear, BN, ReLU, pooling)`,
      `FLOPs conv+lin   ${cost.flopsConvLinear}`,
      `conv+linear      ${cost.layers} layers`,
      `cells            ${cost.cells}`,
      `input            ${arch.input.height}×${arch.input.width}×${arch.input.channels}, stem stride ${arch.stemStride}, ${arch.numClasses} classes, head F=${arch.headWidth}, SE ${arch.se ? 'on' : 'off'}`,
      '',
      'stage  C     s  r  output        cell',
      ...arch.stages.map((s, i) => {
        const out = shapeText(shapes, i);
        return `${String(i).padEnd(6)} ${String(s.channels).padEnd(5)} ${s.stride}  ${s.repeats}  ${out.padEnd(13)} ${describeCell(s.cell)}`;
      }),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  });
}

/** Output H×W×C of the last cell of a stage. */
function shapeText(shapes: ReturnType<typeof traceShapes>, stage: number): string {
  const cells = shapes.cells.filter((c) => c.stage === stage);
  const last = cells[cells.length - 1];
  return last ? last.output.join('×') : '';
}
