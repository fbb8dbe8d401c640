// The parts of s3rver 3.7.1 (CommonJS, no types of its own) that the local S3 server uses.
declare module 's3rver' {
  import type { EventEmitter } from 'node:events';
  import type { IncomingMessage, ServerResponse } from 'node:http';

  interface S3rverOptions {
    address?: string;
    port?: number;
    directory: string;
    silent?: boolean;
    allowMismatchedSignatures?: boolean;
    vhostBuckets?: boolean;
    configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
  }

  interface S3rverEvent {
    Records: {
      eventName: string;
      requestParameters: { sourceIPAddress: string };
      s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string } };
    }[];
  }

  class S3rver extends EventEmitter {
    constructor(options: S3rverOptions);
    configureBuckets(): Promise<void>;
    callback(): (request: IncomingMessage, response: ServerResponse) => void;
    store: {
      getMetadata(bucket: string, key: string): Promise<Record<string, string>>;
      existsObject(bucket: string, key: string): Promise<boolean>;
      /** The file behind `resource` ('object', 'metadata.json', 'uploads', …) of a key. */
      getResourcePath(bucket: string, key: string | undefined, resource: string): string;
      putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5?: string): Promise<void>;
      putObject(object: {
        bucket: string;
        key: string;
        metadata: Record<string, string>;
        content: NodeJS.ReadableStream | Buffer;
      }): Promise<{ size: number; md5: string }>;
      putPart(
        bucket: string,
        uploadId: string,
        partNumber: number | string,
        content: NodeJS.ReadableStream,
      ): Promise<{ size: number; md5: string }>;
    };
    on(event: 'event', listener: (event: S3rverEvent) => void): this;
  }
  export default S3rver;
}
