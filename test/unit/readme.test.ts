// The README's generated sections match the pipeline map and the catalogue.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readmePath, renderReadme } from '../../cli/docs.js';
import { buildProgram } from '../../cli/program.js';

describe('README', () => {
  it('is up to date with the pipeline map, the catalogue and the commands (run `npx gridstream docs`)', () => {
    const text = readFileSync(readmePath, 'utf8');
    expect(renderReadme(text, buildProgram())).toBe(text);
  });

  it('starts with the demo and test commands for a fresh machine', () => {
    const head = readFileSync(readmePath, 'utf8').split('\n').slice(0, 10).join('\n');
    expect(head).toContain('npm ci && npm run demo');
    expect(head).toContain('npm ci && npm test');
  });
});
