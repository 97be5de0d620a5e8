-- Elexon wind curtailment, with the old system's table and column names so its dashboards keep working.
-- Sign convention: volume and prices as Elexon sends them (a curtailment's volume is negative);
-- curtailed_mwh = -volume (positive); payment = volume x original_price, positive = paid to the unit
-- (the old system stored the opposite sign for the same figure).
create table if not exists curtailment_records (
  -- The natural key as one value: date|period|side|bmu|acceptance|pair|sequence ('none' for a null part), the
  -- Kafka message key. Acceptance ids may be null, and a primary key cannot hold nulls, hence one text column.
  record_key text primary key,
  settlement_date date not null,
  settlement_period int not null,
  period_start timestamptz not null,
  side text not null check (side in ('bid', 'offer')),
  bmu_id text not null,
  national_grid_id text,
  farm_name text,
  lead_party_name text,
  fuel text not null,
  acceptance_id bigint,
  bid_offer_pair_id int,
  sequence_number int,
  volume numeric not null,
  curtailed_mwh numeric not null,
  payment numeric not null,
  original_price numeric not null,
  final_price numeric,
  so_flag boolean not null,
  cadl_flag boolean not null,
  created_datetime timestamptz
);
create index if not exists curtailment_records_date_period on curtailment_records (settlement_date, settlement_period);
create index if not exists curtailment_records_bmu_date on curtailment_records (bmu_id, settlement_date);

-- Summaries are recomputed from curtailment_records for exactly the dates a sink batch or a replay touched.
-- The generation columns are kept for the dashboards; no generation source fills them yet.
create table if not exists daily_summaries (
  summary_date date primary key,
  total_curtailed_energy numeric not null,
  total_payment numeric not null,
  records int not null,
  periods int not null,
  farms int not null,
  total_wind_generation numeric,
  wind_onshore_generation numeric,
  wind_offshore_generation numeric,
  created_at timestamptz not null default now(),
  last_updated timestamptz not null default now()
);

create table if not exists monthly_summaries (
  year_month text primary key check (year_month ~ '^\d{4}-\d{2}$'),
  total_curtailed_energy numeric not null,
  total_payment numeric not null,
  records int not null,
  days int not null,
  total_wind_generation numeric,
  wind_onshore_generation numeric,
  wind_offshore_generation numeric,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table if not exists yearly_summaries (
  year text primary key check (year ~ '^\d{4}$'),
  total_curtailed_energy numeric not null,
  total_payment numeric not null,
  records int not null,
  days int not null,
  total_wind_generation numeric,
  wind_onshore_generation numeric,
  wind_offshore_generation numeric,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- Bitcoin "what if": network difficulty per date (loaded with `gridstream load btc-difficulty`), never guessed.
create table if not exists bitcoin_difficulty (
  date date primary key,
  difficulty numeric not null check (difficulty > 0),
  source text,
  loaded_at timestamptz not null default now()
);

create table if not exists historical_bitcoin_calculations (
  settlement_date date not null,
  settlement_period int not null,
  bmu_id text not null,
  miner_model text not null,
  curtailed_mwh numeric not null,
  bitcoin_mined numeric not null,
  difficulty numeric not null,
  block_reward numeric not null,
  calculated_at timestamptz not null default now(),
  primary key (settlement_date, settlement_period, bmu_id, miner_model)
);

create table if not exists bitcoin_daily_summaries (
  summary_date date not null,
  miner_model text not null,
  bitcoin_mined numeric not null,
  curtailed_mwh numeric not null,
  difficulty numeric not null,
  updated_at timestamptz not null default now(),
  primary key (summary_date, miner_model)
);

create table if not exists bitcoin_monthly_summaries (
  year_month text not null check (year_month ~ '^\d{4}-\d{2}$'),
  miner_model text not null,
  bitcoin_mined numeric not null,
  curtailed_mwh numeric not null,
  days int not null,
  updated_at timestamptz not null default now(),
  primary key (year_month, miner_model)
);

create table if not exists bitcoin_yearly_summaries (
  year text not null check (year ~ '^\d{4}$'),
  miner_model text not null,
  bitcoin_mined numeric not null,
  curtailed_mwh numeric not null,
  days int not null,
  updated_at timestamptz not null default now(),
  primary key (year, miner_model)
);

-- Dates with curtailment but no difficulty: reported here (and logged and counted), not computed.
create table if not exists bitcoin_missing_difficulty (
  settlement_date date primary key,
  curtailed_mwh numeric not null,
  records int not null,
  first_seen_at timestamptz not null default now()
);
