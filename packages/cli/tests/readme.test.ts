// The root README as the issue asks it to stay: at most 120 lines, the two Quick-start commands in
// one sh block, Node's version said once, every relative link to a file that exists, and its library
// snippet the very program the loader's README runs in tests/integration/readme.test.ts.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');

it('is short, with the Quick start, one Node version and working links', () => {
  expect(readme.split('\n').length).toBeLessThanOrEqual(120);
  expect(readme).toContain('```sh\nnpm run demo\nnpm test\n```');
  expect(readme.match(/Node(\.js)? ≥ \d+/g)).toEqual(['Node.js ≥ 20']);
  const links = [...readme.matchAll(/\]\(([^)#]+)(#[^)]*)?\)/g)].map((match) => match[1] ?? '');
  expect(links.length).toBeGreaterThan(5);
  for (const link of links.filter((target) => !/^https?:/.test(target)))
    expect(existsSync(join(root, link)), link).toBe(true);
});

it("shows the library program the loader's README runs", () => {
  const program = (text: string) => /```ts\n([\s\S]*?)```/.exec(text)?.[1];
  const loader = readFileSync(
    join(dirname(fileURLToPath(import.meta.url)), '../../loader/README.md'),
    'utf8',
  );
  expect(program(readme)).toBeDefined();
  expect(program(readme)).toBe(program(loader));
});
