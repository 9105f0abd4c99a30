// Typed errors. Every failure a user can cause maps to one of these, with a message that names
// the problem and where it is; `exitCode` is what the CLI returns for it.

export class McusimError extends Error {
  readonly exitCode: number = 2;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad command-line usage or option values. */
export class UsageError extends McusimError {}

/** A model name, architecture spec or graph that is malformed or unsupported. */
export class ModelError extends McusimError {}

/** An operator (or data type) mcusim does not implement; names it instead of skipping it. */
export class UnsupportedError extends ModelError {}

/** A device name or profile that is unknown or malformed. */
export class DeviceError extends McusimError {}

/** An input file or tensor that does not match the model. */
export class InputError extends McusimError {}

/** The model's plan needs more SRAM or Flash than the device has. */
export class FitError extends McusimError {
  override readonly exitCode = 1;
}

/** Checked mode found a write outside a step's output regions, or into Flash. */
export class MemoryFault extends McusimError {
  override readonly exitCode = 1;
}
