-- A first load's tickets are all new, so the parking sink counts them per (year, location, code) as it COPYs them
-- and keeps the counts in memory until the settle, which adds them to parking_ticket_yearly_location_codes instead of
-- reading the year's tickets again (a full year: ~7-9 s of Postgres alone at the end of the load, plus ~3.5 s of
-- per-batch delta rows when the counts were written to a table in every batch).
--
-- counted_by: the sink instance whose memory holds the key's counts since the last settle; null = count the key from
-- parking_tickets (tickets upserted or deleted, a fine not in whole cents, two instances marking it, rows marked
-- before this migration).
alter table parking_metric_dirty add column if not exists counted_by text;

-- One row per batch whose counts a sink instance keeps (written in the batch's transaction). A settle uses an
-- instance's counts only when it holds every such batch of that instance: a batch committed whose counts the
-- instance never kept (it died after the commit, or never learned the commit succeeded) makes its keys counted from
-- the tickets. Emptied by every settle.
create table if not exists parking_metric_counted_batches (
  counted_by text not null,
  batch bigint not null,
  primary key (counted_by, batch)
);
