// The dashboard's HTTP server (node:http): the page, its bundled script and style, a JSON API over
// the ledger and the dead letters, and — only with actions allowed — the replay endpoint.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Bucket } from '@lakeload/loader';
import { type Driver, forOutput, Loader, type RoutingRule, type TableSettings } from '@lakeload/loader';
import { DashboardData } from './api.js';
import { DashboardError } from './errors.js';
import { replayDeadLetter } from './replay.js';

export interface DashboardOptions {
  /** The warehouse connection the dashboard reads (and, with actions, replays into). The caller closes it. */
  driver: Driver;
  /** Shown in the page's header: a URL fit for display (see `redactUrl`). */
  warehouseLabel: string;
  /** Default 127.0.0.1: the page has no login, so it stays on this machine unless told otherwise. */
  host?: string;
  /** Default 8417; 0 picks a free port. */
  port?: number;
  /** Enables the replay endpoint. Default false: the dashboard only reads. */
  allowActions?: boolean;
  /** Table settings and routing rules for replays, as the loader's config file gives them. */
  tables?: Readonly<Record<string, TableSettings>>;
  rules?: readonly RoutingRule[];
  /** Seconds between the page's refreshes. Default 10. */
  refreshSeconds?: number;
  /** Where the built page is (index.html, app.js, app.css). Default: this package's dist/page. */
  pageDir?: string;
}

export interface Dashboard {
  /** The page's address, e.g. http://127.0.0.1:8417/ */
  url: string;
  server: Server;
  /**
   * Stops accepting requests, lets requests in flight (a replay) finish, and ends open connections;
   * the driver stays open for the caller.
   */
  close(): Promise<void>;
}

/** Default port: unassigned by IANA, easy to remember as "lakeload" on a phone keypad. */
export const DEFAULT_PORT = 8417;

/** How long requests in flight get to finish once the server closes. */
const CLOSE_GRACE_MS = 5000;

/** Chart ranges the page offers: how far back, and the bucket width that keeps a chart readable. */
const RANGES: Record<string, { seconds: number; bucket: Bucket }> = {
  '1h': { seconds: 3600, bucket: 'minute' },
  '24h': { seconds: 86_400, bucket: 'hour' },
  '7d': { seconds: 604_800, bucket: 'day' },
  '30d': { seconds: 2_592_000, bucket: 'day' },
};

const ASSETS: Record<string, string> = {
  '/assets/app.js': 'text/javascript; charset=utf-8',
  '/assets/app.css': 'text/css; charset=utf-8',
};

const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

/** A request the server refuses, with the status and a message saying what to do instead. */
class HttpError extends DashboardError {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function integerParam(
  params: URLSearchParams,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = params.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max)
    throw new HttpError(400, `${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return value;
}

function rangeParam(params: URLSearchParams): { seconds: number; bucket: Bucket; table?: string } {
  const name = params.get('range') ?? '24h';
  const range = RANGES[name];
  if (!range)
    throw new HttpError(400, `range must be one of ${Object.keys(RANGES).join(', ')}, got "${name}"`);
  const table = params.get('table');
  return table === null || table === '' ? range : { ...range, table };
}

function loopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/**
 * The names a browser may use for this server besides the bind address: on loopback, localhost;
 * on a wildcard address, this machine's host name and the addresses of its interfaces. Never a
 * name only DNS says is ours.
 */
function ownNames(host: string): string[] {
  if (loopback(host)) return ['localhost', '127.0.0.1'];
  if (host !== '0.0.0.0' && host !== '::') return [];
  const addresses = Object.values(networkInterfaces())
    .flat()
    .map((info) => (info?.family === 'IPv6' ? `[${info.address}]` : (info?.address ?? '')))
    .filter((address) => address !== '');
  return [hostname().toLowerCase(), 'localhost', ...addresses];
}

async function readJsonBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > 16_384) throw new HttpError(413, 'the request body is larger than 16 KiB');
    chunks.push(chunk as Buffer);
  }
  try {
    const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new Error('not an object');
    return body as Record<string, unknown>;
  } catch {
    throw new HttpError(400, 'the body must be a JSON object: {"uri": "…", "identity": "…"}');
  }
}

/** Starts the server; resolves once it listens. */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const host = options.host ?? '127.0.0.1';
  const allowActions = options.allowActions ?? false;
  const pageDir = options.pageDir ?? fileURLToPath(new URL('../dist/page/', import.meta.url));
  const page = await loadPage(pageDir);
  const data = new DashboardData(options.driver);
  const loader = new Loader({
    driver: options.driver,
    ...(options.tables ? { tables: options.tables } : {}),
    ...(options.rules ? { rules: options.rules } : {}),
  });
  // A secret per server start: a page from another origin cannot read it, so cannot POST with it.
  const token = randomBytes(32).toString('hex');
  const html = staticFile(
    Buffer.from(
      page.html
        .replace('{{TOKEN}}', allowActions ? token : '')
        .replace('{{ACTIONS}}', allowActions ? 'on' : 'off')
        .replace('{{REFRESH}}', String(options.refreshSeconds ?? 10))
        .replaceAll('{{WAREHOUSE}}', escapeHtml(forOutput(options.warehouseLabel))),
    ),
  );
  // Replays run one at a time: two clicks on one letter must not load it twice concurrently.
  let replays: Promise<unknown> = Promise.resolve();
  let allowedHosts: Set<string> = new Set();

  const api = async (request: IncomingMessage, url: URL): Promise<unknown> => {
    const params = url.searchParams;
    if (request.method === 'POST' && url.pathname === '/api/replay') {
      if (!allowActions)
        throw new HttpError(
          403,
          'actions are off: the dashboard is read-only. Restart it with `lakeload dashboard --allow-actions` to replay dead letters.',
        );
      checkSameOrigin(request, token);
      const body = await readJsonBody(request);
      const { uri, identity } = body;
      if (typeof uri !== 'string' || typeof identity !== 'string' || uri === '' || identity === '')
        throw new HttpError(
          400,
          'the body needs "uri" and "identity" strings, as /api/dead-letters lists them',
        );
      const run = replays.then(async () => {
        const letter = (await loader.deadLetters()).find(
          (each) => each.uri === uri && each.identity === identity,
        );
        if (!letter)
          throw new HttpError(
            404,
            `no dead letter waiting for ${uri} (${identity}): it may have been replayed already`,
          );
        return replayDeadLetter(loader, letter);
      });
      replays = run.catch(() => {});
      return run;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD')
      throw new HttpError(405, `${request.method} is not allowed on ${url.pathname}`);
    switch (url.pathname) {
      case '/api/overview':
        return data.overview(integerParam(params, 'minutes', 15, 1, 10_080));
      case '/api/activity': {
        const { bucket, ...range } = rangeParam(params);
        return { bucket, points: await data.activity(range, bucket) };
      }
      case '/api/latency': {
        const { bucket, ...range } = rangeParam(params);
        return { bucket, points: await data.latency(range, bucket) };
      }
      case '/api/freshness':
        return data.freshness();
      case '/api/failures':
        return { groups: await data.failures(integerParam(params, 'examples', 3, 1, 20)) };
      case '/api/dead-letters':
        return {
          allowActions,
          letters: await data.deadLetters(integerParam(params, 'limit', 200, 1, 1000)),
        };
      default:
        throw new HttpError(404, `no such endpoint: ${url.pathname}`);
    }
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    // A page on another site could point a name it controls at this server (DNS rebinding), on
    // any bind address: only requests naming this server by one of its own names are answered.
    if (!allowedHosts.has(String(request.headers.host ?? '').toLowerCase()))
      throw new HttpError(421, `unexpected Host header; open ${[...allowedHosts][0] ?? ''} instead`);
    const url = new URL(request.url ?? '/', 'http://dashboard.invalid');
    if (url.pathname.startsWith('/api/')) {
      const body = await api(request, url);
      send(response, 200, 'application/json; charset=utf-8', forOutput(JSON.stringify(body)));
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD')
      throw new HttpError(405, `${request.method} is not allowed on ${url.pathname}`);
    if (url.pathname === '/' || url.pathname === '/index.html') {
      sendStatic(response, 'text/html; charset=utf-8', html);
      return;
    }
    const type = ASSETS[url.pathname];
    const asset = page.assets.get(url.pathname);
    if (type && asset) {
      sendStatic(response, type, asset);
      return;
    }
    throw new HttpError(404, `no such page: ${url.pathname}`);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      const message = error instanceof Error ? error.message : String(error);
      if (!response.headersSent)
        send(
          response,
          status,
          'application/json; charset=utf-8',
          forOutput(JSON.stringify({ error: message })),
        );
      else response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new DashboardError(
              `port ${options.port ?? DEFAULT_PORT} on ${host} is in use: pick another with --port`,
            )
          : error,
      ),
    );
    server.listen(options.port ?? DEFAULT_PORT, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  allowedHosts = new Set([`${shown}:${port}`, ...ownNames(host).map((name) => `${name}:${port}`)]);
  return {
    url: `http://${shown}:${port}/`,
    server,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Idle keep-alive connections (the page's) end now; a request in flight gets its answer —
      // above all a replay, which must not lose its warehouse connection halfway — and a client
      // still holding a connection after CLOSE_GRACE_MS is cut off.
      server.closeIdleConnections();
      const cutOff = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
      await replays;
      await closed;
      clearTimeout(cutOff);
    },
  };
}

/**
 * POSTs must come from this server's own page: the Origin names this host (browsers always send it
 * on POST), and the page's per-start token is echoed in a header (which a cross-site form cannot set).
 */
function checkSameOrigin(request: IncomingMessage, token: string): void {
  const origin = request.headers.origin;
  if (origin !== `http://${request.headers.host}`)
    throw new HttpError(403, 'cross-origin request refused: replay from the dashboard page itself');
  const given = Buffer.from(String(request.headers['x-lakeload-token'] ?? ''));
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new HttpError(403, 'missing or wrong X-Lakeload-Token: reload the dashboard page and try again');
  if (!String(request.headers['content-type'] ?? '').startsWith('application/json'))
    throw new HttpError(415, 'send the replay request as application/json');
}

function send(response: ServerResponse, status: number, type: string, body: string | Buffer): void {
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}

/**
 * The page's files, gzipped once at start when the browser accepts it (Chart.js makes the script
 * about 180 KiB, 60 KiB gzipped); they change only with a new build, so the browser may revalidate.
 */
function sendStatic(response: ServerResponse, type: string, file: StaticFile): void {
  const gzip = /\bgzip\b/.test(String(response.req.headers['accept-encoding'] ?? ''));
  const body = gzip ? file.gzip : file.raw;
  response.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': type,
    'Content-Length': body.length,
    'Cache-Control': 'no-cache',
    Vary: 'Accept-Encoding',
    ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
  });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}

interface StaticFile {
  raw: Buffer;
  gzip: Buffer;
}

function staticFile(raw: Buffer): StaticFile {
  return { raw, gzip: gzipSync(raw, { level: 9 }) };
}

async function loadPage(dir: string): Promise<{ html: string; assets: Map<string, StaticFile> }> {
  try {
    const html = await readFile(`${dir}/index.html`, 'utf8');
    const assets = new Map<string, StaticFile>();
    for (const path of Object.keys(ASSETS))
      assets.set(path, staticFile(await readFile(`${dir}/${path.slice('/assets/'.length)}`)));
    return { html, assets };
  } catch (error) {
    throw new DashboardError(
      `the dashboard page is not built in ${dir} (${(error as Error).message}): run pnpm --filter @lakeload/dashboard build`,
    );
  }
}
