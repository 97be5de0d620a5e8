// An MMS CSV writer: `C` header, an `I` row per table followed by its `D` rows, and the `END OF REPORT` footer.
import { formatNem } from '../../schemas/aemo/nem-time.js';

export interface MmsBlock {
  report: string;
  subtype: string;
  version: number;
  columns: readonly string[];
  /** Fields already formatted as they appear in the file (timestamps quoted, see `mmsTime`). */
  rows: readonly (readonly string[])[];
}

/** A timestamp as live files write it: quoted `"YYYY/MM/DD HH:MM:SS"` in NEM time. */
export function mmsTime(utc: number): string {
  const t = formatNem(utc);
  return `"${t.slice(0, 10).replaceAll('-', '/')} ${t.slice(11)}"`;
}

/**
 * A whole MMS CSV: the `C` header line, an I row and D rows per block, and `C,"END OF REPORT",n` with n counting
 * every line including itself; CRLF line ends as in live files.
 */
export function mmsCsv(header: readonly string[], blocks: readonly MmsBlock[]): string {
  const lines = [['C', ...header].join(',')];
  for (const b of blocks) {
    const head = ['I', b.report, b.subtype, String(b.version)];
    lines.push([...head, ...b.columns].join(','));
    for (const r of b.rows) lines.push(['D', ...head.slice(1), ...r].join(','));
  }
  lines.push(`C,"END OF REPORT",${lines.length + 1}`);
  return `${lines.join('\r\n')}\r\n`;
}

/** The `C` header line fields of a live file (`C,NEMP.WORLD,DISPATCHSCADA,AEMO,PUBLIC,2025/12/27,00:00:23,<id>,…`). */
export function liveHeader(fileType: string, publishedUtc: number, id: string): string[] {
  const t = formatNem(publishedUtc);
  return ['NEMP.WORLD', fileType, 'AEMO', 'PUBLIC', t.slice(0, 10).replaceAll('-', '/'), t.slice(11), id, fileType, `${id.slice(0, -2)}00`];
}
