// Redshift for the contract suite: the real RedshiftDriver and SDK clients against the rehearsal's
// Data API endpoint (statements run on PostgreSQL, COPY reads the local S3 server) and a real S3 API
// server holding the files. The rehearsal package depends on the loader, so the loader's tests load
// its endpoint from source by path (a package dependency back would be a cycle).
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createTestSchema, POSTGRES } from '@lakeload/testkit/postgres';
import { type S3Server, startS3Server } from '@lakeload/testkit/s3-server';
import type { ObjectRef } from '../src/events/types.js';
import { s3Store } from '../src/sources/s3-store.js';
import type { ObjectStore } from '../src/sources/store.js';
import { redshiftWarehouse } from '../src/warehouse/redshift/redshift-dialect.js';
import type { RedshiftDriver } from '../src/warehouse/redshift/redshift-driver.js';

/** The part of the rehearsal's endpoint these tests use (typed here: it is loaded by path). */
interface RehearsalEndpoint {
  url: string;
  useSchema(schema: string | undefined): void;
  log(): { kind?: string; sql: string }[];
  close(): Promise<void>;
}

interface RehearsalModules {
  startRedshiftDataEndpoint(
    options: {
      connectionString: string;
      s3: unknown;
      schema?: string;
    } & RehearsedSettings,
  ): Promise<RehearsalEndpoint>;
  httpS3Objects(endpoint: string): unknown;
}

async function rehearsalModules(): Promise<RehearsalModules> {
  const source = new URL('../../rehearsal/src/redshift-data/', import.meta.url);
  const [endpoint, objects] = await Promise.all([
    import(new URL('endpoint.ts', source).href),
    import(new URL('s3-objects.ts', source).href),
  ]);
  return { ...endpoint, ...objects } as RehearsalModules;
}

const LAKE_BUCKET = 'lake';
const REGION = 'us-east-1';

/** One Redshift "workgroup": the endpoint, the S3 server and a schema of the test's own. */
export interface RehearsedRedshift {
  driver: RedshiftDriver;
  endpoint: RehearsalEndpoint;
  s3: S3Client;
  /** The loader's S3 store over the local S3 server (footers are read from there). */
  store: ObjectStore;
  /** Uploads a local file as s3://lake/<key>; the ref carries S3's own ETag. */
  publish(key: string, body: Uint8Array, eventTime: string): Promise<ObjectRef>;
  /** The test's own schema, the endpoint sessions' search_path. */
  schema: string;
  cleanup(): Promise<void>;
}

/** How the rehearsed database is set up (defaults: Redshift's for a new workgroup). */
export interface RehearsedSettings {
  caseSensitiveIdentifiers?: boolean;
  isolation?: 'snapshot' | 'serializable';
  /** `describe_field_name_in_uppercase` on for the loader's user. */
  fieldNamesInUppercase?: boolean;
}

/** Starts everything a Redshift load needs offline; `cleanup` stops it all. */
export async function rehearsedRedshift(settings: RehearsedSettings = {}): Promise<RehearsedRedshift> {
  const modules = await rehearsalModules();
  const server: S3Server = await startS3Server([LAKE_BUCKET]);
  const schema = await createTestSchema('lakeload_rs');
  const endpoint = await modules.startRedshiftDataEndpoint({
    connectionString: POSTGRES,
    s3: modules.httpS3Objects(server.endpoint),
    schema: schema.name,
    ...settings,
  });
  const credentials = server.credentials;
  const s3 = new S3Client({ endpoint: server.endpoint, forcePathStyle: true, region: REGION, credentials });
  const data = new RedshiftDataClient({
    endpoint: endpoint.url,
    region: REGION,
    credentials: { accessKeyId: 'any', secretAccessKey: 'any' },
  });
  // Opened as the loader opens it: the session's schema is read once and qualifies every table.
  const driver = (await redshiftWarehouse({
    target: { workgroup: 'rehearsal' },
    database: 'test',
    manifestPrefix: `s3://${LAKE_BUCKET}/_lakeload/manifests/`,
    pollIntervalMs: 5,
    maxPollIntervalMs: 50,
    clients: { data, s3 },
  })) as RedshiftDriver;
  return {
    driver,
    endpoint,
    s3,
    store: s3Store(s3),
    schema: schema.name,
    async publish(key, body, eventTime) {
      const put = await s3.send(new PutObjectCommand({ Bucket: LAKE_BUCKET, Key: key, Body: body }));
      return {
        bucket: LAKE_BUCKET,
        key,
        size: body.byteLength,
        etag: (put.ETag ?? '').replaceAll('"', ''),
        eventTime,
      };
    },
    async cleanup() {
      await endpoint.close();
      s3.destroy();
      await server.close();
      await schema.drop();
    },
  };
}
