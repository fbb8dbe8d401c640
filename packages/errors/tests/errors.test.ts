import { describe, expect, it } from 'vitest';
import { LakeloadError, TerminalError, TransientError } from '../src/index.js';

class CorruptFileError extends TerminalError {
  override name = 'CorruptFileError';
  static override readonly tip = 'Re-export the file and upload it again.';
}

class ThrottledError extends TransientError {
  override name = 'ThrottledError';
  static override readonly tip = 'Lower the concurrency if this repeats.';
}

describe('the one error model', () => {
  it('takes retryable and tip from the class that is thrown, unless the raising code gives them', () => {
    const corrupt = new CorruptFileError('bad footer', { cause: new Error('inner') });
    expect(corrupt).toBeInstanceOf(LakeloadError);
    expect(corrupt).toMatchObject({ name: 'CorruptFileError', retryable: false });
    expect(corrupt.tip).toBe('Re-export the file and upload it again.');
    expect((corrupt.cause as Error).message).toBe('inner');

    const throttled = new ThrottledError('slow down');
    expect(throttled.retryable).toBe(true);
    expect(throttled.tip).toBe('Lower the concurrency if this repeats.');

    const precise = new ThrottledError('slow down', { retryable: false, tip: 'Raise the quota.' });
    expect(precise).toMatchObject({ retryable: false, tip: 'Raise the quota.' });
  });

  it('inherits the tip of the nearest class that declares one', () => {
    class Unspecific extends TransientError {}
    expect(new Unspecific('x').tip).toBe(TransientError.tip);
    expect(new TerminalError('x')).toMatchObject({ retryable: false, tip: LakeloadError.tip });
  });
});
