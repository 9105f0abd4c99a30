// Structural check of a .tflite flatbuffer before any accessor touches it, in the manner of
// flatbuffers' C++ Verifier (which TensorFlow Lite runs on every model): every table, vtable, vector
// and string the reader will visit must lie inside the file, be aligned, and have sane sizes.
// The generated TypeScript accessors check nothing, so after this pass they only read verified bytes.
//
// Layout facts used here (flatbuffers binary format):
//   - offsets to tables, vectors and strings are unsigned 32-bit and point forward from where they are
//     stored, so offsets alone cannot form a cycle; a depth and a table-count limit bound the walk anyway;
//   - a table starts with a signed 32-bit offset back (or forward) to its vtable: u16 vtable size,
//     u16 table size, then one u16 field offset per field id (0 = absent);
//   - a vector is a u32 element count followed by the elements; a string is a byte vector plus a 0 byte;
//   - a union field id k holds the u8 type code and field id k+1 the offset to the member table.
import { ModelError } from '../../runtime/errors.ts';
import { BuiltinOptions } from './generated/tflite/builtin-options.ts';
import { QuantizationDetails } from './generated/tflite/quantization-details.ts';

type Kind =
  | 1 | 2 | 4 | 8 // scalar of that many bytes
  | 'string'
  | { vector: 1 | 4 | 8 } // vector of scalars of that size
  | { table: string } // offset to a table
  | { tables: string } // vector of offsets to tables
  | { union: Record<number, string> }; // member table by type code; field id k-1 holds the type code

type Field = [name: string, kind: Kind];

const unionMembers = (e: Record<string, string | number>): Record<number, string> => {
  const out: Record<number, string> = {};
  for (const [name, code] of Object.entries(e)) if (typeof code === 'number' && code !== 0) out[code] = name;
  return out;
};

const options = (...fields: [string, 1 | 4][]): Field[] => fields;

/**
 * Every table of schema.fbs with its fields in id order, as (name, kind). A test checks this against the
 * flatc-generated code, so the two cannot drift apart.
 */
export const TABLES: Record<string, Field[]> = {
  Model: [['version', 4], ['operator_codes', { tables: 'OperatorCode' }], ['subgraphs', { tables: 'SubGraph' }], ['description', 'string'],
    ['buffers', { tables: 'Buffer' }], ['metadata_buffer', { vector: 4 }], ['metadata', { tables: 'Metadata' }]],
  OperatorCode: [['deprecated_builtin_code', 1], ['custom_code', 'string'], ['version', 4], ['builtin_code', 4]],
  SubGraph: [['tensors', { tables: 'Tensor' }], ['inputs', { vector: 4 }], ['outputs', { vector: 4 }], ['operators', { tables: 'Operator' }], ['name', 'string']],
  Tensor: [['shape', { vector: 4 }], ['type', 1], ['buffer', 4], ['name', 'string'], ['quantization', { table: 'QuantizationParameters' }],
    ['is_variable', 1], ['sparsity', { table: 'SparsityParameters' }], ['shape_signature', { vector: 4 }], ['has_rank', 1]],
  QuantizationParameters: [['min', { vector: 4 }], ['max', { vector: 4 }], ['scale', { vector: 4 }], ['zero_point', { vector: 8 }],
    ['details_type', 1], ['details', { union: unionMembers(QuantizationDetails) }], ['quantized_dimension', 4]],
  CustomQuantization: [],
  SparsityParameters: [],
  Operator: [['opcode_index', 4], ['inputs', { vector: 4 }], ['outputs', { vector: 4 }], ['builtin_options_type', 1],
    ['builtin_options', { union: unionMembers(BuiltinOptions) }], ['custom_options', { vector: 1 }], ['custom_options_format', 1],
    ['mutating_variable_inputs', { vector: 1 }], ['intermediates', { vector: 4 }]],
  Buffer: [['data', { vector: 1 }], ['offset', 8], ['size', 8]],
  Metadata: [['name', 'string'], ['buffer', 4]],
  Conv2DOptions: options(['padding', 1], ['stride_w', 4], ['stride_h', 4], ['fused_activation_function', 1], ['dilation_w_factor', 4],
    ['dilation_h_factor', 4], ['quantized_bias_type', 1]),
  DepthwiseConv2DOptions: options(['padding', 1], ['stride_w', 4], ['stride_h', 4], ['depth_multiplier', 4], ['fused_activation_function', 1],
    ['dilation_w_factor', 4], ['dilation_h_factor', 4]),
  Pool2DOptions: options(['padding', 1], ['stride_w', 4], ['stride_h', 4], ['filter_width', 4], ['filter_height', 4], ['fused_activation_function', 1]),
  FullyConnectedOptions: options(['fused_activation_function', 1], ['weights_format', 1], ['keep_num_dims', 1], ['asymmetric_quantize_inputs', 1],
    ['quantized_bias_type', 1]),
  SoftmaxOptions: options(['beta', 4]),
  ConcatenationOptions: options(['axis', 4], ['fused_activation_function', 1]),
  AddOptions: options(['fused_activation_function', 1], ['pot_scale_int16', 1]),
  SubOptions: options(['fused_activation_function', 1], ['pot_scale_int16', 1]),
  MulOptions: options(['fused_activation_function', 1]),
  ReshapeOptions: [['new_shape', { vector: 4 }]],
  ReducerOptions: options(['keep_dims', 1]),
  PadOptions: [],
  QuantizeOptions: [],
  DequantizeOptions: [],
  TransposeOptions: [],
  SqueezeOptions: [['squeeze_dims', { vector: 4 }]],
  StridedSliceOptions: options(['begin_mask', 4], ['end_mask', 4], ['ellipsis_mask', 4], ['new_axis_mask', 4], ['shrink_axis_mask', 4], ['offset', 1]),
  MaximumMinimumOptions: [],
  TransposeConvOptions: options(['padding', 1], ['stride_w', 4], ['stride_h', 4], ['fused_activation_function', 1], ['quantized_bias_type', 1]),
  ResizeNearestNeighborOptions: options(['align_corners', 1], ['half_pixel_centers', 1]),
  LeakyReluOptions: options(['alpha', 4]),
  HardSwishOptions: [],
};

const MAX_DEPTH = 64;
const MAX_TABLES = 1_000_000;
/** The JS runtime reads vtable entries as signed 16-bit numbers; larger values would read outside the table. */
const MAX_VTABLE_VALUE = 0x7fff;

export const hex = (n: number) => (n < 0 ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`);

/** Throws ModelError naming the first structural problem (path in the schema and file offset). */
export function verifyTflite(bytes: Uint8Array, label: string): void {
  new Verifier(bytes, label).verifyRoot();
}

class Verifier {
  private tables = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array, private readonly label: string) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private fail(path: string, offset: number, msg: string): never {
    throw new ModelError(`${this.label}: malformed .tflite at ${path} (file offset ${hex(offset)}): ${msg}`);
  }

  /** `size` bytes at `pos` lie inside the file and are aligned to `align`. */
  private check(path: string, pos: number, size: number, what: string, align = size): void {
    const n = this.bytes.length;
    if (!(pos >= 0 && pos + size <= n)) this.fail(path, pos, `${what} (${size} bytes) lies outside the file (${n} bytes)`);
    if (align > 1 && pos % align !== 0) this.fail(path, pos, `${what} is not aligned to ${align} bytes`);
  }

  private u16(pos: number): number { return this.view.getUint16(pos, true); }
  private u32(pos: number): number { return this.view.getUint32(pos, true); }

  /** Follows the uoffset stored at `pos` (already checked) and returns the target position. */
  private follow(path: string, pos: number): number {
    const off = this.u32(pos);
    if (off === 0) this.fail(path, pos, 'offset 0 points at itself');
    if (off > 0x7fffffff) this.fail(path, pos, `offset ${off} is larger than any flatbuffer`);
    const target = pos + off;
    if (target >= this.bytes.length) this.fail(path, pos, `offset ${off} points to ${hex(target)}, past the end of the file (${this.bytes.length} bytes)`);
    return target;
  }

  verifyRoot(): void {
    const n = this.bytes.length;
    if (n < 8) this.fail('file header', 0, `file is ${n} bytes long; a .tflite file needs at least 8 (root offset and identifier "TFL3")`);
    const ident = String.fromCharCode(...this.bytes.subarray(4, 8));
    if (ident !== 'TFL3') this.fail('file header', 4, `file identifier is ${JSON.stringify(ident)}, expected "TFL3" (not a TensorFlow Lite model?)`);
    this.table('Model', this.follow('root offset', 0), 'model', 0);
  }

  /** `type` undefined: a union member outside our subset; only its header is checked, it is never read. */
  private table(type: string | undefined, pos: number, path: string, depth: number): void {
    if (depth > MAX_DEPTH) this.fail(path, pos, `tables nest deeper than ${MAX_DEPTH} levels`);
    if (++this.tables > MAX_TABLES) this.fail(path, pos, `more than ${MAX_TABLES} tables`);
    this.check(path, pos, 4, 'table');
    const vtable = pos - this.view.getInt32(pos, true);
    if (vtable < 0 || vtable + 4 > this.bytes.length) this.fail(path, pos, `the table's vtable would be at ${hex(vtable)}, outside the file (${this.bytes.length} bytes)`);
    this.check(path, vtable, 4, 'vtable', 2);
    const vsize = this.u16(vtable);
    const tsize = this.u16(vtable + 2);
    if (vsize < 4 || vsize % 2 !== 0 || vsize > MAX_VTABLE_VALUE) this.fail(path, vtable, `vtable size ${vsize} is invalid`);
    this.check(path, vtable, vsize, 'vtable', 2);
    if (tsize < 4 || tsize > MAX_VTABLE_VALUE) this.fail(path, pos, `table size ${tsize} is invalid`);
    this.check(path, pos, tsize, 'table', 1);
    const fields = type === undefined ? [] : TABLES[type];
    if (!fields) throw new Error(`verifier has no layout for table ${type}`);
    const fieldPos = (id: number): number => {
      const entry = 4 + 2 * id;
      if (entry >= vsize) return 0;
      const voff = this.u16(vtable + entry);
      return voff === 0 ? 0 : pos + voff;
    };
    fields.forEach(([name, kind], id) => {
      const at = fieldPos(id);
      if (at === 0) return;
      const size = typeof kind === 'number' ? kind : 4;
      const fpath = `${path}.${name}`;
      const voff = at - pos;
      if (voff < 4 || voff + size > tsize) this.fail(fpath, at, `field (offset ${voff}, ${size} bytes) lies outside its table (${tsize} bytes)`);
      this.check(fpath, at, size, 'field');
      if (typeof kind === 'number') return;
      const target = this.follow(fpath, at);
      if (kind === 'string') this.vector(target, 1, fpath, true);
      else if ('vector' in kind) this.vector(target, kind.vector, fpath, false);
      else if ('table' in kind) this.table(kind.table, target, fpath, depth + 1);
      else if ('tables' in kind) {
        const count = this.vector(target, 4, fpath, false);
        for (let i = 0; i < count; i++) {
          const elemPath = `${fpath}[${i}]`;
          this.table(kind.tables, this.follow(elemPath, target + 4 + 4 * i), elemPath, depth + 1);
        }
      } else {
        const typeAt = fieldPos(id - 1);
        const code = typeAt === 0 ? 0 : this.bytes[typeAt];
        if (code === 0) return; // NONE: the value is never read
        this.table(kind.union[code], target, `${fpath}<${kind.union[code] ?? `type ${code}`}>`, depth + 1);
      }
    });
  }

  /** Checks a vector (or string) at `pos`; returns its element count. */
  private vector(pos: number, elemSize: number, path: string, isString: boolean): number {
    const what = isString ? 'string' : 'vector';
    this.check(path, pos, 4, `${what} length`);
    const count = this.u32(pos);
    const room = this.bytes.length - pos - 4 - (isString ? 1 : 0);
    if (count * elemSize > room) {
      this.fail(path, pos, `${what} of ${count} x ${elemSize} bytes runs past the end of the file (${Math.max(room, 0)} bytes left)`);
    }
    if (isString && this.bytes[pos + 4 + count] !== 0) this.fail(path, pos, 'string is not 0-terminated');
    return count;
  }
}
