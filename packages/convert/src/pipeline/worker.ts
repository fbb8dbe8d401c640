// A parsing thread: JSONL chunks in; valid records spooled to this thread's own file, rejects back
// to the main thread (see stagers.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { jsonlRecords } from '../inputs/jsonl.js';
import { splitLines } from '../inputs/open.js';
import { type RejectedRecord, validateBatch } from './batch.js';
import { Spool } from './spool.js';

export interface WorkerSetup {
  spool: string;
}

export type WorkerRequest =
  | { type: 'chunk'; id: number; bytes: Uint8Array; first: boolean }
  | { type: 'close' };

export type WorkerReply =
  | { type: 'chunk'; id: number; records: number; lines: number; rejects: RejectedRecord[] }
  | { type: 'closed' }
  | { type: 'failed'; message: string };

const port = parentPort;
if (!port) throw new Error('worker.ts runs as a worker thread only');
const spool = new Spool((workerData as WorkerSetup).spool);
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
    const records = jsonlRecords(lines, 1, 0);
    const { spool: text, rejects } = validateBatch(records, request.id);
    spool.write(text);
    const reply: WorkerReply = {
      type: 'chunk',
      id: request.id,
      records: records.length,
      lines: lines.length,
      rejects,
    };
    port.postMessage(reply);
  } catch (error) {
    port.postMessage({
      type: 'failed',
      message: error instanceof Error ? error.message : String(error),
    } satisfies WorkerReply);
  }
});
