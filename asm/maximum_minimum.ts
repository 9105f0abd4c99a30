// MAXIMUM and MINIMUM, int8 (TFLite Micro maximum_minimum.cc, reference_ops::MaximumMinimumBroadcastSlow): the larger
// (smaller) of the two raw int8 values; no rescaling, since the op file requires both inputs and the output to share
// one quantisation. Broadcasting as in add.ts: input k is read at index (i mod periodK).

export function maximum(input1: i32, input1Period: i32, input2: i32, input2Period: i32, output: i32, size: i32): void {
  let j1: i32 = 0;
  let j2: i32 = 0;
  for (let i: i32 = 0; i < size; i++) {
    const a = load<i8>(input1 + j1);
    const b = load<i8>(input2 + j2);
    store<i8>(output + i, a > b ? a : b);
    if (++j1 == input1Period) j1 = 0;
    if (++j2 == input2Period) j2 = 0;
  }
}

export function minimum(input1: i32, input1Period: i32, input2: i32, input2Period: i32, output: i32, size: i32): void {
  let j1: i32 = 0;
  let j2: i32 = 0;
  for (let i: i32 = 0; i < size; i++) {
    const a = load<i8>(input1 + j1);
    const b = load<i8>(input2 + j2);
    store<i8>(output + i, a < b ? a : b);
    if (++j1 == input1Period) j1 = 0;
    if (++j2 == input2Period) j2 = 0;
  }
}
