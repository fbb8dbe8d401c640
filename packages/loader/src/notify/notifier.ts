import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ObjectResult } from '../load.js';

/** What the loader reports about each object: when it arrives, and how its load ended. */
export type LoadEvent = { at: string; uri: string } & (
  | { type: 'received' }
  | {
      type: 'loaded';
      table: string;
      inserted: number;
      updated: number;
      unchanged: number;
      durationMs: number;
    }
  | { type: 'duplicate'; table: string }
  | { type: 'skipped'; reason: string }
  | { type: 'failed'; table?: string; error: string; tip: string; retryable: boolean }
);

export interface Notifier {
  notify(event: LoadEvent): Promise<void>;
  close?(): Promise<void>;
}

export function eventOf(result: ObjectResult): LoadEvent {
  const at = new Date().toISOString();
  switch (result.status) {
    case 'loaded':
      return {
        at,
        uri: result.uri,
        type: 'loaded',
        table: result.table,
        inserted: result.inserted,
        updated: result.updated,
        unchanged: result.unchanged,
        durationMs: result.durationMs,
      };
    case 'duplicate':
      return { at, uri: result.uri, type: 'duplicate', table: result.table };
    case 'skipped':
      return { at, uri: result.uri, type: 'skipped', reason: result.reason };
    case 'failed':
      return {
        at,
        uri: result.uri,
        type: 'failed',
        ...(result.table ? { table: result.table } : {}),
        error: result.error,
        tip: result.tip,
        retryable: result.retryable,
      };
  }
}

/** One JSON object per line on a stream: structured logs for whatever collects them. */
export class ConsoleNotifier implements Notifier {
  constructor(private readonly stream: NodeJS.WritableStream = process.stderr) {}

  async notify(event: LoadEvent): Promise<void> {
    this.stream.write(`${JSON.stringify({ level: event.type === 'failed' ? 'error' : 'info', ...event })}\n`);
  }
}

/** Appends events as JSON lines to a file. */
export class JsonlFileNotifier implements Notifier {
  #stream: WriteStream | undefined;

  constructor(private readonly path: string) {}

  async notify(event: LoadEvent): Promise<void> {
    if (!this.#stream) {
      await mkdir(dirname(this.path), { recursive: true });
      this.#stream = createWriteStream(this.path, { flags: 'a' });
    }
    if (!this.#stream.write(`${JSON.stringify(event)}\n`)) await once(this.#stream, 'drain');
  }

  async close(): Promise<void> {
    if (!this.#stream) return;
    this.#stream.end();
    await once(this.#stream, 'finish');
  }
}

/** The message a chat channel shows; Slack's incoming webhooks read `text`. */
export function messageFor(event: LoadEvent): string {
  switch (event.type) {
    case 'received':
      return `Received ${event.uri}`;
    case 'loaded':
      return `Loaded ${event.uri} into ${event.table}: ${event.inserted} rows inserted, ${event.updated} updated in ${event.durationMs} ms`;
    case 'duplicate':
      return `Already loaded: ${event.uri} (${event.table})`;
    case 'skipped':
      return `Skipped ${event.uri}: ${event.reason}`;
    case 'failed':
      return `:warning: Failed to load ${event.uri}${event.table ? ` into ${event.table}` : ''}: ${event.error}\nTip: ${event.tip}`;
  }
}

export interface WebhookOptions {
  /** Event types to send; default loaded and failed (a channel wants outcomes, not every arrival). */
  types?: readonly LoadEvent['type'][];
  /** Attempts per event on 5xx or network errors. Default 3. */
  attempts?: number;
}

/**
 * Posts Slack-compatible JSON (`{"text": …}` plus the event itself under `lakeload`) to a webhook.
 * A webhook that stays down loses its messages, never the load: failures are reported on stderr.
 */
export class WebhookNotifier implements Notifier {
  readonly #types: ReadonlySet<string>;
  readonly #attempts: number;

  constructor(
    private readonly url: string,
    options: WebhookOptions = {},
  ) {
    this.#types = new Set(options.types ?? ['loaded', 'failed']);
    this.#attempts = options.attempts ?? 3;
  }

  async notify(event: LoadEvent): Promise<void> {
    if (!this.#types.has(event.type)) return;
    const body = JSON.stringify({ text: messageFor(event), lakeload: event });
    for (let attempt = 1; attempt <= this.#attempts; attempt++) {
      try {
        const response = await fetch(this.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        if (response.ok || response.status < 500) return;
      } catch {
        // A network error: try again below.
      }
      if (attempt < this.#attempts) await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
    process.stderr.write(`lakeload: the webhook did not accept the ${event.type} event for ${event.uri}\n`);
  }
}
