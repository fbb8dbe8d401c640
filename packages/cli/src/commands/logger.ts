import type { Logger } from '@lakeload/loader';
import { forOutput } from '@lakeload/loader/redact';

/**
 * The CLI's logger: one JSON object per line on stderr (stdout stays the command's output), each
 * line through the one redaction so no secret or terminal escape is written.
 */
export const stderrLogger: Logger = {
  info: (message, ...fields) => write('info', message, fields),
  warn: (message, ...fields) => write('warn', message, fields),
  error: (message, ...fields) => write('error', message, fields),
};

function write(level: string, message: string, fields: Record<string, unknown>[]): void {
  const line = Object.assign({ level, message }, ...fields);
  process.stderr.write(`${forOutput(JSON.stringify(line))}\n`);
}
