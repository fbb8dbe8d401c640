import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { retry } from '@lakeload/commons';
import { LoaderError, TransientError } from '../errors.js';
import type { ObjectResult } from '../load.js';
import type { Logger } from '../logger.js';
import { forOutput } from '../redact.js';

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

/** The event with each text through the one redaction (for the text bodies of chat and email). */
export function safeEvent(event: LoadEvent): LoadEvent {
  return Object.fromEntries(
    Object.entries(event).map(([name, value]) => [
      name,
      typeof value === 'string' ? forOutput(value) : value,
    ]),
  ) as LoadEvent;
}

/**
 * Every event to a logger, failures at error level: structured logs for whatever collects them
 * (the CLI's JSON lines on stderr, the Lambda's Powertools logger with its request id).
 */
export class ConsoleNotifier implements Notifier {
  constructor(private readonly logger: Logger) {}

  async notify(event: LoadEvent): Promise<void> {
    if (event.type === 'failed') this.logger.error(event.type, { ...event });
    else this.logger.info(event.type, { ...event });
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
    if (!this.#stream.write(`${forOutput(JSON.stringify(event))}\n`)) await once(this.#stream, 'drain');
  }

  async close(): Promise<void> {
    if (!this.#stream) return;
    this.#stream.end();
    await once(this.#stream, 'finish');
  }
}

/** The message a chat channel shows; Slack's incoming webhooks read `text`. */
export function messageFor(unsafe: LoadEvent): string {
  const event = safeEvent(unsafe);
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

/** A webhook that refused an event (4xx): sending it again would not help, the URL or its token is wrong. */
class WebhookRefusedError extends LoaderError {
  override name = 'WebhookRefusedError';
}

/**
 * Posts Slack-compatible JSON (`{"text": …}` plus the event itself under `lakeload`) to a webhook.
 * A webhook that stays down or refuses loses its messages, never the load: a 4xx or the last failed
 * attempt throws, and the loader reports the failing notifier to its logger.
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
    const body = forOutput(JSON.stringify({ text: messageFor(event), lakeload: event }));
    const send = async () => {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(10_000),
      }).catch((error: unknown) => {
        throw new TransientError('the webhook could not be reached', { cause: error });
      });
      if (response.ok) return;
      if (response.status < 500)
        throw new WebhookRefusedError(
          `the webhook refused the ${event.type} event for ${event.uri} with HTTP ${response.status}: check the webhook URL and its token (this and later events are lost until it is fixed)`,
        );
      throw new TransientError(`the webhook answered HTTP ${response.status}`);
    };
    try {
      await retry(send, { attempts: this.#attempts, backoffMs: 200 });
    } catch (error) {
      if (error instanceof WebhookRefusedError) throw error;
      throw new LoaderError(
        `the webhook did not accept the ${event.type} event for ${event.uri} after ${this.#attempts} attempts`,
        { retryable: true, cause: error },
      );
    }
  }
}
