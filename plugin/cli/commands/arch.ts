import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { archToJson } from '../../space/arch-json.js';
import { archCost } from '../../space/cost.js';
import { archFromReference, readReferenceFile } from '../../space/encoding.js';
import { parseIntOption, printJson } from '../shared.js';

interface ImportOptions {
  readonly set?: string;
  readonly row?: string;
  readonly classes?: string;
  readonly se?: boolean;
}

export function registerArchCommands(program: Command): void {
  const arch = program.command('arch').description('architecture files: import from other encodings');
  arch
    .command('import')
    .description('print an hgnas/arch@1 genotype for one row of a reference-architectures file (9×9 adjacency / 9×15 features)')
    .argument('<reference.json>', 'reference file, e.g. test/fixtures/reference-architectures.json (the released top-10 lists)')
    .requiredOption('--set <name>', 'set name, e.g. cifar-1m-params or imagenet-450m-flops')
    .option('--row <i>', 'row index within the set', '0')
    .option('--classes <n>', "number of classes of the head (default: the set's)")
    .option('--se', 'enable squeeze-and-excitation in MBConv ops')
    .action((path: string, options: ImportOptions) => {
      let file;
      try {
        file = readReferenceFile(path);
      } catch (error) {
        throw new InputError(`${path}: not a readable reference-architectures file (${(error as Error).message})`, 'pass a file with {"sets": [...]} as in test/fixtures/reference-architectures.json');
      }
      const set = file.sets.find((s) => s.name === options.set);
      if (!set) {
        throw new InputError(`--set ${options.set}: no such set in ${path}`, `available sets: ${file.sets.map((s) => s.name).join(', ')}`);
      }
      const row = parseIntOption(options.row, '--row', 0);
      if (row >= set.architectures.length) {
        throw new InputError(`--row ${row}: set ${set.name} has ${set.architectures.length} rows (0..${set.architectures.length - 1})`);
      }
      const classes = options.classes === undefined ? undefined : parseIntOption(options.classes, '--classes', set.num_classes, 1);
      const imported = archFromReference(set, row, { ...(classes !== undefined ? { numClasses: classes } : {}), se: Boolean(options.se) });
      const cost = archCost(imported);
      printJson(
        archToJson(imported, {
          source: `${path} set ${set.name} row ${row}`,
          historyIndex: set.architectures[row]!.history_index,
          params: cost.params,
          flops: cost.flops,
        }),
      );
    });
}
