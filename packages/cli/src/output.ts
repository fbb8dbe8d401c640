// Everything the CLI prints goes through here: the one redaction (no password or token) and no
// raw control characters (file and folder names come from whoever writes to the bucket).
import type { Logger } from '@lakeload/loader';
import { forOutput } from '@lakeload/loader/redact';

export function out(text: string): void {
  process.stdout.write(forOutput(text));
}

export function err(text: string): void {
  process.stderr.write(forOutput(text));
}

/**
 * The logger the CLI gives the libraries: one JSON object per line on stderr (stdout stays the
 * command's output), through the same redaction.
 */
export const stderrLogger: Logger = {
  info: (message, ...fields) => logLine('info', message, fields),
  warn: (message, ...fields) => logLine('warn', message, fields),
  error: (message, ...fields) => logLine('error', message, fields),
};

function logLine(level: string, message: string, fields: Record<string, unknown>[]): void {
  err(`${JSON.stringify(Object.assign({ level, message }, ...fields))}\n`);
}
