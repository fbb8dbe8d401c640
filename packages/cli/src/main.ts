import { ConvertError, ConvertOptionsError } from '@lakeload/convert';
import { GenerateOptionsError, OrdersError } from '@lakeload/orders';
import { type CommandSpec, helpText } from './args.js';
import { convertSpec, runConvert } from './commands/convert.js';
import { demoSpec, runDemo } from './commands/demo.js';
import { generateSpec, runGenerate } from './commands/generate.js';
import { EXIT, UsageError } from './errors.js';

const COMMANDS: Record<string, { spec: CommandSpec; run: (argv: readonly string[]) => Promise<number> }> = {
  demo: { spec: demoSpec, run: runDemo },
  generate: { spec: generateSpec, run: runGenerate },
  convert: { spec: convertSpec, run: runConvert },
};

function overview(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length)) + 2;
  return [
    'lakeload: files landing in S3 become upserted, queryable warehouse tables, exactly once.',
    '',
    'Usage: lakeload <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(
      ([name, { spec }]) => `  ${name.padEnd(width)}${spec.summary.split('. ')[0]}.`,
    ),
    '',
    'Run "lakeload <command> --help" for a command\'s options.',
  ].join('\n');
}

/** Runs one command line and returns the exit code; errors are reported on stderr here. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${overview()}\n`);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`lakeload: unknown command "${name}"\n\n${overview()}\n`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${helpText(command.spec)}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`lakeload ${name}: ${error.message}\n`);
      return EXIT.usage;
    }
    // Option errors from the libraries are usage errors too: the message names the option.
    if (error instanceof OrdersError || error instanceof ConvertError) {
      process.stderr.write(`lakeload ${name}: ${error.message}\n`);
      const usage = error instanceof GenerateOptionsError || error instanceof ConvertOptionsError;
      return usage ? EXIT.usage : EXIT.failed;
    }
    process.stderr.write(
      `lakeload ${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return EXIT.failed;
  }
}
