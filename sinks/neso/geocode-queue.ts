// What a component asks the geocoder: its postcode when the location has one, else the location text when it names
// a place (not "Aggregated", "N/A", "TBC" or a "see business plan" note). Pure.
import type { NesoComponent } from '../../schemas/neso/records.gen.js';

export interface GeocodeQuery {
  kind: 'postcode' | 'text';
  query: string;
}

const NOT_A_PLACE = /^(aggregated|n\/?a|tbc|to be confirmed\.?|none|unknown|various|-)$|business plan|^eg[:.]/i;

export function geocodeQueryOf(c: Pick<NesoComponent, 'postcode' | 'location' | 'aggregated'>): GeocodeQuery | null {
  if (c.postcode) return { kind: 'postcode', query: c.postcode };
  const t = c.location?.replace(/\s+/g, ' ').trim();
  if (!t || c.aggregated || NOT_A_PLACE.test(t) || t.length < 4) return null;
  return { kind: 'text', query: t.slice(0, 300) };
}

/** The location key the views use: the postcode, else the location text with spaces collapsed (LOCATION_KEY_SQL). */
export function locationKeyOf(c: Pick<NesoComponent, 'postcode' | 'location'>): string | null {
  return c.postcode ?? (c.location?.trim().replace(/\s+/g, ' ') || null);
}
