// AEMO backfill benchmark: a month of synthesised daily archives (nested zips of 5-minute SCADA and DISPATCHIS files,
// weekly rooftop zips) served from 127.0.0.1 and read through the AEMO source, into Kafka (default) or only read
// (--no-kafka). Prints records/s and the process RSS sampled during the run. The server (in this process) holds the
// month's compressed archives, reported apart; the source should hold no more than one archive at a time.
// Options: --days N (30), --units N (100 DUIDs), --datasets scada,price,interconnector,rooftop, --no-kafka.
import { randomBytes } from 'node:crypto';
import { stackUp } from '../infra/stack/index.js';
import { arg, mb, say, units } from './support.js';
import { closePool, migrate } from '../runtime/db.js';
import { runSource } from '../runtime/producer-runner.js';
import { Serde } from '../runtime/serde.js';
import { applyTopics } from '../runtime/topics-apply.js';
import { catalogue } from '../schemas/catalogue.js';
import { daysBetween, nextDay, parseWants } from '../producers/aemo/backfill.js';
import { rooftopWeekStart } from '../producers/aemo/files.js';
import { DIR, dailyArchive, intervalEnds, rooftopFile, serveNemweb, writeZip } from '../devkit/aemo/nemweb-tree.js';
import type { NemwebTree } from '../devkit/aemo/nemweb-tree.js';
import { aemoSource } from '../producers/aemo/source.js';
import type { AemoOptions } from '../producers/aemo/source.js';




/** The archive tree of a range: daily SCADA and DISPATCHIS zips, weekly rooftop zips (as builders). */
function archiveTree(days: string[], unitList: ReturnType<typeof units>): NemwebTree {
  const tree: NemwebTree = new Map();
  for (const day of days) {
    const compact = day.replaceAll('-', '');
    tree.set(`${DIR.scadaArchive}PUBLIC_DISPATCHSCADA_${compact}.zip`, { body: () => dailyArchive('scada', day, unitList).zip });
    tree.set(`${DIR.dispatchisArchive}PUBLIC_DISPATCHIS_${compact}.zip`, { body: () => dailyArchive('dispatchis', day).zip });
  }
  for (const week of new Set(days.map(rooftopWeekStart))) {
    tree.set(`${DIR.rooftopArchive}PUBLIC_ROOFTOP_PV_ACTUAL_MEASUREMENT_${week.replaceAll('-', '')}.zip`, {
      body: () => {
        const weekDays = [week];
        while (weekDays.length < 7) weekDays.push(nextDay(weekDays[weekDays.length - 1]!));
        const files = weekDays.flatMap((d) => intervalEnds(d, 30)).map((t) => rooftopFile(t));
        return writeZip(files.map((f) => ({ name: f.name, data: f.zip })), { store: true });
      },
    });
  }
  return tree;
}

export async function main(args: string[]): Promise<void> {
  const dayCount = Number(arg(args, '--days', '30'));
  const unitCount = Number(arg(args, '--units', '100'));
  const wants = parseWants(arg(args, '--datasets', 'scada,price,interconnector,rooftop'));
  const kafkaOn = !args.includes('--no-kafka');
  process.env.LOG_LEVEL ??= 'warn';

  // A month well inside the daily-archive window of `now`, so every day is read from Reports/Archive.
  const from = '2025-11-01';
  let to = from;
  for (let i = 1; i < dayCount; i++) to = nextDay(to);
  const days = daysBetween(from, to);
  // Past the rooftop week's publication too (files.ts ROOFTOP_WEEK_PUBLISH_DAYS).
  const now = Date.parse(`${to}T12:00:00+10:00`) + 16 * 24 * 3600_000;
  say(`aemo backfill benchmark: ${from}..${to} (${days.length} days), ${unitCount} DUIDs, ${wants.join(',')}, ${kafkaOn ? 'into Kafka' : 'read only'}`);
  // Built before the clock starts, so the rate is the source's alone (the server runs in this process).
  const built = Date.now();
  const tree = archiveTree(days, units(unitCount));
  let archiveBytes = 0;
  for (const f of tree.values()) {
    if (typeof f.body === 'function') f.body = f.body();
    archiveBytes += f.body.length;
  }
  say(`  archives: ${tree.size} zips, ${mb(archiveBytes)} MB, built in ${((Date.now() - built) / 1000).toFixed(1)} s`);
  const server = await serveNemweb(tree);
  const id = `bench_aemo_${randomBytes(3).toString('hex')}`;
  const source = aemoSource({ name: id, topicPrefix: `raw.${id}`, baseUrl: server.url });
  const options: AemoOptions = { from, to, datasets: wants, now };

  const rss: number[] = [];
  const sampler = setInterval(() => rss.push(process.memoryUsage().rss), 250);
  const t0 = Date.now();
  let records = 0;
  try {
    if (kafkaOn) {
      await stackUp();
      await migrate();
      const serde = Serde.fromConfig();
      await applyTopics(catalogue([{ source, sinks: [] }]), serde);
      records = (await runSource(source, { serde, once: true, options })).records;
    } else {
      for await (const b of source.source.read(undefined, options, { signal: new AbortController().signal })) records += b.records.length;
    }
  } finally {
    clearInterval(sampler);
    await server.close();
    if (kafkaOn) await closePool();
  }
  const secs = (Date.now() - t0) / 1000;
  rss.push(process.memoryUsage().rss);
  const sorted = [...rss].sort((a, b) => a - b);
  const p50 = sorted[Math.floor(sorted.length / 2)]!;
  say(`  ${server.requests.length} requests, ${records} records in ${secs.toFixed(1)} s`);
  say(`  RSS samples: ${rss.length}, median ${mb(p50)} MB, max ${mb(sorted[sorted.length - 1]!)} MB`);
  say(`aemo-backfill: ${Math.round(records / secs)} rec/s, RSS max ${mb(sorted[sorted.length - 1]!)} MB`);
}
