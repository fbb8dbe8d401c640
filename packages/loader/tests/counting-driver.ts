// A driver wrapped to record how many files each load transaction is handed.
import type { Driver, LoadJob } from '../src/warehouse/dialect.js';

/** The driver, with the size of every batch it is handed recorded. */
export function counting(driver: Driver, batches: number[]): Driver {
  return new Proxy(driver, {
    get(target, property) {
      if (property === 'load')
        return (jobs: readonly LoadJob[]) => {
          batches.push(jobs.length);
          return target.load(jobs);
        };
      const value = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
