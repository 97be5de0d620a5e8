// NEMWEB directory pages are IIS listings: `<br>`-separated lines of date, size and an `<a HREF="...">` link. We only
// need the links; a regex is enough for this fixed, machine-generated format (the reference uses BeautifulSoup).

const ANCHOR = /<a\s[^>]*?href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>([\s\S]*?)<\/a\s*>/gi;

const decodeEntities = (s: string): string =>
  s
    .replace(/&amp;/gi, '&')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&quot;/gi, '"')
    .replace(/&#39;/g, "'");

export interface ListedLink {
  url: string;
  /** fileNameOf(url); '' for a directory link. */
  name: string;
}

export interface SkippedLink {
  href: string;
  reason: string;
}

/**
 * The entries linked from an IIS listing page, in page order, plus the links left out and why. hrefs may be absolute
 * paths (`/Reports/Current/...zip`, as NEMWEB writes them) or relative (`PUBLIC_...zip`); both resolve against the
 * listing URL. The `[To Parent Directory]` link, and any other link to the listing itself or one of its ancestors, is
 * dropped quietly (every page has one). Each remaining link either lands in `links` or in `skipped`:
 * - one that does not parse (bad URL, bad percent-encoding) is skipped, so one broken line cannot stop a source;
 * - one to another origin is skipped: the source fetches only from the server it was configured with;
 * - a file name already listed is skipped, so a page that lists a file twice does not get it published twice.
 */
export function readListing(html: string, listingUrl: string): { links: ListedLink[]; skipped: SkippedLink[] } {
  const base = new URL(listingUrl);
  const links: ListedLink[] = [];
  const skipped: SkippedLink[] = [];
  const seen = new Set<string>();
  for (const m of html.matchAll(ANCHOR)) {
    const href = decodeEntities(m[1] ?? m[2] ?? m[3] ?? '').trim();
    const text = (m[4] ?? '').trim();
    if (href === '' || /parent directory/i.test(text)) continue;
    let url: URL;
    let name: string;
    try {
      url = new URL(href, base);
      name = fileNameOf(url.href);
    } catch (err) {
      skipped.push({ href, reason: `malformed link: ${(err as Error).message}` });
      continue;
    }
    if (url.origin !== base.origin) {
      skipped.push({ href, reason: `link to another origin (${url.origin}), not ${base.origin}` });
      continue;
    }
    if (url.pathname.endsWith('/') && base.pathname.startsWith(url.pathname)) continue;
    // Directories have no file name; they are told apart by their path.
    const id = name === '' ? url.pathname : name;
    if (seen.has(id)) {
      skipped.push({ href, reason: `duplicate link to ${id}` });
      continue;
    }
    seen.add(id);
    links.push({ url: url.href, name });
  }
  return { links, skipped };
}

/** Absolute URLs of the entries linked from an IIS listing page, in page order (see readListing for what is left out). */
export function parseListing(html: string, listingUrl: string): string[] {
  return readListing(html, listingUrl).links.map((l) => l.url);
}

/** The file name at the end of a URL, percent-decoding once (`%23` -> `#`, `%2523` -> `%23`). */
export function fileNameOf(url: string): string {
  const last = new URL(url).pathname.split('/').pop() ?? '';
  return decodeURIComponent(last);
}
