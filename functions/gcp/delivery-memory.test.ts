import { DeliveryMemory } from './delivery-memory';
import { jsonLogger } from './log';

function recorder() {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, log: jsonLogger((line) => lines.push(JSON.parse(line) as Record<string, unknown>)) };
}

test('a message id handled once is not handled again, and the repeat says so', async () => {
  const memory = new DeliveryMemory();
  const { lines, log } = recorder();
  let runs = 0;
  await memory.once('13268925375184921', log, async () => void runs++);
  await memory.once('13268925375184921', log, async () => void runs++);
  expect(runs).toBe(1);
  expect(lines).toEqual([expect.objectContaining({ severity: 'INFO', messageId: '13268925375184921', duplicate: true, message: expect.stringMatching(/^ignored: duplicate delivery of message 13268925375184921/) })]);
});

test('a failed run is not remembered: the redelivery runs again', async () => {
  const memory = new DeliveryMemory();
  const { log } = recorder();
  let runs = 0;
  await expect(memory.once('m-1', log, async () => {
    runs++;
    throw new Error('hub not reached');
  })).rejects.toThrow('hub not reached');
  await memory.once('m-1', log, async () => void runs++);
  expect(runs).toBe(2);
});

test('a repeat during the first run shares its outcome, failure included', async () => {
  const memory = new DeliveryMemory();
  const { log } = recorder();
  let release!: (error?: Error) => void;
  let runs = 0;
  const first = memory.once('m-2', log, () => {
    runs++;
    return new Promise<void>((resolve, reject) => (release = (error) => (error ? reject(error) : resolve())));
  });
  const second = memory.once('m-2', log, async () => void runs++);
  release(new Error('cluster unreachable'));
  await expect(first).rejects.toThrow('cluster unreachable');
  await expect(second).rejects.toThrow('cluster unreachable');
  expect(runs).toBe(1);
});

test('keeps at most `capacity` ids, forgetting the oldest', async () => {
  const memory = new DeliveryMemory(2);
  const { log } = recorder();
  let runs = 0;
  for (const id of ['a', 'b', 'c', 'a']) await memory.once(id, log, async () => void runs++);
  expect(runs).toBe(4);
});
