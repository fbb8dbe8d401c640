// The `@lakeload/loader/s3` entry point: S3 as a source and a destination. Separate from the main
// entry so that programs that never touch S3 do not load the AWS SDK.

export { s3Listing } from '../reconcile/s3-listing.js';
export {
  createS3Client,
  mapS3Error,
  ObjectAccessDeniedError,
  ObjectChangedError,
  ObjectNotFoundError,
  ObjectStoreError,
  ObjectStoreUnavailableError,
  type S3ClientOptions,
  s3Uri,
} from './s3-client.js';
export {
  headS3Object,
  type ListOptions,
  listS3Objects,
  parseS3Uri,
  resolveS3Uri,
  type S3Location,
} from './s3-list.js';
export { type S3StoreOptions, s3Store } from './s3-store.js';
export {
  type LocalHashes,
  localChecksums,
  MAX_PART_SIZE,
  MIN_PART_SIZE,
  SHA256_METADATA,
  type UploadedFile,
  UploadInterruptedError,
  type UploadOptions,
  type UploadProgress,
  type UploadSummary,
  uploadCandidates,
  uploadDirectory,
} from './s3-upload.js';
