#!/bin/sh
# Regenerates the TypeScript accessors in generated/ from schema.fbs with flatc (Debian package
# flatbuffers-compiler; written with flatc 2.0.8). flatc emits extensionless relative imports, which
# Node's ESM resolution (tsconfig module NodeNext) refuses, so the script adds the `.ts` extension.
set -eu
cd "$(dirname "$0")"
command -v flatc >/dev/null || { echo "flatc not found: apt-get install flatbuffers-compiler" >&2; exit 2; }
rm -rf generated
flatc --ts -o generated schema.fbs
# from '../tflite/tensor'  ->  from '../tflite/tensor.ts'   (and './tflite/x' in the barrel file)
find generated -name '*.ts' -exec sed -i -E "s#(from '\.{1,2}/[^']+)';#\1.ts';#" {} +
echo "generated with $(flatc --version)" > generated/VERSION
