// The S3 server helper against itself: it listens, keeps what is put, logs every request, lists
// page by page (the continuation token needs the legacy OpenSSL provider), replaces objects whole,
// and stops.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type S3Server, startS3Server } from '../src/s3-server.js';

let server: S3Server;

beforeAll(async () => {
  server = await startS3Server(['lake']);
});
afterAll(async () => {
  await server?.close();
});

describe('startS3Server', () => {
  it('serves the configured bucket, keeps objects and logs each request', async () => {
    const put = await fetch(`${server.endpoint}/lake/landing/a.txt`, { method: 'PUT', body: 'hello' });
    expect(put.status).toBe(200);
    const got = await fetch(`${server.endpoint}/lake/landing/a.txt`);
    expect(await got.text()).toBe('hello');
    const missing = await fetch(`${server.endpoint}/other/a.txt`);
    expect(missing.status).toBe(404);

    const log = await server.requests();
    expect(log.map(({ method, url }) => `${method} ${url}`)).toEqual([
      'PUT /lake/landing/a.txt',
      'GET /lake/landing/a.txt',
      'GET /other/a.txt',
    ]);
    expect(log[0]?.headers['content-length']).toBe('5');
    expect(server.env.AWS_ENDPOINT_URL_S3).toBe(server.endpoint);
  });

  it('lists a bucket page by page (continuation tokens work)', async () => {
    for (const key of ['p/1', 'p/2', 'p/3']) {
      await fetch(`${server.endpoint}/lake/${key}`, { method: 'PUT', body: key });
    }
    const first = await (await fetch(`${server.endpoint}/lake?list-type=2&prefix=p/&max-keys=2`)).text();
    expect(first).toContain('<IsTruncated>true</IsTruncated>');
    const token = /<NextContinuationToken>([^<]+)<\/NextContinuationToken>/.exec(first)?.[1] ?? '';
    expect(token).not.toBe('');
    const second = await fetch(
      `${server.endpoint}/lake?list-type=2&prefix=p/&max-keys=2&continuation-token=${encodeURIComponent(token)}`,
    );
    expect(second.status).toBe(200);
    const text = await second.text();
    expect(text).toContain('<Key>p/3</Key>');
    expect(text).not.toContain('<Key>p/1</Key>');
  });

  it('lets a download that started before an overwrite finish with the old object whole', async () => {
    // Larger than what the sockets buffer: most of it is still on disk when the overwrite comes.
    const old = Buffer.alloc(32 * 1024 * 1024, 1);
    const url = `${server.endpoint}/lake/replaced.bin`;
    expect((await fetch(url, { method: 'PUT', body: old })).status).toBe(200);
    const download = await fetch(url);
    expect((await fetch(url, { method: 'PUT', body: 'new version' })).status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(old)).toBe(true);
    expect(await (await fetch(url)).text()).toBe('new version');
  });

  it('stops listening on close', async () => {
    const other = await startS3Server(['solo']);
    try {
      expect((await fetch(`${other.endpoint}/solo?list-type=2`)).status).toBe(200);
    } finally {
      await other.close();
    }
    await expect(fetch(`${other.endpoint}/solo?list-type=2`)).rejects.toThrow();
  });
});
