import { ByteReader, latin1, utf8 } from './bytes.js';
import { DataFormatError } from './errors.js';
import { decodeArray, fortranToC, parseDtype, product, type Dtype, type NdArray } from './ndarray.js';
import { describePy, type PyDict, type PyKey, type PyValue } from './pyvalue.js';

/**
 * A reader for the subset of Python pickle (protocols 0–5) that the benchmark files use: plain
 * containers, numbers, strings, bytes and NumPy arrays/dtypes/scalars.
 *
 * It is a stack machine that never runs code: a GLOBAL naming anything outside ALLOWED_GLOBALS is
 * refused on the spot (PickleGlobalError names it), and the allowed ones are re-implemented here
 * as data constructors.
 */

/** A global the reader refuses to resolve (for example os.system or builtins.eval). */
export class PickleGlobalError extends DataFormatError {
  constructor(file: string, readonly globalName: string, offset: number) {
    super(file, 'only NumPy arrays/dtypes/scalars and plain Python containers (allow-listed globals)', `a reference to the global ${globalName}, which this reader refuses to load`, offset);
  }
}

type Builtin = 'reconstruct' | 'ndarray' | 'dtype' | 'scalar' | 'frombuffer' | 'codecs_encode' | 'bytes' | 'set' | 'ordered_dict';

const NUMPY_MODULES = ['numpy.core.multiarray', 'numpy._core.multiarray'];
const ALLOWED_GLOBALS: ReadonlyMap<string, Builtin> = new Map<string, Builtin>([
  ...NUMPY_MODULES.map((m): [string, Builtin] => [`${m}._reconstruct`, 'reconstruct']),
  ...NUMPY_MODULES.map((m): [string, Builtin] => [`${m}.scalar`, 'scalar']),
  ['numpy.core.numeric._frombuffer', 'frombuffer'],
  ['numpy._core.numeric._frombuffer', 'frombuffer'],
  ['numpy.ndarray', 'ndarray'],
  ['numpy.dtype', 'dtype'],
  ['_codecs.encode', 'codecs_encode'],
  // Plain data constructors that protocols 0–2 spell as calls.
  ...['builtins', '__builtin__'].flatMap((m): [string, Builtin][] => [
    [`${m}.bytes`, 'bytes'],
    [`${m}.bytearray`, 'bytes'],
    [`${m}.set`, 'set'],
    [`${m}.frozenset`, 'set'],
  ]),
  ['collections.OrderedDict', 'ordered_dict'],
]);

/** The allow-list, for documentation and error messages. */
export const allowedPickleGlobals = (): string[] => [...ALLOWED_GLOBALS.keys()];

class Mark {}
const MARK = new Mark();

class GlobalRef {
  constructor(readonly kind: Builtin, readonly name: string) {}
}

/** numpy.dtype(...) before and after its BUILD state sets the byte order and item size. */
class DtypeRef {
  constructor(public dtype: Dtype, readonly descr: string) {}
}

/** ndarray returned by _reconstruct: filled in place by BUILD, since the memo may already share it. */
type ArraySlot = NdArray & { built: boolean };

type StackItem = PyValue | Mark | GlobalRef | DtypeRef | ArraySlot;

/** Unpickles `bytes` (a whole pickle stream; trailing bytes after STOP are an error). */
export function readPickle(bytes: Uint8Array, file: string): PyValue {
  const { value, end } = readPickleAt(bytes, 0, file);
  if (end !== bytes.length) throw new DataFormatError(file, 'end of file after the pickle STOP opcode', `${bytes.length - end} more bytes`, end);
  return value;
}

/** Unpickles one pickle starting at `start`; returns the value and the offset just after STOP. */
export function readPickleAt(bytes: Uint8Array, start: number, file: string): { value: PyValue; end: number } {
  const r = new ByteReader(bytes, file, start);
  const stack: StackItem[] = [];
  const marks: number[] = [];
  const memo = new Map<number, StackItem>();

  const fail = (expected: string, found: string, at = r.pos): never => {
    throw new DataFormatError(file, expected, found, at);
  };
  const pop = (): StackItem => (stack.length === 0 ? fail('a value on the pickle stack', 'an empty stack') : (stack.pop() as StackItem));
  const top = (): StackItem => (stack.length === 0 ? fail('a value on the pickle stack', 'an empty stack') : stack[stack.length - 1]);
  const popMark = (): StackItem[] => {
    const m = marks.pop();
    if (m === undefined) return fail('a MARK on the pickle stack', 'none');
    return stack.splice(m);
  };
  const line = (what: string): string => {
    const end = bytes.indexOf(0x0a, r.pos);
    if (end < 0) return fail(`a newline-terminated ${what}`, 'end of file');
    const s = latin1(bytes.subarray(r.pos, end));
    r.pos = end + 1;
    return s;
  };
  const value = (item: StackItem, what: string): PyValue => {
    if (item instanceof Mark || item instanceof GlobalRef || item instanceof DtypeRef) {
      return fail(`a Python value for ${what}`, item instanceof Mark ? 'a MARK' : item instanceof GlobalRef ? `the callable ${item.name}` : `numpy.dtype(${item.descr})`);
    }
    return item;
  };
  const key = (item: StackItem): PyKey => {
    const v = value(item, 'a dict key');
    if (v instanceof Uint8Array) return latin1(v);
    if (v === null || ['string', 'number', 'bigint', 'boolean'].includes(typeof v)) return v as PyKey;
    return fail('a dict key of str, int, float, bool or None', describePy(v));
  };
  const setItems = (target: StackItem, items: StackItem[]): void => {
    if (!(target instanceof Map)) fail('a dict to set items on', describeItem(target));
    if (items.length % 2 !== 0) fail('key/value pairs', `${items.length} items`);
    for (let i = 0; i < items.length; i += 2) (target as PyDict).set(key(items[i]), value(items[i + 1], 'a dict value'));
  };
  const addItems = (target: StackItem, items: StackItem[]): void => {
    if (!Array.isArray(target)) fail('a list to append to', describeItem(target));
    for (const it of items) (target as PyValue[]).push(value(it, 'a list item'));
  };
  // Tuples may carry callables and dtypes as REDUCE arguments and ndarray state; marks never.
  const tuple = (items: StackItem[]): PyValue[] => {
    if (items.some((it) => it instanceof Mark)) fail('tuple items', 'a MARK');
    return items as PyValue[];
  };
  const int = (v: bigint): number | bigint => (v >= -BigInt(Number.MAX_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);

  for (;;) {
    const at = r.pos;
    const op = r.u8('a pickle opcode (no STOP before end of file: truncated pickle?)');
    switch (op) {
      case 0x80: { // PROTO
        const proto = r.u8('protocol version');
        if (proto > 5) fail('pickle protocol 0–5', `protocol ${proto}`, at);
        break;
      }
      case 0x95: r.u64('frame length'); break; // FRAME: framing is only a buffering hint
      case 0x2e: return { value: value(pop(), 'the pickle result'), end: r.pos }; // STOP
      case 0x28: marks.push(stack.length); break; // MARK
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4a: stack.push(r.i32('BININT')); break;
      case 0x4b: stack.push(r.u8('BININT1')); break;
      case 0x4d: stack.push(r.u16('BININT2')); break;
      case 0x8a: stack.push(int(signedLE(r.take(r.u8('LONG1 length'), 'LONG1')))); break;
      case 0x8b: {
        const n = r.i32('LONG4 length');
        if (n < 0) fail('a non-negative LONG4 length', String(n), at);
        stack.push(int(signedLE(r.take(n, 'LONG4'))));
        break;
      }
      case 0x49: { // INT (text): also encodes True/False in protocol 0
        const s = line('INT');
        stack.push(s === '01' ? true : s === '00' ? false : int(parseBigInt(s, file, at)));
        break;
      }
      case 0x4c: stack.push(int(parseBigInt(line('LONG').replace(/L$/, ''), file, at))); break; // LONG (text)
      case 0x46: stack.push(parseTextFloat(line('FLOAT'), file, at)); break; // FLOAT (text)
      case 0x47: stack.push(r.f64('BINFLOAT', false)); break;
      case 0x58: stack.push(utf8(r.take(r.u32('BINUNICODE length'), 'BINUNICODE'))); break;
      case 0x8c: stack.push(utf8(r.take(r.u8('SHORT_BINUNICODE length'), 'SHORT_BINUNICODE'))); break;
      case 0x8d: stack.push(utf8(r.take(r.u64('BINUNICODE8 length'), 'BINUNICODE8'))); break;
      case 0x56: stack.push(unescapeRawUnicode(line('UNICODE'))); break; // UNICODE (text)
      case 0x54: { // BINSTRING: a Python 2 str, decoded like pickle's encoding='latin1'
        const n = r.i32('BINSTRING length');
        if (n < 0) fail('a non-negative BINSTRING length', String(n), at);
        stack.push(latin1(r.take(n, 'BINSTRING')));
        break;
      }
      case 0x55: stack.push(latin1(r.take(r.u8('SHORT_BINSTRING length'), 'SHORT_BINSTRING'))); break;
      case 0x53: stack.push(parseQuotedString(line('STRING'), file, at)); break; // STRING (text)
      case 0x42: stack.push(r.take(r.u32('BINBYTES length'), 'BINBYTES')); break;
      case 0x43: stack.push(r.take(r.u8('SHORT_BINBYTES length'), 'SHORT_BINBYTES')); break;
      case 0x8e: stack.push(r.take(r.u64('BINBYTES8 length'), 'BINBYTES8')); break;
      case 0x96: stack.push(r.take(r.u64('BYTEARRAY8 length'), 'BYTEARRAY8').slice()); break;
      case 0x97: case 0x98: // NEXT_BUFFER, READONLY_BUFFER
        fail('in-band data', 'an out-of-band buffer (pickle protocol 5 buffer_callback); re-save the file without out-of-band buffers', at);
        break;
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x61: { const v = value(pop(), 'APPEND'); addItems(top(), [v]); break; } // APPEND
      case 0x65: { const items = popMark(); addItems(top(), items); break; } // APPENDS
      case 0x6c: stack.push(popMark().map((v) => value(v, 'a list item'))); break; // LIST
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x74: stack.push(tuple(popMark())); break; // TUPLE
      case 0x85: case 0x86: case 0x87: { // TUPLE1..3
        const n = op - 0x84;
        if (stack.length < n) fail(`${n} values for TUPLE${n}`, `${stack.length}`, at);
        stack.push(tuple(stack.splice(stack.length - n)));
        break;
      }
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x64: { const d: PyDict = new Map(); setItems(d, popMark()); stack.push(d); break; } // DICT
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x8f: stack.push(new Set<PyKey>()); break; // EMPTY_SET
      case 0x90: { // ADDITEMS
        const items = popMark();
        const s = top();
        if (!(s instanceof Set)) fail('a set to add items to', describeItem(s), at);
        for (const it of items) (s as Set<PyKey>).add(key(it));
        break;
      }
      case 0x91: stack.push(new Set(popMark().map(key))); break; // FROZENSET
      case 0x63: { // GLOBAL
        const module = line('GLOBAL module');
        const name = line('GLOBAL name');
        stack.push(resolveGlobal(module, name, file, at));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = value(pop(), 'STACK_GLOBAL name');
        const module = value(pop(), 'STACK_GLOBAL module');
        if (typeof module !== 'string' || typeof name !== 'string') fail('two strings for STACK_GLOBAL', `${describePy(module)}, ${describePy(name)}`, at);
        stack.push(resolveGlobal(module as string, name as string, file, at));
        break;
      }
      case 0x52: { // REDUCE
        const args = value(pop(), 'REDUCE arguments');
        const callable = pop();
        if (!(callable instanceof GlobalRef)) fail('an allow-listed callable for REDUCE', describeItem(callable), at);
        if (!Array.isArray(args)) fail('a tuple of arguments for REDUCE', describePy(args), at);
        stack.push(call(callable as GlobalRef, args as PyValue[], file, at));
        break;
      }
      case 0x62: { // BUILD
        const state = value(pop(), 'BUILD state');
        build(top(), state, file, at);
        break;
      }
      case 0x81: case 0x92: { // NEWOBJ, NEWOBJ_EX
        const what = op === 0x81 ? 'NEWOBJ' : 'NEWOBJ_EX';
        fail('only allow-listed constructor calls', `${what} (class instantiation), which this reader does not perform`, at);
        break;
      }
      case 0x69: case 0x6f: fail('only allow-listed constructor calls', `${op === 0x69 ? 'INST' : 'OBJ'} (class instantiation), which this reader does not perform`, at); break;
      case 0x50: case 0x51: fail('self-contained data', 'a persistent id (PERSID), which needs the writer\'s own loader', at); break;
      case 0x82: case 0x83: case 0x84: fail('self-contained data', 'an extension-registry reference (EXT1/2/4)', at); break;
      case 0x70: memo.set(Number(line('PUT index')), top()); break; // PUT
      case 0x71: memo.set(r.u8('BINPUT index'), top()); break;
      case 0x72: memo.set(r.u32('LONG_BINPUT index'), top()); break;
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x67: stack.push(memoGet(memo, Number(line('GET index')), file, at)); break; // GET
      case 0x68: stack.push(memoGet(memo, r.u8('BINGET index'), file, at)); break;
      case 0x6a: stack.push(memoGet(memo, r.u32('LONG_BINGET index'), file, at)); break;
      default:
        fail('a pickle opcode', `byte 0x${op.toString(16).padStart(2, '0')} (not a pickle, or corrupt)`, at);
    }
  }
}

function describeItem(item: StackItem): string {
  if (item instanceof Mark) return 'a MARK';
  if (item instanceof GlobalRef) return `the callable ${item.name}`;
  if (item instanceof DtypeRef) return `numpy.dtype(${item.descr})`;
  return describePy(item);
}

function memoGet(memo: Map<number, StackItem>, i: number, file: string, at: number): StackItem {
  const v = memo.get(i);
  if (v === undefined) throw new DataFormatError(file, `memo entry ${i}`, 'no such entry (corrupt pickle)', at);
  return v;
}

function resolveGlobal(module: string, name: string, file: string, at: number): GlobalRef {
  const full = `${module}.${name}`;
  const kind = ALLOWED_GLOBALS.get(full);
  if (!kind) throw new PickleGlobalError(file, full, at);
  return new GlobalRef(kind, full);
}

function call(fn: GlobalRef, args: PyValue[], file: string, at: number): StackItem {
  const bad = (expected: string): never => {
    throw new DataFormatError(file, `${fn.name}(${expected})`, `arguments (${args.map(describePy).join(', ')})`, at);
  };
  switch (fn.kind) {
    case 'reconstruct': {
      // _reconstruct(ndarray, (0,), b'b') makes an empty array that BUILD then fills.
      const slot: ArraySlot = { kind: 'object', dtype: 'O', shape: [0], data: [], built: false };
      return slot;
    }
    case 'dtype': {
      if (typeof args[0] !== 'string') bad('a type string, align, copy');
      const descr = args[0] as string;
      return new DtypeRef(parseDtype(descr, file), descr);
    }
    case 'scalar': {
      const [dt, raw] = args as unknown as [DtypeRef, PyValue];
      if (!(dt instanceof DtypeRef)) bad('numpy.dtype, bytes');
      const arr = decodeArray(toBytes(raw, file, at, 'scalar data'), dt.dtype, [], false, file);
      return arr.data[0] as number | string;
    }
    case 'frombuffer': {
      // Protocol 5: _frombuffer(buffer, dtype, shape, order)
      const [buf, dt, shape, order] = args as unknown as [PyValue, DtypeRef, PyValue, PyValue];
      if (!(dt instanceof DtypeRef) || !Array.isArray(shape)) bad('buffer, numpy.dtype, shape, order');
      return decodeArray(toBytes(buf, file, at, 'array buffer'), dt.dtype, shapeOf(shape, file, at), order === 'F', file);
    }
    case 'codecs_encode': {
      // Python 3 bytes at protocol 2: _codecs.encode(text, 'latin1').
      const [text, enc] = args;
      if (typeof text !== 'string') bad('text, encoding');
      if (enc !== 'latin1' && enc !== 'latin-1') bad(`text, 'latin1' (got encoding ${String(enc)})`);
      return latin1Bytes(text as string, file, at);
    }
    case 'bytes': {
      if (args.length === 0) return new Uint8Array(0);
      const [src] = args;
      if (typeof src === 'string') return latin1Bytes(src, file, at);
      if (src instanceof Uint8Array) return src.slice();
      if (Array.isArray(src) && src.every((b) => typeof b === 'number' && Number.isInteger(b) && b >= 0 && b < 256)) return Uint8Array.from(src as number[]);
      return bad('bytes, a list of byte values, or text and encoding');
    }
    case 'set': {
      if (args.length === 0) return new Set<PyKey>();
      if (!Array.isArray(args[0])) return bad('a list of items');
      const out = new Set<PyKey>();
      for (const item of args[0] as PyValue[]) {
        if (item !== null && typeof item === 'object') bad('a list of hashable scalars');
        out.add(item as PyKey);
      }
      return out;
    }
    case 'ordered_dict':
      if (args.length === 0) return new Map();
      if (Array.isArray(args[0])) {
        const d: PyDict = new Map();
        for (const pair of args[0]) {
          if (!Array.isArray(pair) || pair.length !== 2) bad('a list of (key, value) pairs');
          d.set((pair as PyValue[])[0] as PyKey, (pair as PyValue[])[1]);
        }
        return d;
      }
      return bad('nothing or a list of (key, value) pairs');
    case 'ndarray':
      return bad('— numpy.ndarray is only accepted as the first argument of _reconstruct');
  }
}

function build(target: StackItem, state: PyValue, file: string, at: number): void {
  if (target instanceof DtypeRef) {
    // (version, byteorder, subdescr, names, fields, elsize, alignment, flags[, metadata])
    if (!Array.isArray(state) || state.length < 8) throw new DataFormatError(file, 'a numpy.dtype state tuple', describePy(state), at);
    const [, order, , names, fields, elsize] = state;
    if (names !== null || fields !== null) throw new DataFormatError(file, 'a plain (unstructured) NumPy dtype', `a structured dtype ${target.descr}`, at);
    const d = parseDtype(target.descr, file, typeof order === 'string' ? order : undefined);
    if ((d.kind === 'U' || d.kind === 'S') && typeof elsize === 'number' && elsize > 0) d.itemSize = elsize;
    target.dtype = d;
    return;
  }
  if (isSlot(target)) {
    // (version, shape, dtype, is_fortran, data) — older NumPy wrote it without the version.
    if (!Array.isArray(state) || (state.length !== 5 && state.length !== 4)) throw new DataFormatError(file, 'a numpy.ndarray state tuple', describePy(state), at);
    const [shape, dt, fortran, raw] = (state.length === 5 ? state.slice(1) : state) as unknown as [PyValue, DtypeRef, PyValue, PyValue];
    if (!(dt instanceof DtypeRef)) throw new DataFormatError(file, 'a numpy.dtype in the ndarray state', describePy(dt), at);
    const dims = shapeOf(shape, file, at);
    let arr: NdArray;
    if (dt.dtype.kind === 'O') {
      if (!Array.isArray(raw) || raw.length !== product(dims)) throw new DataFormatError(file, `a list of ${product(dims)} objects for an object array`, describePy(raw), at);
      arr = { kind: 'object', dtype: 'O', shape: dims, data: fortran === true && dims.length > 1 ? fortranToC(raw, dims, (n) => new Array<PyValue>(n)) : raw };
    } else {
      arr = decodeArray(toBytes(raw, file, at, 'array data'), dt.dtype, dims, fortran === true, file);
    }
    const slot = target as ArraySlot;
    for (const k of Object.keys(slot)) delete (slot as unknown as Record<string, unknown>)[k];
    Object.assign(slot, arr);
    return;
  }
  throw new DataFormatError(file, 'BUILD on a NumPy array or dtype', `BUILD on ${describeItem(target)}`, at);
}

function isSlot(item: StackItem): item is ArraySlot {
  return typeof item === 'object' && item !== null && 'built' in item;
}

function shapeOf(shape: PyValue, file: string, at: number): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)) {
    throw new DataFormatError(file, 'an array shape (tuple of non-negative ints)', describePy(shape), at);
  }
  return shape as number[];
}

function toBytes(raw: PyValue, file: string, at: number, what: string): Uint8Array {
  if (raw instanceof Uint8Array) return raw;
  // Python 2 pickles store array buffers as str; we decoded those as latin-1, which is lossless.
  if (typeof raw === 'string') return latin1Bytes(raw, file, at);
  throw new DataFormatError(file, `bytes for ${what}`, describePy(raw), at);
}

function latin1Bytes(text: string, file: string, at: number): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 255) throw new DataFormatError(file, 'latin-1 text (code points below 256)', `code point ${c}`, at);
    out[i] = c;
  }
  return out;
}

function signedLE(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  if (b.length > 0 && b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
  return v;
}

function parseBigInt(s: string, file: string, at: number): bigint {
  if (!/^[+-]?\d+$/.test(s)) throw new DataFormatError(file, 'a decimal integer', `"${s}"`, at);
  return BigInt(s);
}

function parseTextFloat(s: string, file: string, at: number): number {
  const special: Record<string, number> = { inf: Infinity, '-inf': -Infinity, nan: NaN };
  if (s in special) return special[s];
  const v = Number(s);
  if (s.trim() === '' || Number.isNaN(v)) throw new DataFormatError(file, 'a decimal float', `"${s}"`, at);
  return v;
}

function parseQuotedString(s: string, file: string, at: number): string {
  const q = s[0];
  if ((q !== "'" && q !== '"') || s[s.length - 1] !== q) throw new DataFormatError(file, 'a quoted STRING', s, at);
  return s.slice(1, -1).replace(/\\(x[0-9a-fA-F]{2}|[\\'"nrt0])/g, (_, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    return { n: '\n', r: '\r', t: '\t', '0': '\0' }[e] ?? e;
  });
}

function unescapeRawUnicode(s: string): string {
  return s.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, a: string | undefined, b: string | undefined) => String.fromCodePoint(parseInt(a ?? b ?? '0', 16)));
}
