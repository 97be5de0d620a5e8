-- What each running gridstream process reports about its supervised stages, refreshed every few seconds, so that
-- `gridstream status` (another process, maybe on another host) can show them. A row not refreshed for a while
-- belongs to a process that has gone.
create table if not exists stage_status (
  process_id text not null,
  stage text not null,
  host text not null,
  pid int not null,
  http_url text,
  state text not null,
  since timestamptz not null,
  last_error text,
  last_error_at timestamptz,
  last_success timestamptz,
  failures int not null default 0,
  restarts int not null default 0,
  updated_at timestamptz not null default now(),
  primary key (process_id, stage)
);
create index if not exists stage_status_updated on stage_status (updated_at desc);
