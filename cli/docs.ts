// README sections generated from the pipeline map and the catalogue, so the docs cannot drift from the code.
// `gridstream docs` rewrites them in place; a test fails when README.md is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { repoRoot } from '../runtime/paths.js';
import { pipeline } from '../pipeline.js';
import type { Flow } from '../runtime/components.js';
import { catalogue } from '../schemas/catalogue.js';
import { subjectOf } from '../runtime/serde.js';
import { settingsTable } from '../runtime/settings.js';

export function pipelineDiagram(flows: Flow[]): string {
  const lines: string[] = [];
  for (const f of flows) {
    const sinks = f.sinks.map((s) => (s.kind === 'pg-sink' ? `pg:${s.table}` : `redis:${s.name}`)).join(', ');
    // A source line names every raw topic it writes; each processor line starts from the topic it reads.
    if (f.source) lines.push(`source ${f.source.name} -> ${f.source.topics.map((t) => t.name).join(', ')}`);
    const joins = f.processor?.kind === 'processor' && f.processor.joins?.length ? ` (+ join ${f.processor.joins.map((t) => t.name).join(', ')})` : '';
    if (f.processor) lines.push(`  ${f.processor.input.name}${joins} -> processor ${f.processor.name} -> ${f.processor.output.name} -> ${sinks}`);
  }
  return ['```', ...lines, '```'].join('\n');
}

export function consumingTable(flows: Flow[]): string {
  const rows = catalogue(flows)
    .filter((t) => t.name.startsWith('clean.'))
    .map((t) => `| \`${t.name}\` | ${t.key} | \`${subjectOf(t.name)}\` | ${t.cleanupPolicy} | ${t.partitions} | ${t.description} |`);
  return ['| topic | key (UTF-8 string) | schema subject | cleanup | partitions | what it holds |', '|---|---|---|---|---|---|', ...rows].join('\n');
}

/** One row per runnable command (leaves of the command tree), with its arguments and options as `--help` shows them. */
export function commandsTable(program: Command): string {
  const rows: string[] = [];
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const walk = (cmd: Command, path: string[]) => {
    for (const sub of cmd.commands) {
      if (sub.name() === 'help') continue;
      const here = [...path, sub.name()];
      if (sub.commands.length > 0) walk(sub, here);
      else {
        const args = sub.registeredArguments.map((a) => (a.required ? `<${a.name()}>` : `[${a.name()}]`));
        const options = sub.options.map((o) => `\`${cell(o.flags)}\``).join(' ');
        rows.push(`| \`gridstream ${cell([...here, ...args].join(' '))}\` | ${options} | ${cell(sub.description())} |`);
      }
    }
  };
  walk(program, []);
  return ['| command | options | what it does |', '|---|---|---|', ...rows].join('\n');
}

export function renderReadme(text: string, program: Command, flows: Flow[] = pipeline): string {
  const sections: Record<string, () => string> = {
    'pipeline-map': () => pipelineDiagram(flows),
    'clean-topics': () => consumingTable(flows),
    commands: () => commandsTable(program),
    settings: () => settingsTable(),
  };
  let out = text;
  for (const [name, render] of Object.entries(sections)) {
    const re = new RegExp(`(<!-- ${name}:start -->\\n)[\\s\\S]*?(\\n<!-- ${name}:end -->)`);
    if (!re.test(out)) throw new Error(`README.md has no <!-- ${name}:start --> ... <!-- ${name}:end --> section`);
    out = out.replace(re, (_m, a: string, b: string) => `${a}${render()}${b}`);
  }
  return out;
}

export const readmePath = join(repoRoot, 'README.md');

export function registerDocs(program: Command): void {
  program
    .command('docs')
    .description('Regenerate the README sections that come from the code: pipeline map, clean topics, commands, configuration')
    .action(() => {
      writeFileSync(readmePath, renderReadme(readFileSync(readmePath, 'utf8'), program));
      process.stdout.write('README.md updated\n');
    });
}
