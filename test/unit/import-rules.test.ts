// The layout's import rules (eslint.boundaries.js) catch backwards imports: each case lints a few lines placed, by
// path, inside a folder of the tree, with only the import rules on, and expects exactly the violations named.
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { importRules } from '../../eslint.boundaries.js';
import { repoRoot } from '../../runtime/paths.js';

const eslint = new ESLint({
  cwd: repoRoot,
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, importRules],
});

/** The lines (1-based) of `code` that break an import rule when the code stands at `filePath`. */
async function violations(filePath: string, code: string): Promise<number[]> {
  const [result] = await eslint.lintText(code, { filePath });
  const fatal = result!.messages.filter((m) => m.fatal);
  if (fatal.length) throw new Error(fatal.map((m) => m.message).join('; '));
  return result!.messages.filter((m) => m.ruleId === 'boundaries/dependencies').map((m) => m.line);
}

describe('import rules', () => {
  it('let a source use the runtime, the shared schema helpers and its own contract', async () => {
    const code = [
      "import { log } from '../../runtime/log.js';",
      "import { rawTopic } from '../../schemas/topics.js';",
      "import { aemoRawTopics } from '../../schemas/aemo/topics.js';",
      "import { parseMms } from './mms-csv.js';",
      'export const used = [log, rawTopic, aemoRawTopics, parseMms];',
    ].join('\n');
    expect(await violations('producers/aemo/probe.ts', code)).toEqual([]);
  });

  it('refuse a producer importing a sink, a processor, another source, the stack or the demo', async () => {
    const code = [
      "import { aemoSinks } from '../../sinks/aemo/index.js';",
      "import { aemoProcessing } from '../../processors/aemo/components.js';",
      "import { elexonTopics } from '../../schemas/elexon/topics.js';",
      "import { stackUp } from '../../infra/stack/index.js';",
      "import { startAemoDemo } from '../../devkit/aemo/demo.js';",
      "import { log } from '../../runtime/log.js';",
      'export const used = [aemoSinks, aemoProcessing, elexonTopics, stackUp, startAemoDemo, log];',
    ].join('\n');
    expect(await violations('producers/aemo/probe.ts', code)).toEqual([1, 2, 3, 4, 5]);
  });

  it('refuse the runtime importing the map, a source, the CLI or stack internals', async () => {
    const code = [
      "import { pipeline } from '../pipeline.js';",
      "import { aemoRawTopics } from '../schemas/aemo/topics.js';",
      "import { registerCommands } from '../cli/commands.js';",
      "import { stackDir } from '../infra/stack/proc.js';",
      "import { catalogue } from '../schemas/catalogue.js';",
      'export const used = [pipeline, aemoRawTopics, registerCommands, stackDir, catalogue];',
    ].join('\n');
    expect(await violations('runtime/probe.ts', code)).toEqual([1, 2, 3, 4]);
  });

  it('refuse a source contract importing the runtime or a sink importing a test double', async () => {
    expect(await violations('schemas/elexon/probe.ts', "import { log } from '../../runtime/log.js';\nexport const used = log;")).toEqual([1]);
    expect(await violations('sinks/elexon/probe.ts', "import { startElexonDemo } from '../../devkit/elexon/demo.js';\nexport const used = startElexonDemo;")).toEqual([1]);
  });

  it('let the map and ops compose a source, and the CLI load the demo', async () => {
    expect(await violations('pipeline/probe.ts', "import { aemoSinks } from '../sinks/aemo/index.js';\nimport { aemoSource } from '../producers/aemo/source.js';\nexport const used = [aemoSinks, aemoSource];")).toEqual([]);
    expect(await violations('ops/aemo/probe.ts', "import { aemoSinks } from '../../sinks/aemo/index.js';\nimport { elexonTopics } from '../../schemas/elexon/topics.js';\nexport const used = [aemoSinks, elexonTopics];")).toEqual([2]);
    expect(await violations('cli/probe.ts', "const demo = () => import('../devkit/demo.js');\nimport { startAemoDemo } from '../devkit/aemo/demo.js';\nexport const used = [demo, startAemoDemo];")).toEqual([2]);
  });
});
