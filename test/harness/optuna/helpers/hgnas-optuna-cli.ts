// The Optuna commands as `hgnas` runs them, for tests that need separate processes before the
// commands are registered in plugin/cli/main.ts: `node --import ./register-ts.mjs <this> …`.
import { Command } from 'commander';
import { registerOptunaCommands, registerWorkerCommand } from '../../../../plugin/cli/commands/optuna.js';
import { exitWithError } from '../../../../plugin/cli/errors.js';

const program = new Command().name('hgnas').exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));
registerOptunaCommands(program);
registerWorkerCommand(program);
program.parseAsync(process.argv).catch(exitWithError);
