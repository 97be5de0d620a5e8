import { describe, expect, it } from 'vitest';
import { fileNameOf, parseListing } from '../../../producers/aemo/listing.js';
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

  it('decodes %2523 in a URL back to the stored %23 name', () => {
    expect(fileNameOf('https://nemweb.com.au/D/PUBLIC_ARCHIVE%2523DISPATCHPRICE%2523FILE01%2523202408010000.zip')).toBe(
      'PUBLIC_ARCHIVE%23DISPATCHPRICE%23FILE01%23202408010000.zip',
    );
  });
});
