#!/usr/bin/env node
// In a checkout (sources present) the TypeScript CLI runs through tsx, so nothing needs building first;
// an installed package without sources runs the compiled dist/ from `npm run build`.
import { existsSync } from 'node:fs';

const source = new URL('../cli/main.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(new URL('../dist/cli/main.js', import.meta.url).href);
}
