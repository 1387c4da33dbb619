import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

const LOOPBACK = '127.0.0.1';

/**
 * An HTTP server on a loopback port that can go down and come back up on the same port.
 * Going down closes the listening socket and destroys every open connection (Node 20's
 * close() only ends idle keep-alive ones; requests in flight are cut here too), so the
 * next request fails the way it would against a dead host: ECONNREFUSED.
 */
export class RestartableListener {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private boundPort = 0;

  constructor(private readonly handler: RequestListener) {}

  get port(): number {
    return this.boundPort;
  }

  get isUp(): boolean {
    return this.server !== undefined;
  }

  /** Listens on `port`, or on a free port when 0; resolves with the bound port. */
  async listen(port = this.boundPort): Promise<number> {
    if (this.server !== undefined) return this.boundPort;
    const server = createServer(this.handler);
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, LOOPBACK, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
    return this.boundPort;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }
}
