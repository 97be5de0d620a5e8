// A Kafka Connect 4.1.1 standalone worker with the Debezium JDBC sink and Apicurio's Avro converter, for the
// kafka-connect bench: jars fetched from Maven Central like the stack's Kafka (infra/kafka-connect/*/pom.xml, cached
// in .stack/kafka-connect with the pom's hash), one worker per bench run, connectors created and deleted over REST.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDir, portOpen, repoRoot, run, sleep, stackDir, tail, which } from '../infra/stack/proc.js';
import { readSetting } from '../runtime/settings.js';

const home = join(stackDir, 'kafka-connect');
const workerLibs = join(home, 'worker');
const pluginsDir = join(home, 'plugins');
const pluginLibs = join(pluginsDir, 'debezium-jdbc');
const pomOf = (part: 'worker' | 'plugin') => join(repoRoot, 'infra', 'kafka-connect', part, 'pom.xml');

export const CONNECTOR_CLASS = 'io.debezium.connector.jdbc.JdbcSinkConnector';

/** Copies a pom's runtime dependencies into `dir` once; a changed pom copies them again. */
function resolveJars(pom: string, dir: string, extra: string[] = []): boolean {
  const stamp = join(dir, '.pom-sha256');
  const want = createHash('sha256').update(readFileSync(pom)).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return false;
  if (!which('mvn')) throw new Error('mvn not found: install Maven (apt-get install maven) to fetch Kafka Connect and the Debezium JDBC sink');
  rmSync(dir, { recursive: true, force: true });
  run('mvn', ['-q', '-B', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${dir}`, '-DincludeScope=runtime', ...extra]);
  writeFileSync(stamp, want);
  return true;
}

const artifactOf = (jar: string) => jar.replace(/-\d[^-]*(-[^-]*)?\.jar$/, '');

/** The worker's classpath and the plugin directory, fetched on first use. */
export function ensureConnectJars(): void {
  resolveJars(pomOf('worker'), workerLibs);
  if (!readdirSync(workerLibs).some((f) => f.startsWith('connect-runtime-'))) throw new Error(`Maven did not copy connect-runtime into ${workerLibs}`);
  // Kafka's own API and slf4j come from the worker (the plugin loader delegates them to it anyway).
  if (resolveJars(pomOf('plugin'), pluginLibs, ['-DexcludeGroupIds=org.apache.kafka,org.slf4j'])) {
    // A second copy of a Jackson jar the worker already has makes Jackson's ServiceLoader see the worker's modules
    // as foreign ("Jdk8Module not a subtype" from Hibernate): the plugin uses the worker's.
    const workerArtifacts = new Set(readdirSync(workerLibs).map(artifactOf));
    for (const jar of readdirSync(pluginLibs)) {
      if (jar.startsWith('jackson-') && workerArtifacts.has(artifactOf(jar))) rmSync(join(pluginLibs, jar));
    }
  }
  if (!readdirSync(pluginLibs).some((f) => f.startsWith('debezium-connector-jdbc-'))) throw new Error(`Maven did not copy debezium-connector-jdbc into ${pluginLibs}`);
}

function java(): string {
  const j = readSetting('GRIDSTREAM_KAFKA_JAVA') ?? which('java');
  if (!j) throw new Error('java not found: Kafka Connect needs Java 17 or newer (apt-get install openjdk-17-jre-headless)');
  return j;
}

const log4j2 = `status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = \${sys:connect.log.file}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = warn
rootLogger.appenderRef.file.ref = file
logger.worker.name = org.apache.kafka.connect.runtime.Worker
logger.worker.level = info
`;

export interface ConnectWorker {
  url: string;
  pid: number;
  logFile: string;
  /** The worker's CPU time so far (user + system), in ms, from /proc. */
  cpuMs(): number;
  createConnector(name: string, config: Record<string, string>): Promise<void>;
  /** The connector's task state, with the trace of a failed task. */
  taskState(name: string): Promise<{ state: string; trace?: string }>;
  deleteConnector(name: string): Promise<void>;
  /** Stops the worker; its working files (the log among them) are removed unless `keepFiles`. */
  stop(keepFiles?: boolean): Promise<void>;
}

async function rest(url: string, init?: RequestInit): Promise<Response> {
  return fetch(url, { ...init, headers: { 'content-type': 'application/json', accept: 'application/json' }, signal: AbortSignal.timeout(30_000) });
}

/** Starts a standalone worker on `port` (127.0.0.1) and waits until its REST API lists the JDBC sink. */
export async function startConnectWorker(o: { port: number; brokers: string }): Promise<ConnectWorker> {
  if (await portOpen(o.port)) throw new Error(`something already listens on 127.0.0.1:${o.port}: pass --rest-port with a free port`);
  ensureConnectJars();
  const dir = mkdtempSync(join(ensureDir(home), 'run-'));
  const logFile = join(dir, 'connect.log');
  const props = join(dir, 'worker.properties');
  writeFileSync(
    props,
    [
      `bootstrap.servers=${o.brokers}`,
      `listeners=http://127.0.0.1:${o.port}`,
      `offset.storage.file.filename=${join(dir, 'offsets')}`,
      `plugin.path=${pluginsDir}`,
      // Apicurio's converter ships no ServiceLoader manifest, so service_load would not find it: scan the jars.
      'plugin.discovery=only_scan',
      'key.converter=org.apache.kafka.connect.storage.StringConverter',
      'value.converter=org.apache.kafka.connect.json.JsonConverter',
      // Each connector names its own consumer group (in the bench's namespace, so the namespace drop removes it).
      'connector.client.config.override.policy=All',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'log4j2.properties'), log4j2);
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(
      java(),
      ['-Xms256m', '-Xmx1g', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-Djava.awt.headless=true', `-Dconnect.log.file=${logFile}`, `-Dlog4j2.configurationFile=${join(dir, 'log4j2.properties')}`, '-cp', `${workerLibs}/*`, 'org.apache.kafka.connect.cli.ConnectStandalone', props],
      { stdio: ['ignore', fd, fd] },
    );
  } finally {
    closeSync(fd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start the Kafka Connect worker');
  let exited = false;
  child.once('exit', () => (exited = true));
  // The worker must not outlive the bench, whatever ends it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const url = `http://127.0.0.1:${o.port}`;

  const worker: ConnectWorker = {
    url,
    pid,
    logFile,
    cpuMs() {
      // /proc/<pid>/stat: fields 14 and 15 are utime and stime in clock ticks (100 per second on Linux).
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
      return (Number(fields[11]) + Number(fields[12])) * 10;
    },
    async createConnector(name, config) {
      const r = await rest(`${url}/connectors`, { method: 'POST', body: JSON.stringify({ name, config }) });
      if (!r.ok) throw new Error(`creating connector ${name}: HTTP ${r.status} ${await r.text()}`);
    },
    async taskState(name) {
      const r = await rest(`${url}/connectors/${encodeURIComponent(name)}/status`);
      if (!r.ok) return { state: `HTTP ${r.status}` };
      const s = (await r.json()) as { connector: { state: string; trace?: string }; tasks: { state: string; trace?: string }[] };
      if (s.connector.state === 'FAILED') return s.connector;
      return s.tasks[0] ?? { state: 'UNASSIGNED' };
    },
    async deleteConnector(name) {
      const r = await rest(`${url}/connectors/${encodeURIComponent(name)}`, { method: 'DELETE' });
      if (!r.ok && r.status !== 404) throw new Error(`deleting connector ${name}: HTTP ${r.status} ${await r.text()}`);
    },
    async stop(keepFiles = false) {
      process.removeListener('exit', killOnExit);
      if (!exited) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await gone;
        clearTimeout(t);
      }
      if (!keepFiles) rmSync(dir, { recursive: true, force: true });
    },
  };

  // Scanning the plugin's jars takes a while on a busy machine.
  const deadline = Date.now() + 240_000;
  for (;;) {
    if (exited) throw new Error(`Kafka Connect exited during start-up; see ${logFile}\n${tail(logFile)}`);
    const plugins = await rest(`${url}/connector-plugins`)
      .then(async (r) => (r.ok ? ((await r.json()) as { class: string }[]) : []))
      .catch(() => []);
    if (plugins.some((p) => p.class === CONNECTOR_CLASS)) return worker;
    if (Date.now() > deadline) {
      await worker.stop(true);
      throw new Error(`Kafka Connect did not list ${CONNECTOR_CLASS} within 240 s; see ${logFile}\n${tail(logFile)}`);
    }
    await sleep(500);
  }
}
