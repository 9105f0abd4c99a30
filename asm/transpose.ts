// TRANSPOSE, int8, up to 5-D (TFLite reference_ops::Transpose; TFLM accepts 1-D to 5-D). The op file pads the
// shape with leading 1s to 5-D and shifts the permutation to match. Output dimension d is input dimension
// perm_d: the kernel walks the output in row-major order and reads the input with the permuted strides.
// When the last dimension stays last, whole rows are copied.

/** Element d of a 5-tuple held in scalars (kernels have no arrays). */
@inline
function pick5(d: i32, a: i32, b: i32, c: i32, e: i32, f: i32): i32 {
  return d == 0 ? a : d == 1 ? b : d == 2 ? c : d == 3 ? e : f;
}

export function transpose(
  input: i32, in0: i32, in1: i32, in2: i32, in3: i32, in4: i32,
  perm0: i32, perm1: i32, perm2: i32, perm3: i32, perm4: i32,
  output: i32,
): void {
  // Row-major strides of the input, in elements (= bytes).
  const s4: i32 = 1;
  const s3: i32 = in4;
  const s2: i32 = in3 * s3;
  const s1: i32 = in2 * s2;
  const s0: i32 = in1 * s1;
  const o0 = pick5(perm0, in0, in1, in2, in3, in4);
  const o1 = pick5(perm1, in0, in1, in2, in3, in4);
  const o2 = pick5(perm2, in0, in1, in2, in3, in4);
  const o3 = pick5(perm3, in0, in1, in2, in3, in4);
  const o4 = pick5(perm4, in0, in1, in2, in3, in4);
  const t0 = pick5(perm0, s0, s1, s2, s3, s4);
  const t1 = pick5(perm1, s0, s1, s2, s3, s4);
  const t2 = pick5(perm2, s0, s1, s2, s3, s4);
  const t3 = pick5(perm3, s0, s1, s2, s3, s4);
  const t4 = pick5(perm4, s0, s1, s2, s3, s4);
  let dst = output;
  for (let a: i32 = 0; a < o0; a++) {
    const pa = input + a * t0;
    for (let b: i32 = 0; b < o1; b++) {
      const pb = pa + b * t1;
      for (let c: i32 = 0; c < o2; c++) {
        const pc = pb + c * t2;
        for (let d: i32 = 0; d < o3; d++) {
          const src = pc + d * t3;
          if (t4 == 1) {
            memory.copy(dst, src, o4);
          } else {
            for (let e: i32 = 0; e < o4; e++) store<i8>(dst + e, load<i8>(src + e * t4));
          }
          dst += o4;
        }
      }
    }
  }
}
