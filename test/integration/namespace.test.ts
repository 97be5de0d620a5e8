// Namespaces on the real stack: a flow run in namespace A adds topics, consumer groups, schema subjects, a Postgres
// schema with rows and Redis keys under A's prefix and nowhere else (not in the production namespace, not in
// namespace B next to it); `gridstream status` there reports the pipeline's groups only unless --all; and
// `gridstream namespace drop A` leaves nothing of A. Other test files run at the same time in this run's own
// namespace, so what they add is set aside when comparing.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../runtime/paths.js';
import { namespace, namespaceOf } from '../../runtime/namespace.js';
import { added, inventory, type Inventory } from '../support/inventory.js';

const run = namespace();
const A = namespaceOf(`${run.name}_a`);
const B = namespaceOf(`${run.name}_b`);

const inNamespace = (ns: string, file: string, ...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', file, ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, GRIDSTREAM_NAMESPACE: ns }, timeout: 300_000 });
const cli = (ns: string, ...args: string[]) => inNamespace(ns, 'cli/main.ts', ...args);

/** `inv` less what this run's other test files add in parallel (the run's namespace). */
function outsideRun(inv: Inventory): Inventory {
  const keep = (x: string) => !x.startsWith(run.kafkaPrefix);
  return {
    topics: inv.topics.filter(keep),
    groups: inv.groups.filter(keep),
    subjects: inv.subjects.filter(keep),
    tables: Object.fromEntries(Object.entries(inv.tables).filter(([t]) => !t.startsWith(`${run.pgSchema}.`))),
    redisKeys: inv.redisKeys.filter((k) => !k.startsWith(run.redisPrefix)),
  };
}

const ofA = (inv: Inventory) => ({
  topics: inv.topics.filter((t) => t.startsWith(A.kafkaPrefix)),
  groups: inv.groups.filter((g) => g.startsWith(A.kafkaPrefix)),
  subjects: inv.subjects.filter((s) => s.startsWith(A.kafkaPrefix)),
  tables: Object.keys(inv.tables).filter((t) => t.startsWith(`${A.pgSchema}.`)),
  redisKeys: inv.redisKeys.filter((k) => k.startsWith(A.redisPrefix)),
});

let before: Inventory;
let after: Inventory;
let landed: { rows: number; dead: number; view: number };

beforeAll(async () => {
  // B exists next to A, migrated (tables, sink_offsets, etl_run_log), so "nothing reached B" means something.
  const migrated = cli(B.name, 'db', 'migrate');
  expect(migrated.status, migrated.stderr).toBe(0);
  before = await inventory();
  const flow = inNamespace(A.name, 'test/support/namespace-flow.ts');
  expect(flow.status, flow.stderr.slice(-2000)).toBe(0);
  landed = JSON.parse(flow.stdout.trim().split('\n').pop()!) as typeof landed;
  after = await inventory();
}, 600_000);

afterAll(() => {
  // Whatever a failed assertion left: neither namespace outlives the test.
  for (const ns of [A, B]) cli(run.name, 'namespace', 'drop', ns.name);
}, 120_000);

describe('a flow in namespace A', () => {
  it('ran: rows, the dead letter and the view landed', () => {
    expect(landed).toEqual({ rows: 199, dead: 1, view: 5 });
  });

  it('added topics, groups, subjects, a schema with rows and Redis keys, all under A', () => {
    const fresh = outsideRun(added(before, after));
    expect(fresh.topics.length).toBeGreaterThan(0);
    expect(fresh.topics.some((t) => t === `${A.kafkaPrefix}dlq.raw.t_nsflow.scada`)).toBe(true);
    expect(fresh.topics).toContain(`${A.kafkaPrefix}_gridstream.cursors`);
    expect(fresh.groups.length).toBeGreaterThan(0);
    expect(fresh.subjects.length).toBeGreaterThan(0);
    expect(fresh.tables[`${A.pgSchema}.t_nsflow_scada`]).toBe(199);
    expect(fresh.tables[`${A.pgSchema}.sink_offsets`]).toBeGreaterThan(0);
    expect(fresh.tables[`${A.pgSchema}.etl_run_log`]).toBe(1);
    expect(fresh.redisKeys.length).toBeGreaterThan(0);

    const outsideA = {
      topics: fresh.topics.filter((t) => !t.startsWith(A.kafkaPrefix)),
      groups: fresh.groups.filter((g) => !g.startsWith(A.kafkaPrefix)),
      subjects: fresh.subjects.filter((s) => !s.startsWith(A.kafkaPrefix)),
      tables: Object.keys(fresh.tables).filter((t) => !t.startsWith(`${A.pgSchema}.`)),
      redisKeys: fresh.redisKeys.filter((k) => !k.startsWith(A.redisPrefix)),
    };
    // Nothing in the production namespace (unprefixed names, schema public), nothing in B.
    expect(outsideA).toEqual({ topics: [], groups: [], subjects: [], tables: [], redisKeys: [] });
  });

  it('left the production tables and B as they were', () => {
    for (const [t, n] of Object.entries(before.tables)) {
      if (t.startsWith('public.') || t.startsWith(`${B.pgSchema}.`)) expect(after.tables[t], t).toBe(n);
    }
    expect(Object.keys(after.tables).filter((t) => t.startsWith(`${B.pgSchema}.`)).length).toBeGreaterThan(0);
  });

  it('status in A lists the pipeline map\'s groups only; --all lists the flow\'s, by plain names', () => {
    const groups = (args: string[]) => {
      const r = cli(A.name, 'status', '--json', ...args);
      expect(r.status, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { groups: { group: string }[] }).groups.map((g) => g.group);
    };
    // The synthetic flow is not in the pipeline map: its groups are not the pipeline's.
    expect(groups([])).toEqual([]);
    const all = groups(['--all']);
    expect(all).toEqual(expect.arrayContaining(['gridstream.process.t_nsflow', 'gridstream.sink.t_nsflow_scada', 'gridstream.view.t_nsflow_latest']));
    expect(all.every((g) => !g.startsWith(A.kafkaPrefix))).toBe(true);
  });

  it('namespace drop A leaves nothing of A', async () => {
    const r = cli(run.name, 'namespace', 'drop', A.name);
    expect(r.status, r.stderr).toBe(0);
    const left = ofA(await inventory());
    expect(left).toEqual({ topics: [], groups: [], subjects: [], tables: [], redisKeys: [] });
    // Hard-deleted too: no soft-deleted subject of A is left in the registry.
    const { registryUrl } = (await import('../../runtime/config.js')).config();
    const deleted = (await (await fetch(`${registryUrl}/subjects?deleted=true`)).json()) as string[];
    expect(deleted.filter((s) => s.startsWith(A.kafkaPrefix))).toEqual([]);
  });

  it('refuses to drop the production namespace', () => {
    const r = cli(run.name, 'namespace', 'drop', '');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/refusing to drop the production namespace/);
  });
});
