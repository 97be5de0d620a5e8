-- NESO Capacity Market Register: CMUs, their components, geocoded locations, and the crawler's and geocoder's own
-- bookkeeping. Search vectors are generated columns, so Postgres keeps them in step row by row: an incremental crawl
-- that changes two rows recomputes two vectors, never the index as a whole.
create table if not exists neso_cmus (
  auction_name text not null,
  cmu_id text not null,
  application_id text,
  auction_type text,
  delivery_year_start int not null,
  delivery_year_label text not null,
  company text,
  parent_company text,
  cm_unit_name text,
  agent_name text,
  transmission_or_distribution text,
  cm_unit_type text,
  cm_unit_category text,
  primary_fuel_type text,
  cmu_technology text,
  technology_class text not null,
  connection_capacity_mw double precision,
  connection_capacity_text text,
  derated_capacity_mw double precision,
  derated_capacity_text text,
  anticipated_derated_capacity_mw double precision,
  anticipated_derated_capacity_text text,
  capacity_agreement_awarded text,
  agreement_terminated text,
  agreement_suspended text,
  contact_telephone text,
  fields_json jsonb not null,
  content_hash text not null,
  search tsvector generated always as (
    setweight(to_tsvector('simple'::regconfig, coalesce(cmu_id, '') || ' ' || coalesce(application_id, '')), 'A') ||
    setweight(to_tsvector('simple'::regconfig, coalesce(company, '') || ' ' || coalesce(parent_company, '') || ' ' || coalesce(cm_unit_name, '')), 'A') ||
    setweight(to_tsvector('simple'::regconfig, coalesce(technology_class, '') || ' ' || coalesce(cmu_technology, '') || ' ' || coalesce(primary_fuel_type, '')), 'C')
  ) stored,
  primary key (auction_name, cmu_id)
);
create index if not exists neso_cmus_search on neso_cmus using gin (search);
create index if not exists neso_cmus_cmu on neso_cmus (cmu_id);
create index if not exists neso_cmus_company on neso_cmus (company);

create table if not exists neso_components (
  auction_name text not null,
  cmu_id text not null,
  component_id text not null,
  application_id text,
  auction_type text,
  delivery_year_start int not null,
  delivery_year_label text not null,
  generating_technology_class text,
  primary_fuel text,
  technology_class text not null,
  connection_capacity_mw double precision,
  connection_capacity_text text,
  derated_capacity_mw double precision,
  derated_capacity_text text,
  description text,
  location text,
  postcode text,
  outward_code text,
  os_grid_reference text,
  aggregated boolean not null,
  number_of_components int,
  fields_json jsonb not null,
  content_hash text not null,
  search tsvector generated always as (
    setweight(to_tsvector('simple'::regconfig, coalesce(cmu_id, '') || ' ' || coalesce(component_id, '') || ' ' || coalesce(postcode, '') || ' ' || coalesce(outward_code, '')), 'A') ||
    setweight(to_tsvector('simple'::regconfig, coalesce(location, '')), 'B') ||
    setweight(to_tsvector('simple'::regconfig, coalesce(technology_class, '') || ' ' || coalesce(generating_technology_class, '')), 'C')
  ) stored,
  primary key (auction_name, cmu_id, component_id)
);
create index if not exists neso_components_search on neso_components using gin (search);
create index if not exists neso_components_cmu on neso_components (cmu_id);
create index if not exists neso_components_postcode on neso_components (postcode);
create index if not exists neso_components_location on neso_components (location);

-- Geocoder answers (clean.neso.locations), one row per postcode or location string.
create table if not exists neso_locations (
  kind text not null check (kind in ('postcode', 'text')),
  query text not null,
  found boolean not null,
  latitude double precision,
  longitude double precision,
  provider text not null,
  detail text,
  answered_at timestamptz not null,
  primary key (kind, query)
);

-- The geocoder's cache: every postcode or location string the components name, asked once ever. The components sink
-- enqueues new ones (status 'pending') in its own transaction; the geocoding stage asks, publishes the answer and
-- records it here. Misses and failures wait until next_try_at, so they never hold up the rest.
create table if not exists neso_geocode_cache (
  kind text not null check (kind in ('postcode', 'text')),
  query text not null,
  status text not null check (status in ('pending', 'found', 'missing', 'failed')),
  attempts int not null default 0,
  next_try_at timestamptz not null default now(),
  asked_at timestamptz,
  primary key (kind, query)
);
create index if not exists neso_geocode_cache_due on neso_geocode_cache (next_try_at) where status <> 'found';

-- The crawler's change detection: the content hash of every record it has published (written after the Kafka
-- transaction that published it, so a crash in between only republishes, never skips).
create table if not exists neso_crawl_hashes (
  resource text not null,
  record_key text not null,
  content_hash text not null,
  primary key (resource, record_key)
);

-- The CMU IDs a crawl found in the register, in the order their components are fetched (written before the page's
-- records are published: a to-do list, so writing it early can only repeat work).
create table if not exists neso_crawl_todo (
  crawl_id bigint not null,
  cmu_id text not null,
  primary key (crawl_id, cmu_id)
);
