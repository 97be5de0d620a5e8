import { describe, expect, it } from 'vitest';
import { fileNameOf, parseListing, readListing } from '../../../producers/aemo/listing.js';
import { readFixture } from './helpers.js';

const LISTING = 'https://nemweb.com.au/Reports/Current/TradingIS_Reports/';

describe('IIS listing', () => {
  it('turns the TradingIs.html fixture into its three absolute zip URLs, without the parent link', () => {
    const urls = parseListing(readFixture('TradingIs.html').toString('utf8'), LISTING);
    expect(urls).toEqual([
      'https://nemweb.com.au/Reports/Current/TradingIS_Reports/PUBLIC_TRADINGIS_202403120535_0000000413460134.zip',
      'https://nemweb.com.au/Reports/Current/TradingIS_Reports/PUBLIC_TRADINGIS_202403120540_0000000413460407.zip',
      'https://nemweb.com.au/Reports/Current/TradingIS_Reports/PUBLIC_TRADINGIS_202403120545_0000000413460679.zip',
    ]);
    expect(urls.map(fileNameOf)[0]).toBe('PUBLIC_TRADINGIS_202403120535_0000000413460134.zip');
  });

  it('resolves relative hrefs, any case of <a href, and quoted or bare values', () => {
    const html = [
      '<pre><a href="/Reports/Current/">[To Parent Directory]</a><br>',
      '<br> Monday 1 <A Href="PUBLIC_DISPATCHSCADA_202512270005_0000000495867506.zip">x</A>',
      "<br> Monday 2 <a class=x href='PUBLIC_DISPATCHSCADA_202512270010_0000000495867600.zip'>y</a>",
      '<br> Monday 3 <a HREF=PUBLIC_DISPATCHSCADA_202512270015_0000000495867700.zip>z</a>',
      '<br> <a HREF="/Reports/Current/Dispatch_SCADA/sub/">sub</a></pre>',
    ].join('\n');
    const dir = 'https://nemweb.com.au/Reports/Current/Dispatch_SCADA/';
    expect(parseListing(html, dir)).toEqual([
      `${dir}PUBLIC_DISPATCHSCADA_202512270005_0000000495867506.zip`,
      `${dir}PUBLIC_DISPATCHSCADA_202512270010_0000000495867600.zip`,
      `${dir}PUBLIC_DISPATCHSCADA_202512270015_0000000495867700.zip`,
      `${dir}sub/`,
    ]);
  });

  it('skips a parent link even without its usual text', () => {
    const html = '<a href="../">up</a><a href="/">root</a><a href="f.zip">f</a>';
    expect(parseListing(html, 'https://nemweb.com.au/Reports/Current/X/')).toEqual([
      'https://nemweb.com.au/Reports/Current/X/f.zip',
    ]);
  });

  // Issue 15 #5: one bad line stopped the whole source, a repeated line published a file twice, and a link to another
  // host was followed.
  describe('hostile listings', () => {
    const dir = 'https://nemweb.com.au/Reports/Current/Dispatch_SCADA/';
    const a = 'PUBLIC_DISPATCHSCADA_202512270005_0000000495867506.zip';
    const b = 'PUBLIC_DISPATCHSCADA_202512270010_0000000495867600.zip';

    it('skips a malformed link with a reason and keeps the others', () => {
      const html = `<a href="${a}">a</a><a href="http://[oops/x.zip">bad url</a><a href="PUBLIC_%E0%A4%A.zip">bad escape</a><a href="${b}">b</a>`;
      const { links, skipped } = readListing(html, dir);
      expect(links.map((l) => l.name)).toEqual([a, b]);
      expect(skipped.map((s) => s.href)).toEqual(['http://[oops/x.zip', 'PUBLIC_%E0%A4%A.zip']);
      expect(skipped.every((s) => s.reason.startsWith('malformed link: '))).toBe(true);
      expect(parseListing(html, dir)).toEqual([dir + a, dir + b]);
    });

    it('lists a file once however often, and however spelled, it is linked', () => {
      const html = `<a href="${a}">a</a><a href="/Reports/Current/Dispatch_SCADA/${a}">a again</a><a href="${b}">b</a><a href="${a}">a</a>`;
      const { links, skipped } = readListing(html, dir);
      expect(links).toEqual([{ url: dir + a, name: a }, { url: dir + b, name: b }]);
      expect(skipped).toHaveLength(2);
      expect(skipped[0]?.reason).toBe(`duplicate link to ${a}`);
    });

    it('does not follow links to another origin (host, port or scheme)', () => {
      const html = [
        `<a href="https://evil.example/Reports/Current/Dispatch_SCADA/${b}">x</a>`,
        `<a href="https://nemweb.com.au:8443/${b}">port</a>`,
        `<a href="http://nemweb.com.au/${b}">scheme</a>`,
        '<a href="javascript:alert(1)">js</a>',
        `<a href="//evil.example/${b}">protocol-relative</a>`,
        `<a href="${a}">a</a>`,
      ].join('<br>');
      const { links, skipped } = readListing(html, dir);
      expect(links.map((l) => l.url)).toEqual([dir + a]);
      expect(skipped).toHaveLength(5);
      expect(skipped[0]?.reason).toBe('link to another origin (https://evil.example), not https://nemweb.com.au');
    });
  });

  it('decodes %2523 in a URL back to the stored %23 name', () => {
    expect(fileNameOf('https://nemweb.com.au/D/PUBLIC_ARCHIVE%2523DISPATCHPRICE%2523FILE01%2523202408010000.zip')).toBe(
      'PUBLIC_ARCHIVE%23DISPATCHPRICE%23FILE01%23202408010000.zip',
    );
  });
});
