// The four MLPerf Tiny v0.x reference models, from the Keras definitions in github.com/mlcommons/tiny.
// BatchNormalization folds into the preceding layer's weights and bias in a converted model; Dropout vanishes.
import { GraphBuilder } from './builder.ts';
import { mobilenetV1 } from './mobilenet.ts';

/**
 * Visual wake words: MobileNetV1 at width 0.25 on 96x96x3, 2 classes.
 * Source: mlcommons/tiny v0.1/benchmarks/visual_wake_words/vww_model.py (after SiliconLabs' mobilenet_v1_eembc.py):
 * num_filters = 8 (0.25 x 32), 13 depthwise-separable blocks doubling filters at each stride-2 block,
 * ReLU (not ReLU6) after every conv, AveragePooling2D over the final 3x3 map, Flatten, Dense(2, softmax).
 */
export function mlperfVww(name: string): GraphBuilder {
  return mobilenetV1(name, 0.25, 96, { activation: 'RELU', pool: 'avgpool', classes: 2 });
}

/**
 * Image classification: ResNet-8 on CIFAR-10 (32x32x3).
 * Source: mlcommons/tiny v0.1/benchmarks/image_classification/keras_model.py, resnet_v1_eembc():
 * Conv2D(16, 3x3) + BN + ReLU; three stacks of [Conv 3x3 (stride 1, 2, 2) + BN + ReLU, Conv 3x3 + BN],
 * with 16 / 32 / 64 filters, the strided stacks' shortcut a 1x1 stride-2 Conv2D (no BN), add + ReLU;
 * AveragePooling2D(8), Flatten, Dense(10, softmax). Padding 'same' throughout.
 */
export function mlperfIc(name: string): GraphBuilder {
  const b = new GraphBuilder(name, name);
  let x = b.input('input', [1, 32, 32, 3]);
  x = b.conv('stem', x, 16, 3, 1, 'RELU');
  [16, 32, 64].forEach((filters, i) => {
    const p = `stack${i + 1}`;
    const stride = i === 0 ? 1 : 2;
    let y = b.conv(`${p}/conv1`, x, filters, 3, stride, 'RELU');
    y = b.conv(`${p}/conv2`, y, filters, 3, 1, 'NONE');
    const shortcut = stride === 1 ? x : b.conv(`${p}/shortcut`, x, filters, 1, stride, 'NONE');
    x = b.add(`${p}/add`, shortcut, y, 'RELU');
  });
  x = b.reshape('flatten', b.globalAvgPool('pool', x), [1, 64]);
  x = b.fc('classifier', x, 10, 'NONE', 'logits');
  b.finish([b.softmax('softmax', x)]);
  return b;
}

/**
 * Keyword spotting: DS-CNN (small) on 49x10x1 MFCC features, 12 classes.
 * Source: mlcommons/tiny v0.1/training/keyword_spotting/keras_model.py, model 'ds_cnn': Conv2D(64, (10, 4),
 * strides 2, 'same') + BN + ReLU; four blocks of DepthwiseConv2D(3x3, 'same') + BN + ReLU and
 * Conv2D(64, 1x1) + BN + ReLU; AveragePooling2D((25, 5)), Flatten, Dense(12, softmax).
 */
export function mlperfKws(name: string): GraphBuilder {
  const b = new GraphBuilder(name, name);
  let x = b.input('input', [1, 49, 10, 1]);
  x = b.conv('stem', x, 64, [10, 4], 2, 'RELU');
  for (let i = 1; i <= 4; i++) {
    x = b.depthwise(`block${i}/depthwise`, x, 3, 1, 'RELU');
    x = b.conv(`block${i}/pointwise`, x, 64, 1, 1, 'RELU');
  }
  x = b.reshape('flatten', b.globalAvgPool('pool', x), [1, 64]);
  x = b.fc('classifier', x, 12, 'NONE', 'logits');
  b.finish([b.softmax('softmax', x)]);
  return b;
}

/**
 * Anomaly detection: the DCASE 2020 dense autoencoder on 640 inputs (5 frames x 128 log-mel bins).
 * Source: mlcommons/tiny v0.1/benchmarks/anomaly_detection/keras_model.py, get_model(640): Dense(128) + BN + ReLU
 * four times, Dense(8) + BN + ReLU, Dense(128) + BN + ReLU four times, Dense(640) (linear output).
 */
export function mlperfAd(name: string): GraphBuilder {
  const b = new GraphBuilder(name, name);
  let x = b.input('input', [1, 640]);
  const widths = [128, 128, 128, 128, 8, 128, 128, 128, 128];
  widths.forEach((w, i) => { x = b.fc(`dense${i + 1}`, x, w, 'RELU'); });
  x = b.fc(`dense${widths.length + 1}`, x, 640, 'NONE', 'linear');
  b.finish([x]);
  return b;
}
