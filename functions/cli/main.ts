import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { PolicyError } from '../core/policy/errors';
import { auditCommand } from './audit-command';
import type { CliIo } from './io';
import { rulesCommand } from './rules-command';
import { AUDIT_USAGE, RULES_USAGE, USAGE, UsageError } from './usage';

function packageVersion(): string {
  try {
    return JSON.parse(readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')).version;
  } catch {
    return '0.0.0';
  }
}

export function processIo(): CliIo {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    isTTY: Boolean(process.stdout.isTTY),
    version: packageVersion(),
  };
}

/** Runs the meshgov command line and resolves to its exit status. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'audit':
        return await auditCommand(rest, io);
      case 'rules':
        return rulesCommand(rest, io);
      case '--version':
      case 'version':
        io.stdout(`${io.version}\n`);
        return 0;
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        io.stdout(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      // A subcommand's mistake is followed by that subcommand's usage.
      const usage = command === 'audit' ? AUDIT_USAGE : command === 'rules' ? RULES_USAGE : USAGE;
      io.stderr(`meshgov: ${(err as Error).message}\n\n${usage}`);
      return 2;
    }
    if (err instanceof PolicyError) {
      io.stderr(`meshgov: the rules are invalid:\n${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
