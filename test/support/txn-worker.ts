// A process holding a client of the runtime's pool inside withTransaction, for the test that terminates its backend
// while it is held. Prints `ready <pid>`, waits for the line `go`, then queries on the held client (which must fail,
// not crash the process), prints `failed <message>`, and prints the answer of one more query on a fresh connection.
import { createInterface } from 'node:readline';
import { closePool, pool, withTransaction } from '../../runtime/db.js';

const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
try {
  await withTransaction(async (client) => {
    const pid = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    process.stdout.write(`ready ${pid}\n`);
    while ((await lines.next()).value !== 'go');
    await client.query('select 1');
  });
  process.stdout.write('held query succeeded\n');
} catch (err) {
  process.stdout.write(`failed ${(err as Error).message}\n`);
}
const r = await pool().query<{ answer: number }>('select 41 + 1 as answer');
process.stdout.write(`answer ${r.rows[0]!.answer}\n`);
await closePool();
process.exit(0);
