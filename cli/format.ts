// Plain-text tables and sizes for the CLI.

export function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((x, c) => (c === 0 || /^[A-Za-z]/.test(x) ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join('  ').trimEnd();
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** A bar of `width` characters filled in proportion to value/max. */
export function bar(value: number, max: number, width = 24): string {
  const n = max > 0 ? Math.round((value / max) * width) : 0;
  return '█'.repeat(Math.min(width, n)).padEnd(width, '·');
}
