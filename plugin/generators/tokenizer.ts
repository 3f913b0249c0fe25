/**
 * The domain tokenizer of method.md §12.3: a closed vocabulary (1 086 tokens for 32 clusters).
 * Prompt numbers are spelled digit by digit; after the boundary `:(inputs)` every integer is one
 * whole-number token `#1`…`#1024`. Whitespace is not tokenised; decoding re-renders the canonical
 * text of §12.2 (no spaces in the prompt, ", " inside tuples).
 *
 * Id layout: specials, prompt keys, punctuation, prompt characters, boundary, cluster names,
 * `head`, `outputs`, then the completion integers.
 */
import { DEFAULT_NUM_CLUSTERS, lex, MAX_COMPLETION_INTEGER, MacroTextError, PROMPT_KEYS } from './macro-text.js';

const SPECIALS = ['<bos>', '<eos>', '<pad>', '<unk>'] as const;
const PUNCTUATION = [':', ',', '(', ')'] as const;
const PROMPT_CHARACTERS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '.', 'k', 'M', 'G'] as const;
export const BOUNDARY = ':(inputs)';

export class MacroTokenizer {
  readonly numClusters: number;
  readonly vocabSize: number;
  readonly bos: number;
  readonly eos: number;
  readonly pad: number;
  readonly unk: number;
  readonly colon: number;
  readonly comma: number;
  readonly open: number;
  readonly close: number;
  readonly boundary: number;
  readonly head: number;
  readonly outputs: number;
  private readonly words: string[];
  private readonly ids = new Map<string, number>();
  private readonly firstCell: number;
  private readonly firstInteger: number;

  constructor(numClusters: number = DEFAULT_NUM_CLUSTERS) {
    if (!Number.isInteger(numClusters) || numClusters < 1) throw new RangeError(`MacroTokenizer: numClusters must be a positive integer, got ${numClusters}`);
    this.numClusters = numClusters;
    const words: string[] = [...SPECIALS, ...PROMPT_KEYS, ...PUNCTUATION, ...PROMPT_CHARACTERS, BOUNDARY];
    this.firstCell = words.length;
    for (let k = 0; k < numClusters; k++) words.push(`cell_${k}`);
    words.push('head', 'outputs');
    this.firstInteger = words.length;
    for (let n = 1; n <= MAX_COMPLETION_INTEGER; n++) words.push(`#${n}`);
    this.words = words;
    words.forEach((w, i) => this.ids.set(w, i));
    this.vocabSize = words.length;
    const id = (w: string): number => this.ids.get(w)!;
    [this.bos, this.eos, this.pad, this.unk] = [id('<bos>'), id('<eos>'), id('<pad>'), id('<unk>')];
    [this.colon, this.comma, this.open, this.close] = [id(':'), id(','), id('('), id(')')];
    [this.boundary, this.head, this.outputs] = [id(BOUNDARY), id('head'), id('outputs')];
  }

  /** The token's text (`cell_3`, `#32`, `M`, `<eos>`…). */
  token(id: number): string {
    const w = this.words[id];
    if (w === undefined) throw new RangeError(`MacroTokenizer: token id ${id} outside 0..${this.vocabSize - 1}`);
    return w;
  }

  /** Id of a token text, or undefined. */
  idOf(token: string): number | undefined {
    return this.ids.get(token);
  }

  cellToken(cluster: number): number {
    if (!(Number.isInteger(cluster) && cluster >= 0 && cluster < this.numClusters)) throw new RangeError(`MacroTokenizer: cluster ${cluster} outside 0..${this.numClusters - 1}`);
    return this.firstCell + cluster;
  }

  /** The cluster id of a cell token, or null for any other token. */
  clusterOf(id: number): number | null {
    const k = id - this.firstCell;
    return k >= 0 && k < this.numClusters ? k : null;
  }

  integerToken(n: number): number {
    if (!(Number.isInteger(n) && n >= 1 && n <= MAX_COMPLETION_INTEGER)) throw new RangeError(`MacroTokenizer: completion integer ${n} outside 1..${MAX_COMPLETION_INTEGER}`);
    return this.firstInteger + n - 1;
  }

  /** The value of a `#n` token, or null for any other token. */
  integerOf(id: number): number | null {
    const n = id - this.firstInteger + 1;
    return n >= 1 && n <= MAX_COMPLETION_INTEGER ? n : null;
  }

  /**
   * Token ids of a sequence text, a prompt, or a prompt with its boundary. Lexical only (the
   * parser checks the grammar); throws a MacroTextError on anything outside the vocabulary.
   */
  encode(text: string, options: { readonly bos?: boolean; readonly eos?: boolean } = {}): Int32Array {
    const out: number[] = [];
    if (options.bos) out.push(this.bos);
    const lexemes = lex(text);
    let afterBoundary = false;
    for (let i = 0; i < lexemes.length; i++) {
      const l = lexemes[i]!;
      const ahead = lexemes.slice(i, i + 4).map((x) => x.text);
      if (!afterBoundary && ahead.join('') === BOUNDARY && lexemes[i + 2]!.kind === 'word') {
        out.push(this.boundary);
        afterBoundary = true;
        i += 3;
        continue;
      }
      if (l.kind === 'number') {
        if (afterBoundary) {
          const n = /^\d+$/.test(l.text) ? Number(l.text) : Number.NaN;
          if (!(n >= 1 && n <= MAX_COMPLETION_INTEGER)) throw new MacroTextError(l.position, `a whole number in 1..${MAX_COMPLETION_INTEGER} after the boundary`, JSON.stringify(l.text));
          out.push(this.integerToken(n));
        } else {
          for (const ch of l.text) out.push(this.ids.get(ch)!);
        }
        continue;
      }
      const id = this.ids.get(l.text);
      const ok = id !== undefined && (l.kind === 'punct' || id >= this.firstCell || (!afterBoundary && (PROMPT_KEYS as readonly string[]).includes(l.text)));
      if (!ok) throw new MacroTextError(l.position, 'a token of the macro vocabulary', JSON.stringify(l.text));
      out.push(id);
    }
    if (options.eos) out.push(this.eos);
    return Int32Array.from(out);
  }

  /**
   * Canonical text of token ids: `<bos>` and `<pad>` are skipped, decoding stops at `<eos>`,
   * commas inside a tuple are written ", ", `<unk>` is written as itself.
   */
  decode(ids: ArrayLike<number>): string {
    let text = '';
    let depth = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id === this.eos) break;
      if (id === this.bos || id === this.pad) continue;
      if (id === this.open) depth += 1;
      if (id === this.close) depth = Math.max(0, depth - 1);
      const n = this.integerOf(id);
      text += n !== null ? String(n) : id === this.comma && depth > 0 ? ', ' : this.token(id);
    }
    return text;
  }
}
