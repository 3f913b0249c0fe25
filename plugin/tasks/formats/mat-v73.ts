import { DataFormatError } from './errors.js';
import { openHdf5, readHdf5Numeric, type Hdf5File, type Hdf5Object } from './hdf5.js';
import type { MatChar, MatStruct, MatValue } from './mat.js';
import { fortranToC, type NumericArray, type NumericDtype, type NumericTypedArray } from './ndarray.js';
import type { ByteSource } from './source.js';

/**
 * MATLAB v7.3 MAT-files: an HDF5 file behind a 512-byte text header. Each variable is a dataset
 * (or, for a struct, a group) at the root whose `MATLAB_class` attribute names the class.
 * MATLAB writes its column-major arrays as they lie in memory and lists the dimensions reversed,
 * so an HDF5 dataset of shape (21, 21, 6) is MATLAB's 6×21×21 array; the result here uses
 * MATLAB's dimensions in C order, exactly like the level-5 reader (and like scipy.io.loadmat).
 *
 * Cell arrays, sparse matrices and objects (stored through HDF5 object references) are refused
 * with an error naming the variable.
 */

const CLASS_DTYPE: Record<string, NumericDtype> = {
  double: 'f8', single: 'f4', int8: 'i1', uint8: 'u1', int16: 'i2', uint16: 'u2', int32: 'i4', uint32: 'u4', int64: 'i8', uint64: 'u8', logical: 'b1',
};

export function readMatV73(source: ByteSource, names?: readonly string[]): Map<string, MatValue> {
  const h5 = openHdf5(source);
  const root = h5.object(h5.rootAddress);
  const out = new Map<string, MatValue>();
  for (const [name, address] of root.links) {
    if (name.startsWith('#')) continue; // #refs# and #subsystem# hold the targets of references, not variables
    if (names && !names.includes(name)) continue;
    out.set(name, readVariable(h5, h5.object(address), name));
  }
  if (names) {
    const missing = names.filter((n) => !out.has(n));
    const present = [...root.links.keys()].filter((n) => !n.startsWith('#'));
    if (missing.length) throw new DataFormatError(source.name, `variables ${names.join(', ')}`, `no ${missing.join(', ')} (variables present: ${present.join(', ') || 'none'})`);
  }
  return out;
}

function matlabClass(h5: Hdf5File, obj: Hdf5Object): string | undefined {
  const a = obj.attributes.get('MATLAB_class');
  if (!a) return undefined;
  if (typeof a.value !== 'string') throw new DataFormatError(h5.file, 'a string MATLAB_class attribute', `an attribute of ${a.type.class} type`);
  return a.value;
}

function readVariable(h5: Hdf5File, obj: Hdf5Object, name: string): MatValue {
  const cls = matlabClass(h5, obj);
  const what = `variable "${name}"`;
  if (!obj.dataset) {
    if (cls !== undefined && cls !== 'struct') throw new DataFormatError(h5.file, `a dataset for ${what} of class ${cls}`, 'a group');
    // A scalar struct: one child per field.
    const fields = new Map<string, MatValue>();
    for (const [field, address] of obj.links) fields.set(field, readVariable(h5, h5.object(address), `${name}.${field}`));
    const s: MatStruct = { kind: 'struct', shape: [1, 1], fieldNames: [...fields.keys()], elements: [fields] };
    return s;
  }
  if (cls === 'cell' || obj.dataset.type.class === 'other') {
    throw new DataFormatError(h5.file, `a numeric, logical or char array for ${what}`, cls === 'cell' ? 'a cell array (HDF5 object references), which this reader does not decode' : `HDF5 datatype class ${obj.dataset.type.class === 'other' ? obj.dataset.type.code : ''}`);
  }
  if (obj.attributes.has('MATLAB_sparse')) throw new DataFormatError(h5.file, `a full array for ${what}`, 'a sparse matrix');
  const stored = readHdf5Numeric(h5, obj, what);
  const empty = obj.attributes.get('MATLAB_empty');
  const isEmpty = empty?.value && typeof empty.value === 'object' && !Array.isArray(empty.value) && empty.value.data[0] !== 0;
  // MATLAB's dimensions are the HDF5 ones reversed; an empty array stores its dimensions as data.
  const dims = isEmpty ? Array.from(stored.data) : [...stored.shape].reverse();
  const count = dims.reduce((a, b) => a * b, 1);
  const colMajor = isEmpty ? stored.data.subarray(0, 0) : stored.data;
  if (cls === 'char') {
    const codes = colMajor;
    const rowsN = dims[0] ?? 0;
    const cols = rowsN === 0 ? 0 : count / rowsN;
    const rows: string[] = [];
    for (let i = 0; i < rowsN; i++) {
      let s = '';
      for (let j = 0; j < cols; j++) s += String.fromCharCode(codes[i + j * rowsN]);
      rows.push(s);
    }
    const c: MatChar = { kind: 'char', shape: dims, rows };
    return c;
  }
  const dtype: NumericDtype = cls === undefined ? stored.dtype : CLASS_DTYPE[cls];
  if (!dtype) throw new DataFormatError(h5.file, `a numeric, logical or char MATLAB_class for ${what}`, `class "${cls}"`);
  const data = convert(colMajor, dtype);
  const result: NumericArray = { kind: 'numeric', dtype, shape: dims, data: dims.length > 1 ? fortranToC(data, dims) : data };
  return result;
}

function convert(values: NumericTypedArray, dtype: NumericDtype): NumericTypedArray {
  if (dtype === 'b1') return Uint8Array.from(values, (v) => (v ? 1 : 0));
  const ctor = { f8: Float64Array, f4: Float32Array, i1: Int8Array, u1: Uint8Array, i2: Int16Array, u2: Uint16Array, i4: Int32Array, u4: Uint32Array, i8: Float64Array, u8: Float64Array, f2: Float32Array }[dtype];
  return values instanceof ctor ? values : ctor.from(values);
}
