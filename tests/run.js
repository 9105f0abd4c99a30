// Runs every tests/**/*.test.ts with uvu in one process and ends with the line CI reads: "N passed, N failed".
// Usage: npm test [-- PATTERN...]   (a file runs when its path contains any PATTERN; none: every file)
import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { run } from 'uvu/run';

const root = resolve(import.meta.dirname);
const patterns = process.argv.slice(2);
// Every schedule a test builds goes through the independent plan checker (runtime/plan-check.ts).
process.env.MCUSIM_CHECK_PLANS ??= '1';
const files = [];
(function walk(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.test.ts') && (patterns.length === 0 || patterns.some((q) => relative(root, p).includes(q)))) files.push(p);
  }
})(root);
files.sort();

// uvu prints "Total:" and "Passed:" lines; keep them to write the summary line.
let total = 0;
let passed = 0;
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, ...rest) => {
  const text = String(chunk).replace(/\x1b\[[0-9;]*m/g, '');
  const t = /Total:\s+(\d+)/.exec(text);
  const p = /Passed:\s+(\d+)/.exec(text);
  if (t) total = Number(t[1]);
  if (p) passed = Number(p[1]);
  return write(chunk, ...rest);
};

await run(files.map((file) => ({ name: relative(root, file), file })), { bail: false });
process.stdout.write = write;
console.log(`${passed} passed, ${total - passed} failed`);
