import { describe, expect, it } from 'vitest';
import { BEGIN, END, measure, met, spread, withTable } from '../src/report.js';

describe('bench report', () => {
  it('summarises runs as min, median and max', () => {
    expect(spread([3, 1, 2])).toEqual({ min: 1, median: 2, max: 3 });
    expect(spread([4, 1, 3, 2])).toEqual({ min: 1, median: 2.5, max: 4 });
    expect(() => spread([])).toThrow(/no runs/);
  });

  it('counts a memory goal met only when every run meets it, a time or ratio by its median', () => {
    expect(met(measure('m', 'MB', [290, 300, 301], { atMost: 300 }))).toBe(false);
    expect(met(measure('m', 'MB', [290, 300, 300], { atMost: 300 }))).toBe(true);
    expect(met(measure('t', 'ms', [90, 120, 900], { atMost: 150 }))).toBe(true);
    expect(met(measure('t', 'ms', [90, 160, 170], { atMost: 150 }))).toBe(false);
    expect(met(measure('r', 'ratio', [0.5, 1.0, 1.3], { atLeast: 1 }))).toBe(true);
    expect(met(measure('r', 'ratio', [0.9, 0.99, 2], { atLeast: 1 }))).toBe(false);
    expect(met(measure('x', 'MB', [1]))).toBeUndefined();
  });

  it('renders the table between the README markers and leaves the rest alone', () => {
    const readme = `# Title\n\nbefore\n${BEGIN}\nold table\n${END}\nafter\n`;
    const results = {
      machine: '2 cores',
      measures: [
        measure('lakeload --help', 'ms', [101.4, 99.6, 130], { atMost: 150 }),
        measure('DuckDB fresh ÷ QUALIFY', 'ratio', [0.95, 1.1, 1.2], { atLeast: 1 }),
        measure('converter peak RSS', 'MB', [500, 530], { atMost: 512 }),
        measure('peak RSS', 'MB', [1234.4]),
      ],
    };
    expect(withTable(readme, results)).toBe(`# Title

before
${BEGIN}
2 cores. Met: memory in every run, times and ratios at the median.

| measure                | runs | min      | median   | max      | goal     | met    |
| ---------------------- | ---- | -------- | -------- | -------- | -------- | ------ |
| lakeload --help        | 3    | 100 ms   | 101 ms   | 130 ms   | ≤ 150 ms | yes    |
| DuckDB fresh ÷ QUALIFY | 3    | 0.95     | 1.10     | 1.20     | ≥ 1.00   | yes    |
| converter peak RSS     | 2    | 500 MB   | 515 MB   | 530 MB   | ≤ 512 MB | **no** |
| peak RSS               | 1    | 1,234 MB | 1,234 MB | 1,234 MB |          |        |
${END}
after
`);
    expect(() => withTable('# no markers', results)).toThrow(/no <!-- bench:begin/);
  });
});
