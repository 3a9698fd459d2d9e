import { connect, createServer, type Server, type Socket } from 'node:net';

/** What stall() applies to: every connection (a dead link), or only those open now (a dead flow; new ones pass). */
export type StallScope = 'all' | 'existing';

/** One client ↔ upstream pair, as the proxy sees it. */
export interface ProxiedConnection {
  id: number;
  client: Socket;
  upstream: Socket;
  stalled: boolean;
}

export interface TcpProxy {
  /** The proxy's port on 127.0.0.1 (stable across close()/open()). */
  readonly port: number;
  /** Connections currently open through the proxy, oldest first. */
  readonly connections: readonly ProxiedConnection[];
  /** Accept connections again after close() (the proxy starts open unless created with `open: false`). */
  open(): Promise<void>;
  /** Destroy every socket (both sides see the connection end, as after a FIN); the proxy keeps accepting. */
  cut(): void;
  /** Stop forwarding bytes both ways while keeping every socket open: the peers see silence, not an error.
   * Bytes and ends that arrive meanwhile are held and delivered, in order, by resume(). */
  stall(scope?: StallScope): void;
  /** Stall one connection only (e.g. the named lock's): its bytes are held until resume(). */
  stallConnection(conn: ProxiedConnection): void;
  /** Forward again, delivering what was held. */
  resume(): void;
  /** Delay every chunk by ms (in order); 0 = no delay. */
  slow(ms: number): void;
  /** Send a TCP RST to both sides of every connection (ECONNRESET, not a clean end). */
  reset(): void;
  /** Stop listening and destroy every socket. */
  close(): Promise<void>;
}

/** Forwards one direction chunk by chunk, holding chunks while stalled and delaying them while slow. */
class Pipe {
  private held: (Buffer | 'end')[] = [];
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly to: Socket,
    private readonly isStalled: () => boolean,
    private readonly delayMs: () => number,
  ) {}

  push(item: Buffer | 'end'): void {
    if (this.isStalled() || this.held.length > 0) this.held.push(item);
    else this.deliver(item);
  }

  flush(): void {
    const items = this.held;
    this.held = [];
    for (const item of items) this.deliver(item);
  }

  private deliver(item: Buffer | 'end'): void {
    const ms = this.delayMs();
    if (ms <= 0 && this.chainIdle) {
      this.write(item);
      return;
    }
    this.chainIdle = false;
    this.chain = this.chain.then(
      () =>
        new Promise<void>((r) =>
          setTimeout(() => {
            this.write(item);
            r();
          }, ms),
        ),
    );
    const mine = this.chain;
    void mine.then(() => {
      if (this.chain === mine) this.chainIdle = true;
    });
  }

  private chainIdle = true;

  private write(item: Buffer | 'end'): void {
    if (this.to.destroyed) return;
    if (item === 'end') this.to.destroy();
    else this.to.write(item);
  }
}

/**
 * A controllable TCP proxy on 127.0.0.1 (port 0) in front of a real server, for fault tests: cut, stall (all or one
 * connection), slow, reset. Only loopback targets.
 *
 *   const proxy = await tcpProxy(TEST_DB.host, TEST_DB.port);
 *   // point dbkeeper at 127.0.0.1:proxy.port, then proxy.stall(); …; proxy.resume(); await proxy.close();
 */
export async function tcpProxy(host: string, port: number, opts: { open?: boolean } = {}): Promise<TcpProxy> {
  const pairs = new Set<ProxiedConnection>();
  let server: Server | null = null;
  let stallNew = false;
  let delayMs = 0;
  let nextId = 1;

  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const proxyPort = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));

  const pipesOf = new Map<ProxiedConnection, Pipe[]>();

  function accept(client: Socket): void {
    const upstream = connect(port, host);
    const pair: ProxiedConnection = { id: nextId++, client, upstream, stalled: stallNew };
    pairs.add(pair);
    const up = new Pipe(
      upstream,
      () => pair.stalled,
      () => delayMs,
    );
    const down = new Pipe(
      client,
      () => pair.stalled,
      () => delayMs,
    );
    pipesOf.set(pair, [up, down]);
    client.on('data', (d: Buffer) => up.push(d));
    upstream.on('data', (d: Buffer) => down.push(d));
    // An end is forwarded like data: held while stalled, so a peer never learns of it through a stalled link.
    client.on('close', () => up.push('end'));
    upstream.on('close', () => down.push('end'));
    const forget = () => {
      if (client.destroyed && upstream.destroyed) {
        pairs.delete(pair);
        pipesOf.delete(pair);
      }
    };
    client.on('error', () => undefined).on('close', forget);
    upstream.on('error', () => undefined).on('close', forget);
  }

  const proxy: TcpProxy = {
    port: proxyPort,
    get connections() {
      return [...pairs];
    },
    async open() {
      if (server) return;
      server = createServer(accept);
      await new Promise<void>((r) => server!.listen(proxyPort, '127.0.0.1', r));
    },
    cut() {
      for (const p of pairs) {
        p.client.destroy();
        p.upstream.destroy();
      }
    },
    stall(scope = 'all') {
      for (const p of pairs) p.stalled = true;
      stallNew = scope === 'all';
    },
    stallConnection(conn) {
      conn.stalled = true;
    },
    resume() {
      stallNew = false;
      for (const p of pairs) {
        p.stalled = false;
        for (const pipe of pipesOf.get(p) ?? []) pipe.flush();
      }
    },
    slow(ms) {
      delayMs = ms;
    },
    reset() {
      for (const p of pairs) {
        p.client.resetAndDestroy();
        p.upstream.resetAndDestroy();
      }
    },
    async close() {
      const s = server;
      server = null;
      proxy.cut();
      if (s) await new Promise((r) => s.close(r));
    },
  };
  if (opts.open !== false) await proxy.open();
  return proxy;
}
