// What the CLI loads before it reads its arguments: `--help` and `--version` load no command and
// no dependency, and a command loads its own module only. Timing is measured in the bench only.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMANDS, overviewLine } from '../src/main.js';
import { MINIMUM_NODE, olderThan } from '../src/node-version.js';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const mainUrl = new URL('../dist/main.js', import.meta.url).href;

/** Runs main(argv) in a child process that records every module URL it resolves. */
function modulesLoadedBy(argv: string[]): string[] {
  const script = `
    import { registerHooks } from 'node:module';
    const seen = [];
    registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); seen.push(r.url); return r; } });
    const { main } = await import(${JSON.stringify(mainUrl)});
    process.stdout.write = () => true;
    await main(${JSON.stringify(argv)});
    process.stderr.write(JSON.stringify(seen));
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(result.status).toBe(0);
  return JSON.parse(result.stderr) as string[];
}

describe('start-up', () => {
  it('answers --help without loading any command or dependency', () => {
    const loaded = modulesLoadedBy(['--help']);
    expect(loaded.filter((url) => url.includes('/commands/'))).toEqual([]);
    // Everything printed goes through the loader's redaction, a module without imports of its own.
    const heavy = loaded.filter(
      (url) =>
        url.includes('node_modules') ||
        (url.includes('/packages/loader/') && !url.endsWith('/dist/redact.js')),
    );
    expect(heavy).toEqual([]);
  });

  it('loads only the module of the command it runs', () => {
    const loaded = modulesLoadedBy(['status', '--help']);
    const commands = loaded.filter((url) => url.includes('/commands/')).map((url) => url.split('/').pop());
    // status reuses the warehouse option of load.
    expect([...new Set(commands)].sort()).toEqual(['load.js', 'status.js']);
    expect(loaded.some((url) => url.includes('@aws-sdk') || url.includes('/packages/convert/'))).toBe(false);
  });

  it('prints the CLI package version with --version', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const result = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${manifest.version}\n`);
  });

  it('keeps the overview lines equal to the first sentence of each command summary', async () => {
    for (const [name, entry] of Object.entries(COMMANDS)) {
      const command = await entry.load();
      expect(command.spec.name, name).toBe(name);
      expect(entry.summary, name).toBe(overviewLine(command.spec.summary));
    }
  });

  it('tells a Node older than the minimum apart', () => {
    expect(olderThan('18.20.4', MINIMUM_NODE)).toBe(true);
    expect(olderThan('19.9.0', '20.0.0')).toBe(true);
    expect(olderThan('20.0.0', '20.0.0')).toBe(false);
    expect(olderThan('24.22.3', MINIMUM_NODE)).toBe(false);
    expect(olderThan('22.11.0', '22.12.0')).toBe(true);
    expect(olderThan('22.12.1', '22.12.0')).toBe(false);
  });
});
