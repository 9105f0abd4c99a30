// RESHAPE: the output is the input's bytes under another shape. The planner normally aliases the output onto
// the input's buffer (LoweredOp.aliasInput), so source == destination and nothing moves; the copy is kept so the
// step is still correct if the planner ever places them apart. memory.copy has memmove semantics.
export function copy(input: i32, output: i32, bytes: i32): void {
  if (input != output) memory.copy(output, input, bytes);
}
