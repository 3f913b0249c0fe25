#!/usr/bin/env node
// The NAS-Bench-360 results table (markdown) from result.json files of `hgnas run`:
//   node scripts/nb360-table.mjs runs/*/result.json
// Needs the compiled package (npm run build / npx tsc -p tsconfig.json).
import { readFileSync } from 'node:fs';
import { formatNb360Table, nb360Run, nb360Table } from '../dist/plugin/tasks/nb360/table.js';

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: node scripts/nb360-table.mjs <result.json>…\n');
  process.exit(2);
}
try {
  const runs = files.map((f) => nb360Run(JSON.parse(readFileSync(f, 'utf8')), f));
  process.stdout.write(formatNb360Table(nb360Table(runs)) + '\n');
} catch (error) {
  process.stderr.write(`${error.message}\n`);
  process.exit(2);
}
