-- Runtime tables: where each sink's consumer stands (written in the same transaction as its rows), and a log of
-- every producer run.
create table if not exists sink_offsets (
  consumer_group text not null,
  topic text not null,
  partition int not null,
  next_offset bigint not null,
  updated_at timestamptz not null default now(),
  primary key (consumer_group, topic, partition)
);

create table if not exists etl_run_log (
  id bigserial primary key,
  task text not null,
  started_at timestamptz not null default now(),
  completed_at timestamptz,
  status text not null check (status in ('running', 'success', 'skipped', 'failed')),
  records_in bigint not null default 0,
  records_out bigint not null default 0,
  records_rejected bigint not null default 0,
  notes text,
  details jsonb not null default '{}'::jsonb
);
create index if not exists etl_run_log_task_started on etl_run_log (task, started_at desc);
