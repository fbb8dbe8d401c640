import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { RecordBatches } from '../inputs/records.js';
import type { ChunkOffset } from '../output/sql.js';
import { type RejectedRecord, type SpoolMode, validateBatch } from './batch.js';
import { Spool } from './spool.js';
import type { WorkerReply, WorkerRequest, WorkerSetup } from './worker.js';

/** What staging one chunk of an input produced, with the offsets that make its numbers the input's. */
export interface ChunkResult extends ChunkOffset {
  records: number;
  lines: number;
  rejects: RejectedRecord[];
}

export interface Stager {
  /** The spool files of valid records, complete once `close` has resolved. */
  readonly spools: readonly string[];
  close(): Promise<void>;
}

/** Validates on this thread, for formats whose structure must be scanned in order (JSON arrays, CSV). */
export class SequentialStager implements Stager {
  readonly spools: readonly string[];
  readonly #spool: Spool;

  constructor(
    spool: string,
    private readonly mode: SpoolMode,
  ) {
    this.spools = [spool];
    this.#spool = new Spool(spool);
  }

  async *stage(batches: RecordBatches): AsyncGenerator<ChunkResult> {
    for await (const records of batches) {
      const { spool, rejects } = validateBatch(records, 0, this.mode);
      this.#spool.write(spool);
      // The readers number records and lines across the whole input, so no offset applies.
      yield { chunkId: 0, recordBase: 0, lineBase: 0, records: records.length, lines: 0, rejects };
    }
  }

  async close(): Promise<void> {
    this.#spool.close();
  }
}

const CHUNK_BYTES = 4 * 1024 * 1024;
const NEWLINE = 10;

/**
 * Cuts a byte stream into chunks that end on a line break (the last one may not). Each chunk owns
 * its memory, because it is handed over to a worker; bytes are copied once, into that chunk. Chunk
 * memory comes from `free`, where the workers hand it back: a fresh buffer per chunk would live on
 * in a worker until its garbage collector ran, and the freed megabytes stay in this thread's malloc
 * arena, which DuckDB's allocator cannot use (2.14 GB input: the arena reached 119–133 MB).
 */
async function* lineAlignedChunks(stream: Readable, free: ArrayBuffer[]): AsyncGenerator<Uint8Array> {
  const take = (size: number) => {
    const reused = size === CHUNK_BYTES ? free.pop() : undefined;
    return reused ? Buffer.from(reused) : Buffer.allocUnsafeSlow(size);
  };
  let target = take(CHUNK_BYTES);
  let used = 0;
  for await (const piece of stream) {
    const bytes = piece as Buffer;
    let offset = 0;
    while (offset < bytes.length) {
      if (used === target.length) {
        const end = target.lastIndexOf(NEWLINE, used - 1);
        // One line longer than the chunk: grow until the line fits.
        const next = take(end === -1 ? target.length * 2 : Math.max(CHUNK_BYTES, (used - end - 1) * 2));
        target.copy(next, 0, end + 1, used);
        if (end !== -1) yield target.subarray(0, end + 1);
        target = next;
        used -= end + 1;
      }
      const copied = bytes.copy(target, used, offset);
      used += copied;
      offset += copied;
    }
  }
  if (used > 0) yield target.subarray(0, used);
}

interface Waiter<T> {
  resolve: (value: T) => void;
  reject: (error: Error) => void;
}

/**
 * Parses and validates JSONL on worker threads, each spooling to its own file, while this thread
 * reads and cuts the input at line breaks. Results come back in input order.
 */
export class ParallelStager implements Stager {
  readonly spools: readonly string[];
  readonly #workers: Worker[];
  readonly #waiting = new Map<
    number | 'closed',
    Waiter<Extract<WorkerReply, { type: 'chunk' | 'closed' }>>
  >();
  #failure: Error | undefined;
  /** Chunk memory the workers have handed back, for the next chunks. */
  readonly #free: ArrayBuffer[] = [];

  constructor(spoolOf: (index: number) => string, threads: number, mode: SpoolMode) {
    this.spools = Array.from({ length: threads }, (_, index) => spoolOf(index));
    this.#workers = this.spools.map((spool) => {
      const setup: WorkerSetup = { spool, mode };
      // V8 sizes a thread's heap by the machine's memory and collects lazily; a chunk needs far less,
      // and a tight limit keeps the converter's footprint flat.
      const worker = new Worker(new URL('./worker.js', import.meta.url), {
        workerData: setup,
        resourceLimits: { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8 },
      });
      worker.on('message', (reply: WorkerReply) => this.#settle(reply));
      worker.on('error', (error) =>
        this.#fail(
          (error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new Error(
                "a single line is too large to parse in a parsing thread's memory; split the record or convert with --threads 1",
              )
            : error,
        ),
      );
      return worker;
    });
  }

  #settle(reply: WorkerReply): void {
    if (reply.type === 'failed') {
      this.#fail(new Error(`a parsing thread failed: ${reply.message}`));
      return;
    }
    if (reply.type === 'chunk' && reply.bytes.byteLength === CHUNK_BYTES) this.#free.push(reply.bytes);
    const key = reply.type === 'chunk' ? reply.id : 'closed';
    this.#waiting.get(key)?.resolve(reply);
    this.#waiting.delete(key);
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const waiter of this.#waiting.values()) waiter.reject(error);
    this.#waiting.clear();
  }

  #request<T extends WorkerReply>(
    worker: Worker,
    key: number | 'closed',
    request: WorkerRequest,
    transfer: ArrayBuffer[] = [],
  ) {
    if (this.#failure) return Promise.reject(this.#failure);
    const reply = new Promise<T>((resolve, reject) =>
      this.#waiting.set(key, { resolve: resolve as (value: WorkerReply) => void, reject }),
    );
    worker.postMessage(request, transfer);
    return reply;
  }

  async *stage(stream: Readable): AsyncGenerator<ChunkResult> {
    type ChunkReply = Extract<WorkerReply, { type: 'chunk' }>;
    const inFlight: Promise<ChunkReply>[] = [];
    let nextId = 0;
    let recordBase = 0;
    let lineBase = 0;
    const next = async (): Promise<ChunkResult> => {
      const { id, records, lines, rejects } = await (inFlight.shift() as Promise<ChunkReply>);
      const result = { chunkId: id, recordBase, lineBase, records, lines, rejects };
      recordBase += records;
      lineBase += lines;
      return result;
    };
    try {
      for await (const bytes of lineAlignedChunks(stream, this.#free)) {
        const id = nextId++;
        const worker = this.#workers[id % this.#workers.length] as Worker;
        const request: WorkerRequest = { type: 'chunk', id, bytes, first: id === 0 };
        inFlight.push(this.#request<ChunkReply>(worker, id, request, [bytes.buffer as ArrayBuffer]));
        if (inFlight.length >= this.#workers.length * 2) yield await next();
      }
      while (inFlight.length > 0) yield await next();
    } finally {
      // An early exit leaves replies nobody awaits; they must not surface as unhandled rejections.
      for (const reply of inFlight) reply.catch(() => {});
    }
  }

  async close(): Promise<void> {
    this.#free.length = 0;
    try {
      for (const worker of this.#workers) await this.#request(worker, 'closed', { type: 'close' });
    } finally {
      await Promise.all(this.#workers.map((worker) => worker.terminate()));
    }
  }
}
