/**
 * The API server of the live benchmark, in a process of its own so that its memory and CPU
 * are not the measured client's. `serve-api.ts emulator <seed.json>` starts the
 * Kubernetes emulator seeded with the fleet (a JSON array of objects) behind a recording
 * proxy; `serve-api.ts replay <recording.json>` serves a recording instead. Either prints
 * one JSON line `{"url": …, "kubeconfig": …}` when ready, then answers line commands on stdin:
 * - `calls`: `{"calls": {…}, "busyMs": n}`, the requests since the last `calls` (by
 *   `<verb> <resource>` for the emulator, `requests` for a replay) and how long the event loop
 *   was busy serving them; then resets;
 * - `save <file>`: writes what the proxy recorded, answers `{"saved": n}`;
 * - `stop` (or the end of stdin): stops.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { kubeconfigFor, startKubernetesEmulator, type KubernetesObject } from '../../test/emulators/kubernetes';
import { startRecordingProxy, startReplayServer, type Recording } from './recorded-api';

interface Served {
  url: string;
  kubeconfig: string;
  calls(): Record<string, number>;
  save(file: string): number;
  stop(): Promise<void>;
}

async function emulatorBehindRecorder(seedFile: string): Promise<Served> {
  const objects = JSON.parse(readFileSync(seedFile, 'utf8')) as KubernetesObject[];
  const emulator = await startKubernetesEmulator();
  const started = Date.now();
  emulator.seed(objects);
  process.stderr.write(`istio-live bench: emulator seeded ${objects.length} objects in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  const proxy = await startRecordingProxy(emulator.url);
  return {
    url: proxy.url,
    kubeconfig: kubeconfigFor(proxy.url, emulator.token === null ? {} : { token: emulator.token }),
    calls: () => {
      const calls = emulator.calls();
      emulator.resetCalls();
      return calls;
    },
    save: (file) => {
      writeFileSync(file, JSON.stringify(proxy.recording));
      return Object.keys(proxy.recording).length;
    },
    stop: async () => {
      await proxy.stop();
      await emulator.stop();
    },
  };
}

async function replay(recordingFile: string): Promise<Served> {
  const server = await startReplayServer(JSON.parse(readFileSync(recordingFile, 'utf8')) as Recording);
  let counted = 0;
  return {
    url: server.url,
    kubeconfig: kubeconfigFor(server.url),
    calls: () => {
      const calls = { requests: server.requests() - counted };
      counted = server.requests();
      return calls;
    },
    save: () => 0,
    stop: () => server.stop(),
  };
}

async function main(): Promise<void> {
  const [mode, file] = process.argv.slice(2);
  const served = mode === 'replay' ? await replay(file!) : await emulatorBehindRecorder(file!);
  process.stdout.write(`${JSON.stringify({ url: served.url, kubeconfig: served.kubeconfig })}\n`);

  const stop = async (): Promise<void> => {
    await served.stop();
    process.exit(0);
  };
  // Event-loop utilisation: the time this single-threaded server spent working, not idling.
  let since = performance.eventLoopUtilization();
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const [command, argument] = line.trim().split(/\s+/);
    if (command === 'calls') {
      const busy = performance.eventLoopUtilization(since);
      since = performance.eventLoopUtilization();
      process.stdout.write(`${JSON.stringify({ calls: served.calls(), busyMs: busy.active })}\n`);
    } else if (command === 'save') {
      process.stdout.write(`${JSON.stringify({ saved: served.save(argument!) })}\n`);
    } else if (command === 'stop') void stop();
  });
  lines.on('close', () => void stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
