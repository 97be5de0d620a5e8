-- The built-in synthetic source (AEMO SCADA-shaped readings) used by the demo, the runtime tests and the benchmark.
create table if not exists synthetic_scada (
  duid text not null,
  settlementdate timestamptz not null,
  scadavalue double precision,
  primary key (duid, settlementdate)
);
