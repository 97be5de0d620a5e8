// `gridstream namespace drop <ns>`: removes a namespace the demo or the tests left (runtime/namespace-drop.ts).
import type { Command } from 'commander';
import { closePool } from '../runtime/db.js';
import { dropNamespace } from '../runtime/namespace-drop.js';
import { namespaceOf } from '../runtime/namespace.js';

export function registerNamespace(program: Command): void {
  program
    .command('namespace')
    .description('Namespaces (GRIDSTREAM_NAMESPACE): the demo and the tests run in their own')
    .command('drop <ns>')
    .description('Remove every topic, consumer group, schema subject, Postgres schema and Redis key of a namespace (never the production one)')
    .action(async (name: string) => {
      namespaceOf(name); // refuses a name that is not a namespace before anything is touched
      try {
        const d = await dropNamespace(name);
        process.stdout.write(`namespace ${name}: ${d.topics} topics, ${d.groups} consumer groups, ${d.subjects} schema subjects, ${d.schema ? 'Postgres schema' : 'no Postgres schema'}, ${d.redisKeys} Redis keys removed\n`);
        if (d.groupsKept) {
          process.stdout.write(`${d.groupsKept} consumer groups kept: they still have live members\n`);
          process.exitCode = 1;
        }
      } finally {
        await closePool();
      }
    });
}
