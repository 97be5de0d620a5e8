// Types of eslint.boundaries.js for the test that checks the import rules (test/unit/import-rules.test.ts).
import type { Linter } from 'eslint';

export declare const importRules: Linter.Config;
