-- Texas retail electricity plans (ComparePower). One row per plan listing per TDSP: the API's _id is a per-TDSP
-- listing id, and the unique key is the pair (external_id, tdsp_duns), never external_id alone (the old system's
-- bug). Plans a completed sync did not see are marked inactive, never deleted; they come back active if they return.
-- Rates are $/kWh exactly as the API sent them (NUMERIC, no scale: no rounding).
create table if not exists electricity_plans (
  external_id text not null,
  tdsp_duns text not null,
  tdsp_name text,
  product_id text,
  provider_id text,
  provider_name text,
  plan_name text not null,
  term_months int not null,
  rate_type text not null check (rate_type in ('fixed', 'variable', 'indexed')),
  is_time_of_use boolean not null,
  rate_500kwh numeric,
  rate_1000kwh numeric not null,
  rate_2000kwh numeric,
  percent_green numeric,
  early_termination_fee numeric,
  is_pre_pay boolean not null,
  headline text,
  efl_url text,
  tos_url text,
  yrac_url text,
  last_sync_id text not null,
  -- Orders restatements: a record of an older sync never overwrites one of a newer sync (replays).
  last_sync_started_at timestamptz not null,
  last_seen_at timestamptz not null,
  is_active boolean not null default true,
  deactivated_at timestamptz,
  primary key (external_id, tdsp_duns)
);
-- The plans API reads the active plans of a TDSP cheapest first; the others serve filters and reports.
create index if not exists electricity_plans_tdsp_active_rate on electricity_plans (tdsp_duns, is_active, rate_1000kwh);
create index if not exists electricity_plans_term on electricity_plans (term_months);
create index if not exists electricity_plans_rate_type on electricity_plans (rate_type);
create index if not exists electricity_plans_green on electricity_plans (percent_green);
create index if not exists electricity_plans_provider on electricity_plans (provider_id);
-- Deactivation looks up a TDSP's active plans older than a sync.
create index if not exists electricity_plans_tdsp_sync on electricity_plans (tdsp_duns, last_sync_started_at) where is_active;

-- A row only when a plan's prices change. Keyed by the listing (external_id, tdsp_duns) and observed_at; brand,
-- name and term are kept too because _id may change on repricing (civic.md §10), so history can also be followed
-- by (provider, plan name, term, TDSP).
create table if not exists electricity_plan_prices (
  external_id text not null,
  tdsp_duns text not null,
  observed_at timestamptz not null,
  sync_id text not null,
  provider_name text,
  plan_name text not null,
  term_months int not null,
  rate_500kwh numeric,
  rate_1000kwh numeric not null,
  rate_2000kwh numeric,
  primary key (external_id, tdsp_duns, observed_at)
);
create index if not exists electricity_plan_prices_product on electricity_plan_prices (provider_name, plan_name, term_months, tdsp_duns, observed_at);

-- Last completed sync per TDSP: the plans API reports the data's age from it.
create table if not exists comparepower_syncs (
  tdsp_duns text primary key,
  sync_id text not null,
  sync_started_at timestamptz not null,
  completed_at timestamptz not null,
  plan_count int not null,
  deactivated int not null default 0
);

-- City -> TDSP fan-out: a city's plans are its TDSP's (five API calls refresh every city). Municipal and co-op
-- areas have no retail choice: flagged deregulated = false, with no TDSP. See 061 for the seed and its origin.
create table if not exists city_tdsp_map (
  city_slug text not null,
  city_name text not null,
  tdsp_duns text,
  utility_name text not null,
  deregulated boolean not null,
  primary key (city_slug, utility_name),
  check (deregulated = (tdsp_duns is not null))
);
create index if not exists city_tdsp_map_tdsp on city_tdsp_map (tdsp_duns);

-- ZIP -> TDSP, the better key (civic.md §9: the city slug mapping is unreliable); filled from ZIP lookups.
create table if not exists zip_tdsp_map (
  zip text primary key check (zip ~ '^[0-9]{5}$'),
  tdsp_duns text,
  city_slug text,
  deregulated boolean not null,
  last_seen_at timestamptz not null default now()
);
