// Where the package lives (migrations, schemas and the README are read relative to it, in the source tree and in
// the compiled dist/ alike: dist/ holds no .sql or .avsc files), and where gridstream keeps its own files.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
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

/** The package's version (package.json ships in the package, dist/ or not). */
export const packageVersion: string = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

/** A checkout (sources beside the package) keeps its local stack in `.stack/`; an installed package must not write
 * into node_modules, so it keeps it in the user's data directory. */
const isCheckout = existsSync(join(repoRoot, 'cli', 'main.ts'));

/** Where gridstream keeps files of its own: GRIDSTREAM_HOME, else the checkout, else $XDG_DATA_HOME/gridstream. */
export function gridstreamHome(env: Record<string, string | undefined> = process.env): string {
  if (env.GRIDSTREAM_HOME) return env.GRIDSTREAM_HOME;
  if (isCheckout) return repoRoot;
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'gridstream');
}
