-- How many times the parking metrics have been settled (one row; sinks/toronto/parking-metrics.ts bumps it in every
-- settle's transaction). A parking sink remembers the (year, location) keys it has already marked dirty since the
-- last settle and skips marking them again: a full year marked ~25 k keys per batch, nearly all already dirty, for
-- ~8 s of a ~75 s load. The generation tells the sink that a settle (its own, its heal's or another instance's) has
-- emptied parking_metric_dirty since, so what it remembers no longer holds.
create table if not exists parking_metric_settles (
  id boolean primary key default true check (id),
  generation bigint not null
);
