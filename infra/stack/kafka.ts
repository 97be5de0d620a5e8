// Apache Kafka from its Maven Central jars: single node, KRaft combined broker + controller, on 127.0.0.1.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { STACK_PORTS } from '../../runtime/stack-ports.js';
import { alive, ensureDir, readPid, removeFile, repoRoot, run, stackDir, startDaemon, stopPid, waitFor, which } from './proc.js';
import type { Service } from './service.js';
import { readSetting } from '../../runtime/settings.js';

const home = join(stackDir, 'kafka');
const libs = join(home, 'libs');
const dataDir = join(home, 'data');
const logsDir = join(home, 'logs');
const pidFile = join(home, 'kafka.pid');
const pom = join(repoRoot, 'infra', 'kafka', 'pom.xml');

// Sized for a 2-core machine: the broker needs little heap for test and demo volumes.
const jvm = ['-Xms256m', '-Xmx768m', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-Djava.awt.headless=true'];

function serverProperties(): string {
  const { kafka, kafkaController } = STACK_PORTS;
  return `# Written by gridstream stack; single node, KRaft combined mode.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:${kafkaController}
listeners=PLAINTEXT://127.0.0.1:${kafka},CONTROLLER://127.0.0.1:${kafkaController}
advertised.listeners=PLAINTEXT://127.0.0.1:${kafka}
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=${dataDir}
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
delete.topic.enable=true
num.network.threads=2
num.io.threads=4
log.segment.bytes=67108864
log.cleaner.dedupe.buffer.size=33554432
# A transaction left open by a SIGKILLed producer is aborted after this long (tests kill processors on purpose).
transaction.max.timeout.ms=900000
`;
}

const log4j2 = `status = warn
appender.file.type = RollingFile
appender.file.name = file
appender.file.fileName = \${sys:kafka.logs.dir}/server.log
appender.file.filePattern = \${sys:kafka.logs.dir}/server.log.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 20MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 3
rootLogger.level = info
rootLogger.appenderRef.file.ref = file
logger.kafka.name = kafka
logger.kafka.level = info
logger.apache.name = org.apache.kafka
logger.apache.level = warn
`;

/** Resolves the broker's classpath with Maven once; a changed pom re-resolves it. */
function ensureLibs(): void {
  const stamp = join(libs, '.pom-sha256');
  const want = createHash('sha256').update(readFileSync(pom)).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  if (!which('mvn')) throw new Error('mvn not found: install Maven (apt-get install maven) to fetch the Kafka jars');
  rmSync(libs, { recursive: true, force: true });
  run('mvn', ['-q', '-B', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${libs}`, '-DincludeScope=runtime']);
  if (!readdirSync(libs).some((f) => f.startsWith('kafka_2.13-'))) throw new Error(`Maven did not copy kafka_2.13 into ${libs}`);
  writeFileSync(stamp, want);
}

function java(): string {
  const j = readSetting('GRIDSTREAM_KAFKA_JAVA') ?? which('java');
  if (!j) throw new Error('java not found: Kafka needs Java 17 or newer (apt-get install openjdk-17-jre-headless)');
  return j;
}

export const brokers = () => `127.0.0.1:${STACK_PORTS.kafka}`;

export async function kafkaAnswers(list = [brokers()]): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'gridstream-stack-probe',
    brokers: list,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 3000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export const kafka: Service = {
  name: 'kafka',
  where: () => brokers(),
  pid: () => readPid(pidFile),
  answers: () => kafkaAnswers(),
  async start() {
    ensureLibs();
    ensureDir(logsDir);
    const props = join(home, 'server.properties');
    writeFileSync(props, serverProperties());
    writeFileSync(join(home, 'log4j2.properties'), log4j2);
    const cp = `${libs}/*`;
    if (!existsSync(join(dataDir, 'meta.properties'))) {
      // Any 16 random bytes, base64url without padding, is a valid cluster id.
      const clusterId = randomBytes(16).toString('base64url');
      run(java(), [...jvm, '-cp', cp, 'kafka.tools.StorageTool', 'format', '--standalone', '--cluster-id', clusterId, '--config', props]);
    }
    const pid = startDaemon(
      java(),
      [...jvm, `-Dkafka.logs.dir=${logsDir}`, `-Dlog4j2.configurationFile=${join(home, 'log4j2.properties')}`, '-cp', cp, 'kafka.Kafka', props],
      { logFile: join(logsDir, 'stdout.log'), pidFile },
    );
    await waitFor('kafka', () => kafkaAnswers(), { timeoutMs: 90_000, isDead: () => !alive(pid), logFile: join(logsDir, 'server.log') });
  },
  async stop() {
    await stopPid(readPid(pidFile), 30_000);
    removeFile(pidFile);
  },
};
