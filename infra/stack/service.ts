/** One service of the local stack. `start` is only called when `answers` is false; it returns once it answers. */
export interface Service {
  name: 'kafka' | 'registry' | 'postgres' | 'redis';
  /** Where it listens, as clients address it. */
  where(): string;
  /** The pid of the process this stack started, if any. */
  pid(): number | undefined;
  answers(): Promise<boolean>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
