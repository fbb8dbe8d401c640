/** One object to load, however its event arrived. The key is decoded: exactly the object's name. */
export interface ObjectRef {
  bucket: string;
  key: string;
  size: number;
  /** Without quotes. Local files use a content hash so that new content counts as a new object. */
  etag: string;
  versionId?: string;
  /** Orders events of the same key (hex, compare after right-padding to equal length). */
  sequencer?: string;
  /** ISO-8601. */
  eventTime: string;
}

/** The result of one record of an event: objects to load, or why the record carries none. */
export interface EventItem {
  /** The SQS message id where there is one (for partial batch failures), else the record's index. */
  recordId: string;
  objects: ObjectRef[];
  /** Records acknowledged without work: an `s3:TestEvent`, an object removal, … */
  ignored: string[];
  /**
   * Set when this record, or one of the S3 records its message carries, cannot be understood; the
   * other records, and the readable S3 records of the same message (`objects`), are unaffected.
   */
  error?: Error;
}
