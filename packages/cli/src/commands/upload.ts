import { existsSync, statSync } from 'node:fs';
import { LoaderError } from '@lakeload/loader';
import type { UploadSummary } from '@lakeload/loader/s3';
import { type CommandSpec, numberOption, parse, stringOption } from '../args.js';
import { EXIT, UsageError } from '../errors.js';
import { err, out } from '../output.js';
import { formatBytes, ProgressBar } from '../progress.js';
import { isS3Uri } from '../sources.js';

export const uploadSpec: CommandSpec = {
  name: 'upload',
  summary:
    'Upload converted Parquet files to S3, keeping their year=/month=/day=/<dataset>/ layout below the prefix. Objects already there with the same bytes are skipped, so a run after an interruption uploads only what is missing.',
  usage: 'lakeload upload <dir> s3://bucket/prefix [options]',
  positionals: true,
  options: {
    'part-size': {
      type: 'string',
      valueName: 'MiB',
      description:
        'Multipart part size in MiB, 5 to 5120 (default 8); larger files go up in parts. Memory ≈ concurrency × part size.',
    },
    concurrency: {
      type: 'string',
      valueName: 'N',
      description: 'Requests carrying data at once, 1 to 64 (default 4).',
    },
    'include-rejects': {
      type: 'boolean',
      description: "Upload the converter's _rejects/ files too (default: Parquet files only).",
    },
    'sse-kms-key-id': {
      type: 'string',
      valueName: 'key',
      description:
        "Encrypt with this KMS key (SSE-KMS; key id, ARN or alias). Default: the bucket's default.",
    },
    json: { type: 'boolean', description: 'Print a machine-readable summary instead of text.' },
  },
  examples: [
    'lakeload upload out/demo/lake s3://my-lake/landing',
    'lakeload upload lake s3://my-lake/landing --part-size 64 --concurrency 8 --sse-kms-key-id alias/lake --json',
    'AWS_ENDPOINT_URL_S3=http://127.0.0.1:4568 lakeload upload lake s3://local-bucket/',
  ],
};

function describeUpload(summary: UploadSummary): string {
  const lines = summary.files
    .filter((file) => file.status !== 'skipped')
    .map((file) =>
      file.status === 'failed'
        ? `FAILED     ${file.path}\n           ${file.error}\n           tip: ${file.tip}`
        : `uploaded   ${file.path} (${formatBytes(file.size)}${(file.parts ?? 1) > 1 ? `, ${file.parts} parts` : ''})`,
    );
  return [
    ...lines,
    ...(lines.length > 0 ? [''] : []),
    `${summary.uploaded} uploaded (${formatBytes(summary.bytesUploaded)}), ${summary.skipped} already present, ${summary.failed} failed → s3://${summary.bucket}/${summary.prefix}`,
  ].join('\n');
}

export async function runUpload(argv: readonly string[], signal: AbortSignal): Promise<number> {
  const { values, positionals } = parse(uploadSpec, argv);
  const [dir, destination, ...extra] = positionals;
  if (dir === undefined || destination === undefined || extra.length > 0)
    throw new UsageError('name a folder and one destination: lakeload upload <dir> s3://bucket/prefix');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`"${dir}" is not a folder`);
  if (!isS3Uri(destination))
    throw new UsageError(`the destination must be an s3://bucket/prefix URI, got "${destination}"`);
  const partSize = numberOption(values, 'part-size', 8, { integer: false, min: 5, max: 5120 });
  const concurrency = numberOption(values, 'concurrency', 4, { min: 1, max: 64 });
  const sseKmsKeyId = stringOption(values, 'sse-kms-key-id');
  if (sseKmsKeyId === '') throw new UsageError('--sse-kms-key-id needs a key id, ARN or alias');
  const json = values.json === true;

  // Loaded here, not at the top: other commands never load the AWS SDK.
  const s3 = await import('@lakeload/loader/s3');
  let location: ReturnType<typeof s3.parseS3Uri>;
  try {
    location = s3.parseS3Uri(destination);
  } catch (error) {
    if (error instanceof LoaderError) throw new UsageError(error.message);
    throw error;
  }
  const progress = new ProgressBar({ enabled: !json && process.stderr.isTTY === true, format: formatBytes });
  const client = s3.createS3Client();
  try {
    const summary = await s3.uploadDirectory(client, dir, location, {
      partSize: Math.round(partSize * 1024 * 1024),
      concurrency,
      includeRejects: values['include-rejects'] === true,
      ...(sseKmsKeyId ? { sseKmsKeyId } : {}),
      signal,
      onProgress: (done) => progress.update('uploading', done.bytesDone, done.bytes),
    });
    progress.done();
    for (const warning of summary.warnings) err(`lakeload upload: ${warning}\n`);
    out(json ? `${JSON.stringify(summary)}\n` : `${describeUpload(summary)}\n`);
    return summary.failed > 0 ? EXIT.failed : EXIT.ok;
  } catch (error) {
    progress.done();
    if (error instanceof s3.UploadInterruptedError) {
      const { summary } = error;
      for (const warning of summary.warnings) err(`lakeload upload: ${warning}\n`);
      err(
        `lakeload upload: stopped after ${summary.uploaded} uploaded and ${summary.skipped} already present; objects appear only complete, so running the same command again uploads the rest\n`,
      );
    }
    throw error;
  } finally {
    client.destroy();
  }
}
