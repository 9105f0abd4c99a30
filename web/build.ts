// Builds the static demo site (npm run build:web; also run by `mcusim demo` before it serves):
//   main.js   the page (web/main.ts + Chart.js), bundled by esbuild
//   worker.js the inference worker (web/worker.ts + the runtime, zoo and .tflite reader), bundled by esbuild
//   kernels.wasm  build/kernels.wasm as it is: the same kernels the CLI runs
//   index.html, style.css, favicon.svg, samples/*.png (pictures drawn by web/samples.ts)
// Everything is relative to the page, so any static host can serve the folder. The bundles are built for the
// browser platform: a module that imports node:* anywhere in the graph fails the build.
// Usage: tsx web/build.ts [OUT_DIR]   (default dist/web)
import { build, type BuildOptions } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { encodePng } from './png.ts';
import { renderSample, SAMPLE_LIST } from './samples.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_WEB_OUT = join(ROOT, 'dist', 'web');
export const DEFAULT_BENCH_OUT = join(ROOT, 'dist', 'web-bench');
const KERNELS = join(ROOT, 'build', 'kernels.wasm');

export interface BuiltFile { path: string; bytes: number; gzipBytes: number }
export interface BuildSummary { outDir: string; files: BuiltFile[]; ms: number }

const BUNDLE: BuildOptions = {
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
  minify: true,
  keepNames: true, // error classes are told apart by name (McusimError sets name = new.target.name)
  sourcemap: 'linked',
  logLevel: 'silent',
  absWorkingDir: ROOT,
};

function kernelsPath(): string {
  if (!existsSync(KERNELS)) throw new Error(`${relative(ROOT, KERNELS)} is missing; run 'npm run build:asm' first`);
  return KERNELS;
}

function fresh(outDir: string) {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
}

async function bundle(entries: Record<string, string>, outDir: string) {
  try {
    await build({ ...BUNDLE, entryPoints: Object.entries(entries).map(([out, src]) => ({ out, in: join(ROOT, src) })), outdir: outDir });
  } catch (e) {
    const errors = (e as { errors?: { text: string; location?: { file: string; line: number } }[] }).errors;
    if (!errors) throw e;
    throw new Error(`web build failed:\n${errors.map((x) => `  ${x.location ? `${x.location.file}:${x.location.line}: ` : ''}${x.text}`).join('\n')}`);
  }
}

function summary(outDir: string, start: number): BuildSummary {
  const files: BuiltFile[] = [];
  (function walk(dir: string) {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else {
        const data = readFileSync(p);
        files.push({ path: relative(outDir, p), bytes: data.length, gzipBytes: gzipSync(data, { level: 9 }).length });
      }
    }
  })(outDir);
  return { outDir, files, ms: performance.now() - start };
}

const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect x="7" y="7" width="18" height="18" rx="2" fill="#1f5fa8"/>` +
  `<rect x="11" y="11" width="10" height="10" rx="1" fill="#9cc3ee"/><g stroke="#1f5fa8" stroke-width="2">` +
  `<path d="M11 3v4M16 3v4M21 3v4M11 25v4M16 25v4M21 25v4M3 11h4M3 16h4M3 21h4M25 11h4M25 16h4M25 21h4"/></g></svg>\n`;

/** The demo site. */
export async function buildWeb(outDir = DEFAULT_WEB_OUT): Promise<BuildSummary> {
  const start = performance.now();
  const kernels = kernelsPath();
  fresh(outDir);
  await bundle({ main: 'web/main.ts', worker: 'web/worker.ts' }, outDir);
  copyFileSync(join(ROOT, 'web', 'index.html'), join(outDir, 'index.html'));
  copyFileSync(join(ROOT, 'web', 'style.css'), join(outDir, 'style.css'));
  copyFileSync(kernels, join(outDir, 'kernels.wasm'));
  writeFileSync(join(outDir, 'favicon.svg'), FAVICON);
  mkdirSync(join(outDir, 'samples'));
  for (const s of SAMPLE_LIST) {
    const img = renderSample(s.id);
    writeFileSync(join(outDir, 'samples', `${s.id}.png`), encodePng(img.width, img.height, img.rgba));
  }
  return summary(outDir, start);
}

/** The benchmark page: mcusim and TensorFlow Lite's WebAssembly runtime (@tensorflow/tfjs-tflite), same origin. */
export async function buildBench(outDir = DEFAULT_BENCH_OUT): Promise<BuildSummary> {
  const start = performance.now();
  const kernels = kernelsPath();
  fresh(outDir);
  await bundle({ bench: 'web/bench/bench.ts' }, outDir);
  copyFileSync(join(ROOT, 'web', 'bench', 'index.html'), join(outDir, 'index.html'));
  copyFileSync(kernels, join(outDir, 'kernels.wasm'));
  writeFileSync(join(outDir, 'favicon.svg'), FAVICON);
  // TFLite's WebAssembly builds ship inside the npm package; serve them from our own origin.
  const tfliteWasm = join(ROOT, 'node_modules', '@tensorflow', 'tfjs-tflite', 'wasm');
  if (!existsSync(tfliteWasm)) throw new Error(`${relative(ROOT, tfliteWasm)} is missing; run 'npm install'`);
  // Beside bench.js: the package looks there first (the directory of the script that loaded it).
  for (const f of readdirSync(tfliteWasm)) if (f.startsWith('tflite_web_api_cc')) copyFileSync(join(tfliteWasm, f), join(outDir, f));
  return summary(outDir, start);
}

/** What the demo fetches until its first result (the default sample picture included). */
const FIRST_LOAD = ['index.html', 'style.css', 'main.js', 'worker.js', 'kernels.wasm', 'favicon.svg', `samples/${SAMPLE_LIST[0].id}.png`];

export function formatSummary(s: BuildSummary): string {
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  const shown = s.files.filter((f) => !f.path.endsWith('.map'));
  const total = shown.reduce((n, f) => n + f.bytes, 0);
  const gz = shown.reduce((n, f) => n + f.gzipBytes, 0);
  const first = shown.filter((f) => FIRST_LOAD.includes(f.path));
  return [
    `wrote ${relative(process.cwd(), s.outDir) || '.'} in ${s.ms.toFixed(0)} ms`,
    ...shown.map((f) => `  ${f.path.padEnd(24)} ${kib(f.bytes).padStart(10)}  (gzip ${kib(f.gzipBytes)})`),
    `  ${'total (without .map)'.padEnd(24)} ${kib(total).padStart(10)}  (gzip ${kib(gz)})`,
    ...(first.length === FIRST_LOAD.length ? [`  ${'first page load'.padEnd(24)} ${kib(first.reduce((n, f) => n + f.bytes, 0)).padStart(10)}  (gzip ${kib(first.reduce((n, f) => n + f.gzipBytes, 0))}): ${FIRST_LOAD.join(', ')}`] : []),
  ].join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ? resolve(process.argv[2]) : DEFAULT_WEB_OUT;
  try {
    console.log(formatSummary(await buildWeb(out)));
  } catch (e) {
    console.error(`build:web: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}
