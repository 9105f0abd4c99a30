// mcusim validate MODEL: emit C, build it for the host and QEMU Cortex-M4/M7, run seeded random inputs (and files)
// through the WebAssembly executor and the C builds, compare output bytes, and check the ELF against fit's figures.
import { readFileSync } from 'node:fs';
import { loadModel, DEFAULT_MODEL } from '../models/load.ts';
import { InputError, UsageError } from '../runtime/errors.ts';
import { inputFromBytes, randomInputs } from '../runtime/inputs.ts';
import { type Target, TARGETS, HARNESS_STACK_BYTES, HARNESS_HEAP_BYTES } from '../simulator/qemu/toolchain.ts';
import { validate, type ValidateReport } from '../simulator/validate.ts';
import type { Graph } from '../models/ir.ts';
import { scheduleFromFlags, SCHEDULE_CLI_OPTIONS } from './emit-c.ts';
import { table } from './format.ts';
import { DEVICE_OPTIONS, deviceFrom, onePositional, parse } from './options.ts';

export async function validateCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse('validate', argv, {
    ...DEVICE_OPTIONS,
    ...SCHEDULE_CLI_OPTIONS,
    target: { type: 'string', default: 'all' },
    inputs: { type: 'string', default: '20' },
    input: { type: 'string', multiple: true },
    seed: { type: 'string', default: '1' },
    timeout: { type: 'string' },
    out: { type: 'string' },
    force: { type: 'boolean', default: false },
    kernels: { type: 'string' },
    'no-sanitize': { type: 'boolean', default: false },
  });
  const targets = parseTargets(values.target);
  const count = nonNegativeInt('--inputs', values.inputs);
  const seed = nonNegativeInt('--seed', values.seed);
  const timeoutSeconds = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeoutSeconds !== undefined && !(timeoutSeconds > 0)) throw new UsageError(`mcusim validate: --timeout must be a positive number of seconds (got '${values.timeout}')`);
  const device = deviceFrom(values);
  const graph = loadModel(onePositional('validate', positionals, DEFAULT_MODEL));
  const records = [...randomRecords(graph, count, seed), ...fileRecords(graph, values.input ?? [])];
  if (!records.length) throw new UsageError('mcusim validate: nothing to run (--inputs 0 and no --input files)');
  const schedule = scheduleFromFlags('validate', graph, values);
  const report = await validate(schedule, {
    device, targets, records, kernelDir: values.kernels, outDir: values.out, force: values.force,
    timeoutSeconds, sanitize: !values['no-sanitize'], log: values.json ? undefined : (line) => console.error(`mcusim validate: ${line}`),
  });
  console.log(values.json ? JSON.stringify(report, null, 2) : formatValidate(report, seed, count));
  return report.ok ? 0 : 1;
}

function parseTargets(text: string): Target[] {
  const parts = text.split(',').map((t) => t.trim()).filter(Boolean);
  const out = new Set<Target>();
  for (const p of parts) {
    if (p === 'all') TARGETS.forEach((t) => out.add(t));
    else if ((TARGETS as readonly string[]).includes(p)) out.add(p as Target);
    else throw new UsageError(`mcusim validate: --target must be host, m4, m7 or all (or a comma list), got '${p}'`);
  }
  if (!out.size) throw new UsageError('mcusim validate: --target is empty');
  return TARGETS.filter((t) => out.has(t));
}

function nonNegativeInt(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`mcusim validate: ${flag} must be a non-negative integer (got '${text}')`);
  return n;
}

function randomRecords(g: Graph, count: number, seed: number) {
  return Array.from({ length: count }, (_, k) => ({ source: `random (seed ${seed + k})`, inputs: randomInputs(g, seed + k) }));
}

/** Each --input file is one model input; a model with k inputs takes its files k at a time, in order. */
function fileRecords(g: Graph, files: string[]) {
  const k = g.inputs.length;
  if (files.length % k !== 0) throw new InputError(`model '${g.name}' has ${k} inputs, so --input files come ${k} per inference; got ${files.length}`);
  const records = [];
  for (let r = 0; r < files.length; r += k) {
    const inputs = g.inputs.map((t, i) => {
      const file = files[r + i];
      let bytes: Uint8Array;
      try {
        bytes = readFileSync(file);
      } catch (e) {
        throw new InputError(`cannot read input file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      return inputFromBytes(g.tensors[t], bytes, file);
    });
    records.push({ source: files.slice(r, r + k).join(' + '), inputs });
  }
  return records;
}

export function formatValidate(r: ValidateReport, seed: number, count: number): string {
  const lines = [
    `validate ${r.model} on ${r.device} (${r.schedule} schedule): ${r.inputs} input(s) (` +
      [count ? `${count} random, seeds ${seed}..${seed + count - 1}` : '', r.inputs > count ? `${r.inputs - count} from files` : ''].filter(Boolean).join(', ') + ')' +
      `, ${r.outputBytes} output bytes each; WebAssembly ${r.wasmSeconds.toFixed(2)} s`,
    '',
    table(['target', 'result', 'build s', 'run s', 'inferences', 'mismatches', 'notes'], r.targets.map((t) => [
      t.description, t.ok ? 'ok' : 'FAILED', t.buildSeconds.toFixed(1), t.runSeconds.toFixed(1), t.inferences, t.mismatches,
      t.sanitizer ? `AddressSanitizer + UBSan clean (${t.sanitizer.inputs === t.inferences ? 'all' : `first ${t.sanitizer.inputs}`} inputs)` : t.sizes?.runtime ? `stack used ${t.sizes.runtime.stackUsed} of ${t.sizes.runtime.stackBytes} B, heap ${t.sizes.runtime.heapUsed} of ${t.sizes.runtime.heapBytes} B` : '',
    ])),
  ];
  const sized = r.targets.filter((t) => t.sizes);
  if (sized.length) {
    lines.push('', 'Cortex-M ELF (arm-none-eabi-size) vs fit:');
    lines.push(table(['target', 'text', 'data', 'bss', 'Flash ELF', 'harness', 'model', 'fit', 'diff', 'allowed ±', 'constants', 'code', 'code est.', 'SRAM ELF', 'arena', 'extra', 'allowed'],
      sized.map((t) => {
        const z = t.sizes!;
        return [t.target, z.elf.text, z.elf.data, z.elf.bss, z.flash.elf, z.flash.harness, z.flash.model, z.flash.fit, z.flash.difference, z.flash.allowed, z.flash.constants, z.flash.code, z.flash.codeEstimate,
          z.sram.elf, z.sram.arena, z.sram.extra, `0..${z.sram.allowed}`];
      })));
    lines.push(`Flash = text + data; harness = startup, semihosting and C library (the ELF minus the model's objects); model = Flash - harness`,
      `(constants + kernels + model.c) must be within ± the harness's size of fit's Flash figure (constants + code estimate).`,
      `SRAM = data + bss; beyond the arena it may use at most the device's runtime reserve (harness stack ${HARNESS_STACK_BYTES} B, heap ${HARNESS_HEAP_BYTES} B, C library state).`);
  }
  for (const t of r.targets) for (const p of t.problems) lines.push(`${t.description}: ${p}`);
  if (r.dir) lines.push('', `sources and builds kept in ${r.dir}`);
  lines.push('', r.ok ? `verdict: OK, the C output bytes equal WebAssembly's on ${r.targets.map((t) => t.target).join(', ')}` : 'verdict: FAILED');
  return lines.join('\n');
}
