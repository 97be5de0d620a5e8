// What every long-running command starts beside its stages: the HTTP server (health, readiness, metrics, status page)
// and the writer that publishes its stage states to Postgres for `gridstream status`. Stopped together at the end.
import { renameSync, writeFileSync } from 'node:fs';
import { config } from './config.js';
import { httpServerUrl, startHttpServer, stopHttpServer } from './http-server.js';
import { log } from './log.js';
import { registry } from './metrics.js';
import type { Dependency } from './stages.js';
import { startStageStatusWriter } from './stage-status-store.js';

export interface ProcessServices {
  url: string | undefined;
  stop: () => Promise<void>;
}

export async function startProcessServices(o: { dependencies: Dependency[]; writeStageStatus?: boolean }): Promise<ProcessServices> {
  const c = config().http;
  const server = await startHttpServer({ host: c.host, port: c.port, dependencies: o.dependencies, inspect: true, historyEveryMs: c.historySampleMs });
  const stopWriter = o.writeStageStatus === false ? async () => undefined : startStageStatusWriter({ httpUrl: httpServerUrl });
  return {
    url: server?.url,
    stop: async () => {
      await stopWriter();
      await writeMetricsFile();
      await stopHttpServer();
    },
  };
}

/**
 * A short run (`--once`) ends before anything scrapes it: when GRIDSTREAM_METRICS_FILE is set, its final metrics are
 * written there (the node_exporter textfile collector's format), last-success timestamps included.
 */
async function writeMetricsFile(): Promise<void> {
  const file = config().metricsFile;
  if (!file) return;
  try {
    writeFileSync(`${file}.tmp`, await registry.metrics());
    renameSync(`${file}.tmp`, file);
  } catch (err) {
    log.warn({ file, err: (err as Error).message }, 'could not write the metrics file');
  }
}
