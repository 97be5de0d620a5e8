// Where the package lives: migrations, schemas and the README are read relative to it, in the source tree and in
// the compiled dist/ alike (dist/ holds no .sql or .avsc files).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of the package: the nearest folder above this module holding package.json. */
export const repoRoot = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above runtime/');
    dir = up;
  }
  return dir;
})();
