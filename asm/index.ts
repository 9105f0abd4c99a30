// Every kernel the executor and the op table know, by export name.
export { conv2d } from './conv2d';
export { conv2d_1x1 } from './conv2d_1x1';
export { depthwise_conv2d } from './depthwise_conv2d';
export { depthwise_conv2d_3x3 } from './depthwise_conv2d_3x3';
export { fully_connected } from './fully_connected';
export { softmax } from './softmax';
export { concatenation } from './concatenation';
export { copy } from './copy';
export { quantize, quantize_int8 } from './quantize';
export { dequantize } from './dequantize';
export { add } from './add';
export { mul } from './mul';
export { average_pool2d } from './average_pool2d';
export { max_pool2d } from './max_pool2d';
export { mean } from './mean';
export { pad } from './pad';
