// mcusim: one binary, one subcommand per job. Exit codes: 0 ok, 1 does not fit / mismatch, 2 bad input or usage.
import { McusimError, UsageError } from '../runtime/errors.ts';
import { devicesCommand, inspectCommand, modelsCommand } from './lists.ts';
import { fitCommand } from './fit.ts';
import { runCommand } from './run.ts';
import { emitCCommand } from './emit-c.ts';
import { validateCommand } from './validate.ts';
import { demoCommand } from './demo.ts';
import { nasCommand } from './nas.ts';

const USAGE = `usage: mcusim <command> [options]

commands:
  fit [MODEL]       plan memory without running; per-step table, SRAM and Flash vs the device, verdict
  run [MODEL]       run one inference in the simulated MCU (WebAssembly) and print the outputs
  emit-c [MODEL] --out DIR   write the schedule as a self-contained C99 folder (model.h API, Makefile, CMakeLists.txt)
  validate [MODEL]  emit C, build it for the host and QEMU Cortex-M4/M7, compare its outputs with WebAssembly's byte for byte
  devices           list device profiles
  models            list model zoo families and examples; --export NAME --out FILE.tflite writes one
  inspect [MODEL]   print tensors, operators, quantisation and constant sizes
  demo [--port P]   serve the in-browser demo on localhost (default port 8080)
  nas               search (TinyNAS) the network with the most MACs that fits the device; writes specs usable as MODEL

MODEL is a zoo name (e.g. mlperf-vww, mbv2-w0.35-r144), a path to a .tflite file or to an architecture spec .json (as nas writes); default mlperf-vww.
common options: --device NAME|FILE.json (default stm32f412)  --sram 320K --flash 1M --core cortex-m7 --clock 216M --reserve 4K
                --json (machine-readable output)
run options:    --input FILE (raw int8 or float32, once per model input)  --seed N  --checked (verify every step's writes)
fit/run memory: --schedule layer|patch|auto (default auto: the smallest arena within --max-overhead)  --max-overhead F (extra MACs
                allowed for patches, fraction of the model's, default 0.2)  --split TENSOR --patches N (force a patch stage)
emit-c options: --out DIR (required)  --force (write into a folder mcusim did not create)  --schedule layer|patch|auto
validate:       --target host|m4|m7|all  --inputs N (default 20)  --input FILE  --seed N  --timeout SECONDS  --out DIR  --no-sanitize
                --kernels DIR (emit-c and validate: C kernels from DIR instead of runtime/c/)
nas:            --samples N  --generations G  --population P  --seed S  --workers K  --out DIR  --top K  --max-latency-ms X
                --max-overhead F  --widths 0.3,0.5  --resolutions 96,128`;

const COMMANDS: Record<string, (argv: string[]) => number | Promise<number>> = {
  fit: fitCommand,
  run: runCommand,
  'emit-c': emitCCommand,
  validate: validateCommand,
  demo: demoCommand,
  nas: nasCommand,
  devices: devicesCommand,
  models: modelsCommand,
  inspect: inspectCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  try {
    const handler = COMMANDS[command];
    if (!handler) throw new UsageError(`unknown command '${command}'; commands: ${Object.keys(COMMANDS).join(', ')}`);
    return await handler(rest);
  } catch (e) {
    if (e instanceof McusimError) {
      console.error(`mcusim: ${e.name}: ${e.message}`);
      return e.exitCode;
    }
    throw e;
  }
}
