// A process holding idle connections of the runtime's Postgres pool, for the test that terminates their backends.
// Prints `ready <pid,pid>` once its clients are idle, then on the line `go` runs one more query and prints its answer.
import { createInterface } from 'node:readline';
import { closePool, pool } from '../../runtime/db.js';

const db = pool();
// Two clients checked out at once, so the pool keeps two idle connections when they are released.
const clients = await Promise.all([db.connect(), db.connect()]);
const pids = await Promise.all(clients.map(async (c) => (await c.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid));
for (const c of clients) c.release();
process.stdout.write(`ready ${pids.join(',')}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (line !== 'go') continue;
  const r = await db.query<{ answer: number }>('select 41 + 1 as answer');
  process.stdout.write(`answer ${r.rows[0]!.answer}\n`);
  break;
}
await closePool();
