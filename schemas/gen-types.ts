// `npm run gen:types`: writes schemas/<source>/records.gen.ts from the .avsc files of every folder under schemas/
// that has any. test/unit/record-types.test.ts fails when a checked-in file differs from what this would write.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GENERATED_FILE, recordTypesSource } from './record-types.js';

/** Every schemas/<source> folder holding .avsc files. */
export function schemaFolders(schemasDir = dirname(fileURLToPath(import.meta.url))): string[] {
  return readdirSync(schemasDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && readdirSync(join(schemasDir, d.name)).some((f) => f.endsWith('.avsc')))
    .map((d) => join(schemasDir, d.name))
    .sort();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const dir of schemaFolders()) {
    const path = join(dir, GENERATED_FILE);
    const text = recordTypesSource(dir);
    const changed = !existsSync(path) || readFileSync(path, 'utf8') !== text;
    if (changed) writeFileSync(path, text);
    console.log(`${changed ? 'wrote    ' : 'unchanged'} ${relative(process.cwd(), path)}`);
  }
}
