// The op table: operator kind -> its definition. Adding an operator means adding one row here.
import type { OpKind } from '../../models/ir.ts';
import { UnsupportedError } from '../errors.ts';
import { conv2d } from './conv2d.ts';
import type { OpDef } from './types.ts';

const TABLE: { [K in OpKind]?: OpDef<K> } = {
  CONV_2D: conv2d,
};

export function opDef(kind: string, where: string): OpDef {
  const def = (TABLE as Record<string, OpDef | undefined>)[kind];
  if (!def) throw new UnsupportedError(`${where}: operator ${kind} is not supported; supported: ${supportedOps().join(', ')}`);
  return def;
}

export function supportedOps(): string[] {
  return Object.keys(TABLE).sort();
}
