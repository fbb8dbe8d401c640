// The zip reader that unpacks the Lambda bundle: stored and deflated entries, and a clear refusal.
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { RehearsalError, unzip } from '../../src/index.js';

/** A zip archive written by hand from the format's definition (local headers, central directory). */
function zip(entries: { name: string; data: Buffer; deflate: boolean }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, data, deflate } of entries) {
    const body = deflate ? deflateRawSync(data) : data;
    const nameBytes = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(deflate ? 8 : 0, 10);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, body);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

describe('unzip', () => {
  it('reads stored and deflated entries', () => {
    const files = unzip(
      zip([
        { name: 'index.mjs', data: Buffer.from('export const handler = 1;'.repeat(50)), deflate: true },
        { name: 'README', data: Buffer.from('plain'), deflate: false },
      ]),
    );
    expect(files.get('index.mjs')?.toString()).toBe('export const handler = 1;'.repeat(50));
    expect(files.get('README')?.toString()).toBe('plain');
  });

  it('refuses what is not a zip', () => {
    expect(() => unzip(Buffer.from('not a zip at all, just some text that is long enough'))).toThrow(
      RehearsalError,
    );
  });
});
