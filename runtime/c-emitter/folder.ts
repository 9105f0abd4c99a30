// Writing an emitted folder: ours are marked with a manifest; a foreign non-empty folder is refused unless forced.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.ts';
import type { EmittedC } from '../emit-c.ts';
import { GENERATOR } from './text.ts';

export const MANIFEST = 'mcusim.json';

export interface Manifest { generator: string; model: string; device: string; schedule: string; files: string[] }

/** Reads a folder's manifest; undefined when the folder is not one of ours. */
export function readManifest(dir: string): Manifest | undefined {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) return undefined;
  try {
    const m = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
    return m && m.generator === GENERATOR && Array.isArray(m.files) ? m : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes the emitted files into `dir`. A missing or empty folder, or one we wrote before (it has our manifest), is
 * fine; anything else is refused unless `force`. Files a previous emit wrote and this one does not are removed.
 */
export function writeEmitted(dir: string, e: EmittedC, meta: { model: string; device: string; schedule: string }, force = false): void {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new UsageError(`output ${dir} exists and is not a folder`);
    const old = readManifest(dir);
    const entries = readdirSync(dir);
    if (!old && entries.length && !force) {
      throw new UsageError(`output folder ${dir} exists, is not empty and was not written by mcusim (no ${MANIFEST}); choose another folder or pass --force to write into it`);
    }
    if (old) for (const f of old.files) if (!e.files.has(f) && /^[\w.-]+$/.test(f)) rmSync(join(dir, f), { force: true });
  } else {
    mkdirSync(dir, { recursive: true });
  }
  for (const [name, text] of e.files) writeFileSync(join(dir, name), text);
  const manifest: Manifest = { generator: GENERATOR, ...meta, files: [...e.files.keys()] };
  writeFileSync(join(dir, MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
}
