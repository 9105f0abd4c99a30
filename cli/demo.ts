// mcusim demo [--port P]: build the in-browser demo (web/) and serve it on localhost.
// A small static file server (node:http): GET and HEAD of files under one folder, nothing else.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { McusimError, UsageError } from '../runtime/errors.ts';
import { parse } from './options.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.tflite': 'application/octet-stream',
  '.bin': 'application/octet-stream',
};

/** Serves the files under `root` on 127.0.0.1:port (0 picks a free port). Resolves once it listens. */
export function serveStatic(root: string, port: number, host = '127.0.0.1'): Promise<{ server: Server; url: string }> {
  const base = resolve(root);
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    let file = normalize(join(base, path));
    if (file !== base && !file.startsWith(base + sep)) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`not found: ${path}\n`);
      return;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': statSync(file).size,
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((ok, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) => fail(e.code === 'EADDRINUSE' ? new UsageError(`mcusim demo: port ${port} is in use; pick another with --port`) : e));
    server.listen(port, host, () => {
      const address = server.address();
      const actual = typeof address === 'object' && address ? address.port : port;
      ok({ server, url: `http://${host === '127.0.0.1' ? 'localhost' : host}:${actual}/` });
    });
  });
}

export async function demoCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse('demo', argv, { port: { type: 'string', default: '8080' }, 'no-build': { type: 'boolean', default: false } });
  if (positionals.length) throw new UsageError(`mcusim demo: unexpected argument '${positionals[0]}'`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`mcusim demo: --port must be a port number 0..65535 (got '${values.port}')`);
  // The builder needs esbuild (a dependency of tsx, so it is there wherever the CLI runs); import it only here.
  const { buildWeb, DEFAULT_WEB_OUT } = await import('../web/build.ts');
  if (!values['no-build']) {
    try {
      await buildWeb(DEFAULT_WEB_OUT);
    } catch (e) {
      throw new McusimError(`cannot build the demo: ${(e as Error).message}`);
    }
  } else if (!existsSync(join(DEFAULT_WEB_OUT, 'index.html'))) {
    throw new McusimError(`no built demo in ${DEFAULT_WEB_OUT}; run 'npm run build:web' or leave out --no-build`);
  }
  const { url } = await serveStatic(DEFAULT_WEB_OUT, port);
  console.log(`mcusim demo: serving ${url} (press Ctrl-C to stop)`);
  return 0;
}
