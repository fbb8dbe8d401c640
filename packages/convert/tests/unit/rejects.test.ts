import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RejectEntry, RejectsWriter } from '../../src/output/rejects.js';

const entry: RejectEntry = {
  input: 'orders.jsonl',
  record: 1,
  line: 1,
  lastLine: 1,
  reason: 'order_id: missing',
  problems: ['order_id: missing'],
  raw: '{}',
};

describe('RejectsWriter', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakeload-rejects-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes one JSON line per reject', async () => {
    const writer = new RejectsWriter(join(dir, 'ok.jsonl'));
    await writer.write(entry);
    await writer.write({ ...entry, record: 2, line: 2, lastLine: 2 });
    await writer.close();
    const lines = (await readFile(writer.path, 'utf8')).trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line).record)).toEqual([1, 2]);
    expect(writer.count).toBe(2);
  });

  // An input that fails right after a reject destroys the writer while that write is in flight;
  // the write's late error must not become an uncaught exception.
  it('is destroyed while its write is in flight without an uncaught error', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      for (let i = 0; i < 300; i += 1) {
        const writer = new RejectsWriter(join(dir, `destroyed-${i % 10}.jsonl`));
        await writer.write(entry);
        await new Promise((resolve) => setTimeout(resolve, i % 3));
        await writer.write({ ...entry, raw: 'x'.repeat(8_000) });
        await new Promise((resolve) => setImmediate(resolve));
        writer.destroy();
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught).toEqual([]);
  });

  it('fails close with the error of a file it cannot create', async () => {
    const writer = new RejectsWriter(join(dir, 'missing-folder', 'x.jsonl'));
    await writer.write(entry);
    await expect(writer.close()).rejects.toThrow(/ENOENT/);
  });
});
