// `pnpm --filter @lakeload/rehearsal run capacity`: the capacity model against a run with
// Redshift-like latencies, in two configurations (bound by the table locks, bound by the loaders).
import { DEFAULT_REHEARSAL_POSTGRES } from '../rehearse.js';
import { simulateCapacity } from './simulate.js';

const postgresUrl = process.env.LAKELOAD_REHEARSAL_POSTGRES ?? DEFAULT_REHEARSAL_POSTGRES;
const latency = { statementMs: 60, copyFileMs: 300, commitMs: 200 };
const runs = [
  { name: '2 tables, 4 loaders (table locks)', tables: 2, loaders: 4 },
  { name: '6 tables, 2 loaders (loaders)', tables: 6, loaders: 2 },
];
for (const { name, tables, loaders } of runs) {
  const result = await simulateCapacity({
    postgresUrl,
    tables,
    loaders,
    filesPerTable: 16,
    rowsPerFile: 200,
    filesPerBatch: 4,
    latency,
  });
  console.log(
    JSON.stringify({
      run: name,
      latency,
      files: result.files,
      seconds: Number(result.seconds.toFixed(2)),
      measuredFilesPerSecond: Number(result.filesPerSecond.toFixed(3)),
      modelOnInjected: Number(result.model.filesPerSecond.toFixed(3)),
      observed: Object.fromEntries(Object.entries(result.observed).map(([k, v]) => [k, Math.round(v)])),
      modelOnObserved: Number(result.observedModel.filesPerSecond.toFixed(3)),
      boundBy: result.observedModel.boundBy,
      lockedMs: Math.round(result.observedModel.lockedMs),
      outsideMs: Math.round(result.observedModel.outsideMs),
      ratio: Number(result.ratio.toFixed(3)),
    }),
  );
}
