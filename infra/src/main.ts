/**
 * The CDKTF app entry (cdktf.json: `node dist/main.js`). The edge: the only place that reads the
 * environment.
 * - LAKELOAD_TF_STATE_BUCKET (+ LAKELOAD_TF_STATE_REGION, default eu-west-1): S3 state backend.
 * - LAKELOAD_LAMBDA_BUNDLE: another zip than packages/lambda/dist/lambda.zip (tests, CI artifacts).
 */
import { buildApp } from './app.js';
import { readLambdaPackage } from './lambda-package.js';

// `||`, not `??`: CI passes unset repository variables as empty strings.
const stateBucket = process.env.LAKELOAD_TF_STATE_BUCKET || undefined;
const bundleOverride = process.env.LAKELOAD_LAMBDA_BUNDLE || undefined;
const metadata = readLambdaPackage();

const { app } = buildApp({
  bundle: bundleOverride ? { ...metadata, bundlePath: bundleOverride } : metadata,
  ...(stateBucket
    ? {
        stateBackend: {
          bucket: stateBucket,
          region: process.env.LAKELOAD_TF_STATE_REGION || 'eu-west-1',
          keyPrefix: 'lakeload/',
        },
      }
    : {}),
});
app.synth();
