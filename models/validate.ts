// Structural checks of a Graph before anything plans or runs it. Operator-specific checks live in the op table.
import { ModelError } from '../runtime/errors.ts';
import { DTYPE_BYTES, elementCount, type Graph } from './ir.ts';

const MAX_ELEMENTS = 2 ** 28;

export function validateGraph(g: Graph): void {
  const bad = (msg: string): never => { throw new ModelError(`model '${g.name}': ${msg}`); };
  if (g.ops.length === 0) bad('has no operators');
  if (g.inputs.length === 0) bad('has no inputs');
  if (g.outputs.length === 0) bad('has no outputs');
  g.tensors.forEach((t, i) => {
    const where = `tensor ${i} '${t.name}'`;
    if (!Array.isArray(t.shape) || t.shape.some((d) => !Number.isInteger(d) || d < 1)) bad(`${where} has invalid shape [${t.shape}]: dimensions must be positive integers`);
    if (elementCount(t.shape) > MAX_ELEMENTS) bad(`${where} has ${elementCount(t.shape)} elements, more than any microcontroller can hold`);
    if (!(t.dtype in DTYPE_BYTES)) bad(`${where} has unsupported type ${t.dtype}`);
    if (t.data && t.data.length !== elementCount(t.shape)) bad(`${where} holds ${t.data.length} values but its shape [${t.shape}] needs ${elementCount(t.shape)}`);
    const q = t.quant;
    if (q) {
      if (q.scale.length === 0 || q.scale.length !== q.zeroPoint.length) bad(`${where} has ${q.scale.length} scales and ${q.zeroPoint.length} zero points`);
      if (q.scale.length > 1 && (q.axis < 0 || q.axis >= t.shape.length || t.shape[q.axis] !== q.scale.length)) bad(`${where} has ${q.scale.length} per-channel scales on axis ${q.axis} of shape [${t.shape}]`);
      if (q.scale.some((s) => !(s > 0) || !Number.isFinite(s))) bad(`${where} has a non-positive or non-finite scale`);
      // TFLite stores scales as float32; requantisation is only bit-exact if ours are float32 values too.
      if (q.scale.some((s) => Math.fround(s) !== s)) bad(`${where} has a scale that is not a float32 value`);
      if (t.dtype === 'int8' && q.zeroPoint.some((z) => !Number.isInteger(z) || z < -128 || z > 127)) bad(`${where} has an int8 zero point outside [-128, 127]`);
    }
  });
  const inRange = (i: number, role: string) => {
    if (!Number.isInteger(i) || i < 0 || i >= g.tensors.length) bad(`${role} refers to tensor ${i}, but there are ${g.tensors.length} tensors`);
  };
  const produced = new Set<number>();
  for (const i of g.inputs) {
    inRange(i, 'graph input');
    if (g.tensors[i].data) bad(`graph input ${i} '${g.tensors[i].name}' is a constant`);
    produced.add(i);
  }
  g.ops.forEach((op, k) => {
    const where = `operator ${k} (${op.kind} '${op.name}')`;
    for (const i of op.inputs) {
      if (i === -1) continue;
      inRange(i, `${where} input`);
      if (!g.tensors[i].data && !produced.has(i)) bad(`${where} reads tensor ${i} '${g.tensors[i].name}' before anything produces it`);
    }
    for (const i of op.outputs) {
      inRange(i, `${where} output`);
      if (g.tensors[i].data) bad(`${where} writes constant tensor ${i} '${g.tensors[i].name}'`);
      if (produced.has(i)) bad(`${where} writes tensor ${i} '${g.tensors[i].name}', which is already produced`);
      produced.add(i);
    }
  });
  for (const i of g.outputs) {
    inRange(i, 'graph output');
    if (!produced.has(i)) bad(`graph output ${i} '${g.tensors[i].name}' is never produced`);
  }
}
