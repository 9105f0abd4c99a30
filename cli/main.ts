// mcusim: one binary, one subcommand per job. Exit codes: 0 ok, 1 does not fit / mismatch, 2 bad input or usage.
import { McusimError, UsageError } from '../runtime/errors.ts';
import { devicesCommand, inspectCommand, modelsCommand } from './lists.ts';
import { fitCommand } from './fit.ts';
import { runCommand } from './run.ts';

const USAGE = `usage: mcusim <command> [options]

commands:
  fit [MODEL]       plan memory without running; per-step table, SRAM and Flash vs the device, verdict
  run [MODEL]       run one inference in the simulated MCU (WebAssembly) and print the outputs
  devices           list device profiles
  models            list model zoo families and examples; --export NAME --out FILE.tflite writes one
  inspect [MODEL]   print tensors, operators, quantisation and constant sizes

MODEL is a zoo name (e.g. mlperf-vww, mbv2-w0.35-r144) or a path to a .tflite file; default mlperf-vww.
common options: --device NAME|FILE.json (default stm32f412)  --sram 320K --flash 1M --core cortex-m7 --clock 216M --reserve 4K
                --json (machine-readable output)
run options:    --input FILE (raw int8 or float32, once per model input)  --seed N  --checked (verify every step's writes)`;

const COMMANDS: Record<string, (argv: string[]) => number | Promise<number>> = {
  fit: fitCommand,
  run: runCommand,
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
