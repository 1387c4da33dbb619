/**
 * Promises started while others run (a List page schedules the Describes of its items and the
 * List of each router's routes), awaited together. Every task settles before the group does,
 * so no failure is left unhandled; the first failure is then rethrown.
 */
export class TaskGroup {
  private readonly tasks: Promise<unknown>[] = [];
  private firstError: { error: unknown } | undefined;

  add(task: Promise<unknown>): void {
    this.tasks.push(
      task.catch((error: unknown) => {
        this.firstError ??= { error };
      }),
    );
  }

  /** True once a task failed: callers stop starting new work the group will throw away. */
  get failed(): boolean {
    return this.firstError !== undefined;
  }

  /** Waits for every task, including those added while waiting; throws the first failure. */
  async settle(): Promise<void> {
    for (let i = 0; i < this.tasks.length; i++) await this.tasks[i];
    if (this.firstError) throw this.firstError.error;
  }
}
