// Exactly once under crashes: the processor and the Postgres sink run as separate processes and are SIGKILLed at
// random points, ten times over, while more raw records keep arriving. After a final clean run the table holds
// exactly the well-formed records with their values, and the clean topic (read_committed) holds each key once.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../runtime/paths.js';
import { closePool } from '../../runtime/db.js';
import { readTopic } from '../../runtime/inspect.js';
import { runPgSink } from '../../runtime/pg-sink-runner.js';
import { runProcessor } from '../../runtime/processor-runner.js';
import { runSource } from '../../runtime/producer-runner.js';
import { testFlow, type TestFlow } from '../support/flow.js';
import { expectedReadings, tableDump } from '../support/expect.js';

const COUNT = 10_000;
const UNITS = 50;
const MALFORMED = [17, 4242, 9999];
const ROUNDS = 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Small fetches make small batches, so a kill lands between many transactions; a short session lets the restarted
// member take the partitions over quickly from the killed one.
const workerEnv = { ...process.env, GRIDSTREAM_FETCH_MAX_BYTES: '4096', GRIDSTREAM_SESSION_TIMEOUT_MS: '6000', LOG_LEVEL: 'warn' };

function startWorker(id: string, stage: 'process' | 'sink'): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'test/support/stage-worker.ts', id, stage], { cwd: repoRoot, env: workerEnv, stdio: ['ignore', 'ignore', 'pipe'] });
}

async function kill(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const gone = new Promise((r) => p.once('exit', r));
  p.kill('SIGKILL');
  await gone;
}

let f: TestFlow;
beforeAll(async () => {
  f = await testFlow('crash');
});
afterAll(closePool);

describe('SIGKILL at random points', () => {
  it(`leaves exactly ${COUNT - MALFORMED.length} correct rows and no duplicate clean record after ${ROUNDS} kills`, async () => {
    const killedAfter: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // More raw data arrives every round (the source resumes from its cursor).
      await runSource(f.source, { serde: f.serde, once: true, options: { count: ((round + 1) * COUNT) / ROUNDS, units: UNITS, malformed: MALFORMED, batchSize: 250 } });
      const workers = [startWorker(f.id, 'process'), startWorker(f.id, 'sink')];
      const ms = 1500 + Math.floor(Math.random() * 6000);
      await sleep(ms);
      await Promise.all(workers.map(kill));
      killedAfter.push(ms);
    }
    expect(killedAfter.length).toBe(ROUNDS);

    // A clean run drains what is left, in the same groups (and transactional ids) the killed workers used.
    await runProcessor(f.processor, { serde: f.serde, mode: 'drain' });
    await runPgSink(f.table, { serde: f.serde, mode: 'drain' });

    expect(await tableDump(f.table.table)).toEqual(expectedReadings(COUNT, UNITS, MALFORMED));

    const clean = await readTopic(f.processor.output.name, { idleMs: 4000 });
    const keys = new Set(clean.map((m) => m.key));
    expect(clean.length).toBe(COUNT - MALFORMED.length);
    expect(keys.size).toBe(COUNT - MALFORMED.length);

    const dead = await readTopic(`dlq.${f.source.topics[0]!.name}`);
    expect(dead.length).toBe(MALFORMED.length);
  }, 600_000);
});
