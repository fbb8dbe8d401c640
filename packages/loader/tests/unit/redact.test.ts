import { describe, expect, it } from 'vitest';
import { forOutput, redact, registerSecret } from '../../src/redact.js';

describe('redact', () => {
  it('masks a password in the userinfo and in the query, and signatures and tokens', () => {
    expect(redact('postgres://loader:Pl4nted@db:5432/x?password=Pl4nted2&sslmode=require')).toBe(
      'postgres://loader:***@db:5432/x?password=***&sslmode=require',
    );
    expect(redact('host=db user=u password=Pl4nted dbname=x')).toBe('host=db user=u password=*** dbname=x');
    expect(redact('https://b.s3.amazonaws.com/k?X-Amz-Signature=abcdef&X-Amz-Security-Token=zz')).toBe(
      'https://b.s3.amazonaws.com/k?X-Amz-Signature=***&X-Amz-Security-Token=***',
    );
    expect(redact('webhook https://hooks.slack.com/services/T0/B0/Pl4ntedT0ken failed')).toBe(
      'webhook https://hooks.slack.com/services/*** failed',
    );
  });

  it('masks a registered secret wherever it appears, also encoded', () => {
    registerSecret('hooks.example.com/t/Pl4ntedT0ken');
    registerSecret('p"w\\x Pl4nted');
    expect(redact('posting to https://hooks.example.com/t/Pl4ntedT0ken: 401')).toBe(
      'posting to https://***: 401',
    );
    expect(redact(JSON.stringify({ password: 'p"w\\x Pl4nted' }))).toBe('{"password":"***"}');
    expect(redact(encodeURIComponent('p"w\\x Pl4nted'))).toBe('***');
  });

  it('leaves ordinary text alone', () => {
    for (const text of [
      'postgres://loader@db/x',
      's3://lake/orders/f.parquet',
      'bypass the queue',
      'key=orders/f',
    ])
      expect(redact(text)).toBe(text);
  });
});

describe('forOutput', () => {
  it('shows control characters and bidi overrides as escapes, keeping newlines and tabs', () => {
    expect(forOutput('lake/\u001b[2J\u001b]0;pwned\u0007/f.parquet\n\tok\u009b31m\u202e')).toBe(
      'lake/\\u001b[2J\\u001b]0;pwned\\u0007/f.parquet\n\tok\\u009b31m\\u202e',
    );
  });

  it('keeps JSON valid and the name readable after the round trip', () => {
    const name = 'lake/\u001b[31mred\u009b\u202e/f.parquet';
    const line = forOutput(JSON.stringify({ uri: name }));
    expect([...line].filter((char) => char.charCodeAt(0) < 0x20 || /[\p{Cc}\u202e]/u.test(char))).toEqual([]);
    expect(JSON.parse(line)).toEqual({ uri: name });
  });
});
