// The status page in a real browser (headless Chromium from Debian, driven by playwright-core): a process with stages
// running serves it, and every stage is shown with its state, the charts are drawn, and a screenshot is kept under
// test/artifacts/. Skipped only where there is no Chromium and this is not CI (.ci/run installs it).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../infra/stack/proc.js';
import { closePool } from '../../runtime/db.js';
import { stageName, sinksOf } from '../../runtime/stages.js';
import { testFlow, type TestFlow } from '../support/flow.js';
import { workerUrl } from '../support/worker-url.js';

const CHROMIUM = '/usr/bin/chromium';
const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser && process.env.CI) throw new Error(`${CHROMIUM} is missing in CI: .ci/run installs it (apt-get install chromium)`);
if (!haveBrowser) console.warn(`status page test skipped: no browser at ${CHROMIUM} (apt-get install -y chromium; CI installs it)`);

let f: TestFlow;
let worker: ChildProcess;
let url: string;
let browser: Browser;
let stderr = '';

beforeAll(async () => {
  if (!haveBrowser) return;
  f = await testFlow('page');
  worker = spawn(process.execPath, ['--import', 'tsx', 'test/support/run-worker.ts', JSON.stringify({ synthetic: f.id, syntheticCount: 2000 })], {
    cwd: repoRoot,
    env: { ...process.env, GRIDSTREAM_HTTP_PORT: '0', GRIDSTREAM_HISTORY_SAMPLE_MS: '1000', GRIDSTREAM_LAG_SAMPLE_MS: '1000', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  worker.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  url = await workerUrl(worker, () => stderr);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  worker?.kill('SIGTERM');
  await new Promise((r) => (worker && worker.exitCode === null ? worker.once('exit', r) : r(undefined)));
  await closePool();
});

describe.skipIf(!haveBrowser)('status page', () => {
  it('shows every stage with its state, the charts and the dead letters, refreshing itself', async () => {
    const names = [stageName(f.source), stageName(f.processor), ...sinksOf([f.flow]).map(stageName)];
    const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(r.url()));
    page.on('pageerror', (e) => failed.push(e.message));
    await page.goto(url);
    for (const name of names) {
      const row = page.locator(`#stages tr[data-stage="${name}"]`);
      await row.waitFor({ timeout: 30_000 });
      await expect.poll(() => row.locator('.state').textContent(), { timeout: 60_000 }).toMatch(/^(running|done)$/);
    }
    // The charts are uPlot canvases, served by the process itself (no CDN), with a line per stage once sampled.
    await expect.poll(() => page.locator('#rate .u-legend .u-series').count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(names.length);
    await expect.poll(() => page.locator('#dlq tbody tr td').first().textContent(), { timeout: 60_000 }).toMatch(new RegExp(`dlq\\.|none`));
    // It refreshes by itself: the "updated" time moves on without a reload.
    const before = await page.locator('#process').textContent();
    await expect.poll(() => page.locator('#process').textContent(), { timeout: 15_000 }).not.toBe(before);
    mkdirSync(join(repoRoot, 'test', 'artifacts'), { recursive: true });
    await page.screenshot({ path: join(repoRoot, 'test', 'artifacts', 'status-page.png'), fullPage: true });
    expect(failed).toEqual([]);
  });
});
