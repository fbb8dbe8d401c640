// A local SNS endpoint speaking the Query protocol (form-encoded POST, `Action=Publish`, XML
// answers), so the real @aws-sdk/client-sns publishes to it through AWS_ENDPOINT_URL_SNS. It records
// every message instead of delivering it; it checks what SNS checks on Publish (topic, message,
// subject, message attributes) and answers errors in SNS's XML shape.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EmulatedServiceError, RehearsalError } from '../errors.js';

export interface MessageAttribute {
  DataType: string;
  StringValue?: string;
  /** Base64, as sent on the wire. */
  BinaryValue?: string;
}

/** One accepted Publish. */
export interface PublishedMessage {
  MessageId: string;
  TopicArn: string;
  Message: string;
  Subject?: string;
  MessageAttributes: Record<string, MessageAttribute>;
  publishedAt: string;
}

export interface LocalSnsOptions {
  /** Topics that exist; Publish to any other fails with NotFound. Any topic when unset. */
  topics?: readonly string[];
  host?: string;
  port?: number;
}

export interface LocalSns {
  /** http://127.0.0.1:<port>, the value for AWS_ENDPOINT_URL_SNS. */
  url: string;
  /** Messages published so far, oldest first. */
  published(): PublishedMessage[];
  close(): Promise<void>;
}

/** An SNS API error, answered as SNS's XML error response. */
class SnsError extends EmulatedServiceError {
  override name = 'SnsError';
  static override readonly tip: string =
    'The local SNS endpoint refused the request as SNS would: fix the request the message names.';
}

const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const MAX_MESSAGE_BYTES = 256 * 1024;

function xml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

function attributes(form: URLSearchParams): Record<string, MessageAttribute> {
  const found: Record<string, MessageAttribute> = {};
  for (let n = 1; form.has(`MessageAttributes.entry.${n}.Name`); n++) {
    const prefix = `MessageAttributes.entry.${n}`;
    const name = form.get(`${prefix}.Name`) as string;
    const dataType = form.get(`${prefix}.Value.DataType`);
    if (!dataType) {
      throw new SnsError(
        'ParameterValueInvalid',
        `The message attribute '${name}' must contain non-empty message attribute type.`,
      );
    }
    if (!/^(String|Number|Binary)(\..+)?$/.test(dataType) && dataType !== 'String.Array') {
      throw new SnsError(
        'ParameterValueInvalid',
        `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
      );
    }
    const attribute: MessageAttribute = { DataType: dataType };
    const stringValue = form.get(`${prefix}.Value.StringValue`);
    const binaryValue = form.get(`${prefix}.Value.BinaryValue`);
    if (stringValue !== null) attribute.StringValue = stringValue;
    if (binaryValue !== null) attribute.BinaryValue = binaryValue;
    if (stringValue === null && binaryValue === null) {
      throw new SnsError(
        'ParameterValueInvalid',
        `The message attribute '${name}' must contain non-empty message attribute value.`,
      );
    }
    found[name] = attribute;
  }
  return found;
}

function publish(form: URLSearchParams, topics: readonly string[] | undefined): PublishedMessage {
  const topicArn = form.get('TopicArn') ?? form.get('TargetArn');
  if (!topicArn) {
    throw new SnsError(
      'InvalidParameter',
      form.has('PhoneNumber')
        ? 'Invalid parameter: PhoneNumber (SMS is not emulated by the local endpoint)'
        : 'Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter',
    );
  }
  if (!/^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]{1,256}$/.test(topicArn)) {
    throw new SnsError('InvalidParameter', 'Invalid parameter: TopicArn');
  }
  if (topics && !topics.includes(topicArn)) throw new SnsError('NotFound', 'Topic does not exist', 404);
  const message = form.get('Message');
  if (message === null || message === '') {
    throw new SnsError('InvalidParameter', 'Invalid parameter: Message too short');
  }
  if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES) {
    throw new SnsError('InvalidParameter', 'Invalid parameter: Message too long');
  }
  const subject = form.get('Subject');
  // SNS: the subject is ASCII, starts with a letter, number or punctuation, has no line breaks and
  // is shorter than 100 characters.
  if (
    subject !== null &&
    (subject.length === 0 || subject.length >= 100 || !/^[\x20-\x7e]+$/.test(subject))
  ) {
    throw new SnsError('InvalidParameter', 'Invalid parameter: Subject');
  }
  if (form.get('MessageStructure') === 'json') {
    throw new SnsError('InvalidParameter', 'MessageStructure json is not emulated by the local endpoint');
  }
  const published: PublishedMessage = {
    MessageId: randomUUID(),
    TopicArn: topicArn,
    Message: message,
    MessageAttributes: attributes(form),
    publishedAt: new Date().toISOString(),
  };
  if (subject !== null) published.Subject = subject;
  return published;
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** Starts the SNS endpoint on 127.0.0.1 and a free port. */
export async function startLocalSns(options: LocalSnsOptions = {}): Promise<LocalSns> {
  const messages: PublishedMessage[] = [];
  const server = createServer((request, response) => {
    const requestId = randomUUID();
    void (async () => {
      let status = 200;
      let body: string;
      try {
        const form = await readForm(request);
        const action = form.get('Action');
        if (action !== 'Publish') {
          throw new SnsError(
            'InvalidAction',
            `The action ${action ?? '(none)'} is not emulated by the local SNS endpoint (Publish is).`,
          );
        }
        const message = publish(form, options.topics);
        messages.push(message);
        body = `<PublishResponse xmlns="${XMLNS}"><PublishResult><MessageId>${message.MessageId}</MessageId></PublishResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishResponse>`;
      } catch (error) {
        const failure = error instanceof SnsError ? error : new SnsError('InternalError', String(error), 500);
        status = failure.status;
        body = `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${failure.code}</Code><Message>${xml(failure.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
      }
      response.writeHead(status, {
        'content-type': 'text/xml',
        'content-length': Buffer.byteLength(body),
        'x-amzn-requestid': requestId,
      });
      response.end(body);
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  }).catch((error: unknown) => {
    throw new RehearsalError(`cannot start the local SNS endpoint: ${String(error)}`, { cause: error });
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    published: () => [...messages],
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
