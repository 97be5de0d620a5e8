-- Toronto parking tickets, camera charges and their yearly metrics (shared/specs/civic.md §2-6), with the old
-- system's table and column names. Tickets arrive in chunks (sinks/toronto/parking.ts): one row per chunk in
-- parking_ticket_chunks (the pg-sink runner's natural key), its tickets upserted set-wise on ticket_hash.
create table if not exists parking_ticket_chunks (
  chunk_key text primary key,            -- resource_id|file|first_line, the Kafka key
  resource_id text not null,
  year int not null,
  content_hash text not null,
  file text not null,
  first_line int not null,
  last_line int not null,
  row_count int not null,
  final boolean not null
);

create table if not exists parking_tickets (
  -- md5 of every normalised field: tags are masked, so there is no natural key; a verbatim duplicate line is one ticket.
  ticket_hash text primary key,
  tag_number_masked text not null,
  date_of_infraction date not null,
  time_of_infraction text,               -- HH:MM, null when blank or not a time of day
  infraction_at timestamptz not null,    -- Toronto wall-clock date and time as UTC (local midnight when no time)
  date_text text not null,               -- as written
  time_text text not null,
  infraction_code int,
  infraction_description text not null,
  set_fine_amount numeric(10, 2),
  location1 text,
  location2 text,
  location3 text,
  location4 text,
  province text,
  location text,                         -- UPPER(TRIM(location2)); null for blank/nan
  street text,                           -- location without house number and NB/SB/EB/WB
  year int not null,                     -- of date_of_infraction
  resource_id text not null,
  load_hash text not null,               -- content_hash of the load that last wrote the row
  file text not null,
  line int not null
);
create index if not exists parking_tickets_year_location on parking_tickets (year, location);

-- Locations geocoded elsewhere (centreline match or a lookup): joined for coordinates and neighbourhoods.
create table if not exists parking_location_geocodes (
  location text primary key,
  latitude double precision,
  longitude double precision,
  neighbourhood text
);

-- (year, location) keys written since the metrics were last settled; settled in the sink's transaction.
create table if not exists parking_metric_dirty (
  year int not null,
  location text not null,
  street text,
  since timestamptz not null default now(),
  primary key (year, location)
);

-- Per (year, location, code): the one scan of parking_tickets the other metrics are derived from.
create table if not exists parking_ticket_yearly_location_codes (
  year int not null,
  location text not null,
  street text,
  infraction_code int,
  ticket_count bigint not null,
  total_revenue numeric(18, 2) not null
);
create index if not exists parking_ticket_yearly_location_codes_loc on parking_ticket_yearly_location_codes (year, location);
create index if not exists parking_ticket_yearly_location_codes_street on parking_ticket_yearly_location_codes (year, street);

create table if not exists parking_ticket_yearly_locations (
  location_key text not null,            -- md5(location)
  location text not null,
  year int not null,
  ticket_count bigint not null,
  total_revenue numeric(18, 2) not null,
  top_infraction int,                    -- most frequent code, ties -> lowest
  latitude double precision,
  longitude double precision,
  neighbourhood text,
  primary key (location_key, year)
);

create table if not exists parking_ticket_yearly_streets (
  street text not null,
  year int not null,
  ticket_count bigint not null,
  total_revenue numeric(18, 2) not null,
  top_infraction int,
  location_count int not null,
  primary key (street, year)
);

create table if not exists parking_ticket_yearly_neighbourhoods (
  neighbourhood text not null,           -- 'Unknown' for locations not geocoded
  year int not null,
  ticket_count bigint not null,
  total_revenue numeric(18, 2) not null,
  top_infraction int,
  location_count int not null,
  primary key (neighbourhood, year)
);

create table if not exists camera_locations (
  dataset text not null check (dataset in ('red_light', 'ase')),
  location_code text not null,           -- red light: RLC - 3500; ASE: site code
  source_code text not null,
  name text not null,
  street_a text,
  street_b text,
  ward text not null,
  police_division text,
  status text,
  intersection_id text,
  activation_date date,
  latitude double precision,
  longitude double precision,
  primary key (dataset, location_code)
);

create table if not exists camera_charges (
  dataset text not null check (dataset in ('red_light', 'ase')),
  location_code text not null,
  name text,
  ward text not null,
  periods jsonb not null,                -- [{period: 'YYYY' | 'YYYY-MM', tickets}]
  primary key (dataset, location_code)
);

create table if not exists red_light_yearly_locations (
  location_code text not null,
  year int not null,
  ticket_count bigint not null,
  total_revenue numeric(18, 2) not null, -- estimated: tickets x $325
  location_name text,
  ward text,
  police_division text,
  latitude double precision,
  longitude double precision,
  primary key (location_code, year)
);

create table if not exists ase_yearly_locations (
  location_code text not null,
  year int not null,
  ticket_count bigint not null,
  total_revenue numeric(18, 2) not null, -- estimated: tickets x $50
  location_name text,
  ward text,
  status text,
  latitude double precision,
  longitude double precision,
  primary key (location_code, year)
);

-- Camera layers as GeoJSON FeatureCollections, rebuilt whenever a dataset's locations or charges change.
create table if not exists camera_geojson (
  dataset text primary key,
  feature_collection jsonb not null,
  updated_at timestamptz not null default now()
);
