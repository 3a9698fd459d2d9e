import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MetricsHandlers {
  /** The exposition text (refreshed as needed) and its content type. */
  metrics(): Promise<{ contentType: string; text: string }>;
  /** null when healthy, else the reason (503). */
  unhealthy(): Promise<string | null>;
}

/** GET /metrics and /healthz; anything else 404. Listens on host:port (0 = a free port); resolves with the port. */
export function listenMetrics(
  host: string,
  port: number,
  h: MetricsHandlers,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (code: number, type: string, body: string) => {
      res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'GET only\n');
    if (path === '/metrics') {
      h.metrics().then(
        (m) => send(200, m.contentType, m.text),
        (err: unknown) => send(500, 'text/plain', `metrics failed: ${(err as Error).message}\n`),
      );
    } else if (path === '/healthz') {
      h.unhealthy().then(
        (reason) => (reason === null ? send(200, 'text/plain', 'ok\n') : send(503, 'text/plain', `${reason}\n`)),
        (err: unknown) => send(503, 'text/plain', `health check failed: ${(err as Error).message}\n`),
      );
    } else send(404, 'text/plain', 'not found: /metrics, /healthz\n');
  });
  // A scrape must never hold the worker's shutdown.
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      server.unref();
      resolve({ server, port: (server.address() as AddressInfo).port });
    });
  });
}
