// Load notifications published to an SNS topic: an email-friendly text body and subject, and message
// attributes (`event_type`, `table`) that subscriptions filter on. Its own entry point
// (`@lakeload/loader/sns`) so that users of the local warehouses never load the SNS client.
import {
  PublishCommand,
  type PublishCommandInput,
  type PublishCommandOutput,
  SNSClient,
} from '@aws-sdk/client-sns';
import { type LoadEvent, type Notifier, safeEvent } from './notifier.js';

/** Where the invocation that produced an event logs, so a failure message can point at its logs. */
export interface NotifyContext {
  /** The Lambda request id (`context.awsRequestId`). */
  requestId?: string;
  logGroup?: string;
  logStream?: string;
}

/** The part of the SNS client the notifier uses; an `SNSClient` fits. */
export interface SnsPublisher {
  send(command: PublishCommand): Promise<PublishCommandOutput>;
}

export interface SnsNotifierOptions {
  /**
   * Default: an `SNSClient` with the SDK's default region and credential chains (it honours
   * `AWS_ENDPOINT_URL_SNS` itself, for a local SNS endpoint).
   */
  client?: SnsPublisher;
  topicArn: string;
  /**
   * Event types to publish. Default received, loaded and failed (the arrivals and outcomes people
   * subscribe to); add `duplicate` and `skipped` to hear about redeliveries and ignored objects.
   */
  types?: readonly LoadEvent['type'][];
  /** Called per event: the current invocation's log location and request id, when known. */
  context?: () => NotifyContext | undefined;
}

/** SNS accepts at most 256 KiB per publish, message attributes and subject included. */
export const SNS_MAX_PUBLISH_BYTES = 262_144;
/** Email subjects must stay under 100 characters, without line breaks or control characters. */
export const SNS_MAX_SUBJECT_CHARS = 99;

const DEFAULT_TYPES: readonly LoadEvent['type'][] = ['received', 'loaded', 'failed'];

/** Printable ASCII only: SNS refuses control characters in subjects and mail clients mangle the rest. */
function subjectOf(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length <= SNS_MAX_SUBJECT_CHARS ? clean : `${clean.slice(0, SNS_MAX_SUBJECT_CHARS - 3)}...`;
}

/** The object's name without its folders: what fits a subject line. */
function fileName(uri: string): string {
  return uri.slice(uri.lastIndexOf('/') + 1) || uri;
}

function subjectFor(event: LoadEvent): string {
  switch (event.type) {
    case 'received':
      return subjectOf(`lakeload: received ${fileName(event.uri)}`);
    case 'loaded':
      return subjectOf(
        `lakeload: loaded ${event.table} (+${event.inserted} new, ${event.updated} updated) ${fileName(event.uri)}`,
      );
    case 'duplicate':
      return subjectOf(`lakeload: already loaded ${event.table} ${fileName(event.uri)}`);
    case 'skipped':
      return subjectOf(`lakeload: skipped ${fileName(event.uri)}`);
    case 'failed':
      return subjectOf(
        `lakeload: FAILED ${event.table ?? 'unrouted file'}${event.retryable ? ' (will retry)' : ''} ${fileName(event.uri)}`,
      );
  }
}

function logLines(context: NotifyContext | undefined): string[] {
  if (!context || (!context.requestId && !context.logGroup && !context.logStream)) return [];
  const lines = [''];
  if (context.logGroup) lines.push(`Log group:  ${context.logGroup}`);
  if (context.logStream) lines.push(`Log stream: ${context.logStream}`);
  if (context.requestId) {
    lines.push(`Request id: ${context.requestId}`);
    lines.push(
      `Find its logs with CloudWatch Logs Insights: fields @timestamp, level, message | filter function_request_id = "${context.requestId}"`,
    );
  }
  return lines;
}

/** The body; `error` is passed apart so that only it is cut when the message would be too large. */
function bodyFor(event: LoadEvent, context: NotifyContext | undefined, error: string): string {
  const lines: string[] = [];
  switch (event.type) {
    case 'received':
      lines.push('lakeload received a file and is loading it.', '', `File:       ${event.uri}`);
      break;
    case 'loaded':
      lines.push(
        `lakeload loaded a file into ${event.table}.`,
        '',
        `File:          ${event.uri}`,
        `Table:         ${event.table}`,
        `Rows inserted: ${event.inserted}`,
        `Rows updated:  ${event.updated}`,
        `Rows unchanged (older than the stored ones): ${event.unchanged}`,
        `Duration:      ${event.durationMs} ms`,
      );
      break;
    case 'duplicate':
      lines.push(
        'lakeload received a file it had already loaded; nothing changed.',
        '',
        `File:       ${event.uri}`,
        `Table:      ${event.table}`,
      );
      break;
    case 'skipped':
      lines.push('lakeload skipped a file.', '', `File:       ${event.uri}`, `Reason:     ${event.reason}`);
      break;
    case 'failed':
      lines.push(
        'lakeload could not load a file.',
        '',
        `File:       ${event.uri}`,
        `Table:      ${event.table ?? '(not routed to a table)'}`,
        `Outcome:    ${
          event.retryable
            ? 'the failure may pass: the file will be tried again'
            : 'kept as a dead letter (lakeload_dead_letters) until it is fixed and replayed'
        }`,
        `Error:      ${error}`,
        `Tip:        ${event.tip}`,
      );
      break;
  }
  lines.push(...logLines(context), `At:         ${event.at}`);
  return `${lines.join('\n')}\n`;
}

function attributesOf(event: LoadEvent): NonNullable<PublishCommandInput['MessageAttributes']> {
  const attributes: NonNullable<PublishCommandInput['MessageAttributes']> = {
    event_type: { DataType: 'String', StringValue: event.type },
  };
  // A received object is not routed yet, and an unroutable one has no table: SNS refuses empty values.
  const table = 'table' in event ? event.table : undefined;
  if (table) attributes.table = { DataType: 'String', StringValue: table };
  return attributes;
}

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** The longest prefix of `text` whose UTF-8 encoding fits in `limit` bytes, never splitting a character. */
function utf8Prefix(text: string, limit: number): string {
  const { read } = new TextEncoder().encodeInto(text, new Uint8Array(Math.max(0, limit)));
  return text.slice(0, read);
}

/**
 * The SNS Publish input for an event: subject (≤ 99 printable ASCII characters), a text body that
 * reads well in email, and `event_type`/`table` attributes. A failure whose error would push the
 * publish past SNS's 256 KiB limit has its error cut, with a note saying where the whole error is.
 */
export function snsMessageFor(
  unsafe: LoadEvent,
  topicArn: string,
  context?: NotifyContext,
): PublishCommandInput {
  // Names and errors through the one redaction: an email shows no password nor a raw control.
  const event = safeEvent(unsafe);
  const Subject = subjectFor(event);
  const MessageAttributes = attributesOf(event);
  let overhead = bytes(Subject);
  for (const [name, value] of Object.entries(MessageAttributes)) {
    overhead += bytes(name) + bytes(value.DataType ?? '') + bytes(value.StringValue ?? '');
  }
  const error = event.type === 'failed' ? event.error : '';
  let Message = bodyFor(event, context, error);
  if (overhead + bytes(Message) > SNS_MAX_PUBLISH_BYTES) {
    const total = bytes(error);
    const note = (shown: number) =>
      ` … [error cut to ${shown} of ${total} bytes to fit SNS's 256 KiB limit; the whole error is in lakeload_dead_letters and the logs]`;
    // The note's own length depends on the number it prints; the total's digits bound it.
    const fixed = overhead + bytes(bodyFor(event, context, '')) + bytes(note(total));
    const shown = utf8Prefix(error, SNS_MAX_PUBLISH_BYTES - fixed);
    Message = bodyFor(event, context, `${shown}${note(bytes(shown))}`);
  }
  return { TopicArn: topicArn, Subject, Message, MessageAttributes };
}

/**
 * Publishes load events to an SNS topic. Publishing failures are the caller's to report: the loader
 * logs a failing notifier and carries on, so a topic that refuses messages never fails a load.
 */
export class SnsNotifier implements Notifier {
  readonly #client: SnsPublisher;
  readonly #topicArn: string;
  readonly #types: ReadonlySet<string>;
  readonly #context: (() => NotifyContext | undefined) | undefined;

  constructor(options: SnsNotifierOptions) {
    this.#client = options.client ?? new SNSClient({});
    this.#topicArn = options.topicArn;
    this.#types = new Set(options.types ?? DEFAULT_TYPES);
    this.#context = options.context;
  }

  async notify(event: LoadEvent): Promise<void> {
    if (!this.#types.has(event.type)) return;
    await this.#client.send(new PublishCommand(snsMessageFor(event, this.#topicArn, this.#context?.())));
  }
}
