// The helpers written once: bounded concurrency, retry with backoff that an abort cuts short, ETag
// unquoting, the folder walk, SQL and CSV quoting.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TerminalError, TransientError } from '@lakeload/errors';
import { describe, expect, it } from 'vitest';
import { Limiter, mapLimit } from '../src/concurrency.js';
import { csvField } from '../src/csv.js';
import { unquoteEtag } from '../src/etag.js';
import { retry } from '../src/retry.js';
import { quoteIdentifier, quoteLiteral, SqlQuotingError } from '../src/sql.js';
import { SymlinkError, walkFiles } from '../src/walk.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('mapLimit', () => {
  it('runs at most `limit` at once and keeps the item order in its results', async () => {
    let running = 0;
    let most = 0;
    const results = await mapLimit([5, 1, 4, 2, 3], 2, async (item, index, worker) => {
      running++;
      most = Math.max(most, running);
      for (let i = 0; i < item; i++) await tick();
      running--;
      return `${index}:${item}:${worker < 2}`;
    });
    expect(most).toBe(2);
    expect(results).toEqual(['0:5:true', '1:1:true', '2:4:true', '3:2:true', '4:3:true']);
  });

  it('starts no item after the signal aborts', async () => {
    const controller = new AbortController();
    const started: number[] = [];
    await mapLimit(
      [0, 1, 2, 3],
      1,
      async (item) => {
        started.push(item);
        if (item === 1) controller.abort();
      },
      controller.signal,
    );
    expect(started).toEqual([0, 1]);
  });

  it('Limiter: a shared bound across callers', async () => {
    const limiter = new Limiter(1);
    const order: string[] = [];
    await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        limiter.run(async () => {
          order.push(`${name}+`);
          await tick();
          order.push(`${name}-`);
        }),
      ),
    );
    expect(order).toEqual(['a+', 'a-', 'b+', 'b-', 'c+', 'c-']);
  });
});

describe('retry', () => {
  it('retries transient failures until success, and never a terminal one', async () => {
    let calls = 0;
    const value = await retry(
      async (attempt) => {
        calls++;
        if (attempt < 3) throw new TransientError('again');
        return 'ok';
      },
      { attempts: 5, backoffMs: 1 },
    );
    expect([value, calls]).toEqual(['ok', 3]);
    calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new TerminalError('corrupt');
        },
        { attempts: 5, backoffMs: 1 },
      ),
    ).rejects.toThrow('corrupt');
    expect(calls).toBe(1);
    await expect(
      retry(
        async () => {
          throw new TransientError('still down');
        },
        { attempts: 2, backoffMs: 1 },
      ),
    ).rejects.toThrow('still down');
  });

  it('an abort ends the backoff wait at once, rejecting with the reason', async () => {
    const controller = new AbortController();
    const reason = new Error('stopped');
    // A ten-minute backoff: only the abort can end this call within the test's time-out.
    const call = retry(
      async () => {
        setImmediate(() => controller.abort(reason));
        throw new TransientError('down');
      },
      { attempts: 3, backoffMs: 600_000, signal: controller.signal, retryable: () => true },
    );
    await expect(call).rejects.toBe(reason);
  }, 5_000);
});

describe('unquoteEtag', () => {
  it('drops the quotes and a weak validator, as headers and listings send it', () => {
    expect(unquoteEtag('"9b2cf535f27731c974343645a3985328"')).toBe('9b2cf535f27731c974343645a3985328');
    expect(unquoteEtag('W/"abc-2"')).toBe('abc-2');
    expect(unquoteEtag('abc')).toBe('abc');
  });
});

describe('walkFiles', () => {
  it('lists files depth first in code-unit order, links skipped unless followed, loops refused', async () => {
    const root = await mkdtemp(join(tmpdir(), 'lakeload-walk-'));
    try {
      for (const name of ['b', 'B', '_x', 'a', 'é']) {
        await mkdir(join(root, 'sub', name), { recursive: true });
        await writeFile(join(root, 'sub', name, 'f.parquet'), '');
      }
      await writeFile(join(root, 'Z.txt'), '');
      await mkdir(join(root, 'outside'));
      await writeFile(join(root, 'outside', 'o.parquet'), '');
      await symlink(join(root, 'outside'), join(root, 'sub', 'linked'));
      // Code units: uppercase before '_' before lowercase before 'é', whatever the locale says.
      const sub = ['B', '_x', 'a', 'b', 'é'].map((name) => `sub/${name}/f.parquet`);
      expect(await walkFiles(root)).toEqual(['Z.txt', 'outside/o.parquet', ...sub]);
      expect(await walkFiles(join(root, 'sub'), { followLinks: true })).toEqual([
        'B/f.parquet',
        '_x/f.parquet',
        'a/f.parquet',
        'b/f.parquet',
        'linked/o.parquet',
        'é/f.parquet',
      ]);
      expect(
        await walkFiles(root, { include: ({ name, folder }) => folder || name.endsWith('.txt') }),
      ).toEqual(['Z.txt']);
      await symlink(root, join(root, 'outside', 'loop'));
      await expect(walkFiles(root, { followLinks: true })).rejects.toBeInstanceOf(SymlinkError);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('SQL quoting', () => {
  it('quotes identifiers and literals so that no input can end them, and refuses NUL', () => {
    expect(quoteIdentifier('order "id"')).toBe('"order ""id"""');
    expect(quoteLiteral("/tmp/o'; DROP TABLE x; --")).toBe("'/tmp/o''; DROP TABLE x; --'");
    // The converter's own copy quoted a NUL into an identifier; the server would cut the name there.
    expect(() => quoteIdentifier('a\u0000b')).toThrow(SqlQuotingError);
    expect(() => quoteIdentifier('')).toThrow(SqlQuotingError);
    expect(() => quoteLiteral('a\u0000b')).toThrow(/NUL/);
    expect(new SqlQuotingError('x')).toMatchObject({ retryable: false, tip: SqlQuotingError.tip });
  });
});

describe('csvField', () => {
  it('quotes a field only when it holds a comma, a quote or a line break', () => {
    expect(['plain', 'a,b', 'say "hi"', 'two\nlines', 'cr\r', ''].map(csvField)).toEqual([
      'plain',
      '"a,b"',
      '"say ""hi"""',
      '"two\nlines"',
      '"cr\r"',
      '',
    ]);
  });
});
