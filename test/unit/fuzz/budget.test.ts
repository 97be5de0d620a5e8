// The fuzz suite's size is part of its contract (issue 11 #5: at least 10,000 cases per run), and every property
// named in params.ts must be one a test runs, so the total is not padded by a name no test uses.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RUNS, totalRuns } from './params.js';

describe('fuzz budget', () => {
  it('runs at least 10,000 cases, each share used by a property', () => {
    expect(totalRuns()).toBeGreaterThanOrEqual(10_000);
    const dir = new URL('./', import.meta.url);
    const sources = readdirSync(dir).filter((f) => f.endsWith('.test.ts')).map((f) => readFileSync(new URL(f, dir), 'utf8')).join('\n');
    for (const name of Object.keys(RUNS)) expect(sources, name).toContain(`fuzz('${name}'`);
  });
});
