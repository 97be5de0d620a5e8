// Prometheus metrics (prom-client) for every stage, served on /metrics when METRICS_PORT is set.
import { createServer, type Server } from 'node:http';
import client from 'prom-client';
import { log } from './log.js';

export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry, prefix: 'gridstream_' });

const labels = ['stage'] as const;
export const metrics = {
  recordsIn: new client.Counter({ name: 'gridstream_records_in_total', help: 'Records a stage consumed or fetched', labelNames: labels, registers: [registry] }),
  recordsOut: new client.Counter({ name: 'gridstream_records_out_total', help: 'Records a stage produced or wrote', labelNames: labels, registers: [registry] }),
  recordsRejected: new client.Counter({ name: 'gridstream_records_rejected_total', help: 'Records sent to a dead-letter topic', labelNames: labels, registers: [registry] }),
  batchSeconds: new client.Histogram({
    name: 'gridstream_batch_seconds',
    help: 'Time to process one consumed batch, durable effects included',
    labelNames: labels,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  }),
  consumerLag: new client.Gauge({ name: 'gridstream_consumer_lag', help: 'Messages behind the high watermark, per partition', labelNames: ['stage', 'topic', 'partition'], registers: [registry] }),
  httpRequests: new client.Counter({ name: 'gridstream_http_requests_total', help: 'HTTP requests by source and status', labelNames: ['source', 'status'], registers: [registry] }),
  viewRefused: new client.Counter({ name: 'gridstream_view_refused_total', help: 'Redis view writes refused by the memory guard', labelNames: ['view'], registers: [registry] }),
  dependencyErrors: new client.Counter({ name: 'gridstream_dependency_errors_total', help: 'Outages of a dependency a stage waited out (registry) or survived (idle Postgres connections lost)', labelNames: ['dependency'], registers: [registry] }),
  sinkRows: new client.Counter({ name: 'gridstream_sink_rows_total', help: 'Rows a Postgres sink inserted or changed', labelNames: ['sink'], registers: [registry] }),
};

let server: Server | undefined;

export function serveMetrics(port: number): Server {
  server ??= createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry
      .metrics()
      .then((body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body))
      .catch((err: unknown) => res.writeHead(500).end(String(err)));
  }).listen(port, '127.0.0.1', () => log.info({ port }, 'metrics on /metrics'));
  return server;
}

export function stopMetrics(): void {
  server?.close();
  server = undefined;
}
