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

/**
 * Absolute URLs of the entries linked from an IIS listing page, in page order. hrefs may be absolute paths
 * (`/Reports/Current/...zip`, as NEMWEB writes them) or relative (`PUBLIC_...zip`); both resolve against the listing
 * URL. The `[To Parent Directory]` link, and any other link to the listing itself or one of its ancestors, is skipped.
 */
export function parseListing(html: string, listingUrl: string): string[] {
  const base = new URL(listingUrl);
  const urls: string[] = [];
  for (const m of html.matchAll(ANCHOR)) {
    const href = decodeEntities(m[1] ?? m[2] ?? m[3] ?? '').trim();
    const text = (m[4] ?? '').trim();
    if (href === '' || /parent directory/i.test(text)) continue;
    const url = new URL(href, base);
    if (url.origin === base.origin && url.pathname.endsWith('/') && base.pathname.startsWith(url.pathname)) continue;
    urls.push(url.href);
  }
  return urls;
}

/** The file name at the end of a URL, percent-decoding once (`%23` -> `#`, `%2523` -> `%23`). */
export function fileNameOf(url: string): string {
  const last = new URL(url).pathname.split('/').pop() ?? '';
  return decodeURIComponent(last);
}
