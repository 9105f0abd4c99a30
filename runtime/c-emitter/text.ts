// C text: literals that read back exactly, strings and comments safe for any tensor name.
import type { Tensor } from '../../models/ir.ts';
import { McusimError } from '../errors.ts';

export const GENERATOR = 'mcusim emit-c';

export function cType(t: Tensor): string {
  return t.dtype === 'float32' ? 'float' : t.dtype === 'int32' ? 'int32_t' : 'int8_t';
}

export function intLiteral(v: number): string {
  if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 32) throw new McusimError(`kernel argument ${v} is not a 32-bit integer`);
  if (v === -(2 ** 31)) return '(-2147483647 - 1)';
  return v >= 2 ** 31 ? `${v}u` : String(v);
}

/** The shortest decimal that reads back as the same float32, with an f suffix. */
export function floatLiteral(v: number): string {
  const f = Math.fround(v);
  if (!Number.isFinite(f)) throw new McusimError(`kernel argument ${v} is not a finite float32`);
  let text = '';
  for (let p = 1; p <= 9; p++) {
    text = f.toPrecision(p);
    if (Math.fround(Number(text)) === f) break;
  }
  text = text.replace(/e\+?/, 'e');
  if (!/[.e]/.test(text)) text += '.0';
  return `${text}f`;
}

export function cString(text: string): string {
  let out = '"';
  for (const b of new TextEncoder().encode(text)) {
    out += b >= 32 && b < 127 && b !== 34 && b !== 92 && b !== 63 ? String.fromCharCode(b) : `\\${b.toString(8).padStart(3, '0')}`;
  }
  return `${out}"`;
}

/** Text safe inside a C block comment (names come from user .tflite files). */
export function comment(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').replace(/\*\//g, '*?/').replace(/\?\?/g, '?.?');
}
