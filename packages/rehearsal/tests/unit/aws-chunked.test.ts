// aws-chunked bodies (unsigned with trailers, and signed chunks) back to their payload.
import { describe, expect, it } from 'vitest';
import { decodeAwsChunked, RehearsalError } from '../../src/index.js';

describe('decodeAwsChunked', () => {
  it('joins the chunks and drops sizes, signatures and trailers', () => {
    const unsigned = Buffer.from('5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n');
    expect(decodeAwsChunked(unsigned).toString()).toBe('hello world');
    const signed = Buffer.from(
      `3;chunk-signature=${'a'.repeat(64)}\r\nabc\r\n0;chunk-signature=${'b'.repeat(64)}\r\n\r\n`,
    );
    expect(decodeAwsChunked(signed).toString()).toBe('abc');
  });

  it('refuses a body that is not aws-chunked', () => {
    expect(() => decodeAwsChunked(Buffer.from('PAR1 not chunked'))).toThrow(RehearsalError);
  });
});
