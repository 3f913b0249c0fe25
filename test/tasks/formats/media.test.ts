import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCifarBinary } from '../../../plugin/tasks/formats/cifar-binary.js';
import { parseCsv, parseCsvRecords } from '../../../plugin/tasks/formats/csv.js';
import { readIdx } from '../../../plugin/tasks/formats/idx.js';
import { parseLabelMap } from '../../../plugin/tasks/formats/json.js';
import { readWav, writeWav16 } from '../../../plugin/tasks/formats/wav.js';
import { expectFormatError, withPythonFiles } from './helpers.js';

describe('wav', () => {
  let py: ReturnType<typeof withPythonFiles>;
  beforeAll(() => {
    // Python's wave module writes integer PCM; the frames are given as raw little-endian bytes.
    py = withPythonFiles(String.raw`
import sys, wave, struct
d = sys.argv[1]
def write(name, width, channels, frames, rate=22050):
    with wave.open(f'{d}/{name}', 'wb') as w:
        w.setnchannels(channels); w.setsampwidth(width); w.setframerate(rate); w.writeframes(frames)
write('u8.wav', 1, 1, bytes([0, 128, 255, 64]))
write('s16.wav', 2, 1, struct.pack('<4h', -32768, 0, 16384, 32767))
write('s16_stereo.wav', 2, 2, struct.pack('<4h', 1000, -1000, 2000, -2000), rate=44100)
write('s24.wav', 3, 1, bytes([0, 0, 0x80, 0xff, 0xff, 0x7f, 0, 0, 0x40]))
write('s32.wav', 4, 2, struct.pack('<2i', -2**31, 2**30))
`);
  });
  afterAll(() => py.cleanup());

  it('8/16/24/32-bit PCM, mono and stereo, scaled like torchaudio', () => {
    expect(Array.from(readWav(py.read('u8.wav'), 'u8.wav').channels[0])).toEqual([-1, 0, 127 / 128, -0.5]);
    const s16 = readWav(py.read('s16.wav'), 's16.wav');
    expect([s16.sampleRate, s16.bitsPerSample, s16.encoding]).toEqual([22050, 16, 'pcm']);
    expect(Array.from(s16.channels[0])).toEqual([-1, 0, 0.5, Math.fround(32767 / 32768)]);
    const st = readWav(py.read('s16_stereo.wav'), 'st.wav');
    expect(st.sampleRate).toBe(44100);
    expect(st.channels.map((c) => Array.from(c, (v) => Math.round(v * 32768)))).toEqual([[1000, 2000], [-1000, -2000]]);
    expect(Array.from(readWav(py.read('s24.wav'), 's24.wav').channels[0])).toEqual([-1, Math.fround(8388607 / 8388608), 0.5]);
    const s32 = readWav(py.read('s32.wav'), 's32.wav');
    expect(s32.channels.map((c) => Array.from(c))).toEqual([[-1], [0.5]]);
  });

  it('32-bit float (hand-made header, format 3) and the 16-bit writer round trip', () => {
    const wav16 = writeWav16([new Float32Array([0.25, -0.5, 0])], 22050);
    expect(Array.from(readWav(wav16, 'w.wav').channels[0])).toEqual([0.25, -0.5, 0]);
    const f = Buffer.from(wav16.slice(0, 44));
    f.writeUInt16LE(3, 20);
    f.writeUInt32LE(22050 * 4, 28);
    f.writeUInt16LE(4, 32);
    f.writeUInt16LE(32, 34);
    f.writeUInt32LE(8, 40);
    const floats = new Uint8Array(new Float32Array([0.125, -2]).buffer);
    const w = readWav(new Uint8Array(Buffer.concat([f, floats])), 'f.wav');
    expect([w.encoding, Array.from(w.channels[0])]).toEqual(['float', [0.125, -2]]);
  });

  it('truncated data, a missing data chunk and a non-RIFF file are named', () => {
    const s16 = py.read('s16.wav');
    expectFormatError(() => readWav(s16.subarray(0, s16.length - 3), 'chunk0.wav'), 'chunk0.wav', /truncated/);
    expectFormatError(() => readWav(s16.subarray(0, 36), 'nodata.wav'), 'nodata.wav', /data/);
    expectFormatError(() => readWav(new Uint8Array(44), 'zero.wav'), 'zero.wav', /RIFF/);
  });
});

describe('csv and JSON manifests', () => {
  it('FSD50K manifest: quoted label lists with commas, CRLF, escaped quotes, newline in quotes', () => {
    const text = 'files,labels,ext\r\n/a/1.wav,"Bark,Dog",clip1\r\n/a/2.wav,Female_speech_and_woman_speaking,clip2\n"/a/3 ""x"".wav","Multi\nline",clip3\n';
    expect(parseCsvRecords(text, 'tr.csv', ['files', 'labels', 'ext'])).toEqual([
      { files: '/a/1.wav', labels: 'Bark,Dog', ext: 'clip1' },
      { files: '/a/2.wav', labels: 'Female_speech_and_woman_speaking', ext: 'clip2' },
      { files: '/a/3 "x".wav', labels: 'Multi\nline', ext: 'clip3' },
    ]);
    expect(parseCsv('a,,""\n,', 'e.csv')).toEqual([['a', '', ''], ['', '']]);
  });

  it('malformed CSV is named with the line', () => {
    expectFormatError(() => parseCsv('a,"b\nc', 'u.csv'), 'u.csv', /closing quote.*line 1/);
    expectFormatError(() => parseCsv('a,b"c\n', 's.csv'), 's.csv', /line 1/);
    expectFormatError(() => parseCsvRecords('files,labels,ext\nx,y\n', 'val.csv'), 'val.csv', /3 fields on data row 1/);
    expectFormatError(() => parseCsvRecords('files,ext\n', 'eval.csv', ['files', 'labels']), 'eval.csv', /missing labels/);
  });

  it('label map: name → index, indices 0..n−1', () => {
    expect(parseLabelMap('{"Bark": 1, "Female_speech_and_woman_speaking": 0}', 'lbl_map.json')).toEqual(
      new Map([['Bark', 1], ['Female_speech_and_woman_speaking', 0]]),
    );
    expectFormatError(() => parseLabelMap('{"a": 0, "b": 0}', 'lbl_map.json'), 'lbl_map.json', /repeated/);
    expectFormatError(() => parseLabelMap('{"a": 1}', 'lbl_map.json'), 'lbl_map.json', /index 0 missing/);
    expectFormatError(() => parseLabelMap('{"a": 0', 'lbl_map.json'), 'lbl_map.json', /JSON/);
  });
});

describe('CIFAR binary', () => {
  /** Image n, channel c, row y, column x has value (n·7 + c·3 + y + x) mod 256. */
  const pixel = (n: number, c: number, y: number, x: number): number => (n * 7 + c * 3 + y + x) % 256;
  const record = (n: number, labels: number[]): number[] => {
    const out = [...labels];
    for (let c = 0; c < 3; c++) for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) out.push(pixel(n, c, y, x));
    return out;
  };

  it('CIFAR-10: two records, planar RGB → NHWC in [0, 1]', () => {
    const b = readCifarBinary(new Uint8Array([...record(0, [3]), ...record(1, [9])]), 'data_batch_1.bin', 'cifar10');
    expect(b.count).toBe(2);
    expect(Array.from(b.labels)).toEqual([3, 9]);
    expect(b.coarseLabels).toBeUndefined();
    for (const [n, y, x, c] of [[0, 0, 0, 0], [0, 0, 0, 2], [1, 31, 31, 1], [1, 5, 20, 2], [0, 17, 3, 1]]) {
      expect(b.images[((n * 32 + y) * 32 + x) * 3 + c]).toBe(Math.fround(pixel(n, c, y, x) / 255));
    }
  });

  it('CIFAR-100: coarse then fine label', () => {
    const b = readCifarBinary(new Uint8Array([...record(0, [19, 99]), ...record(1, [0, 42])]), 'train.bin', 'cifar100');
    expect(Array.from(b.coarseLabels!)).toEqual([19, 0]);
    expect(Array.from(b.labels)).toEqual([99, 42]);
    expect(b.images[((1 * 32 + 2) * 32 + 3) * 3 + 1]).toBe(Math.fround(pixel(1, 1, 2, 3) / 255));
  });

  it('a partial record or an out-of-range label is named', () => {
    expectFormatError(() => readCifarBinary(new Uint8Array(record(0, [1]).slice(0, 3000)), 'test.bin', 'cifar10'), 'test.bin', /3073-byte/);
    expectFormatError(() => readCifarBinary(new Uint8Array(record(0, [10])), 'test.bin', 'cifar10'), 'test.bin', /label 0\.\.9/);
  });
});

describe('IDX', () => {
  const images = (): Uint8Array => {
    const head = [0, 0, 0x08, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3];
    return new Uint8Array([...head, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 255]);
  };

  it('uint8 images, plain and gzipped; big-endian int16 and float32', () => {
    for (const bytes of [images(), new Uint8Array(gzipSync(images()))]) {
      const a = readIdx(bytes, 'train-images-idx3-ubyte');
      expect([a.dtype, a.shape, Array.from(a.data)]).toEqual(['u1', [2, 2, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 255]]);
    }
    const i16 = readIdx(new Uint8Array([0, 0, 0x0b, 1, 0, 0, 0, 2, 0x01, 0x00, 0xff, 0xfe]), 'x');
    expect(Array.from(i16.data)).toEqual([256, -2]);
    const f32 = readIdx(new Uint8Array([0, 0, 0x0d, 1, 0, 0, 0, 1, 0x3f, 0xc0, 0, 0]), 'x');
    expect(Array.from(f32.data)).toEqual([1.5]);
  });

  it('bad magic and truncation are named', () => {
    expectFormatError(() => readIdx(images().subarray(0, 20), 't10k-images-idx3-ubyte'), 't10k-images-idx3-ubyte', /truncated/);
    expectFormatError(() => readIdx(new Uint8Array([0, 0, 0x07, 1, 0, 0, 0, 0]), 'bad-idx'), 'bad-idx', /magic/);
    const gz = new Uint8Array(gzipSync(images()));
    expectFormatError(() => readIdx(gz.subarray(0, gz.length - 6), 'train-labels-idx1-ubyte.gz'), 'train-labels-idx1-ubyte.gz', /gzip/);
  });
});
