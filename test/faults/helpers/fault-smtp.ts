import type { AddressInfo, Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';

export type SmtpMode = 'accept' | 'refuse-permanent' | 'refuse-temporary' | 'stall' | 'vanish';

/** A real SMTP server on loopback whose behaviour a test switches: accept, refuse (5xx / 4xx at DATA),
 * stall (takes the connection, never greets), vanish (drops the socket in the middle of DATA). */
export class FaultSmtp {
  mode: SmtpMode = 'accept';
  /** Message-IDs of the messages it accepted, in order (one entry per delivery). */
  accepted: string[] = [];
  attempts = 0;
  private server: SMTPServer | null = null;
  private readonly sockets = new Set<Socket>();

  async start(): Promise<number> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onConnect: (session, cb) => {
        this.attempts += 1;
        if (this.mode === 'stall') return; // never answers: the client's greeting timeout must fire
        cb();
      },
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        let vanished = false;
        stream.on('data', (c: Buffer) => {
          chunks.push(c);
          if (this.mode === 'vanish' && !vanished) {
            vanished = true;
            for (const s of this.sockets) s.destroy();
          }
        });
        stream.on('end', () => {
          if (vanished) return;
          if (this.mode === 'refuse-permanent' || this.mode === 'refuse-temporary') {
            const err = new Error(this.mode === 'refuse-permanent' ? 'message refused' : 'try again later') as Error & {
              responseCode: number;
            };
            err.responseCode = this.mode === 'refuse-permanent' ? 554 : 451;
            return cb(err);
          }
          const id = /^Message-ID:\s*(\S+)/im.exec(Buffer.concat(chunks).toString('utf8'))?.[1] ?? '?';
          this.accepted.push(id);
          cb();
        });
      },
    });
    server.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    return (server.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
