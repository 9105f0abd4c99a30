// The demo's picture -> input conversion (web/preprocess.ts), its result helpers, sample pictures and PNG writer,
// checked in Node against hand-computed values; and the page's copy of the default model name.
import { inflateSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_MODEL as CLI_DEFAULT } from '../../models/load.ts';
import { encodePng } from '../../web/png.ts';
import { centreCrop, imageToInput, inputToRgba, resizeArea } from '../../web/preprocess.ts';
import { DEFAULT_MODEL } from '../../web/protocol.ts';
import { describeOutput, isClassifierOutput, isImageInput, isPersonDetector, topClasses } from '../../web/results.ts';
import { renderSample, SAMPLE_LIST } from '../../web/samples.ts';

const rgba = (w: number, h: number, px: number[][]) => ({ width: w, height: h, rgba: Uint8ClampedArray.from(px.flat()) });

test('the page starts with the CLI default model', () => {
  assert.is(DEFAULT_MODEL, CLI_DEFAULT);
});

test('centre crop keeps the largest centred rectangle of the target aspect', () => {
  assert.equal(centreCrop(200, 100, 96, 96), { x: 50, y: 0, w: 100, h: 100 });
  assert.equal(centreCrop(100, 200, 96, 96), { x: 0, y: 50, w: 100, h: 100 });
  const narrow = centreCrop(160, 120, 10, 49); // 120 * 10 / 49 = 24.4898 wide, centred
  assert.ok(Math.abs(narrow.w - 24.4898) < 1e-4 && Math.abs(narrow.x - (160 - 24.4898) / 2) < 1e-4 && narrow.y === 0 && narrow.h === 120, JSON.stringify(narrow));
  assert.equal(centreCrop(64, 64, 32, 32), { x: 0, y: 0, w: 64, h: 64 });
});

test('area resize: 2x2 -> 1x1 is the rounded mean; 1:1 is the identity; alpha is composited on white', () => {
  const src = rgba(2, 2, [[10, 20, 30, 255], [20, 30, 40, 255], [30, 40, 50, 255], [41, 50, 60, 255]]);
  assert.equal(Array.from(resizeArea(src, { x: 0, y: 0, w: 2, h: 2 }, 1, 1)), [25, 35, 45]); // (10+20+30+41)/4 = 25.25
  assert.equal(Array.from(resizeArea(src, { x: 0, y: 0, w: 2, h: 2 }, 2, 2)), [10, 20, 30, 20, 30, 40, 30, 40, 50, 41, 50, 60]);
  // 3 source pixels onto 2: the middle one is split half and half.
  const row = rgba(3, 1, [[0, 0, 0, 255], [90, 90, 90, 255], [180, 180, 180, 255]]);
  assert.equal(Array.from(resizeArea(row, { x: 0, y: 0, w: 3, h: 1 }, 2, 1)), [30, 30, 30, 150, 150, 150]); // (0+45)/1.5, (45+180)/1.5
  const half = rgba(1, 1, [[0, 0, 0, 128]]);
  assert.equal(Array.from(resizeArea(half, { x: 0, y: 0, w: 1, h: 1 }, 1, 1)), [127, 127, 127]); // 255 * (1 - 128/255)
});

test('image -> int8 input: p - 128 per channel; luma for one channel; float32 gets p / 255', () => {
  const src = rgba(1, 1, [[255, 0, 10, 255]]);
  assert.equal(Array.from(imageToInput(src, { shape: [1, 1, 1, 3], dtype: 'int8' })), [127, -128, -118]);
  // 0.299 * 255 + 0.587 * 0 + 0.114 * 10 = 77.385 -> 77 -> -51
  assert.equal(Array.from(imageToInput(src, { shape: [1, 1, 1, 1], dtype: 'int8' })), [-51]);
  const f = imageToInput(src, { shape: [1, 1, 1, 3], dtype: 'float32' });
  assert.ok(f instanceof Float32Array);
  assert.equal(Array.from(f), [1, 0, Math.fround(10 / 255)]);
  assert.throws(() => imageToInput(src, { shape: [1, 640], dtype: 'int8' }), /not an image/);
  assert.throws(() => imageToInput(src, { shape: [1, 4, 4, 3], dtype: 'int32' }), /int8 or float32/);
});

test('input -> picture for the preview inverts the int8 mapping', () => {
  const bytes = Int8Array.from([-128, 0, 127, 5]).buffer;
  const p = inputToRgba(bytes, { shape: [1, 2, 2, 1], dtype: 'int8' })!;
  assert.equal([p.width, p.height], [2, 2]);
  assert.equal(Array.from(p.rgba), [0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255, 133, 133, 133, 255]);
  assert.is(inputToRgba(new ArrayBuffer(640), { shape: [1, 640], dtype: 'int8' }), null);
});

test('which outputs are classes, which models are person detectors', () => {
  const img = { index: 0, name: 'x', shape: [1, 96, 96, 1], dtype: 'int8', bytes: 9216, scale: 1, zeroPoint: 0 };
  assert.ok(isImageInput(img));
  assert.not.ok(isImageInput({ shape: [1, 49, 10, 1], dtype: 'int8' }), 'a 49x10 spectrogram is not a picture');
  assert.ok(isPersonDetector([img], { shape: [1, 2] }));
  assert.not.ok(isPersonDetector([img], { shape: [1, 10] }));
  assert.ok(isClassifierOutput({ shape: [1, 12] }));
  assert.not.ok(isClassifierOutput({ shape: [1, 4, 4, 16] }));
  const out = describeOutput({ name: 'y', shape: [1, 3], dtype: 'int8', quant: { scale: [0.5], zeroPoint: [-128], axis: 0 } }, Int8Array.from([-128, 100, 100]));
  assert.equal(out.dequantized, [0, 114, 114]);
  assert.equal(topClasses(out, 2).map((c) => c.index), [1, 2], 'ties keep the lower index first');
});

test('sample pictures are deterministic and encode to valid PNGs', () => {
  for (const s of SAMPLE_LIST) {
    const a = renderSample(s.id);
    assert.equal(a.rgba, renderSample(s.id).rgba);
    const png = encodePng(a.width, a.height, a.rgba);
    assert.equal(Array.from(png.slice(0, 8)), [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // IHDR says width x height, and IDAT inflates back to the filtered rows.
    const view = new DataView(png.buffer, png.byteOffset);
    assert.equal([view.getUint32(16), view.getUint32(20)], [a.width, a.height]);
    const idatLen = view.getUint32(33);
    const rows = inflateSync(png.subarray(41, 41 + idatLen));
    assert.is(rows.length, (a.width * 4 + 1) * a.height);
    assert.equal(Array.from(rows.subarray(1, 9)), Array.from(a.rgba.subarray(0, 8)));
  }
  assert.throws(() => renderSample('nope'), /unknown sample/);
});

test.run();
