// Flat config: the recommended TypeScript rules, type-aware where it pays (floating promises lose errors), and the
// import rules of the layout (eslint-plugin-boundaries): imports run one way, from the composing layers (the map,
// ops, CLI) down to sources and the runtime, and no source reaches into another.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importRules } from './eslint.boundaries.js';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.stack/**', 'bin/**', 'eslint.config.js', 'eslint.boundaries.js', 'eslint.boundaries.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  importRules,
);
