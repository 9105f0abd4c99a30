// MobileNetV1 and MobileNetV2 from their published definitions.
import type { Activation } from '../ir.ts';
import { GraphBuilder } from './builder.ts';

/**
 * Channel rounding of the reference MobileNetV2 implementations (tensorflow/models slim mobilenet
 * `_make_divisible`, torchvision `_make_divisible`): round to the nearest multiple of `divisor`, at least
 * `divisor`, and never more than 10% below the unrounded value.
 */
export function makeDivisible(v: number, divisor = 8): number {
  let n = Math.max(divisor, Math.floor(Math.floor(v + divisor / 2) / divisor) * divisor);
  if (n < 0.9 * v) n += divisor;
  return n;
}

/** MobileNetV2 inverted-residual settings t (expansion), c (channels), n (repeats), s (first stride); Sandler et al. 2018, Table 2. */
export const MBV2_SETTINGS: readonly [number, number, number, number][] = [
  [1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1],
];

/**
 * MobileNetV2 as torchvision / tf-slim build it: stem 3x3 s2 conv to make_divisible(32w), the inverted
 * residual blocks (1x1 expand unless t = 1, 3x3 depthwise, linear 1x1 project; residual ADD when the stride is
 * 1 and channels match; hidden width round(in * t)), 1x1 conv to make_divisible(1280 * max(1, w)), global
 * average pooling (MEAN, as TFLite converts Keras' GlobalAveragePooling2D), FC 1000, softmax. ReLU6 throughout.
 */
export function mobilenetV2(name: string, width: number, resolution: number): GraphBuilder {
  const b = new GraphBuilder(name, name);
  let x = b.input('input', [1, resolution, resolution, 3]);
  let inC = makeDivisible(32 * width);
  x = b.conv('stem', x, inC, 3, 2, 'RELU6');
  let block = 0;
  for (const [t, c, n, s] of MBV2_SETTINGS) {
    const outC = makeDivisible(c * width);
    for (let i = 0; i < n; i++) {
      block++;
      const stride = i === 0 ? s : 1;
      const p = `block${block}`;
      let h = x;
      if (t !== 1) h = b.conv(`${p}/expand`, h, Math.round(inC * t), 1, 1, 'RELU6');
      h = b.depthwise(`${p}/depthwise`, h, 3, stride, 'RELU6');
      h = b.conv(`${p}/project`, h, outC, 1, 1, 'NONE');
      if (stride === 1 && inC === outC) h = b.add(`${p}/add`, x, h);
      x = h;
      inC = outC;
    }
  }
  x = b.conv('head', x, makeDivisible(1280 * Math.max(1, width)), 1, 1, 'RELU6');
  x = b.mean('pool', x);
  x = b.fc('classifier', x, 1000, 'NONE', 'logits');
  b.finish([b.softmax('softmax', x)]);
  return b;
}

/** MobileNetV1's 13 depthwise-separable blocks (pointwise channels, depthwise stride); Howard et al. 2017, Table 1. */
export const MBV1_BLOCKS: readonly [number, number][] = [
  [64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2], [512, 1], [512, 1], [512, 1], [512, 1], [512, 1], [1024, 2], [1024, 1],
];

export interface MobilenetV1Options {
  activation: Activation;
  /** 'mean' = MEAN over H, W (Keras GlobalAveragePooling2D); 'avgpool' = AVERAGE_POOL_2D + RESHAPE (Keras AveragePooling2D + Flatten). */
  pool: 'mean' | 'avgpool';
  classes: number;
}

/**
 * MobileNetV1: stem 3x3 s2 conv to 32 channels, 13 depthwise-separable blocks (3x3 depthwise, 1x1 pointwise),
 * global average pooling, FC, softmax. Channels scale as tf-slim's mobilenet_v1 `depth()` does:
 * max(floor(c * w), 8).
 */
export function mobilenetV1(name: string, width: number, resolution: number, o: MobilenetV1Options): GraphBuilder {
  const depth = (c: number) => Math.max(Math.floor(c * width + 1e-9), 8);
  const b = new GraphBuilder(name, name);
  let x = b.input('input', [1, resolution, resolution, 3]);
  x = b.conv('stem', x, depth(32), 3, 2, o.activation);
  MBV1_BLOCKS.forEach(([c, s], i) => {
    x = b.depthwise(`block${i + 1}/depthwise`, x, 3, s, o.activation);
    x = b.conv(`block${i + 1}/pointwise`, x, depth(c), 1, 1, o.activation);
  });
  if (o.pool === 'mean') x = b.mean('pool', x);
  else x = b.reshape('flatten', b.globalAvgPool('pool', x), [1, b.shape(x)[3]]);
  x = b.fc('classifier', x, o.classes, 'NONE', 'logits');
  b.finish([b.softmax('softmax', x)]);
  return b;
}
