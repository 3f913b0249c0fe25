/**
 * Optuna parameter distributions as the journal stores them: a JSON string nested in the line
 * (harness-protocols.md §1.4). Reads the current classes, the deprecated ones and the abbreviated
 * `{"type": …}` form; writes only the three current classes. Internal values are numbers:
 * categoricals are stored as the index into `choices`.
 */
import { parsePythonJson, stringifyPythonJson, type JsonValue } from './json.js';

export type CategoricalChoice = null | boolean | number | string;
export type ParamValue = CategoricalChoice;

export type Distribution =
  | { readonly kind: 'float'; readonly className: string; readonly low: number; readonly high: number; readonly step: number | null; readonly log: boolean }
  | { readonly kind: 'int'; readonly className: string; readonly low: number; readonly high: number; readonly step: number; readonly log: boolean }
  | { readonly kind: 'categorical'; readonly className: string; readonly choices: readonly CategoricalChoice[] };

export function floatDistribution(low: number, high: number, options: { step?: number | null; log?: boolean } = {}): Distribution {
  return { kind: 'float', className: 'FloatDistribution', low, high, step: options.step ?? null, log: options.log ?? false };
}

export function intDistribution(low: number, high: number, options: { step?: number; log?: boolean } = {}): Distribution {
  return { kind: 'int', className: 'IntDistribution', low, high, step: options.step ?? 1, log: options.log ?? false };
}

export function categoricalDistribution(choices: readonly CategoricalChoice[]): Distribution {
  return { kind: 'categorical', className: 'CategoricalDistribution', choices: [...choices] };
}

export class DistributionError extends Error {
  override readonly name = 'DistributionError';
}

/** Parses the nested distribution string (or an already decoded object). */
export function parseDistribution(source: string | JsonValue): Distribution {
  const doc = typeof source === 'string' ? parsePythonJson(source) : source;
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new DistributionError(`not a distribution: ${JSON.stringify(source)}`);
  if (typeof doc.name === 'string') {
    const a = doc.attributes;
    if (a === null || typeof a !== 'object' || Array.isArray(a)) throw new DistributionError(`${doc.name}: missing attributes`);
    const num = (key: string): number => {
      const v = a[key];
      if (typeof v !== 'number') throw new DistributionError(`${doc.name}.${key}: expected a number, got ${JSON.stringify(v)}`);
      return v;
    };
    const optionalNum = (key: string): number | null => (a[key] === undefined || a[key] === null ? null : num(key));
    const name = doc.name;
    switch (name) {
      case 'FloatDistribution':
        return { kind: 'float', className: name, low: num('low'), high: num('high'), step: optionalNum('step'), log: a.log === true };
      case 'UniformDistribution':
        return { kind: 'float', className: name, low: num('low'), high: num('high'), step: null, log: false };
      case 'LogUniformDistribution':
        return { kind: 'float', className: name, low: num('low'), high: num('high'), step: null, log: true };
      case 'DiscreteUniformDistribution':
        return { kind: 'float', className: name, low: num('low'), high: num('high'), step: num('q'), log: false };
      case 'IntDistribution':
        return { kind: 'int', className: name, low: num('low'), high: num('high'), step: optionalNum('step') ?? 1, log: a.log === true };
      case 'IntUniformDistribution':
        return { kind: 'int', className: name, low: num('low'), high: num('high'), step: optionalNum('step') ?? 1, log: false };
      case 'IntLogUniformDistribution':
        return { kind: 'int', className: name, low: num('low'), high: num('high'), step: optionalNum('step') ?? 1, log: true };
      case 'CategoricalDistribution':
        return { kind: 'categorical', className: name, choices: choicesOf(a.choices, name) };
      default:
        throw new DistributionError(`unknown distribution class ${name}`);
    }
  }
  // The abbreviated form Optuna accepts from users (json_to_distribution's `type` branch).
  const low = doc.low;
  const high = doc.high;
  switch (doc.type) {
    case 'categorical':
      return { kind: 'categorical', className: 'CategoricalDistribution', choices: choicesOf(doc.choices, 'categorical') };
    case 'float':
    case 'int': {
      if (typeof low !== 'number' || typeof high !== 'number') throw new DistributionError(`${doc.type}: low and high must be numbers`);
      const step = typeof doc.step === 'number' ? doc.step : null;
      const log = doc.log === true;
      return doc.type === 'float'
        ? { kind: 'float', className: 'FloatDistribution', low, high, step, log }
        : { kind: 'int', className: 'IntDistribution', low, high, step: step ?? 1, log };
    }
    default:
      throw new DistributionError(`not a distribution: ${JSON.stringify(doc)}`);
  }
}

function choicesOf(value: JsonValue | undefined, where: string): CategoricalChoice[] {
  if (!Array.isArray(value)) throw new DistributionError(`${where}: choices must be a list`);
  return value.map((c) => {
    if (c !== null && typeof c === 'object') throw new DistributionError(`${where}: a choice must be null, a boolean, a number or a string`);
    return c;
  });
}

/** The nested JSON string in Optuna's own layout (`{"name", "attributes"}`). */
export function distributionToJson(d: Distribution): string {
  switch (d.kind) {
    case 'float':
      return stringifyPythonJson({ name: 'FloatDistribution', attributes: { step: d.step, low: d.low, high: d.high, log: d.log } });
    case 'int':
      return stringifyPythonJson({ name: 'IntDistribution', attributes: { log: d.log, step: d.step, low: d.low, high: d.high } });
    case 'categorical':
      return stringifyPythonJson({ name: 'CategoricalDistribution', attributes: { choices: d.choices } });
  }
}

export function toExternal(d: Distribution, internal: number): ParamValue {
  if (d.kind === 'float') return internal;
  if (d.kind === 'int') return Math.trunc(internal);
  const index = Math.trunc(internal);
  if (index < 0 || index >= d.choices.length) throw new DistributionError(`categorical index ${internal} outside ${d.choices.length} choices`);
  return d.choices[index]!;
}

export function toInternal(d: Distribution, external: ParamValue): number {
  if (d.kind === 'categorical') {
    const index = d.choices.findIndex((c) => c === external || (typeof c === 'number' && typeof external === 'number' && Number.isNaN(c) && Number.isNaN(external)));
    if (index < 0) throw new DistributionError(`${JSON.stringify(external)} is not one of the choices ${JSON.stringify(d.choices)}`);
    return index;
  }
  if (typeof external !== 'number') throw new DistributionError(`a ${d.kind} parameter needs a number, got ${JSON.stringify(external)}`);
  return external;
}

/** Optuna's check_distribution_compatibility: same class, same log flag, same categorical choices. */
export function incompatibility(previous: Distribution, next: Distribution): string | null {
  if (previous.className !== next.className) return `different distribution kind (${previous.className} vs ${next.className})`;
  if (previous.kind !== 'categorical' && next.kind !== 'categorical' && previous.log !== next.log) return 'different log configuration';
  if (previous.kind === 'categorical' && next.kind === 'categorical') {
    const same = previous.choices.length === next.choices.length && previous.choices.every((c, i) => c === next.choices[i]);
    if (!same) return 'different categorical choices';
  }
  return null;
}
