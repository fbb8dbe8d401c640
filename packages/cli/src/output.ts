// Everything the CLI prints goes through here: the one redaction (no password or token) and no
// raw control characters (file and folder names come from whoever writes to the bucket).
import { forOutput } from '@lakeload/loader/redact';

export function out(text: string): void {
  process.stdout.write(forOutput(text));
}

export function err(text: string): void {
  process.stderr.write(forOutput(text));
}
