-- Which loads (resource, content hash) have tickets in parking_tickets. When a load's final chunk lands, the tickets an
-- earlier load of the same resource wrote and this one did not are deleted; with no earlier load (a first load, the
-- usual case) there is nothing to delete, and this table says so without a scan of every ticket (parking_tickets has
-- no index on resource_id: one would slow every COPY, and a full-year first load paid ~1 s for the scan, 39 M rows
-- once every year is loaded). A batch that writes tickets records its load here in the same transaction.
create table if not exists parking_ticket_loads (
  resource_id text not null,
  load_hash text not null,
  primary key (resource_id, load_hash)
);
insert into parking_ticket_loads (resource_id, load_hash)
select distinct resource_id, load_hash from parking_tickets
on conflict do nothing;
