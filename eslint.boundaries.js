// The layout's import rules, enforced by `npm run lint` (eslint-plugin-boundaries). In words:
// - producers/<s>, processors/<s> and sinks/<s> import only runtime/, schemas/ (the shared topic helpers and their
//   own source's contract, schemas/<s>/) and their own folder: no source imports another, and a producer never
//   imports a processor or a sink (the flow is wired in pipeline/<s>.ts);
// - schemas/ imports only schemas/ (a source's contract only its own folder and the shared helpers);
// - runtime/ imports only runtime/ and the shared schemas/*.ts: no source, no CLI, no stack internals;
// - pipeline/ composes sources; ops/<s> composes one source's parts for its operations commands; cli/ composes all;
// - nothing in production imports devkit/ (demo, doubles, generators), test/ or bench/ — except the CLI's `demo`
//   command, which loads devkit/demo.ts (the demo ships with the tool but is no part of the pipeline).
import boundaries from 'eslint-plugin-boundaries';

const elements = [
  { type: 'producer', pattern: 'producers/*', capture: ['source'] },
  { type: 'processor', pattern: 'processors/*', capture: ['source'] },
  { type: 'sink', pattern: 'sinks/*', capture: ['source'] },
  { type: 'ops', pattern: 'ops/*', capture: ['source'] },
  { type: 'contract', pattern: 'schemas/*', capture: ['source'] },
  { type: 'schemas', pattern: 'schemas' },
  { type: 'runtime', pattern: 'runtime' },
  { type: 'pipeline', pattern: 'pipeline' },
  { type: 'map', pattern: 'pipeline.ts', mode: 'full' },
  { type: 'config', pattern: 'vitest.config.ts', mode: 'full' },
  { type: 'cli', pattern: 'cli' },
  { type: 'infra', pattern: 'infra' },
  { type: 'devkit', pattern: 'devkit' },
  { type: 'test', pattern: 'test' },
  { type: 'bench', pattern: 'bench' },
  { type: 'examples', pattern: 'examples' },
];

const type = (t) => ({ to: { element: { type: t } } });
const sameSource = (t) => ({ to: { element: { type: t, captured: { source: '{{ from.element.captured.source }}' } } } });
const production = ['producer', 'processor', 'sink', 'ops', 'contract', 'schemas', 'runtime', 'pipeline', 'map', 'cli', 'infra'];

const policies = [
  // Anything may use packages and Node's modules.
  { allow: { to: { module: { origin: ['external', 'core'] } } } },
  { from: { element: { type: 'producer' } }, allow: [type('runtime'), type('schemas'), sameSource('contract'), sameSource('producer')] },
  { from: { element: { type: 'processor' } }, allow: [type('runtime'), type('schemas'), sameSource('contract'), sameSource('processor')] },
  { from: { element: { type: 'sink' } }, allow: [type('runtime'), type('schemas'), sameSource('contract'), sameSource('sink')] },
  { from: { element: { type: 'contract' } }, allow: [type('schemas'), sameSource('contract')] },
  { from: { element: { type: 'schemas' } }, allow: [type('schemas')] },
  { from: { element: { type: 'runtime' } }, allow: [type('runtime'), type('schemas')] },
  { from: { element: { type: 'pipeline' } }, allow: ['runtime', 'schemas', 'contract', 'producer', 'processor', 'sink', 'pipeline'].map(type) },
  { from: { element: { type: 'map' } }, allow: [type('runtime'), type('pipeline')] },
  { from: { element: { type: 'ops' } }, allow: [...['runtime', 'schemas', 'pipeline'].map(type), ...['contract', 'producer', 'processor', 'sink', 'ops'].map(sameSource)] },
  { from: { element: { type: 'infra' } }, allow: [type('runtime'), type('infra')] },
  { from: { element: { type: 'cli' } }, allow: production.map(type) },
  // The CLI's `demo` command loads the demo; nothing else in production reaches devkit/.
  { from: { element: { type: 'cli' } }, allow: { to: { element: { type: 'devkit' }, file: { path: 'devkit/demo.ts' } } } },
  { from: { element: { type: 'devkit' } }, allow: [...production, 'devkit'].map(type) },
  { from: { element: { type: 'config' } }, allow: [type('test')] },
  { from: { element: { types: ['test', 'bench', 'examples'] } }, allow: [...production, 'devkit', 'test', 'bench', 'examples'].map(type) },
];

export const importRules = {
  files: ['**/*.ts'],
  plugins: { boundaries },
  settings: {
    'boundaries/elements': elements,
    'boundaries/include': ['**/*.ts'],
    'import/resolver': { typescript: { project: './tsconfig.json' } },
  },
  rules: {
    'boundaries/dependencies': ['error', { default: 'disallow', policies }],
    // Every file belongs to one element: a new top-level folder must be given its place here.
    'boundaries/no-unknown-files': 'error',
  },
};
