import type { Command } from 'commander';
import { generateRunReport } from '../../report/html/index.js';
import { printJson } from '../shared.js';

interface ReportOptions {
  readonly json?: boolean;
}

/** `hgnas report <run-dir> [--json]`: (re)writes <run-dir>/report.html and prints its path. */
export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('write report.html (self-contained: inline CSS and SVG) for a run directory and print its path')
    .argument('<run-dir>', 'directory written by `hgnas run` (or `hgnas train`)')
    .option('--json', 'machine-readable output on stdout: the report path and the state of each run file')
    .action((runDir: string, options: ReportOptions) => {
      const report = generateRunReport(runDir);
      if (options.json) {
        printJson({ report: report.path, files: report.files });
        return;
      }
      process.stdout.write(`${report.path}\n`);
      for (const f of report.files) {
        if (f.state !== 'ok') process.stderr.write(`note: ${f.name} ${f.state}${f.detail ? `: ${f.detail}` : ''}\n`);
      }
    });
}
