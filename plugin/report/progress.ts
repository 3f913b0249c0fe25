/**
 * Progress for long work: a bar with ETA on a TTY, plain timestamped lines otherwise (CI logs,
 * pipes), nothing with `none`. With --json, progress goes to stderr so stdout stays parseable.
 */
import cliProgress from 'cli-progress';

export type ProgressMode = 'auto' | 'bar' | 'plain' | 'none';

export interface ProgressTask {
  update(done: number, detail?: string): void;
  finish(summary?: string): void;
}

export interface Progress {
  task(label: string, total: number, unit: string): ProgressTask;
  log(message: string): void;
}

export function createProgress(mode: ProgressMode, stream: NodeJS.WriteStream = process.stderr): Progress {
  const resolved = mode === 'auto' ? (stream.isTTY ? 'bar' : 'plain') : mode;
  const log = (message: string) => {
    if (resolved !== 'none') stream.write(`${message}\n`);
  };
  if (resolved === 'bar') {
    // A line written while a bar is drawn would tear it: hold such lines and print them under the
    // finished bar.
    let held: string[] | null = null;
    const logBesideBar = (message: string) => {
      if (held) held.push(message);
      else log(message);
    };
    return {
      log: logBesideBar,
      task(label, total, unit) {
        const bar = new cliProgress.SingleBar(
          {
            format: `${label.padEnd(8)} [{bar}] {value}/{total} ${unit} | {percentage}% | elapsed {duration_formatted} | ETA {eta_formatted} | {detail}`,
            stream,
            hideCursor: true,
            etaBuffer: 20,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, 0, { detail: '' });
        held = [];
        return {
          update: (done, detail) => bar.update(done, { detail: detail ?? '' }),
          finish: (summary) => {
            bar.stop();
            const lines = held ?? [];
            held = null;
            lines.forEach(log);
            if (summary) log(`${label}: ${summary}`);
          },
        };
      },
    };
  }
  if (resolved === 'plain') {
    return {
      log,
      task(label, total, unit) {
        const started = Date.now();
        let lastPrinted = 0;
        let lastShare = -1;
        return {
          update(done, detail) {
            const now = Date.now();
            const share = total > 0 ? Math.floor((10 * done) / total) : 0;
            // A line per 10 % or per 15 s keeps CI logs readable.
            if (share === lastShare && now - lastPrinted < 15_000 && done < total) return;
            lastShare = share;
            lastPrinted = now;
            const elapsed = (now - started) / 1000;
            if (total <= 0) {
              // An open-ended task (e.g. a wall-clock budget): no share, no ETA.
              log(`${label}: ${done} ${unit}, elapsed ${formatSeconds(elapsed)}${detail ? ` | ${detail}` : ''}`);
              return;
            }
            const eta = done > 0 ? (elapsed / done) * (total - done) : Number.NaN;
            log(
              `${label}: ${done}/${total} ${unit} (${Math.round((100 * done) / total)}%)` +
                ` elapsed ${formatSeconds(elapsed)}, ETA ${Number.isFinite(eta) ? formatSeconds(eta) : '?'}` +
                (detail ? ` | ${detail}` : ''),
            );
          },
          finish(summary) {
            log(`${label}: done in ${formatSeconds((Date.now() - started) / 1000)}${summary ? ` | ${summary}` : ''}`);
          },
        };
      },
    };
  }
  return { log, task: () => ({ update: () => undefined, finish: () => undefined }) };
}

export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m < 60 ? `${m}m${String(s).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
