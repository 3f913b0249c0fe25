/**
 * JSON as Python's `json` module reads and writes it (harness-protocols.md §1.2): standard JSON
 * plus the bare tokens `NaN`, `Infinity` and `-Infinity`. `JSON.parse` rejects those tokens and
 * `JSON.stringify` turns non-finite numbers into `null`, which would silently change an infinite
 * objective value, so journal lines go through this module in both directions.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Parses one JSON text; accepts NaN/Infinity/-Infinity outside strings. Throws SyntaxError. */
export function parsePythonJson(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    // The common case is plain JSON; only lines with Python's extra tokens take the slow path.
    if (!/NaN|Infinity/.test(text)) throw error;
  }
  const parser = new Parser(text);
  const value = parser.value();
  parser.end();
  return value;
}

/** Serialises like Python's `json.dumps` with compact separators, writing non-finite numbers as Python tokens. */
export function stringifyPythonJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (Number.isNaN(value)) return 'NaN';
      if (value === Number.POSITIVE_INFINITY) return 'Infinity';
      if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
      return JSON.stringify(value);
    case 'string':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => stringifyPythonJson(v)).join(',')}]`;
      const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stringifyPythonJson(v)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`cannot write a ${typeof value} as JSON`);
  }
}

class Parser {
  private pos = 0;

  constructor(private readonly text: string) {}

  value(): JsonValue {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (this.text.startsWith('true', this.pos)) return this.literal('true', true);
    if (this.text.startsWith('false', this.pos)) return this.literal('false', false);
    if (this.text.startsWith('null', this.pos)) return this.literal('null', null);
    if (this.text.startsWith('NaN', this.pos)) return this.literal('NaN', Number.NaN);
    if (this.text.startsWith('Infinity', this.pos)) return this.literal('Infinity', Number.POSITIVE_INFINITY);
    if (this.text.startsWith('-Infinity', this.pos)) return this.literal('-Infinity', Number.NEGATIVE_INFINITY);
    return this.number();
  }

  end(): void {
    this.skipSpace();
    if (this.pos !== this.text.length) this.fail('unexpected text after the value');
  }

  private object(): JsonValue {
    this.pos++;
    const out: { [key: string]: JsonValue } = {};
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') this.fail('expected a string key');
      const key = this.string();
      this.skipSpace();
      if (this.text[this.pos] !== ':') this.fail("expected ':'");
      this.pos++;
      out[key] = this.value();
      this.skipSpace();
      const c = this.text[this.pos++];
      if (c === '}') return out;
      if (c !== ',') this.fail("expected ',' or '}'");
    }
  }

  private array(): JsonValue {
    this.pos++;
    const out: JsonValue[] = [];
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.skipSpace();
      const c = this.text[this.pos++];
      if (c === ']') return out;
      if (c !== ',') this.fail("expected ',' or ']'");
    }
  }

  private string(): string {
    const start = this.pos;
    this.pos++;
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined) this.fail('unterminated string');
      if (c === '\\') this.pos += 2;
      else if (c === '"') break;
      else this.pos++;
    }
    this.pos++;
    // A string token on its own is valid JSON: let the native parser handle the escapes.
    return JSON.parse(this.text.slice(start, this.pos)) as string;
  }

  private number(): number {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.text.slice(this.pos));
    if (!match) this.fail('expected a value');
    this.pos += match[0].length;
    return Number(match[0]);
  }

  private literal<T extends JsonValue>(token: string, value: T): T {
    this.pos += token.length;
    return value;
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && ' \t\n\r'.includes(this.text[this.pos]!)) this.pos++;
  }

  private fail(message: string): never {
    throw new SyntaxError(`${message} at position ${this.pos}`);
  }
}
