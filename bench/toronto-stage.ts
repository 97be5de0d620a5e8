// One stage of the Toronto bench's flow in its own process (`npm run bench -- toronto --processes`): the processor
// or the parking sink, run until SIGTERM. Usage: tsx bench/toronto-stage.ts <flow id> process|sink
import { runPgSink } from '../runtime/pg-sink-runner.js';
import { runProcessor } from '../runtime/processor-runner.js';
import { Serde } from '../runtime/serde.js';
import { torontoFlow } from '../pipeline/toronto.js';

const [id, stage] = process.argv.slice(2);
if (!id || (stage !== 'process' && stage !== 'sink')) throw new Error('usage: toronto-stage <flow id> process|sink');
const f = torontoFlow(id);
const serde = Serde.fromConfig();
const stop = new AbortController();
process.once('SIGTERM', () => stop.abort());
if (stage === 'process') await runProcessor(f.parkingProcessor, { serde, mode: 'forever', signal: stop.signal });
else await runPgSink(f.parkingSink, { serde, mode: 'forever', signal: stop.signal });
process.exit(0);
