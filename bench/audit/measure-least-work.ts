/**
 * The kept floor followed by the least model-and-rules work (least-work.ts): a lower bound for
 * any audit of the bench fleet, reported beside the audit for context. Run in a fresh process:
 * `measure-least-work.ts <fleet dir>`.
 */
import { leastWork, readLeastWorkInput } from './least-work';
import { GcPauses, reportMeasurement, startClock } from './measurement';

const dir = process.argv[2];

const gc = new GcPauses();
const from = gc.mark();
const started = startClock();
const input = readLeastWorkInput(dir);
const parsed = startClock();
const result = leastWork(input);
const ended = startClock();
const to = gc.mark();
void gc.settled().then(() =>
  reportMeasurement(started, { servers: result.servers.length, clients: result.clients.length, findings: result.findings, parseMs: Number(parsed - started) / 1e6, modelMs: Number(ended - parsed) / 1e6, gcMs: gc.between(from, to) }, ended),
);
