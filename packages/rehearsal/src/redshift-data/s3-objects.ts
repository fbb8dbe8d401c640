// What COPY needs from S3 (head, list a prefix, download), over plain HTTP against the local S3 API
// server. Only whole-object GETs and HEADs: never suffix ranges, which s3rver answers wrongly.
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface S3ObjectInfo {
  key: string;
  size: number;
}

/** The read side of S3 that the Data API endpoint's COPY uses. */
export interface S3Objects {
  head(bucket: string, key: string): Promise<S3ObjectInfo | undefined>;
  /** Objects whose key starts with `prefix` (COPY's FROM is a prefix), in key order. */
  list(bucket: string, prefix: string): Promise<S3ObjectInfo[]>;
  text(bucket: string, key: string): Promise<string | undefined>;
  download(bucket: string, key: string, path: string): Promise<void>;
}

function objectUrl(endpoint: string, bucket: string, key: string): string {
  return `${endpoint}/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

function xmlText(value: string): string {
  return value
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&apos;', "'")
    .replaceAll('&#39;', "'")
    .replaceAll('&amp;', '&');
}

/** S3Objects over HTTP, unsigned (the local server accepts anonymous requests). */
export function httpS3Objects(endpoint: string): S3Objects {
  const base = endpoint.replace(/\/+$/, '');
  return {
    async head(bucket, key) {
      const response = await fetch(objectUrl(base, bucket, key), { method: 'HEAD' });
      if (response.status === 404) return undefined;
      if (!response.ok) throw new Error(`S3 HEAD s3://${bucket}/${key} answered ${response.status}`);
      return { key, size: Number(response.headers.get('content-length') ?? 0) };
    },
    async list(bucket, prefix) {
      // ListObjects (v1) pages by marker: s3rver's v2 continuation tokens need OpenSSL's legacy DES.
      const found: S3ObjectInfo[] = [];
      let marker = '';
      for (;;) {
        const query = new URLSearchParams({ prefix, marker });
        const response = await fetch(`${base}/${encodeURIComponent(bucket)}?${query}`);
        const body = await response.text();
        if (!response.ok)
          throw new Error(`S3 list s3://${bucket}/${prefix} answered ${response.status}: ${body}`);
        for (const [, contents] of body.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
          const key = /<Key>([\s\S]*?)<\/Key>/.exec(contents as string)?.[1];
          const size = /<Size>(\d+)<\/Size>/.exec(contents as string)?.[1];
          if (key !== undefined) found.push({ key: xmlText(key), size: Number(size ?? 0) });
        }
        const last = found.at(-1)?.key;
        if (!/<IsTruncated>true<\/IsTruncated>/.test(body) || last === undefined || last === marker) break;
        marker = last;
      }
      return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    async text(bucket, key) {
      const response = await fetch(objectUrl(base, bucket, key));
      if (response.status === 404) return undefined;
      if (!response.ok) throw new Error(`S3 GET s3://${bucket}/${key} answered ${response.status}`);
      return response.text();
    },
    async download(bucket, key, path) {
      const response = await fetch(objectUrl(base, bucket, key));
      if (!response.ok || !response.body)
        throw new Error(`S3 GET s3://${bucket}/${key} answered ${response.status}`);
      await pipeline(
        Readable.fromWeb(response.body as import('node:stream/web').ReadableStream),
        createWriteStream(path),
      );
    },
  };
}
