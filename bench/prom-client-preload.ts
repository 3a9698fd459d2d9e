// Preloaded by `npm run bench:worker-rss` (node --import) into one worker: what a metrics listener would add at idle
// (prom-client, its default metrics, an HTTP listener on loopback). Not part of dbkeeper; a headroom estimate.
import { createServer } from 'node:http';
import client from 'prom-client';

const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });
const server = createServer((_req, res) => {
  void registry.metrics().then((text) => res.end(text));
});
server.listen(0, '127.0.0.1');
server.unref();
