// Shared fast-check settings for the parser fuzz tests: one fixed seed so every `npm test` runs the same cases (a
// failure is reproducible from its printed seed and path), FUZZ_SEED to explore other ones, FUZZ_SCALE to run more
// (or fewer) cases, and bounds on time so a parser that hangs fails its property instead of the whole suite.
import fc from 'fast-check';

const DEFAULT_SEED = 20_251_101;

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`${name} must be a number, got ${JSON.stringify(raw)}`);
  return n;
}

export const FUZZ_SEED = Math.trunc(envNumber('FUZZ_SEED', DEFAULT_SEED));
const SCALE = envNumber('FUZZ_SCALE', 1);

/** Cases each property runs, by name: the test file checks their sum stays ≥ 10,000 at the default scale. */
export const RUNS = {
  mmsRows: 3000,
  mmsStreamed: 400,
  mmsFileLevel: 1500,
  mmsLiveZip: 400,
  numbers: 1500,
  zipMutations: 1200,
  zipTraversal: 200,
  zipBombs: 24,
  elexonResponse: 1500,
  elexonElement: 1000,
  curtailment: 1500,
  nesoResponse: 500,
  nesoRecord: 1500,
} as const;

export const totalRuns = (): number => Object.values(RUNS).reduce((a, b) => a + b, 0);

/**
 * fc.assert parameters for one property: the fixed seed, its share of the cases, a wall-clock budget after which a
 * property counts as failed (a hang, or a parser gone quadratic), and, for async properties, a per-case timeout.
 */
export function fuzz<T>(name: keyof typeof RUNS, o: { budgetMs?: number; caseTimeoutMs?: number } = {}): fc.Parameters<T> {
  return {
    seed: FUZZ_SEED,
    numRuns: Math.max(1, Math.round(RUNS[name] * SCALE)),
    interruptAfterTimeLimit: o.budgetMs ?? 40_000,
    markInterruptAsFailure: true,
    ...(o.caseTimeoutMs ? { timeout: o.caseTimeoutMs } : {}),
    // fast-check prints the seed and the counterexample's path; say how to replay it with this file's knobs too.
    reporter: (details: fc.RunDetails<T>) => {
      if (details.failed) throw new Error(`${name}: ${fc.defaultReportMessage(details)}\n${String(details.errorInstance)}\nReplay: FUZZ_SEED=${FUZZ_SEED} (path ${details.counterexamplePath ?? '?'})`);
    },
  };
}
