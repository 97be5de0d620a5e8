// Apicurio Registry from Maven Central (Quarkus fast-jar `all` assembly), in-memory storage, serving the
// Confluent-compatible API at /apis/ccompat/v7 that @kafkajs/confluent-schema-registry speaks.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { STACK_PORTS } from '../../runtime/stack-ports.js';
import { alive, ensureDir, readPid, removeFile, run, stackDir, startDaemon, stopPid, waitFor, which } from './proc.js';
import type { Service } from './service.js';
import { readSetting } from '../../runtime/settings.js';

export const APICURIO_VERSION = '3.3.3';
const home = join(stackDir, 'registry');
const appDir = join(home, `apicurio-${APICURIO_VERSION}`);
const pidFile = join(home, 'registry.pid');
const logFile = join(home, 'logs', 'registry.log');

export const registryUrl = () => `http://127.0.0.1:${STACK_PORTS.registry}/apis/ccompat/v7`;

function ensureApp(): void {
  if (existsSync(join(appDir, 'quarkus-run.jar'))) return;
  if (!which('mvn')) throw new Error('mvn not found: install Maven (apt-get install maven) to fetch Apicurio Registry');
  const dist = ensureDir(join(home, 'dist'));
  run('mvn', ['-q', '-B', 'dependency:copy', `-Dartifact=io.apicurio:apicurio-registry-app:${APICURIO_VERSION}:tar.gz:all`, `-DoutputDirectory=${dist}`]);
  const archive = readdirSync(dist).find((f) => f.includes(APICURIO_VERSION) && f.endsWith('.tar.gz'));
  if (!archive) throw new Error(`Maven did not fetch apicurio-registry-app ${APICURIO_VERSION}`);
  rmSync(appDir, { recursive: true, force: true });
  ensureDir(appDir);
  run('tar', ['-xzf', join(dist, archive), '-C', appDir]);
  rmSync(join(dist, archive));
}

/** Apicurio 3.3 is built for Java 21: use JAVA_HOME or any JDK under /usr/lib/jvm that is 21 or newer. */
export function findJava21(): string {
  const candidates = [readSetting('GRIDSTREAM_REGISTRY_JAVA'), process.env.JAVA_HOME && join(process.env.JAVA_HOME, 'bin', 'java'), which('java')];
  if (existsSync('/usr/lib/jvm')) for (const d of readdirSync('/usr/lib/jvm')) candidates.push(join('/usr/lib/jvm', d, 'bin', 'java'));
  for (const c of candidates) {
    if (!c || !existsSync(c)) continue;
    // `java -XshowSettings:properties -version` prints its settings on stderr.
    const r = spawnSync(c, ['-XshowSettings:properties', '-version'], { encoding: 'utf8' });
    const m = /java\.specification\.version = (\d+)/.exec(`${r.stdout}${r.stderr}`);
    if (m && Number(m[1]) >= 21) return c;
  }
  throw new Error('Apicurio Registry needs Java 21 or newer: set GRIDSTREAM_REGISTRY_JAVA or JAVA_HOME to one (none found under /usr/lib/jvm)');
}

export async function registryAnswers(url = registryUrl()): Promise<boolean> {
  const r = await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(2000) });
  return r.ok;
}

export const registry: Service = {
  name: 'registry',
  where: () => registryUrl(),
  pid: () => readPid(pidFile),
  answers: () => registryAnswers(),
  async start() {
    ensureApp();
    const props = {
      'quarkus.http.host': '127.0.0.1',
      'quarkus.http.port': STACK_PORTS.registry,
      'quarkus.management.host': '127.0.0.1',
      'quarkus.management.port': STACK_PORTS.registryManagement,
      // H2 in a file under .stack, not in memory: Kafka's log outlives a stack restart, and the schema ids its
      // records carry must still resolve afterwards.
      'apicurio.datasource.url': `jdbc:h2:file:${join(home, 'data', 'registry')}`,
      'apicurio.datasource.jdbc.initial-size': 2,
      'apicurio.datasource.jdbc.min-size': 2,
      'apicurio.datasource.jdbc.max-size': 10,
      'apicurio.rest.deletion.artifact.enabled': true,
      'apicurio.rest.deletion.artifact-version.enabled': true,
      'apicurio.rest.deletion.group.enabled': true,
      'quarkus.log.level': 'WARN',
    };
    const args = ['-Xms128m', '-Xmx512m', '-XX:+UseSerialGC', ...Object.entries(props).map(([k, v]) => `-D${k}=${v}`), '-jar', 'quarkus-run.jar'];
    const pid = startDaemon(findJava21(), args, { cwd: appDir, logFile, pidFile });
    await waitFor('registry', () => registryAnswers(), { timeoutMs: 90_000, isDead: () => !alive(pid), logFile });
  },
  async stop() {
    await stopPid(readPid(pidFile));
    removeFile(pidFile);
  },
};
