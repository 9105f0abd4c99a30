// RESIZE_NEAREST_NEIGHBOR: int8 NHWC, any batch (TFLite reference_ops::ResizeNearestNeighbor as TFLite Micro runs
// it). The output size is an option; TFLite's constant size input is dropped at import and written back by the
// writer. The source pixel of each output pixel is computed in float32 by the kernel, exactly as TFLite does
// (asm/resize_nearest_neighbor.ts). Bytes are copied unchanged: no requantisation, as in TFLite.
import type { Graph, Op } from '../../models/ir.ts';
import { expectShape, fail, input, output, perTensor, positiveInts } from './check.ts';
import type { OpDef } from './types.ts';

function geometry(g: Graph, op: Op<'RESIZE_NEAREST_NEIGHBOR'>, where: string) {
  if (op.inputs.length !== 1) fail(where, `takes 1 input (the output size is an option), got ${op.inputs.length}`);
  const x = input(g, op, 0, where, { dtype: 'int8', rank: 4 });
  const o = op.options;
  positiveInts(where, { outH: o.outH, outW: o.outW });
  if (typeof o.alignCorners !== 'boolean' || typeof o.halfPixelCenters !== 'boolean') {
    fail(where, `options alignCorners and halfPixelCenters must be true or false (got ${JSON.stringify(o.alignCorners)}, ${JSON.stringify(o.halfPixelCenters)})`);
  }
  const [n, inH, inW, c] = x.shape;
  return { x, n, inH, inW, c, outShape: [n, o.outH, o.outW, c] };
}

export const resizeNearestNeighbor: OpDef<'RESIZE_NEAREST_NEIGHBOR'> = {
  kind: 'RESIZE_NEAREST_NEIGHBOR',
  outputShapes(g, op, where) {
    return [geometry(g, op, where).outShape];
  },
  lower(g, op, where) {
    const s = geometry(g, op, where);
    if (op.outputs.length !== 1) fail(where, `has ${op.outputs.length} outputs; expected 1`);
    const y = output(g, op, 0, where, { dtype: 'int8' });
    expectShape(where, `output '${y.name}'`, y.shape, s.outShape);
    perTensor(s.x, where, 'input');
    perTensor(y, where, 'output');
    const o = op.options;
    return {
      kernel: 'resize_nearest_neighbor',
      macs: 0,
      scratchBytes: 0,
      args: [
        s.x.data ? { name: 'input', constant: s.x.data } : { name: 'input', tensor: op.inputs[0] },
        { name: 'batches', value: s.n }, { name: 'in_h', value: s.inH }, { name: 'in_w', value: s.inW }, { name: 'channels', value: s.c },
        { name: 'output', tensor: op.outputs[0] }, { name: 'out_h', value: o.outH }, { name: 'out_w', value: o.outW },
        { name: 'align_corners', value: o.alignCorners ? 1 : 0 }, { name: 'half_pixel_centers', value: o.halfPixelCenters ? 1 : 0 },
      ],
    };
  },
};
