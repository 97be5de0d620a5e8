// The one field-name normalisation table for both CKAN resources. NESO's spellings drift between releases
// ("De-Rated Capacity" / "De Rated Capacity", "Connection / DSR Capacity" / "Connection or DSR Capacity",
// "Permitted on-Site" / "Permitted On Site"); every spelling folds to a loose form (lower case, punctuation and the
// word "or" dropped) that the table maps to one canonical name. A name the table does not know keeps its spelling.

/** Canonical name -> the spellings seen (any one is enough: all of them fold to the same loose form). */
export const FIELD_NAMES: Record<string, string[]> = {
  auction_name: ['Auction Name'],
  application_id: ['Application ID'],
  cmu_id: ['CMU ID'],
  component_id: ['Component ID'],
  auction_type: ['Type'],
  auction: ['Auction'],
  delivery_year: ['Delivery Year'],
  company: ['Name of Applicant'],
  agent_name: ['Agent Name'],
  cm_unit_name: ['CM Unit Name'],
  parent_company: ['Parent Company'],
  contact_telephone: ['Secondary Trading Contact_Telephone', 'Secondary Trading Contact Telephone'],
  contact_email: ['Secondary Trading Contact_Email'],
  transmission_or_distribution: ['Transmission or Distribution'],
  cm_unit_type: ['CM Unit Type'],
  cm_unit_category: ['CM Unit Category'],
  primary_fuel_type: ['Primary Fuel Type'],
  cmu_technology: ['CMU Technology'],
  connection_capacity: ['Connection / DSR Capacity', 'Connection or DSR Capacity'],
  derated_capacity: ['De-Rated Capacity', 'De Rated Capacity'],
  anticipated_derated_capacity: ['Anticipated De-Rated Capacity', 'Anticipated De Rated Capacity'],
  capacity_agreement_awarded: ['Capacity Agreement Awarded'],
  agreement_terminated: ['Capacity Agreement has been Terminated'],
  agreement_suspended: ['Has Capacity Agreement been Suspended'],
  generating_technology_class: ['Generating Technology Class'],
  permitted_on_site_generating_unit: ['Permitted on-Site Generating Unit', 'Permitted On Site Generating Unit'],
  primary_fuel: ['Primary Fuel of Component'],
  pre_refurbishing_derated_capacity: ['Pre-Refurbishing De-Rated Capacity', 'Pre Refurbishing De Rated Capacity'],
  post_refurbishing_derated_capacity: ['Post-Refurbishing De-Rated Capacity', 'Post Refurbishing De Rated Capacity'],
  on_site_generating_capacity: ['Generating Capacity of on-site Generating Unit', 'Generating Capacity of On Site Generating Unit'],
  description: ['Description of CMU Components'],
  location: ['Location and Post Code'],
  os_grid_reference: ['OS Grid Reference'],
  number_of_components: ['Number of Components'],
};

/** The loose form spellings are compared in: "Connection / DSR Capacity" and "Connection or DSR Capacity" agree. */
export function looseName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .split(' ')
    .filter((w) => w && w !== 'or')
    .join(' ');
}

const BY_LOOSE = new Map<string, string>(Object.entries(FIELD_NAMES).flatMap(([canonical, spellings]) => spellings.map((s) => [looseName(s), canonical] as [string, string])));

/** CKAN's own fields and the one the old app added to its saved JSON: never part of a record's content. */
const NOT_FIELDS = new Set(['_id', 'rank', '_full_text', 'Company Name']);

/** The canonical name of a field, or undefined when the table does not know it. */
export const canonicalName = (name: string): string | undefined => BY_LOOSE.get(looseName(name));

/**
 * A record under canonical names, values as sent. Unknown names are kept as sent (so nothing is lost); when two
 * spellings of one field are both present, a non-blank value wins over a blank one.
 */
export function normaliseFieldNames(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(record)) {
    if (NOT_FIELDS.has(name)) continue;
    const key = canonicalName(name) ?? name;
    const blank = (v: unknown) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
    if (key in out && blank(value)) continue;
    out[key] = value;
  }
  return out;
}
