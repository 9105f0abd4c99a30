// .tflite load time: the person-detection model from ../shared (when present) and a written ~2 MB zoo model.
import { existsSync, readFileSync } from 'node:fs';
import { table } from '../cli/format.ts';
import { readTflite } from '../models/tflite/reader.ts';
import { writeTflite } from '../models/tflite/writer.ts';
import { buildZooModel } from '../models/zoo/index.ts';
import { measure } from './measure.ts';

const PERSON_DETECT = new URL('../../shared/models/person_detect.tflite', import.meta.url);

export function tfliteLoadTable(): string {
  const files: [string, Uint8Array][] = [];
  if (existsSync(PERSON_DETECT)) files.push(['person_detect.tflite (../shared)', new Uint8Array(readFileSync(PERSON_DETECT))]);
  else console.error('  person_detect.tflite skipped: ../shared/models is absent');
  files.push(['mbv1-w0.75-r224 written by mcusim', writeTflite(buildZooModel('mbv1-w0.75-r224'))]);
  const rows = files.map(([name, bytes]) => {
    const g = readTflite(bytes, name);
    const ms = measure(() => readTflite(bytes, name), 1) * 1000;
    return [name, (bytes.length / 2 ** 20).toFixed(2), g.ops.length, g.tensors.length, ms.toFixed(2)];
  });
  return table(['.tflite file', 'MiB', 'operators', 'tensors', 'load ms (read + verify + validate)'], rows);
}
