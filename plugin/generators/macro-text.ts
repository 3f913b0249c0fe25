/**
 * The transformer's text format (method.md §12.2): a task-and-budget prompt, the boundary
 * `:(inputs)`, one `(cell_k, C, s, r)` tuple per stage, an optional `(head, F)` tuple and
 * `,outputs`. Parsing is strict about domains (§10.2, §12.9: reject, never clamp) and tolerant
 * of whitespace between lexemes; every rejection names the character position and what was
 * expected there.
 */
import { InputError } from '../errors.js';
import { DEFAULT_MACRO_BOUNDS, validateBounds, type MacroBounds } from '../space/macro.js';
import type { ClusterGenotype, ClusterStage, MacroPrompt } from './types.js';

/** Head width used when a sequence has no head tuple (§12.2, the exploration start value). */
export const DEFAULT_HEAD_WIDTH = 128;
export const DEFAULT_NUM_CLUSTERS = 32;
/** Largest completion integer (channels and head width are at most 1 024, §10.2). */
export const MAX_COMPLETION_INTEGER = 1024;

export const PROMPT_KEYS = ['num_classes', 'input_size', 'param', 'flops', 'zc_score'] as const;
export type PromptKey = (typeof PROMPT_KEYS)[number];

/** A text that breaks the format or a domain; `position` is a 0-based character offset. */
export class MacroTextError extends InputError {
  constructor(
    readonly position: number,
    readonly expected: string,
    readonly found: string,
  ) {
    super(`macro text, character ${position}: expected ${expected}, found ${found}`);
  }
}

/**
 * What a completion may contain: the §10.2 domains narrowed by a recipe's space bounds, plus
 * the number of clusters. Shared by the parser and the sampling grammar so both agree exactly.
 */
export interface CompletionLimits {
  readonly numClusters: number;
  readonly minStages: number;
  readonly maxStages: number;
  readonly maxTotalCells: number;
  readonly maxRepeats: number;
  readonly minChannels: number;
  readonly maxChannels: number;
  readonly strides: ReadonlyArray<1 | 2>;
  readonly minHeadWidth: number;
  readonly maxHeadWidth: number;
  /** Cap on stride-2 stages; null = none. */
  readonly maxDownsamples: number | null;
}

/** Limits for `numClusters` clusters within `bounds` (default: the §10.2 domains). */
export function completionLimits(numClusters: number = DEFAULT_NUM_CLUSTERS, bounds: MacroBounds = DEFAULT_MACRO_BOUNDS): CompletionLimits {
  const problems = validateBounds(bounds);
  if (!Number.isInteger(numClusters) || numClusters < 1) problems.push(`numClusters must be a positive integer, got ${numClusters}`);
  if (bounds.maxChannels > MAX_COMPLETION_INTEGER || bounds.maxHeadWidth > MAX_COMPLETION_INTEGER) {
    problems.push(`bounds: channels and head width must be at most ${MAX_COMPLETION_INTEGER} (§10.2)`);
  }
  const maxDownsamples = bounds.maxDownsamples ?? null;
  if (!bounds.strides.includes(1) && maxDownsamples !== null && maxDownsamples < bounds.minStages) {
    problems.push('bounds: only stride 2 is allowed, but maxDownsamples is below minStages');
  }
  if (problems.length > 0) throw new InputError(`macro bounds: ${problems.join('; ')}`, 'fix the space bounds of the recipe');
  return {
    numClusters,
    minStages: bounds.minStages,
    maxStages: Math.min(bounds.maxStages, bounds.maxTotalCells),
    maxTotalCells: bounds.maxTotalCells,
    maxRepeats: bounds.maxRepeats,
    minChannels: bounds.minChannels,
    maxChannels: bounds.maxChannels,
    strides: [...bounds.strides].sort(),
    minHeadWidth: bounds.minHeadWidth,
    maxHeadWidth: bounds.maxHeadWidth,
    maxDownsamples,
  };
}

// ---------------------------------------------------------------------------------------------
// Lexing: words, numbers (digits, optional decimals, optional k/M/G) and : , ( ); whitespace
// between lexemes is skipped.

export type LexemeKind = 'word' | 'number' | 'punct';
export interface Lexeme {
  readonly kind: LexemeKind;
  readonly text: string;
  /** Character offset of the first character. */
  readonly position: number;
}

const LEXEME = /\s*(?:([A-Za-z_][A-Za-z0-9_]*)|(\d+(?:\.\d+)?[kMG]?)|([:,()]))/y;

export function lex(text: string): Lexeme[] {
  const out: Lexeme[] = [];
  LEXEME.lastIndex = 0;
  let at = 0;
  while (at < text.length) {
    LEXEME.lastIndex = at;
    const m = LEXEME.exec(text);
    if (m === null) {
      const rest = text.slice(at);
      const skipped = rest.length - rest.trimStart().length;
      if (skipped === rest.length) break; // trailing whitespace
      throw new MacroTextError(at + skipped, 'a key, a number or one of : , ( )', JSON.stringify(text[at + skipped]));
    }
    const body = m[1] ?? m[2] ?? m[3]!;
    const kind: LexemeKind = m[1] !== undefined ? 'word' : m[2] !== undefined ? 'number' : 'punct';
    out.push({ kind, text: body, position: LEXEME.lastIndex - body.length });
    at = LEXEME.lastIndex;
  }
  return out;
}

const SUFFIX: Readonly<Record<string, number>> = { k: 1e3, M: 1e6, G: 1e9 };

/** The value of a prompt number lexeme (`3M` → 3e6, `0.99M` → 990 000). */
export function numberValue(text: string): number {
  const last = text[text.length - 1]!;
  const scale = SUFFIX[last];
  const digits = scale === undefined ? text : text.slice(0, -1);
  // Multiply as decimals to avoid 0.99 · 1e6 = 989 999.999…
  const [whole, frac = ''] = digits.split('.');
  if (scale === undefined) return Number(digits);
  const decimals = frac.length;
  return (Number(whole + frac) * scale) / 10 ** decimals;
}

// ---------------------------------------------------------------------------------------------
// Parsing.

class Cursor {
  private i = 0;
  constructor(
    private readonly lexemes: readonly Lexeme[],
    private readonly textLength: number,
  ) {}
  peek(offset = 0): Lexeme | undefined {
    return this.lexemes[this.i + offset];
  }
  atEnd(): boolean {
    return this.i >= this.lexemes.length;
  }
  position(): number {
    return this.peek()?.position ?? this.textLength;
  }
  next(expected: string): Lexeme {
    const l = this.lexemes[this.i];
    if (l === undefined) throw new MacroTextError(this.textLength, expected, 'the end of the text');
    this.i += 1;
    return l;
  }
  expectPunct(p: string): Lexeme {
    const l = this.next(`"${p}"`);
    if (l.kind !== 'punct' || l.text !== p) throw new MacroTextError(l.position, `"${p}"`, describe(l));
    return l;
  }
  expectWord(w: string): Lexeme {
    const l = this.next(`"${w}"`);
    if (l.kind !== 'word' || l.text !== w) throw new MacroTextError(l.position, `"${w}"`, describe(l));
    return l;
  }
}

function describe(l: Lexeme): string {
  return JSON.stringify(l.text);
}

function isBoundaryAhead(c: Cursor): boolean {
  const [a, b, d, e] = [c.peek(), c.peek(1), c.peek(2), c.peek(3)];
  return a?.text === ':' && b?.text === '(' && d?.kind === 'word' && d.text === 'inputs' && e?.text === ')';
}

function parsePromptAt(c: Cursor): MacroPrompt {
  const values = new Map<PromptKey, number>();
  for (;;) {
    const key = c.next(`a prompt key (${PROMPT_KEYS.join(', ')})`);
    if (key.kind !== 'word' || !(PROMPT_KEYS as readonly string[]).includes(key.text)) {
      throw new MacroTextError(key.position, `a prompt key (${PROMPT_KEYS.join(', ')})`, describe(key));
    }
    const k = key.text as PromptKey;
    if (values.has(k)) throw new MacroTextError(key.position, `a key not given before`, `a second "${k}"`);
    c.expectPunct(':');
    const num = c.next(`a number for ${k}`);
    if (num.kind !== 'number') throw new MacroTextError(num.position, `a number for ${k} (digits, optional decimals, optional k/M/G)`, describe(num));
    const value = numberValue(num.text);
    if (k === 'num_classes' || k === 'input_size') {
      if (!Number.isInteger(value) || value < 1) throw new MacroTextError(num.position, `a positive integer for ${k}`, describe(num));
    } else if (k !== 'zc_score' && !(value > 0)) {
      throw new MacroTextError(num.position, `a positive budget for ${k}`, describe(num));
    }
    values.set(k, value);
    if (c.atEnd() || isBoundaryAhead(c)) break;
    c.expectPunct(',');
  }
  for (const k of ['num_classes', 'input_size'] as const) {
    if (!values.has(k)) throw new MacroTextError(c.position(), `a "${k}" entry in the prompt`, 'none');
  }
  return {
    numClasses: values.get('num_classes')!,
    inputSize: values.get('input_size')!,
    params: values.get('param') ?? null,
    flops: values.get('flops') ?? null,
    zcScore: values.get('zc_score') ?? null,
  };
}

/** Parses a prompt, with or without the trailing `:(inputs)`. */
export function parsePrompt(text: string): MacroPrompt {
  const c = new Cursor(lex(text), text.length);
  const prompt = parsePromptAt(c);
  if (isBoundaryAhead(c)) {
    c.expectPunct(':');
    c.expectPunct('(');
    c.expectWord('inputs');
    c.expectPunct(')');
  }
  if (!c.atEnd()) throw new MacroTextError(c.position(), 'the end of the prompt', describe(c.peek()!));
  return prompt;
}

function completionInteger(c: Cursor, what: string, ok: (n: number) => boolean, domain: string): { value: number; position: number } {
  const l = c.next(`${what}: ${domain}`);
  const value = l.kind === 'number' && /^\d+$/.test(l.text) ? Number(l.text) : Number.NaN;
  if (!ok(value)) throw new MacroTextError(l.position, `${what}: ${domain}`, describe(l));
  return { value, position: l.position };
}

const multipleOf8In = (lo: number, hi: number) => (n: number) => Number.isInteger(n) && n % 8 === 0 && n >= lo && n <= hi;

export interface ParseOptions {
  /** Cluster ids must be below this (default 32). */
  readonly numClusters?: number;
  /** A recipe's space bounds, checked on top of the §10.2 domains (default: the domains only). */
  readonly bounds?: MacroBounds;
}

/** Parses the completion after `:(inputs)` (the cursor sits on its first lexeme). */
function parseCompletionAt(c: Cursor, limits: CompletionLimits): ClusterGenotype {
  const stages: ClusterStage[] = [];
  let cells = 0;
  let downsamples = 0;
  let headWidth: number | null = null;
  for (;;) {
    c.expectPunct(',');
    const open = c.next('"(" or "outputs"');
    if (open.kind === 'word' && open.text === 'outputs') {
      if (stages.length < limits.minStages) throw new MacroTextError(open.position, `at least ${limits.minStages} stage(s)`, `${stages.length}`);
      break;
    }
    if (headWidth !== null) throw new MacroTextError(open.position, '"outputs" after the head tuple', describe(open));
    if (open.text !== '(') throw new MacroTextError(open.position, '"(" or "outputs"', describe(open));
    const name = c.next('a cluster name cell_<id> or "head"');
    if (name.kind === 'word' && name.text === 'head') {
      if (stages.length < limits.minStages) throw new MacroTextError(name.position, `at least ${limits.minStages} stage(s) before the head`, `${stages.length}`);
      c.expectPunct(',');
      headWidth = completionInteger(c, 'head width', multipleOf8In(limits.minHeadWidth, limits.maxHeadWidth), `a multiple of 8 in [${limits.minHeadWidth}, ${limits.maxHeadWidth}]`).value;
      c.expectPunct(')');
      continue;
    }
    const m = name.kind === 'word' ? /^cell_(\d+)$/.exec(name.text) : null;
    const cluster = m ? Number(m[1]) : Number.NaN;
    if (!(cluster >= 0 && cluster < limits.numClusters)) {
      throw new MacroTextError(name.position, `a cluster name cell_0..cell_${limits.numClusters - 1} or "head"`, describe(name));
    }
    if (stages.length >= limits.maxStages) throw new MacroTextError(open.position, `at most ${limits.maxStages} stages`, 'another stage');
    c.expectPunct(',');
    const channels = completionInteger(c, 'channels', multipleOf8In(limits.minChannels, limits.maxChannels), `a multiple of 8 in [${limits.minChannels}, ${limits.maxChannels}]`).value;
    c.expectPunct(',');
    const stride = completionInteger(c, 'stride', (n) => (limits.strides as readonly number[]).includes(n), `one of ${limits.strides.join(', ')}`);
    if (stride.value === 2) {
      downsamples += 1;
      if (limits.maxDownsamples !== null && downsamples > limits.maxDownsamples) {
        throw new MacroTextError(stride.position, `at most ${limits.maxDownsamples} stride-2 stages`, `stride-2 stage number ${downsamples}`);
      }
    }
    c.expectPunct(',');
    const repeats = completionInteger(c, 'repeats', (n) => Number.isInteger(n) && n >= 1 && n <= limits.maxRepeats, `an integer in 1..${limits.maxRepeats}`);
    cells += repeats.value;
    if (cells > limits.maxTotalCells) throw new MacroTextError(repeats.position, `at most ${limits.maxTotalCells} cells in total`, `${cells}`);
    c.expectPunct(')');
    stages.push({ cluster, channels, stride: stride.value as 1 | 2, repeats: repeats.value });
  }
  if (!c.atEnd()) throw new MacroTextError(c.position(), 'the end of the text after "outputs"', describe(c.peek()!));
  if (headWidth === null) {
    headWidth = DEFAULT_HEAD_WIDTH;
    if (!multipleOf8In(limits.minHeadWidth, limits.maxHeadWidth)(headWidth)) {
      throw new MacroTextError(c.position(), `a (head, F) tuple: the default F = ${DEFAULT_HEAD_WIDTH} is outside [${limits.minHeadWidth}, ${limits.maxHeadWidth}]`, 'none');
    }
  }
  return { stages, headWidth };
}

/** Parses a whole sequence `prompt:(inputs),(…),…,outputs`. */
export function parseSequence(text: string, options: ParseOptions = {}): { prompt: MacroPrompt; genotype: ClusterGenotype } {
  const limits = completionLimits(options.numClusters ?? DEFAULT_NUM_CLUSTERS, options.bounds ?? DEFAULT_MACRO_BOUNDS);
  const c = new Cursor(lex(text), text.length);
  const prompt = parsePromptAt(c);
  if (!isBoundaryAhead(c)) throw new MacroTextError(c.position(), '":(inputs)" after the prompt', c.atEnd() ? 'the end of the text' : describe(c.peek()!));
  c.expectPunct(':');
  c.expectPunct('(');
  c.expectWord('inputs');
  c.expectPunct(')');
  return { prompt, genotype: parseCompletionAt(c, limits) };
}

// ---------------------------------------------------------------------------------------------
// Printing.

/** `value / unit` with at most `decimals` decimals, trailing zeros dropped (3.00 → "3", 0.90 → "0.9"). */
function scaled(value: number, unit: number, decimals: number): string {
  const fixed = (value / unit).toFixed(decimals);
  return decimals > 0 ? fixed.replace(/\.?0+$/, '') : fixed;
}

/**
 * §12.2 rendering: `param` in M with two decimals, `flops` in M as an integer, `zc_score` in M
 * with three decimals. A value too small to show in M (it would print as 0) falls back to k and
 * then to a plain integer, so a budget never turns into 0.
 */
export function renderPromptNumber(key: 'param' | 'flops' | 'zc_score', value: number): string {
  if (!Number.isFinite(value) || value < 0) throw new InputError(`macro text: ${key} must be a finite non-negative number, got ${value}`);
  const decimals = key === 'param' ? 2 : key === 'flops' ? 0 : 3;
  const inM = scaled(value, 1e6, decimals);
  if (Number(inM) > 0 || value === 0) return `${inM}M`;
  const inK = scaled(value, 1e3, 0);
  if (Number(inK) > 0) return `${inK}k`;
  return String(Math.max(1, Math.round(value)));
}

export function printPrompt(prompt: MacroPrompt): string {
  for (const [k, v] of [['numClasses', prompt.numClasses], ['inputSize', prompt.inputSize]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new InputError(`macro text: prompt ${k} must be a positive integer, got ${v}`);
  }
  const pairs = [`num_classes:${prompt.numClasses}`, `input_size:${prompt.inputSize}`];
  if (prompt.params !== null) pairs.push(`param:${renderPromptNumber('param', prompt.params)}`);
  if (prompt.flops !== null) pairs.push(`flops:${renderPromptNumber('flops', prompt.flops)}`);
  if (prompt.zcScore !== null) pairs.push(`zc_score:${renderPromptNumber('zc_score', prompt.zcScore)}`);
  return pairs.join(',');
}

/** Domain problems of a genotype within `limits`, naming the field (`stages[1].channels: …`). */
export function genotypeProblems(genotype: ClusterGenotype, limits: CompletionLimits): string[] {
  const problems: string[] = [];
  const { stages } = genotype;
  if (stages.length < limits.minStages || stages.length > limits.maxStages) problems.push(`stages: ${stages.length}, expected ${limits.minStages}..${limits.maxStages}`);
  let cells = 0;
  let downsamples = 0;
  stages.forEach((s, i) => {
    if (!(Number.isInteger(s.cluster) && s.cluster >= 0 && s.cluster < limits.numClusters)) problems.push(`stages[${i}].cluster: expected 0..${limits.numClusters - 1}, got ${s.cluster}`);
    if (!multipleOf8In(limits.minChannels, limits.maxChannels)(s.channels)) problems.push(`stages[${i}].channels: expected a multiple of 8 in [${limits.minChannels}, ${limits.maxChannels}], got ${s.channels}`);
    if (!limits.strides.includes(s.stride)) problems.push(`stages[${i}].stride: expected one of ${limits.strides.join(', ')}, got ${s.stride}`);
    if (!(Number.isInteger(s.repeats) && s.repeats >= 1 && s.repeats <= limits.maxRepeats)) problems.push(`stages[${i}].repeats: expected 1..${limits.maxRepeats}, got ${s.repeats}`);
    cells += s.repeats;
    if (s.stride === 2) downsamples += 1;
  });
  if (cells > limits.maxTotalCells) problems.push(`stages: ${cells} cells in total, at most ${limits.maxTotalCells}`);
  if (limits.maxDownsamples !== null && downsamples > limits.maxDownsamples) problems.push(`stages: ${downsamples} stride-2 stages, at most ${limits.maxDownsamples}`);
  if (!multipleOf8In(limits.minHeadWidth, limits.maxHeadWidth)(genotype.headWidth)) problems.push(`headWidth: expected a multiple of 8 in [${limits.minHeadWidth}, ${limits.maxHeadWidth}], got ${genotype.headWidth}`);
  return problems;
}

/** The completion text `,(cell_21, 32, 1, 3),…,(head, 128),outputs` (head tuple always written). */
export function printCompletion(genotype: ClusterGenotype, numClusters: number = DEFAULT_NUM_CLUSTERS): string {
  const problems = genotypeProblems(genotype, completionLimits(numClusters));
  if (problems.length > 0) throw new InputError(`macro text: cannot print an invalid genotype: ${problems.join('; ')}`);
  const stages = genotype.stages.map((s) => `,(cell_${s.cluster}, ${s.channels}, ${s.stride}, ${s.repeats})`).join('');
  return `${stages},(head, ${genotype.headWidth}),outputs`;
}

/** The canonical sequence text (no spaces in the prompt, ", " inside tuples). */
export function printSequence(prompt: MacroPrompt, genotype: ClusterGenotype, numClusters: number = DEFAULT_NUM_CLUSTERS): string {
  return `${printPrompt(prompt)}:(inputs)${printCompletion(genotype, numClusters)}`;
}
