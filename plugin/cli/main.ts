#!/usr/bin/env node
/**
 * The `hgnas` command. Thin: parses arguments, calls the library, maps failures to exit codes
 * (0 ok, 1 run failed, 2 bad input) and keeps stdout clean for --json.
 */
import { Command, Option } from 'commander';
import { registerArchCommands } from './commands/arch.js';
import { registerCompareCommand } from './commands/compare.js';
import { registerInspectCommand } from './commands/inspect.js';
import { registerPretrainCommand } from './commands/pretrain.js';
import { registerOptunaCommands, registerWorkerCommand } from './commands/optuna.js';
import { registerReportCommand } from './commands/report.js';
import { registerRunCommand } from './commands/run.js';
import { registerScoreCommand } from './commands/score.js';
import { registerTrainCommand } from './commands/train.js';
import { registerValidateCommand } from './commands/validate.js';
import { exitWithError } from './errors.js';
import { EXIT_BAD_INPUT } from '../errors.js';
import { versions } from '../pipeline/versions.js';

const program = new Command();
program
  .name('hgnas')
  .description('Neural architecture search by hierarchical generative modeling, driven by YAML recipes.')
  .version(versions().hgnas)
  .showHelpAfterError('(hgnas <command> --help shows the usage)')
  // Usage mistakes (unknown option or command, missing argument) are bad input: exit code 2.
  .exitOverride((error) => {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') {
      process.exit(0);
    }
    process.exit(EXIT_BAD_INPUT);
  })
  .addOption(new Option('--no-color', 'plain output').hideHelp());

registerRunCommand(program);
registerCompareCommand(program);
registerValidateCommand(program);
registerPretrainCommand(program);
registerInspectCommand(program);
registerScoreCommand(program);
registerTrainCommand(program);
registerArchCommands(program);
registerReportCommand(program);
registerOptunaCommands(program);
registerWorkerCommand(program);

program.parseAsync(process.argv).catch(exitWithError);
