/**
 * `report.html` for a run directory: one self-contained page (inline CSS and SVG) summarising
 * the search, the proxies, the winner and its training. Missing or corrupt files are reported
 * inside the page; only a directory that is not a run at all is an error (InputError).
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderPage } from './page.js';
import { loadRunData, type FileStatus } from './run-data.js';

export { loadRunData, type FileStatus, type RunData } from './run-data.js';
export { renderPage } from './page.js';

export const REPORT_FILE = 'report.html';

export interface RunReport {
  /** Absolute path of the written report.html. */
  readonly path: string;
  /** What was read, missing or corrupt. */
  readonly files: readonly FileStatus[];
}

/** Writes `<runDir>/report.html` (atomically, replacing an older one) and returns its path. */
export function writeRunReport(runDir: string): string {
  return generateRunReport(runDir).path;
}

/** writeRunReport, also telling which files were usable (for `hgnas report --json`). */
export function generateRunReport(runDir: string): RunReport {
  const data = loadRunData(runDir);
  const html = renderPage(data);
  const path = join(data.dir, REPORT_FILE);
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, html);
  renameSync(temp, path);
  return { path, files: data.files };
}
