/**
 * Starts the real functions-framework server (its own `main.js`, as `npx functions-framework`
 * runs it) in a child process on a free loopback port, serving one target. The source is the
 * agent's production entry, functions/gcp/index.ts, loaded through tsx, or a built bundle
 * directory; everything else comes from the environment, exactly as on Cloud Functions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../../..');
const FRAMEWORK_MAIN = path.join(REPO_ROOT, 'node_modules/@google-cloud/functions-framework/build/src/main.js');

/** One structured log line the agent wrote (see functions/gcp/log.ts). */
export interface LogLine {
  severity: string;
  message: string;
  [key: string]: unknown;
}

export interface FunctionsServer {
  readonly url: string;
  /** Every JSON line on stdout so far. */
  logs(): LogLine[];
  /** Everything the process wrote, for failure messages. */
  output(): string;
  /** Forgets the logs so far. */
  clearLogs(): void;
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  stop(): Promise<void>;
}

export interface StartOptions {
  target: string;
  env: Record<string, string>;
  /** Default: functions/gcp/index.ts through tsx. A directory (a bundle) runs on plain node. */
  source?: string;
}

export async function startFunctionsServer(options: StartOptions): Promise<FunctionsServer> {
  const port = await freePort();
  const source = options.source ?? path.join(REPO_ROOT, 'functions/gcp/index.ts');
  const typescript = source.endsWith('.ts');
  const args = [...(typescript ? ['--import', 'tsx'] : []), FRAMEWORK_MAIN, '--source', source, '--target', options.target, '--port', String(port)];
  // Only what the child needs: no MESHGOV_* or KUBECONFIG leaks in from the developer's shell.
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NODE_ENV: 'test', ...options.env };
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });

  let output = '';
  let lines: LogLine[] = [];
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output += text;
    partial += text;
    const complete = partial.split('\n');
    partial = complete.pop()!;
    for (const line of complete) {
      if (!line.startsWith('{')) continue;
      try {
        lines.push(JSON.parse(line) as LogLine);
      } catch {
        // not one of ours
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));

  await waitUntilServing(child, () => output, 30_000);

  return {
    url: `http://127.0.0.1:${port}/`,
    logs: () => [...lines],
    output: () => output,
    clearLogs: () => {
      lines = [];
    },
    waitForLog: async (predicate, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = lines.find(predicate);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching log line within ${timeoutMs} ms; output:\n${output}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    stop: () => stopChild(child),
  };
}

function waitUntilServing(child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`functions-framework did not start within ${timeoutMs} ms:\n${output()}`)), timeoutMs);
    const poll = setInterval(() => {
      // main.js prints this from the server's listen callback (NODE_ENV is not production).
      if (output().includes('Serving function...')) done();
    }, 20);
    const onExit = (code: number | null) => fail(new Error(`functions-framework exited with ${code}:\n${output()}`));
    child.once('exit', onExit);
    function done(): void {
      clearTimeout(timer);
      clearInterval(poll);
      child.off('exit', onExit);
      resolve();
    }
    function fail(error: Error): void {
      clearTimeout(timer);
      clearInterval(poll);
      child.off('exit', onExit);
      if (child.exitCode === null) child.kill('SIGKILL');
      reject(error);
    }
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
