// Which TDSPs a poll syncs. Pure: the cursor and `now` are passed in.
// Priority TDSPs every `priorityEveryMs` (hourly), every TDSP every `allEveryMs` (daily); a TDSP the plans API asked
// for (no data for a request) is synced at the next poll unless it was synced less than `requestedMinMs` ago.

export interface ComparePowerCursor {
  /** Start time (ms) of the last COMPLETED sync per TDSP DUNS. */
  synced: Record<string, number>;
}

export interface Schedule {
  tdsps: readonly string[];
  priority: readonly string[];
  priorityEveryMs: number;
  allEveryMs: number;
  requestedMinMs: number;
}

export function dueTdsps(s: Schedule, cursor: ComparePowerCursor | undefined, now: number, requested: readonly string[] = []): string[] {
  const synced = cursor?.synced ?? {};
  return s.tdsps.filter((duns) => {
    const last = synced[duns];
    if (last === undefined) return true;
    const age = now - last;
    if (requested.includes(duns) && age >= s.requestedMinMs) return true;
    return age >= (s.priority.includes(duns) ? s.priorityEveryMs : s.allEveryMs);
  });
}
