// A text view of a Graph, in the spirit of Netron: every tensor, then every operator in execution order.
import { DTYPE_BYTES, elementCount, type Graph, type Tensor } from '../ir.ts';

export function inspectGraph(g: Graph): string {
  const lines: string[] = [];
  const constBytes = g.tensors.reduce((n, t) => n + (t.data?.byteLength ?? 0), 0);
  lines.push(`model '${g.name}': ${g.tensors.length} tensors, ${g.ops.length} operators, ${constBytes} constant bytes`);
  lines.push(`inputs: ${g.inputs.map((i) => ref(g, i)).join(', ')}`);
  lines.push(`outputs: ${g.outputs.map((i) => ref(g, i)).join(', ')}`);
  lines.push('', 'tensors:');
  g.tensors.forEach((t, i) => lines.push(`  ${String(i).padStart(3)}  ${describeTensor(t)}`));
  lines.push('', 'operators:');
  g.ops.forEach((op, k) => {
    const ins = op.inputs.map((i) => (i < 0 ? '-' : String(i))).join(', ');
    const opts = Object.entries(op.options).map(([key, v]) => `${key}=${JSON.stringify(v)}`).join(' ');
    lines.push(`  ${String(k).padStart(3)}  ${op.kind} '${op.name}': [${ins}] -> [${op.outputs.join(', ')}]${opts ? `  ${opts}` : ''}`);
  });
  return lines.join('\n');
}

function ref(g: Graph, i: number): string {
  const t = g.tensors[i];
  return t ? `${i} '${t.name}' ${t.dtype}[${t.shape.join('x')}]` : `${i} (missing)`;
}

function describeTensor(t: Tensor): string {
  const parts = [`'${t.name}'`, `${t.dtype}[${t.shape.join('x')}]`];
  const q = t.quant;
  if (q) {
    if (q.scale.length === 1) parts.push(`scale=${q.scale[0]} zp=${q.zeroPoint[0]}`);
    else parts.push(`per-channel x${q.scale.length} on axis ${q.axis} (scale ${Math.min(...q.scale)}..${Math.max(...q.scale)})`);
  }
  if (t.data) parts.push(`const ${elementCount(t.shape) * DTYPE_BYTES[t.dtype]} bytes`);
  return parts.join('  ');
}
