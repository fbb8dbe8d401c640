/**
 * An ETag as the ledger keeps it: without its quotes and a weak validator's `W/` (S3 returns the
 * ETag quoted in HTTP headers and listings, unquoted in event notifications).
 */
export function unquoteEtag(etag: string): string {
  return etag.replace(/^W\//, '').replace(/"/g, '');
}
