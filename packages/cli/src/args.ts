import { parseArgs } from 'node:util';
import { EXIT, UsageError } from './errors.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** May be given more than once; the values come as a list. */
  multiple?: boolean;
  short?: string;
  /** Shown in --help; name the default and the unit. */
  description: string;
  valueName?: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  options: Record<string, OptionSpec>;
  /** Example invocations for --help. */
  examples: readonly string[];
  positionals?: boolean;
  /** What exit code 3 means for this command, where it uses it (rejects found, drift found). */
  exit3?: string;
}

const COMMON: Record<string, OptionSpec> = {
  help: { type: 'boolean', short: 'h', description: 'Show this help and exit.' },
};

export function helpText(spec: CommandSpec): string {
  const options = { ...spec.options, ...COMMON };
  const rows = Object.entries(options).map(([name, option]) => {
    const flag = `${option.short ? `-${option.short}, ` : '    '}--${name}${option.type === 'string' ? ` <${option.valueName ?? 'value'}>` : ''}${option.multiple ? '…' : ''}`;
    return [flag, option.description] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 2;
  return [
    `${spec.summary}`,
    '',
    `Usage: ${spec.usage}`,
    '',
    'Options:',
    ...rows.map(([flag, description]) => `  ${flag.padEnd(width)}${description}`),
    '',
    'Examples:',
    ...spec.examples.map((example) => `  ${example}`),
    '',
    `Exit codes: ${EXIT.ok} success, ${EXIT.failed} failure, ${EXIT.usage} usage error${spec.exit3 ? `, ${EXIT.rejects} ${spec.exit3}` : ''}, ${EXIT.interrupted} interrupted.`,
  ].join('\n');
}

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export function parse(spec: CommandSpec, argv: readonly string[]): Parsed {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { ...spec.options, ...COMMON },
      allowPositionals: spec.positionals ?? false,
      strict: true,
    });
    return { values: values as Parsed['values'], positionals };
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nRun "lakeload ${spec.name} --help" for the options.`);
  }
}

export function numberOption(
  values: Parsed['values'],
  name: string,
  fallback: number,
  { integer = true, min = -Infinity, max = Infinity } = {},
): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (
    typeof raw !== 'string' ||
    raw.trim() === '' ||
    !Number.isFinite(value) ||
    (integer && !Number.isInteger(value))
  ) {
    throw new UsageError(
      `--${name} expects ${integer ? 'a whole number' : 'a number'}, got "${String(raw)}"`,
    );
  }
  if (value < min || value > max)
    throw new UsageError(`--${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

export function stringOption(values: Parsed['values'], name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}
