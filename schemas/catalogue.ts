// The one catalogue of topics, derived from the pipeline map: each flow's raw and clean topics, a dead-letter topic
// for every topic a stage reads or a source writes, and the runtime's own topics.
import type { Flow } from '../runtime/components.js';
import { CURSORS_TOPIC, dlqTopic, type TopicSpec } from './topics.js';

export function catalogue(flows: Flow[]): TopicSpec[] {
  const topics = new Map<string, TopicSpec>();
  const add = (t: TopicSpec) => {
    const seen = topics.get(t.name);
    if (seen && seen !== t && JSON.stringify(seen) !== JSON.stringify(t)) throw new Error(`topic ${t.name} is declared twice, differently`);
    topics.set(t.name, t);
  };
  for (const f of flows) {
    for (const t of f.source?.topics ?? []) {
      add(t);
      add(dlqTopic(t));
    }
    if (f.processor) {
      add(f.processor.input);
      add(dlqTopic(f.processor.input));
      add(f.processor.output);
    }
    for (const s of f.sinks) {
      add(s.topic);
      add(dlqTopic(s.topic));
    }
  }
  add(CURSORS_TOPIC);
  return [...topics.values()];
}
