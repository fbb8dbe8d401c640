// The bundle's entry point (`index.handler`): the handler wired for AWS, with Redshift as the
// warehouse. Only the Redshift dialect is imported, so the bundle holds no DuckDB or PostgreSQL
// client; the environment is checked here, at module load, so a bad one fails the cold start.
import { awsConnect, openRedshift } from './aws.js';
import { createHandler } from './handler.js';

export const handler = createHandler({
  env: process.env,
  dialects: ['redshift'],
  connect: awsConnect({ openDriver: openRedshift }),
});
