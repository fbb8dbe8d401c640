// Notifications from real loads: a JSONL file and a webhook served on 127.0.0.1 that fails once.

import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { localObject } from '../../src/events/local.js';
import { Loader } from '../../src/load.js';
import { JsonlFileNotifier, type LoadEvent, WebhookNotifier } from '../../src/notify/notifier.js';
import { registerSecret } from '../../src/redact.js';
import { duckdbWarehouse } from '../../src/warehouse/duckdb/duckdb-dialect.js';

let root: string;
let server: Server;
let url: string;
const received: { text: string; lakeload: LoadEvent }[] = [];
let failNext = 1;

async function body(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lakeload-notify-'));
  server = createServer(async (request, response) => {
    const text = await body(request);
    if (failNext > 0) {
      failNext -= 1;
      response.writeHead(503).end();
      return;
    }
    received.push(JSON.parse(text));
    response.writeHead(200).end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/T000/B000`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(root, { recursive: true, force: true });
});

describe('notifications', () => {
  it('reports received, loaded, duplicate and failed; the webhook gets Slack-style outcomes despite a 503', async () => {
    const lake = join(root, 'lake');
    await mkdir(join(lake, 'order_summary'), { recursive: true });
    const writer = await DuckDBInstance.create(':memory:');
    const connection = await writer.connect();
    await connection.run(
      `COPY (SELECT 1::BIGINT AS order_id, TIMESTAMPTZ '2025-11-13 10:00:00+00' AS updated_at) TO '${join(lake, 'order_summary', 'a.parquet')}' (FORMAT parquet)`,
    );
    connection.closeSync();
    writer.closeSync();
    await writeFile(join(lake, 'order_summary', 'b.parquet'), 'not parquet at all');

    const log = join(root, 'events', 'loads.jsonl');
    const file = new JsonlFileNotifier(log);
    const driver = await duckdbWarehouse({ path: join(root, 'w.duckdb') });
    const loader = new Loader({ driver, notifiers: [file, new WebhookNotifier(url)] });
    for (const key of ['order_summary/a.parquet', 'order_summary/a.parquet', 'order_summary/b.parquet']) {
      await loader.loadFile(await localObject(lake, key), join(lake, key));
    }
    await driver.close();
    await file.close();

    const events = (await readFile(log, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as LoadEvent);
    expect(events.map((event) => event.type)).toEqual([
      'received',
      'loaded',
      'received',
      'duplicate',
      'received',
      'failed',
    ]);
    expect(events[1]).toMatchObject({ type: 'loaded', table: 'order_summary', inserted: 1, updated: 0 });
    expect(events[5]).toMatchObject({ type: 'failed', table: 'order_summary', retryable: false });

    expect(received.map((message) => message.lakeload.type)).toEqual(['loaded', 'failed']);
    expect(received[0]?.text).toMatch(
      /^Loaded file:\/\/.*a\.parquet into order_summary: 1 rows inserted, 0 updated in \d+ ms$/,
    );
    expect(received[1]?.text).toMatch(
      /Failed to load .*b\.parquet into order_summary: .*not a Parquet file[\s\S]*\nTip: /,
    );
  });

  it('a webhook answering 401 or 404 is reported on stderr, never lost without a word; its URL is not shown', async () => {
    for (const status of [401, 404]) {
      const refusing = createServer((_request, response) => response.writeHead(status).end());
      await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
      const hook = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}/hooks/T000/B000/Pl4ntedT0ken`;
      registerSecret(hook);
      const event: LoadEvent = { type: 'skipped', at: 'now', uri: 'file:///x.parquet', reason: 'test' };
      const notifier = new WebhookNotifier(hook, { types: ['skipped'], attempts: 3 });
      await expect(notifier.notify(event)).rejects.toThrow(
        new RegExp(`refused the skipped event for file:///x.parquet with HTTP ${status}`),
      );
      // Through a loader: the failing notifier is reported to the loader's logger (never to stderr
      // by the library itself), and the load goes on.
      const written: string[] = [];
      const record = (message: string) => void written.push(message);
      const logger = { info: record, warn: record, error: record };
      const stderr = vi.spyOn(process.stderr, 'write');
      const driver = await duckdbWarehouse({ path: join(root, `refused-${status}.duckdb`) });
      try {
        const lake = join(root, 'refused');
        await mkdir(join(lake, 'notes'), { recursive: true });
        await writeFile(join(lake, 'notes', 'readme.txt'), 'not data');
        const loader = new Loader({
          driver,
          logger,
          notifiers: [new WebhookNotifier(hook, { types: ['skipped'] })],
        });
        const result = await loader.loadFile(
          await localObject(lake, 'notes/readme.txt'),
          join(lake, 'notes/readme.txt'),
        );
        expect(result.status).toBe('skipped');
      } finally {
        expect(stderr).not.toHaveBeenCalled();
        stderr.mockRestore();
        await driver.close();
        await new Promise((resolve) => refusing.close(resolve));
      }
      expect(written.join('')).toMatch(
        new RegExp(`a notifier failed: the webhook refused the skipped event .* HTTP ${status}`),
      );
      expect(written.join('')).not.toContain('Pl4ntedT0ken');
    }
  });
});
