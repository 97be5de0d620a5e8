// Chaos benchmark (issue 11): on a stack of its own (ports 39092/39093/38081/39001/35432/36379, a temp dir), with
// several generated AEMO days (NEMWEB look-alike) and an Elexon week (API double) served on 127.0.0.1:
//  1. a clean reference: `gridstream run --once` in namespace A;
//  2. the chaos run in namespace B: producers, processors and sinks as separate `gridstream produce/process/sink`
//     processes; for --minutes, random stages are killed -9 and started again (--kills-per-min), and the broker,
//     Postgres, the registry and Redis are taken down at random moments and brought back (the stack's own start);
//  3. everything drains; every table of B is compared with A row by row (primary key; ingest timestamps left out),
//     and every Redis view entry likewise.
// A stage process that exits on its own (not killed here) is a failure: stages must wait out their dependencies.
// Options: --minutes M (7), --kills-per-min K (15), --seed S (random), --days D (3 AEMO days), --faults F (12).
// Last line: `chaos: <k> kills, <f> infrastructure faults, <lost> lost, <doubled> doubled, <wrong> wrong`.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { log } from '../runtime/log.js';
import { repoRoot } from '../runtime/paths.js';
import { progressReporter } from '../runtime/progress.js';
import { addDays, datesBetween, periodOf } from '../schemas/elexon/calendar.js';
import { windowStart } from '../producers/elexon/cursor.js';
import { generatedDayTree, serveNemweb, type NemwebServer, type NemwebTree } from '../devkit/aemo/nemweb-tree.js';
import { startElexonApiDouble, type ElexonApiDouble } from '../devkit/elexon/api-double.js';
import { ChaosStack, SERVICES, type Service } from './chaos-stack.js';
import { compareSnapshots, digest, snapshot, type Difference, type Snapshot } from './chaos-digest.js';
import { arg, say } from './support.js';
import { mulberry32 } from '../devkit/random.js';

/** This bench never touches the stack the configuration names: bench/run.ts has no namespace of it to drop. */
export const ownStack = true;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The stage processes of the chaos run: each a `gridstream` command an operator would start. */
const STAGES: { name: string; args: string[] }[] = [
  { name: 'produce aemo', args: ['produce', 'aemo'] },
  { name: 'produce elexon', args: ['produce', 'elexon'] },
  { name: 'process scada+price', args: ['process', '--only', 'aemo_unit_scada,aemo_region_price'] },
  { name: 'process ic+rooftop', args: ['process', '--only', 'aemo_interconnector_flow,aemo_rooftop_pv,aemo_rooftop_pv_5min'] },
  { name: 'process elexon', args: ['process', '--only', 'elexon-curtailment'] },
  { name: 'sink scada+price', args: ['sink', '--only', 'aemo_unit_scada,aemo_region_price,aemo_price_latest'] },
  { name: 'sink ic+rooftop', args: ['sink', '--only', 'aemo_interconnector_flow,aemo_rooftop_pv,aemo_rooftop_pv_5min'] },
  { name: 'sink elexon', args: ['sink', '--only', 'elexon-curtailment-records'] },
];

/** The reference runs exactly the components the stage processes run (the map's other sources need their real APIs). */
const REFERENCE_ONLY = [...new Set(STAGES.flatMap((s) => (s.args[0] === 'produce' ? [s.args[1]!] : s.args[s.args.indexOf('--only') + 1]!.split(','))))].join(',');

interface Death {
  stage: string;
  code: number | null;
  signal: string | null;
  at: string;
  stderr: string;
}

/** One stage process: started, killed -9 by the bench, started again; an exit the bench did not cause is a death. */
class StageProcess {
  child: ChildProcess | undefined;
  stderr = '';
  starts = 0;
  private killing = false;
  stopped = false;

  constructor(
    readonly name: string,
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv,
    private readonly onDeath: (d: Death) => void,
  ) {}

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    if (this.stopped || this.running) return;
    this.starts++;
    this.killing = false;
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...this.args], { cwd: repoRoot, env: this.env, stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    child.stderr!.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-8000)));
    child.on('exit', (code, signal) => {
      if (this.killing || this.stopped) return;
      this.onDeath({ stage: this.name, code, signal, at: new Date().toISOString(), stderr: this.stderr.slice(-3000) });
      // Started again so the run goes on (and the comparison still means something); the death is reported.
      setTimeout(() => this.start(), 2000);
    });
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    this.killing = true;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await gone;
  }

  /** SIGTERM (a clean stop), SIGKILL after `ms`. */
  async stop(ms = 20_000): Promise<void> {
    this.stopped = true;
    const child = this.child;
    if (!child || !this.running) return;
    this.killing = true;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    await gone;
    clearTimeout(timer);
  }
}

/** Several consecutive generated NEM days in the Current dirs, as the live source reads them. */
function aemoTree(days: number): { tree: NemwebTree; days: string[] } {
  const first = '2025-12-24';
  const list = Array.from({ length: days }, (_, i) => addDays(first, i));
  const tree: NemwebTree = new Map();
  for (const day of list) for (const [path, file] of generatedDayTree({ day })) tree.set(path, file);
  return { tree, days: list };
}

function summary(diffs: Difference[]): { lost: number; doubled: number; wrong: number } {
  return diffs.reduce((s, d) => ({ lost: s.lost + d.lost, doubled: s.doubled + d.doubled, wrong: s.wrong + d.wrong }), { lost: 0, doubled: 0, wrong: 0 });
}

/** Seconds since the last stage of a namespace reported done, when every stage has; undefined otherwise. */
async function stagesDone(databaseUrl: string, ns: string): Promise<number | undefined> {
  const db = new pg.Client({ connectionString: databaseUrl });
  try {
    await db.connect();
    const r = await db.query<{ n: number; pending: number; since: number | null }>(
      `select count(*)::int as n, count(*) filter (where state <> 'done')::int as pending, extract(epoch from now() - max(updated_at))::float as since from ${ns}.stage_status`,
    );
    const row = r.rows[0];
    return row && row.n > 0 && row.pending === 0 && row.since !== null ? row.since : undefined;
  } catch {
    return undefined;
  } finally {
    await db.end().catch(() => undefined);
  }
}

/** One line: sizes and digests of every table and view of a snapshot. */
const describe = (s: Snapshot) => [...s.tables, ...s.redis].map(([n, e]) => `${n}=${e.size}`).join(' ');
const fingerprint = (s: Snapshot) => [...s.tables, ...s.redis].map(([n, e]) => `${n}:${digest(e)}`).join(',');

export async function main(args: string[]): Promise<void> {
  const minutes = Number(arg(args, '--minutes', '7'));
  const killsPerMin = Number(arg(args, '--kills-per-min', '15'));
  const seed = Number(arg(args, '--seed', String(Math.floor(Math.random() * 2 ** 31))));
  const aemoDays = Number(arg(args, '--days', '3'));
  const faultTarget = Number(arg(args, '--faults', '12'));
  if (![minutes, killsPerMin, seed, aemoDays, faultTarget].every((n) => Number.isFinite(n) && n >= 0)) throw new Error('--minutes, --kills-per-min, --seed, --days and --faults take numbers');
  const rng = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;

  const dir = mkdtempSync(join(tmpdir(), 'gridstream-chaos-'));
  const stack = new ChaosStack(dir);
  const tag = randomBytes(3).toString('hex');
  const refNs = `chaosref_${tag}`;
  const chaosNs = `chaosrun_${tag}`;
  let nemweb: NemwebServer | undefined;
  let elexon: ElexonApiDouble | undefined;
  const stages: StageProcess[] = [];
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      await Promise.all(stages.map((s) => s.stop()));
      await nemweb?.close().catch(() => undefined);
      await elexon?.close().catch(() => undefined);
      try {
        await stack.down();
      } catch (err) {
        process.stderr.write(`chaos stack not stopped cleanly: ${(err as Error).message}\n`);
      }
      rmSync(dir, { recursive: true, force: true });
    })());
  // Interrupted (Ctrl-C, a timeout's SIGTERM): the stage processes and the stack are stopped all the same.
  const interrupted = (signal: NodeJS.Signals) => {
    process.stderr.write(`chaos: ${signal}, stopping the stages and the chaos stack\n`);
    void cleanup().finally(() => process.exit(1));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const t0 = Date.now();
  const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(0)} s`;
  say(`chaos bench: seed ${seed}, ${minutes} min of chaos, ${killsPerMin} kills/min, ≥ ${faultTarget} infrastructure faults; stack in ${dir}`);
  try {
    say(`stack up (own ports, ${dir})`);
    for (const line of (await stack.up()).trim().split('\n')) say(`  ${line}`);

    const aemo = aemoTree(aemoDays);
    nemweb = await serveNemweb(aemo.tree);
    // The Elexon source follows the last 7 settlement days up to now; full days before today never change, so the
    // reference and the chaos run see the same week whatever the minute.
    const now = Date.now();
    const elexonDays = datesBetween(windowStart(now, 7), addDays(periodOf(now).date, -1));
    elexon = await startElexonApiDouble({ days: elexonDays });
    say(`data: AEMO ${aemo.days[0]}..${aemo.days.at(-1)} (${aemo.tree.size} NEMWEB files at ${nemweb.url}), Elexon ${elexonDays[0]}..${elexonDays.at(-1)} (${elexonDays.length} days at ${elexon.baseUrl})`);
    const common: NodeJS.ProcessEnv = {
      AEMO_BASE_URL: nemweb.url,
      ELEXON_BASE_URL: elexon.baseUrl,
      GRIDSTREAM_HTTP_PORT: '0',
      // A member killed -9 gives its partitions up after this; the stages retry their dependencies at most this far apart.
      GRIDSTREAM_SESSION_TIMEOUT_MS: '10000',
      GRIDSTREAM_BACKOFF_MIN_MS: '500',
      GRIDSTREAM_BACKOFF_MAX_MS: '5000',
      GRIDSTREAM_REGISTRY_MAX_BACKOFF_MS: '3000',
    };
    for (const ns of [refNs, chaosNs]) {
      for (const cmd of [['db', 'migrate'], ['topics', 'apply']]) {
        const r = await stack.cli(cmd, { ...common, GRIDSTREAM_NAMESPACE: ns });
        if (r.code !== 0) throw new Error(`${cmd.join(' ')} in ${ns} exited ${r.code}: ${r.stderr.slice(-2000)}`);
      }
    }

    say(`reference: gridstream run --once in namespace ${refNs}`);
    const tRef = Date.now();
    // `run --once` has been seen to stay alive after every stage reported done (a Kafka connection left open):
    // once every stage is done for a minute, it is stopped with SIGTERM, and that is reported.
    const stuck = new AbortController();
    const watch = setInterval(() => {
      void stagesDone(stack.databaseUrl, refNs).then((doneFor) => {
        if (doneFor !== undefined && doneFor > 60) {
          log.warn({ namespace: refNs, doneForSeconds: doneFor }, 'run --once still running a minute after every stage was done: stopping it (SIGTERM)');
          stuck.abort();
        }
      });
    }, 10_000);
    const ran = await stack.cli(['run', '--once', '--only', REFERENCE_ONLY], { ...common, GRIDSTREAM_NAMESPACE: refNs }, 900_000, stuck.signal);
    clearInterval(watch);
    if (stuck.signal.aborted) say('  NOTE: run --once did not exit after every stage was done; stopped with SIGTERM');
    if (ran.code !== 0) throw new Error(`reference run exited ${ran.code}: ${ran.stdout.slice(-2000)}${ran.stderr.slice(-3000)}`);
    const ref = await snapshot(stack.databaseUrl, stack.redisUrl, refNs);
    say(`  done in ${((Date.now() - tRef) / 1000).toFixed(0)} s: ${describe(ref)}`);

    // ---- the chaos run ----
    const deaths: Death[] = [];
    const stageEnv: NodeJS.ProcessEnv = { ...stack.env, ...common, GRIDSTREAM_NAMESPACE: chaosNs, LOG_LEVEL: 'warn' };
    for (const s of STAGES) {
      stages.push(
        new StageProcess(s.name, s.args, stageEnv, (d) => {
          deaths.push(d);
          log.error({ stage: d.stage, code: d.code, signal: d.signal, stderr: d.stderr.slice(-1500) }, 'a stage process exited on its own');
        }),
      );
    }
    say(`chaos run in namespace ${chaosNs}: ${stages.length} stage processes (${stages.map((s) => s.name).join(', ')})`);
    for (const s of stages) s.start();
    const chaosMs = minutes * 60_000;
    const start = Date.now();
    const end = start + chaosMs;
    let kills = 0;
    let faults = 0;
    let faultsDone = false;
    const restarts = new Set<Promise<void>>();
    const progress = progressReporter('chaos');
    const ticker = setInterval(() => progress.update(Math.min(chaosMs, Date.now() - start) / 1000, chaosMs / 1000), 1000);

    const killLoop = async () => {
      const every = 60_000 / Math.max(killsPerMin, 0.001);
      // Kills go on while the chaos window lasts, and while the faults still owed are dealt.
      // Kills are due on a schedule from the start (a random moment in each slot), so time the bench's own loop
      // spends blocked (pg_ctl and the stack's starts wait synchronously) is caught up rather than lost.
      for (let slot = 0; Date.now() < end || !faultsDone; slot++) {
        const due = start + slot * every + rng() * every;
        await sleep(Math.max(300, due - Date.now()));
        if (killsPerMin === 0) continue;
        const candidates = stages.filter((s) => s.running);
        if (!candidates.length) continue;
        const s = pick(candidates);
        await s.kill('SIGKILL');
        kills++;
        const downMs = 200 + Math.floor(rng() * 2800);
        log.info({ stage: s.name, kills, restartInMs: downMs }, 'stage killed -9');
        const p = sleep(downMs).then(() => s.start());
        restarts.add(p);
        void p.finally(() => restarts.delete(p));
      }
    };

    const faultLoop = async () => {
      const slot = chaosMs / Math.max(faultTarget, 1);
      let order: Service[] = [];
      for (let i = 0; faults < faultTarget || Date.now() < end; i++) {
        // A random moment inside this fault's slot of the window (at once when behind).
        const due = start + i * slot + rng() * slot * 0.5;
        if (due > Date.now()) await sleep(due - Date.now());
        if (Date.now() >= end && faults >= faultTarget) break;
        if (!order.length) order = [...SERVICES].sort(() => rng() - 0.5);
        const service = order.shift()!;
        const what = stack.fault(service, rng() < 0.5);
        if (what === undefined) {
          log.warn({ service }, 'service not running: no fault dealt; bringing it up');
          await stack.restore(service);
          continue;
        }
        faults++;
        const outageMs = 2000 + Math.floor(rng() * 8000);
        log.info({ service, what, faults, outageMs }, 'infrastructure fault');
        await sleep(outageMs);
        const t = Date.now();
        await stack.restore(service);
        log.info({ service, seconds: (Date.now() - t) / 1000 }, 'infrastructure back');
      }
      faultsDone = true;
    };

    await Promise.all([killLoop(), faultLoop()]);
    clearInterval(ticker);
    progress.done();
    await Promise.all(restarts);
    for (const service of SERVICES) await stack.restore(service);
    for (const s of stages) s.start();
    say(`  chaos over after ${((Date.now() - start) / 1000).toFixed(0)} s: ${kills} kills, ${faults} infrastructure faults, ${deaths.length} stage exits of their own`);

    // ---- drain: until the chaos namespace equals the reference, or nothing has changed for a while ----
    const settleMs = 240_000;
    const drainMax = Date.now() + 900_000;
    let last = '';
    let lastChange = Date.now();
    let got = await snapshot(stack.databaseUrl, stack.redisUrl, chaosNs);
    const tDrain = Date.now();
    for (;;) {
      const f = fingerprint(got);
      if (f === fingerprint(ref)) break;
      if (f !== last) {
        last = f;
        lastChange = Date.now();
      }
      if (Date.now() - lastChange > settleMs || Date.now() > drainMax) break;
      await sleep(5000);
      got = await snapshot(stack.databaseUrl, stack.redisUrl, chaosNs);
    }
    say(`  drained in ${((Date.now() - tDrain) / 1000).toFixed(0)} s: ${describe(got)}`);
    const alive = stages.filter((s) => s.running).length;

    const diff = compareSnapshots(ref, got);
    say('table / view                           reference     chaos   lost doubled  wrong');
    for (const d of [...diff.tables, ...diff.redis]) {
      say(`  ${d.name.padEnd(36)} ${String(d.reference).padStart(9)} ${String(d.chaos).padStart(9)} ${String(d.lost).padStart(6)} ${String(d.doubled).padStart(7)} ${String(d.wrong).padStart(6)}${d.same ? '  same digest' : ''}`);
      for (const e of d.examples) say(`      ${e}`);
    }
    for (const d of deaths) say(`  DEAD: ${d.stage} exited on its own (code ${d.code}, signal ${d.signal}) at ${d.at}: ${d.stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 600)}`);
    say(`stages: ${stages.map((s) => `${s.name} ${s.starts} starts`).join(', ')}; ${alive}/${stages.length} running at the end; ${deaths.length} exited on their own`);
    say(`total ${elapsed()}`);
    const total = summary([...diff.tables, ...diff.redis]);
    if (total.lost + total.doubled + total.wrong > 0 || deaths.length > 0 || alive < stages.length) process.exitCode = 1;
    say(`chaos: ${kills} kills, ${faults} infrastructure faults, ${total.lost} lost, ${total.doubled} doubled, ${total.wrong} wrong`);
  } finally {
    await cleanup();
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
  }
}
