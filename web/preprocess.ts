// Pictures -> model input bytes. Plain functions on RGBA pixel arrays, so they behave the same in every
// browser (decoding is the browser's; cropping, resizing and quantising are ours) and can be tested in Node.
//   1. centre-crop the picture to the input's aspect ratio,
//   2. resize by area averaging (each output pixel is the mean of the source area it covers),
//   3. RGB for 3 channels, luma (BT.601: 0.299 R + 0.587 G + 0.114 B) for 1,
//   4. int8 inputs: pixel p in 0..255 becomes q = p - 128, so the picture spans the input's whole int8 range
//      (how int8 TFLite image models such as person_detect take uint8 pixels); float32 inputs get p / 255.

export interface Pixels { width: number; height: number; rgba: Uint8ClampedArray | Uint8Array }

export interface InputShape { shape: number[]; dtype: string }

/** The largest centred rectangle of the source with the target's aspect ratio. */
export function centreCrop(srcW: number, srcH: number, dstW: number, dstH: number): { x: number; y: number; w: number; h: number } {
  const target = dstW / dstH;
  if (srcW / srcH > target) {
    const w = srcH * target;
    return { x: (srcW - w) / 2, y: 0, w, h: srcH };
  }
  const h = srcW / target;
  return { x: 0, y: (srcH - h) / 2, w: srcW, h };
}

/** Area-averaging resize of the crop rectangle to dstW x dstH; returns RGB bytes (alpha is composited on white). */
export function resizeArea(src: Pixels, crop: { x: number; y: number; w: number; h: number }, dstW: number, dstH: number): Uint8Array {
  const out = new Uint8Array(dstW * dstH * 3);
  const sx = crop.w / dstW;
  const sy = crop.h / dstH;
  for (let oy = 0; oy < dstH; oy++) {
    const y0 = crop.y + oy * sy, y1 = y0 + sy;
    for (let ox = 0; ox < dstW; ox++) {
      const x0 = crop.x + ox * sx, x1 = x0 + sx;
      let r = 0, g = 0, b = 0, wsum = 0;
      for (let py = Math.floor(y0); py < Math.min(src.height, Math.ceil(y1)); py++) {
        const wy = Math.min(y1, py + 1) - Math.max(y0, py);
        if (wy <= 0) continue;
        for (let px = Math.floor(x0); px < Math.min(src.width, Math.ceil(x1)); px++) {
          const wx = Math.min(x1, px + 1) - Math.max(x0, px);
          if (wx <= 0) continue;
          const i = (py * src.width + px) * 4;
          const a = src.rgba[i + 3] / 255;
          const w = wx * wy;
          r += w * (src.rgba[i] * a + 255 * (1 - a));
          g += w * (src.rgba[i + 1] * a + 255 * (1 - a));
          b += w * (src.rgba[i + 2] * a + 255 * (1 - a));
          wsum += w;
        }
      }
      const o = (oy * dstW + ox) * 3;
      out[o] = Math.round(r / wsum);
      out[o + 1] = Math.round(g / wsum);
      out[o + 2] = Math.round(b / wsum);
    }
  }
  return out;
}

/** Model input bytes (int8 or float32 values, NHWC) for an image input of shape [1, H, W, C], C = 1 or 3. */
export function imageToInput(src: Pixels, input: InputShape): Int8Array | Float32Array {
  const [n, H, W, C] = input.shape;
  if (input.shape.length !== 4 || n !== 1 || (C !== 1 && C !== 3)) throw new Error(`input shape [${input.shape}] is not an image (expected [1, H, W, 1 or 3])`);
  if (src.width < 1 || src.height < 1) throw new Error('the picture has no pixels');
  const rgb = resizeArea(src, centreCrop(src.width, src.height, W, H), W, H);
  const pixels = new Uint8Array(H * W * C);
  for (let i = 0; i < H * W; i++) {
    if (C === 3) pixels.set(rgb.subarray(i * 3, i * 3 + 3), i * 3);
    else pixels[i] = Math.round(0.299 * rgb[i * 3] + 0.587 * rgb[i * 3 + 1] + 0.114 * rgb[i * 3 + 2]);
  }
  if (input.dtype === 'float32') return Float32Array.from(pixels, (p) => p / 255);
  if (input.dtype !== 'int8') throw new Error(`image inputs must be int8 or float32, this one is ${input.dtype}`);
  return Int8Array.from(pixels, (p) => p - 128);
}

/** RGBA for showing an input tensor as a picture: int8 q -> q + 128 (float32 v -> 255 v), one or three channels. */
export function inputToRgba(bytes: ArrayBuffer, input: InputShape): Pixels | null {
  const s = input.shape;
  const [H, W, C] = s.length === 4 ? [s[1], s[2], s[3]] : s.length === 3 ? [s[0], s[1], s[2]] : [0, 0, 0];
  if (!H || !W || (C !== 1 && C !== 3)) return null;
  const values = input.dtype === 'float32' ? Array.from(new Float32Array(bytes), (v) => v * 255) : Array.from(new Int8Array(bytes), (q) => q + 128);
  const rgba = new Uint8ClampedArray(H * W * 4);
  for (let i = 0; i < H * W; i++) {
    for (let c = 0; c < 3; c++) rgba[i * 4 + c] = values[i * C + (C === 3 ? c : 0)];
    rgba[i * 4 + 3] = 255;
  }
  return { width: W, height: H, rgba };
}
