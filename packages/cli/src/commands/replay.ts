import { existsSync } from 'node:fs';
import {
  Loader,
  localObjectAt,
  localStore,
  type ObjectRef,
  type ObjectResult,
  objectUri,
  openWarehouse,
  type PendingLetter,
} from '@lakeload/loader';
import { type CommandSpec, parse } from '../args.js';
import { EXIT } from '../errors.js';
import { out, stderrLogger } from '../output.js';
import { isS3Uri, s3Objects } from '../sources.js';
import {
  CONFIG_OPTION,
  configFrom,
  describeLoad,
  summarize,
  WAREHOUSE_OPTION,
  warehouseUrl,
} from './load.js';

export const replaySpec: CommandSpec = {
  name: 'replay',
  summary:
    'Load the dead letters again (objects that failed for good) after their cause was fixed, local files and s3:// objects as they are now; each one that loads, or turns out to be loaded already, is marked replayed.',
  usage: 'lakeload replay [--warehouse URL] [--json]',
  options: {
    warehouse: WAREHOUSE_OPTION,
    config: CONFIG_OPTION,
    json: { type: 'boolean', description: 'Print a machine-readable summary instead of text.' },
  },
  examples: ['lakeload replay', 'lakeload replay --warehouse duckdb:out/demo/warehouse.duckdb --json'],
};

export async function runReplay(argv: readonly string[], signal: AbortSignal): Promise<number> {
  const { values } = parse(replaySpec, argv);
  const warehouse = warehouseUrl(values);
  const config = await configFrom(values);
  const driver = await openWarehouse(warehouse);
  const results: ObjectResult[] = [];
  const missing: string[] = [];
  try {
    const loader = new Loader({ driver, logger: stderrLogger, tables: config.tables, rules: config.rules });
    const letters = await loader.deadLetters();
    // Local letters: each object under the key its first load had, into the table it routed to.
    const local: { letter: PendingLetter; ref: ObjectRef }[] = [];
    for (const letter of letters.filter((each) => !isS3Uri(each.uri))) {
      const path = letter.uri.startsWith('file://') ? letter.uri.slice('file://'.length) : undefined;
      if (!path || !existsSync(path)) missing.push(letter.uri);
      else local.push({ letter, ref: await localObjectAt(letter.uri, letter.key) });
    }
    signal.throwIfAborted();
    results.push(
      ...(await loader.replay(
        local.map((each) => each.letter),
        local.map((each) => each.ref),
        localStore(),
        { signal },
      )),
    );
    const remote = letters.filter((each) => isS3Uri(each.uri));
    if (remote.length > 0) {
      // Each object as it is now (its current ETag): a fixed file re-uploaded under the same key.
      const { refs, store, absent } = await s3Objects(remote.map((letter) => letter.uri));
      missing.push(...absent);
      const found = remote.filter((letter) => !absent.includes(letter.uri));
      const byUri = new Map(refs.map((ref) => [objectUri(ref), ref]));
      const present = found.filter((letter) => byUri.has(letter.uri));
      results.push(
        ...(await loader.replay(
          present,
          present.map((letter) => byUri.get(letter.uri) as ObjectRef),
          store,
          { signal },
        )),
      );
    }
  } finally {
    await driver.close();
  }
  const summary = { ...summarize(warehouse, results), unreachable: missing };
  if (values.json === true) out(`${JSON.stringify(summary)}\n`);
  else {
    const gone = missing.map((uri) => `\nnot replayed (no such object): ${uri}`).join('');
    out(
      `${results.length === 0 && missing.length === 0 ? 'No dead letters.' : describeLoad(summary)}${gone}\n`,
    );
  }
  return summary.failed > 0 || missing.length > 0 ? EXIT.failed : EXIT.ok;
}
