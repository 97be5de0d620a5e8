// A stage of a test flow in its own process, so tests can SIGKILL it at any moment and start it again.
// Usage: tsx test/support/stage-worker.ts <flow id> process|sink|view
import { runPgSink } from '../../runtime/pg-sink-runner.js';
import { runProcessor } from '../../runtime/processor-runner.js';
import { runKeyedView } from '../../runtime/redis-views.js';
import { buildFlow } from './flow.js';

const [id, stage] = process.argv.slice(2);
if (!id || !stage) throw new Error('usage: stage-worker <flow id> process|sink|view');
const f = buildFlow(id);
if (stage === 'process') await runProcessor(f.processor, { serde: f.serde, mode: 'forever' });
else if (stage === 'sink') await runPgSink(f.table, { serde: f.serde, mode: 'forever' });
else if (stage === 'view') await runKeyedView(f.view, { serde: f.serde, mode: 'forever' });
else throw new Error(`unknown stage ${stage}`);
