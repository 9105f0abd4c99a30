// ProxylessNAS-Mobile (Cai, Zhu, Han, ICLR 2019).
//
// Block list source: the ProxylessNASNets network configs published by MIT HAN Lab in
// github.com/mit-han-lab/proxylessnas, proxyless_gaze/training/gaze_estimation/pretrained/proxyless-w0.25-r112_imagenet.json
// and proxyless_gaze/training/face_detection/yolox/models/proxyless-w0.3-r176_imagenet.json (the mobile
// architecture scaled to width 0.25 / 0.3), cross-checked against the full-width "mobile" settings in
// osmr/imgclsmob (chainer_/chainercv2/models/proxylessnas.py: kernel sizes [[3],[5,3,3,3],[7,3,5,5],
// [7,5,5,5,5,5,5,5],[7,7,7,7,7]], expansions [[1],[3,3,3,3],[3,3,3,3],[6,3,3,3,6,3,3,3],[6,6,3,3,6]], stem 32,
// final 1280). The official proxyless_mobile.config itself is downloaded at run time by
// proxyless_nas/model_zoo.py and is not in the repository.
// Block semantics follow proxyless_nas/layers.py MBInvertedConvLayer: 1x1 expand to round(in * t) + ReLU6
// (skipped when t = 1), k x k depthwise + ReLU6, linear 1x1 project; an identity shortcut (ADD) when stride 1
// and in = out. The two "ZeroLayer" blocks of stage 2 have only their identity shortcut, so they vanish.
import { GraphBuilder } from './builder.ts';

/** [expand ratio, kernel, output channels, stride] per MBConv block at width 1.0; `null` = ZeroLayer (identity) block. */
export const PROXYLESS_MOBILE_BLOCKS: readonly ([number, number, number, number] | null)[] = [
  [1, 3, 16, 1],
  [3, 5, 32, 2], [3, 3, 32, 1], null, null,
  [3, 7, 40, 2], [3, 3, 40, 1], [3, 5, 40, 1], [3, 5, 40, 1],
  [6, 7, 80, 2], [3, 5, 80, 1], [3, 5, 80, 1], [3, 5, 80, 1],
  [6, 5, 96, 1], [3, 5, 96, 1], [3, 5, 96, 1], [3, 5, 96, 1],
  [6, 7, 192, 2], [6, 7, 192, 1], [3, 7, 192, 1], [3, 7, 192, 1],
  [6, 7, 320, 1],
];

/**
 * Width scaling: channels c * w rounded up to a multiple of 8. This reproduces every channel count of the two
 * published scaled configs (w0.3: 16, 8, 16, 16, 24, 32, 64, 96, 384; w0.25: 8, 8, 8, 16, 24, 24, 48, 80, 320),
 * including the 1x1 feature-mix layer (1280 * w); MobileNetV2's make_divisible would give 56 instead of 64 for
 * the 192-channel stage at w0.3.
 */
export function proxylessChannels(c: number, width: number): number {
  return Math.max(8, Math.ceil((c * width) / 8 - 1e-9) * 8);
}

export function proxylessMobile(name: string, width: number, resolution: number): GraphBuilder {
  const b = new GraphBuilder(name, name);
  let x = b.input('input', [1, resolution, resolution, 3]);
  let inC = proxylessChannels(32, width);
  x = b.conv('stem', x, inC, 3, 2, 'RELU6');
  PROXYLESS_MOBILE_BLOCKS.forEach((blk, i) => {
    if (!blk) return;
    const [t, k, c, s] = blk;
    const outC = proxylessChannels(c, width);
    const p = `block${i + 1}`;
    let h = x;
    if (t !== 1) h = b.conv(`${p}/expand`, h, Math.round(inC * t), 1, 1, 'RELU6');
    h = b.depthwise(`${p}/depthwise`, h, k, s, 'RELU6');
    h = b.conv(`${p}/project`, h, outC, 1, 1, 'NONE');
    if (s === 1 && inC === outC) h = b.add(`${p}/add`, x, h);
    x = h;
    inC = outC;
  });
  x = b.conv('feature_mix', x, proxylessChannels(1280, width), 1, 1, 'RELU6');
  x = b.mean('pool', x);
  x = b.fc('classifier', x, 1000, 'NONE', 'logits');
  b.finish([b.softmax('softmax', x)]);
  return b;
}
