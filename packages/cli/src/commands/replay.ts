import { existsSync } from 'node:fs';
import { Loader, localObjects, type ObjectResult, openWarehouse } from '@lakeload/loader';
import { type CommandSpec, parse } from '../args.js';
import { EXIT } from '../errors.js';
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
    const loader = new Loader({ driver, tables: config.tables, rules: config.rules });
    const letters = await loader.deadLetters();
    const replayed = async (letter: { uri: string; identity: string }, result: ObjectResult | undefined) => {
      if (!result) return;
      results.push(result);
      if (result.status === 'loaded' || result.status === 'duplicate')
        await loader.markReplayed(letter.uri, letter.identity);
    };
    for (const letter of letters.filter((each) => !isS3Uri(each.uri))) {
      signal.throwIfAborted();
      const path = letter.uri.startsWith('file://') ? letter.uri.slice('file://'.length) : undefined;
      if (!path || !existsSync(path)) {
        missing.push(letter.uri);
        continue;
      }
      const [file] = await localObjects([path]);
      if (file) await replayed(letter, await loader.loadFile(file.ref, file.path));
    }
    const remote = letters.filter((each) => isS3Uri(each.uri));
    if (remote.length > 0) {
      // Each object as it is now (its current ETag): a fixed file re-uploaded under the same key.
      const { refs, store, absent } = await s3Objects(remote.map((letter) => letter.uri));
      missing.push(...absent);
      const loaded = await loader.loadObjects(refs, store, { signal });
      for (const letter of remote)
        await replayed(
          letter,
          loaded.find((result) => result.uri === letter.uri),
        );
    }
  } finally {
    await driver.close();
  }
  const summary = { ...summarize(warehouse, results), unreachable: missing };
  if (values.json === true) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else {
    const gone = missing.map((uri) => `\nnot replayed (no such object): ${uri}`).join('');
    process.stdout.write(
      `${results.length === 0 && missing.length === 0 ? 'No dead letters.' : describeLoad(summary)}${gone}\n`,
    );
  }
  return summary.failed > 0 || missing.length > 0 ? EXIT.failed : EXIT.ok;
}
