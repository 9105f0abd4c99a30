// MAX_POOL_2D: int8 NHWC max pooling (TFLite reference_integer_ops::MaxPool); validation and geometry are
// shared with AVERAGE_POOL_2D, as in TFLM's pooling_common.cc.
import { poolOp } from './average_pool2d.ts';

export const maxPool2d = poolOp('MAX_POOL_2D', 'max_pool2d');
