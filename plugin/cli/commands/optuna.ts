/**
 * `hgnas optuna export|enqueue|sync` and `hgnas worker`: hgnas runs and searches on an Optuna
 * JournalStorage file shared with Python Optuna (plugin/harness/optuna/).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { exportRunToJournal } from '../../harness/optuna/export.js';
import { checkProxyNames } from '../../harness/optuna/evaluate.js';
import { JournalFormatError, JournalStorage, StudyMismatchError } from '../../harness/optuna/journal.js';
import { proposeForStudy } from '../../harness/optuna/propose.js';
import { enqueueArchitectures, syncCompleted, type SyncResult } from '../../harness/optuna/queue.js';
import { evaluationRecord } from '../../harness/optuna/run-records.js';
import { runOptunaWorker } from '../../harness/optuna/worker.js';
import type { BackendPreference } from '../../nn/backend.js';
import { createSearchMethod } from '../../pipeline/main-job.js';
import { loadRunRecipe, resolveFitness } from '../../pipeline/recipe-checks.js';
import { recipeBudget, spaceContext } from '../../pipeline/space-context.js';
import { RunDir } from '../../report/run-dir.js';
import { loadTask } from '../../tasks/registry.js';
import { addCommonOptions, parseIntOption, printJson, recipeOverrides, type CommonOptions } from '../shared.js';

/** Journal problems the user fixes (wrong study, corrupt file) exit with 2. */
async function asInputErrors<T>(body: () => Promise<T> | T): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof StudyMismatchError || error instanceof JournalFormatError) throw new InputError(error.message);
    throw error;
  }
}

function journalMustExist(file: string): void {
  if (!existsSync(file)) throw new InputError(`journal ${file}: file not found`);
}

function parseSeconds(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(x)) throw new InputError(`${name}: must be a number of seconds ≥ 0, got "${value}"`);
  return x;
}

interface StudyOptions {
  readonly study?: string;
  readonly json?: boolean;
}

export function registerOptunaCommands(program: Command): void {
  const optuna = program.command('optuna').description('share runs and searches with Optuna through a JournalStorage file');

  optuna
    .command('export')
    .description('write a run (candidates.jsonl, result.json) into an Optuna journal as one trial per candidate')
    .argument('<run-dir>', 'directory of an `hgnas run`')
    .argument('<journal-file>', 'Optuna JournalFileStorage file (created if missing)')
    .option('--study <name>', 'study name (default: the run directory name)')
    .option('--json', 'machine-readable output on stdout')
    .action((runDir: string, journal: string, options: StudyOptions) =>
      asInputErrors(() => {
        const summary = exportRunToJournal(runDir, journal, options.study ? { studyName: options.study } : {});
        if (options.json) return printJson(summary);
        process.stdout.write(
          `study ${summary.studyName}: ${summary.added} trials added (${summary.complete} COMPLETE, ${summary.failed} FAIL), ${summary.skipped} already there` +
            (summary.winnerTrial !== null ? `; winner is trial ${summary.winnerTrial}` : '') +
            `\nbrowse: optuna-dashboard ${journal}\n`,
        );
      }),
    );

  addCommonOptions(
    optuna
      .command('enqueue')
      .description("ask the recipe's search method for N architectures and enqueue them as WAITING trials")
      .argument('<recipe>', 'YAML recipe (task, space, budget, search method)')
      .argument('<journal-file>', 'Optuna JournalFileStorage file (created if missing)')
      .requiredOption('--n <count>', 'number of architectures to enqueue')
      .option('--study <name>', 'study name (default: the recipe name)'),
  ).action((recipePath: string, journal: string, options: CommonOptions & StudyOptions & { n?: string }) =>
    asInputErrors(async () => {
      const n = parseIntOption(options.n, '--n', 1, 1);
      const loaded = await loadRunRecipe(recipePath, recipeOverrides(options));
      const recipe = loaded.recipe;
      const task = loadTask({ id: recipe.task.id, data: recipe.task.data, split: recipe.task.split });
      const method = createSearchMethod(recipe, spaceContext(recipe, task), recipeBudget(recipe));
      const studyName = options.study ?? recipe.name;
      const fitness = resolveFitness(recipe);
      const proposal = proposeForStudy(method, journal, studyName, n);
      const trials = enqueueArchitectures(journal, studyName, proposal.candidates, { task: task.id, fitness, proxies: [fitness] });
      const report = { study: studyName, method: method.name, told: proposal.told, duplicates: proposal.duplicates, enqueued: trials };
      if (options.json) return printJson(report);
      process.stdout.write(
        `study ${studyName}: enqueued ${trials.length} architecture(s) from ${method.name}` +
          (trials.length > 0 ? ` as trials ${trials[0]!.number}..${trials[trials.length - 1]!.number}` : '') +
          ` (told ${proposal.told} finished trial(s) first${proposal.duplicates ? `, dropped ${proposal.duplicates} already in the study` : ''})\n` +
          `evaluate with: hgnas worker --optuna ${journal} --study ${studyName}   (or a Python study.optimize reading trial.user_attrs["hgnas:arch"])\n`,
      );
    }),
  );

  optuna
    .command('sync')
    .description('read finished trials back; with --run-dir append them to that run so `hgnas run --resume` tells them to its search method')
    .argument('<journal-file>', 'Optuna JournalFileStorage file')
    .option('--study <name>', 'study name (default: the only study in the journal)')
    .option('--run-dir <dir>', 'run directory whose candidates.jsonl receives the trials it does not hold yet')
    .option('--json', 'machine-readable output on stdout')
    .action((journal: string, options: StudyOptions & { runDir?: string }) =>
      asInputErrors(() => {
        journalMustExist(journal);
        const studyName = options.study ?? onlyStudy(journal);
        const synced = syncCompleted(journal, studyName, { includeFailed: true });
        const imported = options.runDir ? importIntoRun(options.runDir, studyName, synced) : null;
        if (options.json) {
          return printJson({
            study: studyName,
            counts: synced.counts,
            foreign: synced.foreign,
            warnings: synced.warnings,
            imported,
            trials: synced.evaluations.map((e) => ({
              number: e.trialNumber,
              state: e.ok ? 'COMPLETE' : 'FAIL',
              fitness: e.fitness,
              fingerprint: e.candidate.fingerprint,
              candidateId: e.candidate.id,
              params: e.candidate.cost.params,
              flops: e.candidate.cost.flops,
              ...(e.reason ? { reason: e.reason } : {}),
            })),
          });
        }
        const c = synced.counts;
        const lines = [`study ${studyName}: ${c.complete} COMPLETE, ${c.failed} FAIL, ${c.pruned} PRUNED, ${c.running} RUNNING, ${c.waiting} WAITING`];
        for (const e of synced.evaluations) {
          lines.push(`  trial ${e.trialNumber}: ${e.ok ? `COMPLETE ${e.fitness}` : `FAIL ${e.reason ?? ''}`}  ${e.candidate.fingerprint.slice(0, 12)} ${e.candidate.cost.params} params`);
        }
        for (const f of synced.foreign) lines.push(`  trial ${f.trialNumber}: skipped, ${f.problem}`);
        for (const w of synced.warnings) lines.push(`  warning: ${w}`);
        if (imported) lines.push(`${imported.appended} appended to ${imported.file}; continue with: hgnas run <recipe> --resume ${options.runDir}`);
        process.stdout.write(`${lines.join('\n')}\n`);
      }),
    );
}

function onlyStudy(journal: string): string {
  const names = new JournalStorage(journal).studies().map((s) => s.name);
  if (names.length === 1) return names[0]!;
  throw new InputError(names.length === 0 ? `${journal} holds no study` : `${journal} holds several studies (${names.join(', ')})`, 'pass --study NAME');
}

/**
 * Appends the synced trials a run does not hold yet to its candidates.jsonl, with fresh ids
 * after the run's last one and `origin: optuna:<study>#<trial>`; `hgnas run --resume` then
 * restores the method state and tells every recorded evaluation, these included.
 */
function importIntoRun(dir: string, studyName: string, synced: SyncResult): { file: string; appended: number } {
  const file = join(dir, 'candidates.jsonl');
  if (!existsSync(file) && !existsSync(join(dir, 'search-state.json'))) {
    throw new InputError(`${dir}: not a run directory (no candidates.jsonl or search-state.json)`, 'pass the directory of an `hgnas run`');
  }
  const records = existsSync(file)
    ? readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as { id: number; origin: string; fingerprint: string })
    : [];
  const origins = new Set(records.map((r) => r.origin));
  const fingerprints = new Set(records.map((r) => r.fingerprint));
  let nextId = records.reduce((m, r) => Math.max(m, r.id + 1), 0);
  const fresh = synced.evaluations
    .filter((e) => !origins.has(`optuna:${studyName}#${e.trialNumber}`) && !fingerprints.has(e.candidate.fingerprint))
    .map((e) => evaluationRecord({ ...e, candidate: { ...e.candidate, id: nextId++, origin: `optuna:${studyName}#${e.trialNumber}` } }));
  RunDir.create(dir, { resume: true }).appendJsonl('candidates.jsonl', fresh);
  return { file, appended: fresh.length };
}

interface WorkerOptions {
  readonly optuna?: string;
  readonly study?: string;
  readonly maxTrials?: string;
  readonly proxies?: string;
  readonly idleExit?: string;
  readonly task?: string;
  readonly backend?: string;
  readonly seed?: string;
  readonly lockGrace?: string;
  readonly json?: boolean;
}

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('evaluate WAITING trials of an Optuna journal (enqueued by `hgnas optuna enqueue`); run many, on many machines')
    .requiredOption('--optuna <journal-file>', 'Optuna JournalFileStorage file on a shared file system')
    .option('--study <name>', 'study name (default: the only study in the journal)')
    .option('--max-trials <n>', 'stop after n trials')
    .option('--proxies <a,b,...>', "proxies to compute (default: the study's fitness proxy)")
    .option('--idle-exit <seconds>', 'wait this long for new WAITING trials before exiting', '0')
    .option('--task <id>', 'task when the study does not name one')
    .option('--backend <name>', 'auto | tensorflow | wasm | cpu', 'auto')
    .option('--seed <n>', 'seed of the network initialisations (as the run that enqueued them)', '0')
    .option('--lock-grace <seconds>', 'break a journal lock left by a dead process after this many idle seconds')
    .option('--json', 'print the evaluated trials as JSON on stdout; logs go to stderr')
    .action((options: WorkerOptions) =>
      asInputErrors(async () => {
        const journal = options.optuna!;
        journalMustExist(journal);
        const proxies = options.proxies?.split(',').map((s) => s.trim()).filter(Boolean);
        if (proxies) checkProxyNames(proxies);
        const backend = options.backend ?? 'auto';
        if (!['auto', 'tensorflow', 'wasm', 'cpu'].includes(backend)) throw new InputError(`--backend: must be auto, tensorflow, wasm or cpu, got "${backend}"`);
        const maxTrials = options.maxTrials === undefined ? undefined : parseIntOption(options.maxTrials, '--max-trials', 1, 1);
        const grace = parseSeconds(options.lockGrace, '--lock-grace');
        const summary = await runOptunaWorker({
          journalFile: journal,
          ...(options.study ? { studyName: options.study } : {}),
          ...(maxTrials !== undefined ? { maxTrials } : {}),
          ...(proxies ? { proxies } : {}),
          idleExitSeconds: parseSeconds(options.idleExit, '--idle-exit') ?? 0,
          ...(options.task ? { task: options.task } : {}),
          backend: backend as BackendPreference,
          seed: parseIntOption(options.seed, '--seed', 0, 0),
          lock: { gracePeriodSeconds: grace ?? null },
          log: (line) => process.stderr.write(`${line}\n`),
        });
        if (options.json) return printJson(summary);
        const done = summary.trials.filter((t) => t.state === 'COMPLETE').length;
        process.stdout.write(`worker ${summary.workerId}: ${summary.trials.length} trial(s) of ${summary.study}, ${done} COMPLETE\n`);
      }),
    );
}
