// A parsing thread: JSONL chunks in, validated rows staged into this thread's own DuckDB database,
// rejects back to the main thread (see stagers.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { jsonlRecords } from '../inputs/jsonl.js';
import { splitLines } from '../inputs/open.js';
import { Staging, type StagingOptions } from '../output/staging.js';
import { BatchBuilder, type RejectedRecord } from './batch.js';

export interface WorkerSetup extends StagingOptions {
  database: string;
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
const setup = workerData as WorkerSetup;
const decoder = new TextDecoder('utf-8');
const reply = (message: WorkerReply) => port.postMessage(message);

// Requests are handled one after another, in the order they arrive.
let queue: Promise<Staging> = Staging.open(setup.database, setup);
port.on('message', (request: WorkerRequest) => {
  queue = queue.then((staging) => {
    if (request.type === 'close') {
      staging.close();
      reply({ type: 'closed' });
      return staging;
    }
    // A chunk's lines count from 1; the main thread knows where the chunk starts.
    const lines = splitLines(decoder.decode(request.bytes), request.first);
    const records = jsonlRecords(lines, 1, 0);
    const builder = new BatchBuilder();
    for (const record of records) builder.add(record);
    const batch = builder.finish(records.length, lines.length);
    staging.append(batch, request.id);
    reply({ type: 'chunk', id: request.id, records: batch.records, lines: batch.lines, rejects: batch.rejects });
    return staging;
  });
  queue.catch((error: unknown) => reply({ type: 'failed', message: error instanceof Error ? error.message : String(error) }));
});
