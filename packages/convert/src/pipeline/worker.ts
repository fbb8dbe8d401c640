// A parsing thread: JSONL chunks in; valid records spooled to this thread's own file, rejects back
// to the main thread (see stagers.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { jsonlRecords } from '../inputs/jsonl.js';
import { splitLines } from '../inputs/open.js';
import { type RejectedRecord, type SpoolMode, validateBatch } from './batch.js';
import { Spool } from './spool.js';

export interface WorkerSetup {
  spool: string;
  mode: SpoolMode;
}

export type WorkerRequest =
  | { type: 'chunk'; id: number; bytes: Uint8Array; first: boolean }
  | { type: 'close' };

export type WorkerReply =
  | {
      type: 'chunk';
      id: number;
      records: number;
      lines: number;
      rejects: RejectedRecord[];
      /** The chunk's memory, handed back for the next chunk. */
      bytes: ArrayBuffer;
    }
  | { type: 'closed' }
  | { type: 'failed'; message: string };

const port = parentPort;
if (!port) throw new Error('worker.ts runs as a worker thread only');
const setup = workerData as WorkerSetup;
const spool = new Spool(setup.spool);
// Keeps a byte-order mark where it stands; only the input's very first one is removed (splitLines).
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

port.on('message', (request: WorkerRequest) => {
  try {
    if (request.type === 'close') {
      spool.close();
      port.postMessage({ type: 'closed' } satisfies WorkerReply);
      return;
    }
    // A chunk's lines count from 1; the main thread knows where the chunk starts in the input.
    const lines = splitLines(decoder.decode(request.bytes), request.first);
    const bytes = request.bytes.buffer as ArrayBuffer;
    const {
      spool: text,
      records,
      rejects,
    } = validateBatch(jsonlRecords(lines, 1, 0), request.id, setup.mode);
    spool.write(text);
    const reply: WorkerReply = {
      type: 'chunk',
      id: request.id,
      records,
      lines: lines.length,
      rejects,
      bytes,
    };
    port.postMessage(reply, [bytes]);
  } catch (error) {
    port.postMessage({
      type: 'failed',
      message: error instanceof Error ? error.message : String(error),
    } satisfies WorkerReply);
  }
});
