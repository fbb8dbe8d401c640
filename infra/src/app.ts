import { App } from 'cdktf';
import { ENVIRONMENTS, type EnvironmentConfig, type EnvironmentName, environments } from './config.js';
import { type LambdaBundle, readLambdaPackage } from './lambda-package.js';
import { LakeloadStack, type StateBackend, stackName } from './stack.js';

export interface BuildAppOptions {
  /** Where to synthesize (default: cdktf.json's `output`, given by the CLI). */
  readonly outdir?: string;
  /** Per-environment configuration (default: {@link environments}). */
  readonly environments?: Readonly<Record<EnvironmentName, EnvironmentConfig>>;
  /** Bundle metadata (default: read from packages/lambda/package.json). */
  readonly bundle?: LambdaBundle;
  readonly stateBackend?: StateBackend;
}

/** The app with one stack per environment, in promotion order. */
export function buildApp(options: BuildAppOptions = {}): { app: App; stacks: LakeloadStack[] } {
  const app = new App(options.outdir ? { outdir: options.outdir } : {});
  const configs = options.environments ?? environments;
  const bundle = options.bundle ?? readLambdaPackage();
  const stacks = ENVIRONMENTS.map((name) => {
    const config = configs[name];
    return new LakeloadStack(app, stackName(config), {
      config,
      bundle,
      ...(options.stateBackend ? { stateBackend: options.stateBackend } : {}),
    });
  });
  return { app, stacks };
}
