import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { PolicyError } from '../core/policy/errors';
import { systemErrorReason } from '../core/system-error';
import { auditCommand } from './audit-command';
import type { CliIo } from './io';
import { rulesCommand } from './rules-command';
import { AUDIT_USAGE, RULES_USAGE, USAGE, UsageError } from './usage';
import { asksForGithubFormat, shieldWorkflowCommands } from './workflow-command-shield';

function packageVersion(): string {
  try {
    return JSON.parse(readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')).version;
  } catch {
    return '0.0.0';
  }
}

export function processIo(): CliIo {
  guardStreams();
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    isTTY: Boolean(process.stdout.isTTY),
    ...(process.stdout.isTTY && process.stdout.columns ? { columns: process.stdout.columns } : {}),
    version: packageVersion(),
  };
}

let streamsGuarded = false;

/**
 * A failed write to stdout or stderr arrives as an 'error' event after the write returned; with
 * no listener, Node crashes with a stack trace (`meshgov audit | head`, `> /dev/full`).
 */
function guardStreams(): void {
  if (streamsGuarded) return;
  streamsGuarded = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    // The reader stopped early (`| head`): it has what it wanted, and the audit's status stands.
    if (err.code === 'EPIPE') return;
    // The report is lost, as when --output cannot be written: exit 2 says so to CI.
    process.stderr.write(`meshgov: cannot write report to standard output: ${systemErrorReason(err)}\n`);
    process.exit(2);
  });
  // Nowhere is left to tell of a failed write to stderr; the audit's status still stands.
  process.stderr.on('error', () => {});
}

/** An error of the operating system (EACCES, EIO…), as opposed to a bug. */
function isSystemError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && typeof (err as NodeJS.ErrnoException).syscall === 'string';
}

/** Runs the meshgov command line and resolves to its exit status. */
export async function main(argv: string[], given: CliIo = processIo()): Promise<number> {
  const [command, ...rest] = argv;
  // Its annotations are workflow commands: what it writes beside them must not be read as more.
  const io = command === 'audit' && asksForGithubFormat(rest) ? shieldWorkflowCommands(given) : given;
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
        // No command is a usage error: its usage goes where every other one's does.
        io.stderr(USAGE);
        return 2;
      case '--help':
      case '-h':
      case 'help':
        io.stdout(USAGE);
        return 0;
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
    if (isSystemError(err)) {
      // A directory in the tree or a rules file that cannot be read: expected, so one line, no stack.
      io.stderr(`meshgov: ${err.path ? `cannot read ${err.path}: ` : ''}${systemErrorReason(err)}\n`);
      return 2;
    }
    throw err;
  }
}
