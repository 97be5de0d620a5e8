-- AEMO NEMWEB tables. Times are timestamptz instants of the interval END; the *_nem columns keep the market's own
-- label (NEM time = UTC+10 all year, no zone, e.g. 2025-12-27T00:05:00) as the clean topics carry it. Primary keys are
-- AEMO's natural keys; lastchanged orders restatements (the sink keeps the row with the latest one).

create table if not exists aemo_unit_scada (
  settlementdate timestamptz not null,
  duid text not null,
  scadavalue double precision,
  lastchanged timestamptz,
  settlementdate_nem text not null,
  primary key (duid, settlementdate)
);
-- Gap detection and "latest interval" views scan by time across all DUIDs.
create index if not exists aemo_unit_scada_settlementdate on aemo_unit_scada (settlementdate);

create table if not exists aemo_region_price (
  settlementdate timestamptz not null,
  regionid text not null,
  intervention int not null,
  rrp double precision not null,
  eep double precision,
  rop double precision,
  apcflag int,
  marketsuspendedflag int,
  lastchanged timestamptz,
  settlementdate_nem text not null,
  primary key (regionid, settlementdate, intervention)
);
create index if not exists aemo_region_price_settlementdate on aemo_region_price (settlementdate);

create table if not exists aemo_interconnector_flow (
  settlementdate timestamptz not null,
  interconnectorid text not null,
  intervention int not null,
  meteredmwflow double precision,
  mwflow double precision,
  mwlosses double precision,
  exportlimit double precision,
  importlimit double precision,
  lastchanged timestamptz,
  settlementdate_nem text not null,
  primary key (interconnectorid, settlementdate, intervention)
);
create index if not exists aemo_interconnector_flow_settlementdate on aemo_interconnector_flow (settlementdate);

-- 30-min rooftop PV, MEASUREMENT and SATELLITE side by side (never mixed); sub-regions are regions of their own.
create table if not exists aemo_rooftop_pv (
  interval_datetime timestamptz not null,
  regionid text not null,
  type text not null,
  power double precision,
  qi double precision,
  lastchanged timestamptz,
  interval_datetime_nem text not null,
  primary key (regionid, interval_datetime, type)
);
create index if not exists aemo_rooftop_pv_interval_datetime on aemo_rooftop_pv (interval_datetime);

-- MEASUREMENT rooftop PV spread to 5-min slots as the reference updater does; provisional rows are flat copies of the
-- newest 30-min value, replaced when the next one arrives.
create table if not exists aemo_rooftop_pv_5min (
  settlementdate timestamptz not null,
  regionid text not null,
  power double precision not null,
  provisional boolean not null,
  settlementdate_nem text not null,
  primary key (regionid, settlementdate)
);
create index if not exists aemo_rooftop_pv_5min_settlementdate on aemo_rooftop_pv_5min (settlementdate);

-- DUID -> region and fuel, effective-dated (units change region or fuel over time). valid_from '-infinity' = since
-- always; valid_to null = still valid. Loaded by `gridstream load aemo-duids FILE`.
create table if not exists aemo_duid_registry (
  duid text not null,
  regionid text,
  fuel text,
  valid_from timestamptz not null default '-infinity',
  valid_to timestamptz,
  primary key (duid, valid_from),
  check (valid_to is null or valid_to > valid_from)
);
