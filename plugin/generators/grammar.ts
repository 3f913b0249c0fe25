/**
 * Grammar-constrained decoding (method.md §12.8): an incremental state machine over the tokens
 * after `:(inputs)` that says which next tokens keep the completion parseable AND within the
 * completion limits (§10.2 domains narrowed by the recipe's space bounds). Every walk that only
 * takes allowed tokens ends in `outputs <eos>` with a sequence `parseSequence` accepts: the
 * machine never reaches a state without an allowed token (repeats reserve one cell for each
 * stage still needed to reach minStages, and a head tuple or `outputs` is allowed as soon as
 * minStages stages exist).
 *
 * Completion shape: `( "," stage )+ ( "," head )? "," outputs <eos>` with
 * stage = `( cell_k , #C , #s , #r )` and head = `( head , #F )`.
 */
import { DEFAULT_HEAD_WIDTH, type CompletionLimits } from './macro-text.js';
import type { MacroTokenizer } from './tokenizer.js';

export type GrammarPhase =
  | 'start' // before the first ","
  | 'open' // after a "," between tuples: "(" or "outputs"
  | 'name' // after "(": a cluster name or "head"
  | 'stageComma1'
  | 'channels'
  | 'stageComma2'
  | 'stride'
  | 'stageComma3'
  | 'repeats'
  | 'stageClose'
  | 'afterTuple' // after ")": ","
  | 'headComma'
  | 'headWidth'
  | 'headClose'
  | 'afterHead' // after the head's ")": ","
  | 'headOpen' // after "," that follows the head: only "outputs"
  | 'end' // after "outputs": <eos>
  | 'done';

export interface GrammarState {
  readonly phase: GrammarPhase;
  /** Stages completed or in progress. */
  readonly stages: number;
  /** Σ repeats of the completed stages. */
  readonly cells: number;
  readonly downsamples: number;
}

const isMultipleOf8In = (n: number, lo: number, hi: number): boolean => n % 8 === 0 && n >= lo && n <= hi;

export class CompletionGrammar {
  private readonly masks = new Map<string, Uint8Array>();

  constructor(
    readonly limits: CompletionLimits,
    readonly tokenizer: MacroTokenizer,
  ) {
    if (limits.numClusters !== tokenizer.numClusters) {
      throw new RangeError(`CompletionGrammar: limits for ${limits.numClusters} clusters but a tokenizer for ${tokenizer.numClusters}`);
    }
  }

  start(): GrammarState {
    return { phase: 'start', stages: 0, cells: 0, downsamples: 0 };
  }

  private canAddStage(s: GrammarState): boolean {
    const { limits } = this;
    const strideLeft = limits.strides.includes(1) || limits.maxDownsamples === null || s.downsamples < limits.maxDownsamples;
    return s.stages < limits.maxStages && s.cells < limits.maxTotalCells && strideLeft;
  }

  private canAddHead(s: GrammarState): boolean {
    return s.stages >= this.limits.minStages;
  }

  private canEndWithoutHead(s: GrammarState): boolean {
    return this.canAddHead(s) && isMultipleOf8In(DEFAULT_HEAD_WIDTH, this.limits.minHeadWidth, this.limits.maxHeadWidth);
  }

  /** Largest repeats for the stage in progress: leaves one cell for every stage still required. */
  private maxRepeats(s: GrammarState): number {
    const stillRequired = Math.max(0, this.limits.minStages - s.stages);
    return Math.min(this.limits.maxRepeats, this.limits.maxTotalCells - s.cells - stillRequired);
  }

  private strideTwoAllowed(s: GrammarState): boolean {
    return this.limits.strides.includes(2) && (this.limits.maxDownsamples === null || s.downsamples < this.limits.maxDownsamples);
  }

  /** The allowed-token mask (1 = allowed) after the tokens that led to `s`. Shared; do not modify. */
  allowed(s: GrammarState): Uint8Array {
    let key: string = s.phase;
    if (s.phase === 'open') key += `:${this.canAddStage(s) || this.canAddHead(s)}:${this.canEndWithoutHead(s)}`;
    else if (s.phase === 'name') key += `:${this.canAddStage(s)}:${this.canAddHead(s)}`;
    else if (s.phase === 'stride') key += `:${this.strideTwoAllowed(s)}`;
    else if (s.phase === 'repeats') key += `:${this.maxRepeats(s)}`;
    let mask = this.masks.get(key);
    if (mask === undefined) {
      mask = this.buildMask(s);
      this.masks.set(key, mask);
    }
    return mask;
  }

  private buildMask(s: GrammarState): Uint8Array {
    const t = this.tokenizer;
    const { limits } = this;
    const mask = new Uint8Array(t.vocabSize);
    const allow = (id: number): void => {
      mask[id] = 1;
    };
    switch (s.phase) {
      case 'start':
      case 'afterTuple':
      case 'afterHead':
        allow(t.comma);
        break;
      case 'open':
        if (this.canAddStage(s) || this.canAddHead(s)) allow(t.open);
        if (this.canEndWithoutHead(s)) allow(t.outputs);
        break;
      case 'headOpen':
        allow(t.outputs);
        break;
      case 'name':
        if (this.canAddStage(s)) for (let k = 0; k < limits.numClusters; k++) allow(t.cellToken(k));
        if (this.canAddHead(s)) allow(t.head);
        break;
      case 'stageComma1':
      case 'stageComma2':
      case 'stageComma3':
      case 'headComma':
        allow(t.comma);
        break;
      case 'channels':
        for (let c = limits.minChannels; c <= limits.maxChannels; c += 8) allow(t.integerToken(c));
        break;
      case 'stride':
        if (limits.strides.includes(1)) allow(t.integerToken(1));
        if (this.strideTwoAllowed(s)) allow(t.integerToken(2));
        break;
      case 'repeats':
        for (let r = 1; r <= this.maxRepeats(s); r++) allow(t.integerToken(r));
        break;
      case 'stageClose':
      case 'headClose':
        allow(t.close);
        break;
      case 'headWidth':
        for (let f = limits.minHeadWidth; f <= limits.maxHeadWidth; f += 8) allow(t.integerToken(f));
        break;
      case 'end':
        allow(t.eos);
        break;
      case 'done':
        break;
    }
    return mask;
  }

  /** The state after `token`; throws if the token is not allowed in `s`. */
  advance(s: GrammarState, token: number): GrammarState {
    if (this.allowed(s)[token] !== 1) {
      const shown = token >= 0 && token < this.tokenizer.vocabSize ? this.tokenizer.token(token) : String(token);
      throw new RangeError(`CompletionGrammar: token ${shown} is not allowed in phase ${s.phase}`);
    }
    const t = this.tokenizer;
    const to = (phase: GrammarPhase, changes: Partial<GrammarState> = {}): GrammarState => ({ ...s, ...changes, phase });
    switch (s.phase) {
      case 'start':
      case 'afterTuple':
        return to('open');
      case 'afterHead':
        return to('headOpen');
      case 'open':
        return token === t.outputs ? to('end') : to('name');
      case 'headOpen':
        return to('end');
      case 'name':
        return token === t.head ? to('headComma') : to('stageComma1', { stages: s.stages + 1 });
      case 'stageComma1':
        return to('channels');
      case 'channels':
        return to('stageComma2');
      case 'stageComma2':
        return to('stride');
      case 'stride':
        return to('stageComma3', { downsamples: s.downsamples + (t.integerOf(token) === 2 ? 1 : 0) });
      case 'stageComma3':
        return to('repeats');
      case 'repeats':
        return to('stageClose', { cells: s.cells + t.integerOf(token)! });
      case 'stageClose':
        return to('afterTuple');
      case 'headComma':
        return to('headWidth');
      case 'headWidth':
        return to('headClose');
      case 'headClose':
        return to('afterHead');
      case 'end':
        return to('done');
      case 'done':
        throw new RangeError('CompletionGrammar: nothing follows <eos>');
    }
  }

  /** Replays `tokens` (the completion tokens after the boundary) from the start state. */
  stateAfter(tokens: ArrayLike<number>): GrammarState {
    let s = this.start();
    for (let i = 0; i < tokens.length; i++) s = this.advance(s, tokens[i]!);
    return s;
  }

  /** The allowed-token mask after `tokens` (completion tokens after the boundary). */
  maskAfter(tokens: ArrayLike<number>): Uint8Array {
    return this.allowed(this.stateAfter(tokens));
  }

  isDone(s: GrammarState): boolean {
    return s.phase === 'done';
  }
}
