// A small flow run end to end in whatever namespace GRIDSTREAM_NAMESPACE names (the namespace test starts it in
// one of its own): synthetic source with one malformed record -> processor -> table and keyed view, the dead
// letter read back. Prints one JSON line with what landed.
// Usage: GRIDSTREAM_NAMESPACE=<ns> tsx test/support/namespace-flow.ts
import { closePool, migrate, pool } from '../../runtime/db.js';
import { readTopic } from '../../runtime/inspect.js';
import { runPgSink } from '../../runtime/pg-sink-runner.js';
import { runProcessor } from '../../runtime/processor-runner.js';
import { runSource } from '../../runtime/producer-runner.js';
import { redisClient, runKeyedView } from '../../runtime/redis-views.js';
import { applyTopics } from '../../runtime/topics-apply.js';
import { catalogue } from '../../schemas/catalogue.js';
import { createSyntheticTable } from '../../devkit/synthetic/sinks.js';
import { buildFlow } from './flow.js';

const f = buildFlow('t_nsflow');
await migrate();
await createSyntheticTable(pool(), f.table.table);
await applyTopics(catalogue([f.flow]), f.serde);
await runSource(f.source, { serde: f.serde, once: true, options: { count: 200, units: 5, malformed: [7] } });
await runProcessor(f.processor, { serde: f.serde, mode: 'drain' });
await Promise.all([runPgSink(f.table, { serde: f.serde, mode: 'drain' }), runKeyedView(f.view, { serde: f.serde, mode: 'drain' })]);
const rows = (await pool().query<{ n: number }>(`select count(*)::int as n from ${f.table.table}`)).rows[0]!.n;
const dead = (await readTopic(`dlq.${f.source.topics[0]!.name}`)).length;
const r = redisClient();
const view = Object.keys(await r.hgetall(`gs:view:${f.view.name}:by_duid`)).length;
r.disconnect();
await closePool();
process.stdout.write(`${JSON.stringify({ rows, dead, view })}\n`);
process.exit(0);
