import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gunzip, maybeGunzip } from '../../../plugin/tasks/formats/gzip.js';
import { writeNpy } from '../../../plugin/tasks/formats/npy.js';
import { NpzArchive } from '../../../plugin/tasks/formats/npz.js';
import { readPickle } from '../../../plugin/tasks/formats/pickle.js';
import type { PyDict } from '../../../plugin/tasks/formats/pyvalue.js';
import { bufferSource, withFileSource } from '../../../plugin/tasks/formats/source.js';
import { TarArchive } from '../../../plugin/tasks/formats/tar.js';
import { ZipArchive } from '../../../plugin/tasks/formats/zip.js';
import { expectFormatError, makeZip, withPythonFiles } from './helpers.js';

let py: ReturnType<typeof withPythonFiles>;
beforeAll(() => {
  py = withPythonFiles(String.raw`
import sys, io, os, tarfile, zipfile, gzip, pickle, numpy as np
d = sys.argv[1]
def deepsea(dtype):
    x = np.zeros((5, 1000, 4), dtype=dtype)
    for n in range(5):
        for p in range(1000):
            if p != 17: x[n, p, (n + p) % 4] = 1
    y = np.array([[(n * 36 + k) % 3 == 0 for k in range(36)] for n in range(5)], dtype=dtype)
    return dict(x_train=x, y_train=y, x_val=x[:2], y_val=y[:2], x_test=np.concatenate([x, x[:1]]), y_test=np.concatenate([y, y[:1]]))
np.savez(d + '/deepsea_filtered.npz', **deepsea(np.uint8))
np.savez_compressed(d + '/deepsea_compressed.npz', **deepsea(np.bool_))
# More than 65535 entries forces a zip64 end-of-central-directory record.
with zipfile.ZipFile(d + '/many.zip', 'w') as z:
    for i in range(65537):
        z.writestr('e%d' % i, b'' if i != 65536 else b'last entry')
with zipfile.ZipFile(d + '/protein.zip', 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('deepcov.lst', '1abc\n2xyz\n')
    with z.open('psicov/distance/1abc-cb.npy', 'w', force_zip64=True) as f:
        np.save(f, np.array((2, 'AC', np.eye(2)), dtype=object), allow_pickle=True)
def add(tar, name, data):
    info = tarfile.TarInfo(name); info.size = len(data); tar.addfile(info, io.BytesIO(data))
train = {b'data': np.arange(2 * 3072, dtype=np.uint8).reshape(2, 3072), b'fine_labels': [5, 7]}
for fmt, tag in ((tarfile.USTAR_FORMAT, 'ustar'), (tarfile.GNU_FORMAT, 'gnu'), (tarfile.PAX_FORMAT, 'pax')):
    with tarfile.open(f'{d}/{tag}.tar', 'w', format=fmt) as t:
        dirinfo = tarfile.TarInfo('cifar-100-python'); dirinfo.type = tarfile.DIRTYPE; t.addfile(dirinfo)
        add(t, 'cifar-100-python/train', pickle.dumps(train, protocol=2))
        add(t, 'cifar-100-python/meta', pickle.dumps({'fine_label_names': ['apple', 'bee']}, protocol=2))
        deep = 'npy_train/f435w/' + 'a' * 60 + '/' + 'b' * 50 + '/1_2.npy'
        if fmt != tarfile.USTAR_FORMAT: deep += '_' + 'c' * 120
        add(t, deep, b'x' * 700)
with tarfile.open(d + '/cifar-100-python.tar.gz', 'w:gz') as t:
    add(t, 'cifar-100-python/train', pickle.dumps(train, protocol=2))
with open(d + '/names.txt', 'w') as f:
    f.write(deep)
`);
});
afterAll(() => py.cleanup());

describe('npz', () => {
  it('DeepSEA layout, stored uint8 and deflated bool: keys, shapes, one-hot rows with an all-zero position', () => {
    for (const [name, dtype] of [['deepsea_filtered.npz', 'u1'], ['deepsea_compressed.npz', 'b1']] as const) {
      const npz = new NpzArchive(bufferSource(py.read(name), name));
      expect(npz.keys().sort()).toEqual(['x_test', 'x_train', 'x_val', 'y_test', 'y_train', 'y_val']);
      const x = npz.getNumeric('x_train');
      expect(x.dtype).toBe(dtype);
      expect(x.shape).toEqual([5, 1000, 4]);
      for (const [n, p] of [[0, 0], [3, 999], [4, 500]]) {
        expect(Array.from(x.data.slice((n * 1000 + p) * 4, (n * 1000 + p + 1) * 4))).toEqual([0, 1, 2, 3].map((c) => (c === (n + p) % 4 ? 1 : 0)));
      }
      expect(Array.from(x.data.slice((2 * 1000 + 17) * 4, (2 * 1000 + 18) * 4))).toEqual([0, 0, 0, 0]);
      const y = npz.getNumeric('y_test');
      expect(y.shape).toEqual([6, 36]);
      expect(y.data[1 * 36 + 2]).toBe((1 * 36 + 2) % 3 === 0 ? 1 : 0);
      expect(y.data[1 * 36 + 0]).toBe(1);
    }
  });

  it('reads through a file source as well as a buffer', () => {
    withFileSource(join(py.dir, 'deepsea_filtered.npz'), (src) => {
      expect(new NpzArchive(src).getNumeric('y_val').shape).toEqual([2, 36]);
    });
  });

  it('a missing key names the keys present', () => {
    const npz = new NpzArchive(bufferSource(py.read('deepsea_filtered.npz'), 'deepsea_filtered.npz'));
    expectFormatError(() => npz.get('x_tset'), 'deepsea_filtered.npz', /x_train/);
  });
});

describe('zip', () => {
  it('zip64 end record (65,537 entries) and a zip64 local header written by numpy into a deflated archive', () => {
    const many = new ZipArchive(bufferSource(py.read('many.zip'), 'many.zip'));
    expect(many.entries.length).toBe(65537);
    expect(Buffer.from(many.read('e65536')).toString()).toBe('last entry');
    const protein = new ZipArchive(bufferSource(py.read('protein.zip'), 'protein.zip'));
    expect(Buffer.from(protein.read('deepcov.lst')).toString()).toBe('1abc\n2xyz\n');
    expect(protein.names()).toContain('psicov/distance/1abc-cb.npy');
    expect(protein.read('psicov/distance/1abc-cb.npy').subarray(1, 6)).toEqual(new Uint8Array(Buffer.from('NUMPY')));
  });

  it('a flipped data byte fails the CRC check; a truncated archive and a non-zip are named', () => {
    const npy = writeNpy({ dtype: 'f4', shape: [4], data: [1, 2, 3, 4] });
    for (const deflate of [false, true]) {
      const zip = makeZip([{ name: 'x.npy', data: npy, deflate }]);
      expect(new NpzArchive(bufferSource(zip, 'ok.npz')).getNumeric('x').data).toEqual(new Float32Array([1, 2, 3, 4]));
      const bad = zip.slice();
      bad[30 + 'x.npy'.length + (deflate ? 3 : npy.length - 1)] ^= 0x10;
      expectFormatError(() => new NpzArchive(bufferSource(bad, 'bad.npz')).get('x'), 'bad.npz', /CRC|deflate|uncompressed bytes/);
    }
    const real = py.read('deepsea_filtered.npz');
    expectFormatError(() => new ZipArchive(bufferSource(real.subarray(0, real.length - 100), 'cut.npz')), 'cut.npz');
    expectFormatError(() => new ZipArchive(bufferSource(new Uint8Array(100), 'zero.zip')), 'zero.zip', /end-of-central-directory/);
  });
});

describe('tar and gzip', () => {
  const deep = (): string => Buffer.from(py.read('names.txt')).toString();

  it('ustar (prefix field), GNU (long-name entries) and pax (path records): names, directories, contents', () => {
    for (const tag of ['ustar', 'gnu', 'pax']) {
      const tar = new TarArchive(bufferSource(py.read(`${tag}.tar`), `${tag}.tar`));
      expect(tar.entries.find((e) => e.name === 'cifar-100-python')?.type).toBe('directory');
      const longName = tar.names().find((n) => n.startsWith('npy_train/'));
      if (tag === 'ustar') expect(longName?.length).toBeGreaterThan(100);
      else expect(longName).toBe(deep());
      expect(tar.read(longName!).length).toBe(700);
      const meta = readPickle(tar.read('cifar-100-python/meta'), 'meta') as PyDict;
      expect(meta.get('fine_label_names')).toEqual(['apple', 'bee']);
    }
  });

  it('CIFAR-100 tarball: gunzip, tar, Python-3 protocol-2 pickle with bytes keys', () => {
    const tar = new TarArchive(bufferSource(gunzip(py.read('cifar-100-python.tar.gz'), 'cifar-100-python.tar.gz'), 'cifar-100-python.tar.gz'));
    const train = readPickle(tar.read('cifar-100-python/train'), 'train') as PyDict;
    // bytes keys (Python 3 pickling bytes at protocol 2 via _codecs.encode) come back as latin-1 text keys
    expect(train.get('fine_labels')).toEqual([5, 7]);
    const data = train.get('data') as { shape: number[]; data: Uint8Array };
    expect(data.shape).toEqual([2, 3072]);
    expect(data.data[3073]).toBe(3073 % 256);
  });

  it('corrupt headers, truncation and missing entries are named', () => {
    const bytes = py.read('ustar.tar');
    const bad = bytes.slice();
    bad[512 * 1 + 3] ^= 1; // inside the second header's name: checksum no longer matches
    expectFormatError(() => new TarArchive(bufferSource(bad, 'bad.tar')), 'bad.tar', /checksum/);
    expectFormatError(() => new TarArchive(bufferSource(bytes.subarray(0, 512 * 3 + 100), 'cut.tar')), 'cut.tar', /truncated/);
    const tar = new TarArchive(bufferSource(bytes, 'ustar.tar'));
    expectFormatError(() => tar.read('cifar-100-python/test'), 'ustar.tar', /no such/);
  });

  it('gzip: truncated stream, wrong magic, pass-through of plain data', () => {
    const gz = py.read('cifar-100-python.tar.gz');
    expectFormatError(() => gunzip(gz.subarray(0, gz.length - 20), 's2_cifar100.gz'), 's2_cifar100.gz', /gzip/);
    expectFormatError(() => gunzip(new Uint8Array([1, 2, 3]), 'x.gz'), 'x.gz', /magic/);
    expect(maybeGunzip(new Uint8Array([1, 2, 3]), 'x')).toEqual(new Uint8Array([1, 2, 3]));
  });
});
