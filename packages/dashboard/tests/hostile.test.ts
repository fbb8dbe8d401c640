// The dashboard against a hostile network and a hostile lake: a foreign Host header is refused on
// any bind address (DNS rebinding reaches a wildcard bind as easily as loopback), and no password
// or token reaches the page or the API, nor a raw control character from an object's name.
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEAD_LETTER_TABLE, type Driver, openWarehouse } from '@lakeload/loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dashboard, startDashboard } from '../src/server.js';
import { call, pageToken } from './http.js';

const PASSWORD = 'Pl4ntedPassw0rd';
const TOKEN = 'Pl4ntedT0ken';

let dir: string;
let driver: Driver;
let dashboard: Dashboard;
let port: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakeload-dashboard-hostile-'));
  driver = await openWarehouse(`duckdb:${join(dir, 'warehouse.duckdb')}`);
  const q = driver.compiler;
  await driver.runDdl([
    q.ledger.createDeadLetters(),
    `INSERT INTO ${DEAD_LETTER_TABLE} (object_uri, object_identity, object_key, target_table, error, tip) VALUES (${q.quoteLiteral('file:///lake/orders/\u001b]0;pwned\u0007.parquet')}, 'e1', ${q.quoteLiteral('orders/\u001b]0;pwned\u0007.parquet')}, 'orders', ${q.quoteLiteral(`connect postgres://loader:${PASSWORD}@db/x?password=${PASSWORD} failed; webhook https://hooks.slack.com/services/T0/B0/${TOKEN}`)}, 'fix it')`,
  ]);
  dashboard = await startDashboard({
    driver,
    warehouseLabel: `postgres://loader:${PASSWORD}@db:5432/x?password=${PASSWORD}`,
    host: '0.0.0.0',
    port: 0,
    allowActions: true,
  });
  port = Number(new URL(dashboard.url).port);
});
afterAll(async () => {
  await dashboard?.close();
  await driver?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the dashboard on a wildcard address', () => {
  it('refuses a foreign Host for the page, the API and the replay: the token never leaves', async () => {
    const at = `http://127.0.0.1:${port}`;
    const foreign = { Host: `rebound.evil.example:${port}` };
    const page = await call(`${at}/`, { headers: foreign });
    expect(page.status).toBe(421);
    expect(page.text).not.toMatch(/lakeload-token/);
    expect((await call(`${at}/api/dead-letters`, { headers: foreign })).status).toBe(421);
    const replay = await call(`${at}/api/replay`, {
      method: 'POST',
      headers: {
        ...foreign,
        Origin: `http://rebound.evil.example:${port}`,
        'Content-Type': 'application/json',
      },
      body: { uri: 'file:///lake/orders/x.parquet', identity: 'e1' },
    });
    expect(replay.status).toBe(421);
  });

  it("answers the machine's own names", async () => {
    expect((await call(`http://127.0.0.1:${port}/api/overview`)).status).toBe(200);
    const named = await call(`http://127.0.0.1:${port}/api/overview`, {
      headers: { Host: `${hostname()}:${port}` },
    });
    expect(named.status).toBe(200);
    expect(await pageToken(`http://127.0.0.1:${port}/`)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('shows no planted password or token and no raw control character on the page or in the API', async () => {
    const base = `http://127.0.0.1:${port}`;
    const outputs = [
      (await call(`${base}/`)).text,
      (await call(`${base}/api/dead-letters`)).text,
      (await call(`${base}/api/failures`)).text,
    ];
    for (const text of outputs) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain('\u001b');
      expect(text).not.toContain('\u0007');
    }
    const letters = JSON.parse(outputs[1] as string).letters;
    expect(letters[0].uri).toBe('file:///lake/orders/\u001b]0;pwned\u0007.parquet');
  });
});
