// The one catalogue of topics, derived from the pipeline map: each flow's raw and clean topics, a dead-letter topic
// for every topic a stage reads or a source writes, and the runtime's own topics.
import { CURSORS_TOPIC, dlqTopic, type TopicSpec } from './topics.js';

/** What the catalogue needs of a pipeline-map line (runtime/components.ts `Flow` has this shape). */
export interface FlowTopics {
  source?: { topics: TopicSpec[] };
  processor?: { input: TopicSpec; output: TopicSpec; joins?: TopicSpec[] };
  sinks: { topic: TopicSpec }[];
}

export function catalogue(flows: readonly FlowTopics[]): TopicSpec[] {
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
      for (const j of f.processor.joins ?? []) add(j);
    }
    for (const s of f.sinks) {
      add(s.topic);
      add(dlqTopic(s.topic));
    }
  }
  add(CURSORS_TOPIC);
  return [...topics.values()];
}
