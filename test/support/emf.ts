/**
 * The CloudWatch embedded metric format (EMF) documents Powertools Metrics writes. With
 * POWERTOOLS_DEV set (read when a handler is created) it writes them to the global console,
 * where a test reads them instead of mocking the metrics client.
 */

/** Every JSON document written to the console while `run` ran: log lines and EMF documents. */
export async function consoleJsonDocuments(run: () => Promise<unknown>): Promise<Array<Record<string, any>>> {
  const lines: string[] = [];
  const spies = (['log', 'info', 'warn', 'error'] as const).map((level) => jest.spyOn(console, level).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' '))));
  try {
    await run();
  } finally {
    spies.forEach((s) => s.mockRestore());
  }
  return lines.filter((l) => l.trimStart().startsWith('{')).map((l) => JSON.parse(l) as Record<string, any>);
}

/** The EMF documents written to the console while `run` ran (one per invocation that added metrics). */
export async function emfDocuments(run: () => Promise<unknown>): Promise<Array<Record<string, any>>> {
  return (await consoleJsonDocuments(run)).filter((d) => d._aws);
}

/** The metric names one EMF document declares. */
export const declaredMetrics = (doc: Record<string, any>): string[] => doc._aws.CloudWatchMetrics.flatMap((m: any) => m.Metrics.map((d: any) => d.Name));
