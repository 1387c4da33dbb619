import { randomUUID } from 'node:crypto';
import type { CliIo } from './io';

/**
 * In a GitHub Actions step the runner reads workflow commands from standard error as well as
 * standard output: a line that starts with `::`, or holds `##[` anywhere (the legacy syntax).
 * The notes meshgov writes there quote file names and document kinds from the inputs, so a file
 * named `::stop-commands::x` would silence every annotation of the step. Each note is written
 * between `::stop-commands::<token>` and `::<token>::`, GitHub's documented way to print text
 * without running it; the token is random, so the text cannot end the pause itself.
 */
export function shieldWorkflowCommands(io: CliIo, token = randomUUID()): CliIo {
  return {
    ...io,
    stderr: (text) => io.stderr(`::stop-commands::${token}\n${text}${text.endsWith('\n') ? '' : '\n'}::${token}::\n`),
  };
}

/** Whether `meshgov audit` was asked for `--format github` (the last --format given wins, as parseArgs reads it). */
export function asksForGithubFormat(args: readonly string[]): boolean {
  let format: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') break;
    if (arg === '--format') format = args[++i];
    else if (arg.startsWith('--format=')) format = arg.slice('--format='.length);
  }
  return format === 'github';
}
