// Prometheus metrics (prom-client) for every stage, served on /metrics by the process's HTTP server
// (runtime/http-server.ts). Names follow Prometheus conventions: counters end in _total, durations in _seconds,
// gauges carry their unit (_records); Node's default metrics keep their stock names so stock dashboards work.
import client from 'prom-client';
import { packageVersion } from './paths.js';
import { STAGE_STATES, stageBoard } from './supervisor.js';

export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });

const labels = ['stage'] as const;
export const metrics = {
  recordsIn: new client.Counter({ name: 'gridstream_records_in_total', help: 'Records a stage consumed or fetched', labelNames: labels, registers: [registry] }),
  recordsOut: new client.Counter({ name: 'gridstream_records_out_total', help: 'Records a stage produced or wrote', labelNames: labels, registers: [registry] }),
  recordsRejected: new client.Counter({ name: 'gridstream_records_rejected_total', help: 'Records sent to a dead-letter topic', labelNames: labels, registers: [registry] }),
  batchDuration: new client.Histogram({
    name: 'gridstream_batch_duration_seconds',
    help: 'Time to process one consumed batch, durable effects included',
    labelNames: labels,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  }),
  consumerLag: new client.Gauge({
    name: 'gridstream_consumer_lag_records',
    help: 'Committed records not yet processed, per partition (transaction markers not counted); sampled on a timer',
    labelNames: ['stage', 'topic', 'partition'],
    registers: [registry],
  }),
  httpRequests: new client.Counter({ name: 'gridstream_http_requests_total', help: 'HTTP requests by source and status', labelNames: ['source', 'status'], registers: [registry] }),
  viewRefused: new client.Counter({ name: 'gridstream_view_refused_total', help: 'Redis view writes refused by the memory guard', labelNames: ['view'], registers: [registry] }),
  dependencyErrors: new client.Counter({ name: 'gridstream_dependency_errors_total', help: 'Outages of a dependency a stage waited out (registry) or survived (idle Postgres connections lost)', labelNames: ['dependency'], registers: [registry] }),
  sinkRows: new client.Counter({ name: 'gridstream_sink_rows_total', help: 'Rows a Postgres sink inserted or changed', labelNames: ['sink'], registers: [registry] }),
  sinkBatches: new client.Counter({
    name: 'gridstream_sink_batches_total',
    help: 'Batches a Postgres sink committed, by how it wrote them: avro-copy (COPY lines from the Avro bytes) or decoded (COPY or upsert of decoded values)',
    labelNames: ['sink', 'write'],
    registers: [registry],
  }),
  stageFailures: new client.Counter({ name: 'gridstream_stage_failures_total', help: 'Failures of a supervised stage (each restart follows one)', labelNames: labels, registers: [registry] }),
  stageRestarts: new client.Counter({ name: 'gridstream_stage_restarts_total', help: 'Restarts of a supervised stage after a failure', labelNames: labels, registers: [registry] }),
};

// Read from the stage board at scrape time, so they are never stale.
new client.Gauge({
  name: 'gridstream_stage_state',
  help: 'State of each supervised stage of this process: 1 for its current state, 0 for the others',
  labelNames: ['stage', 'state'],
  registers: [registry],
  collect() {
    this.reset();
    for (const r of stageBoard.snapshot()) for (const s of STAGE_STATES) this.set({ stage: r.name, state: s }, r.state === s ? 1 : 0);
  },
});
new client.Gauge({
  name: 'gridstream_stage_last_success_timestamp_seconds',
  help: 'When the stage last did its job (batch committed, poll completed, caught up, --once finished), Unix seconds',
  labelNames: labels,
  registers: [registry],
  collect() {
    this.reset();
    for (const r of stageBoard.snapshot()) if (r.lastSuccess !== null) this.set({ stage: r.name }, r.lastSuccess / 1000);
  },
});
new client.Gauge({ name: 'gridstream_build_info', help: 'Version of gridstream and of Node; always 1', labelNames: ['version', 'node'], registers: [registry] }).set(
  { version: packageVersion, node: process.versions.node },
  1,
);

// Failures and restarts are counted from the stage board's changes; both series exist from the stage's start (at 0)
// so rate() sees the first failure.
const counted = new Map<string, { failures: number; restarts: number }>();
stageBoard.onChange((r) => {
  const before = counted.get(r.name) ?? { failures: 0, restarts: 0 };
  metrics.stageFailures.inc({ stage: r.name }, r.failures - before.failures);
  metrics.stageRestarts.inc({ stage: r.name }, r.restarts - before.restarts);
  counted.set(r.name, { failures: r.failures, restarts: r.restarts });
});
