/**
 * Journal timestamps: naive local time with microseconds, the one form every Optuna version
 * reads (3.1 parses with `%Y-%m-%dT%H:%M:%S.%f`, so the fraction is mandatory).
 */
export function journalTimestamp(date: Date = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}` +
    `T${p(date.getHours())}:${p(date.getMinutes())}:${p(date.getSeconds())}.${p(date.getMilliseconds(), 3)}000`
  );
}

/** Milliseconds since the epoch of a journal timestamp, naive (read as local time) or with an offset. */
export function parseJournalTimestamp(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:\d{2})?$/.exec(text);
  if (!m) return Number.NaN;
  const ms = Math.floor(Number((m[7] ?? '0').padEnd(6, '0')) / 1000);
  if (m[8] === undefined) return new Date(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, ms).getTime();
  return Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${String(ms).padStart(3, '0')}${m[8]}`);
}
