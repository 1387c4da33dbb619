/** What the CLI touches of the outside world, so tests can run it in-process. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  isTTY: boolean;
  /** The terminal's width, when stdout is one. */
  columns?: number;
  version: string;
}
