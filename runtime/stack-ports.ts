// The local stack listens on 127.0.0.1 only, on ports away from the services' defaults, because a developer's
// machine (and CI's) may already run Postgres on 5432, Redis on 6379 or a registry on 8081. Read on use, so a bad
// STACK_*_PORT is a one-line configuration error rather than a crash while modules load.
import { readSetting } from './settings.js';

export const STACK_PORTS = {
  get kafka() {
    return readSetting('STACK_KAFKA_PORT');
  },
  get kafkaController() {
    return readSetting('STACK_KAFKA_CONTROLLER_PORT');
  },
  get registry() {
    return readSetting('STACK_REGISTRY_PORT');
  },
  get registryManagement() {
    return readSetting('STACK_REGISTRY_MANAGEMENT_PORT');
  },
  get postgres() {
    return readSetting('STACK_POSTGRES_PORT');
  },
  get redis() {
    return readSetting('STACK_REDIS_PORT');
  },
};
