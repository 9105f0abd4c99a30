// MODEL on the command line: a path to a .tflite file, an architecture spec (.json, as `mcusim nas` writes), or a zoo name.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ModelError } from '../runtime/errors.ts';
import type { Graph } from './ir.ts';
import { readTflite } from './tflite/reader.ts';
import { buildZooModel } from './zoo/index.ts';
import { buildSpecModel, readSpecFile } from './nas/spec.ts';

export const DEFAULT_MODEL = 'mlperf-vww';

export function loadModel(spec: string): Graph {
  if (spec.endsWith('.tflite')) {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(spec);
    } catch (e) {
      throw new ModelError(`cannot read model file ${spec}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    return readTflite(bytes, basename(spec, '.tflite'));
  }
  if (spec.endsWith('.json')) return buildSpecModel(readSpecFile(spec));
  return buildZooModel(spec);
}
