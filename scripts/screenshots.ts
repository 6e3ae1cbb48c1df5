// README screenshots from the real app: starts `arena start` (embedded database in a temp dir,
// offline provider, paced turns), starts a debate through the HTTP API, and shoots the page while
// personas are writing. Run: npm run screenshots (needs Chromium: CHROMIUM_PATH or /usr/bin/chromium).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { screenshotOptions } from './screenshot-options.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'docs/screenshots');
const options = screenshotOptions();

const port = await new Promise<number>((resolve) => {
  const srv = createServer();
  srv.listen(0, '127.0.0.1', () => {
    const p = (srv.address() as { port: number }).port;
    srv.close(() => resolve(p));
  });
});
const dataDir = await mkdtemp(path.join(tmpdir(), 'arena-shots-'));
const base = `http://127.0.0.1:${port}`;
const app = spawn(process.execPath, [path.join(ROOT, 'bin/arena.js'), 'start'], {
  cwd: dataDir,
  env: {
    PATH: options.path,
    HOME: options.home ?? dataDir,
    DASHBOARD_PORT: String(port),
    LLM_PROVIDER: 'offline',
    OFFLINE_TURN_DELAY_MS: '2500',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});

try {
  for (let i = 0; ; i++) {
    if (app.exitCode !== null) throw new Error('arena start exited');
    const ok = await fetch(`${base}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (i > 600) throw new Error('arena start did not answer within 5 minutes');
    await new Promise((r) => setTimeout(r, 500));
  }
  const browser = await chromium.launch({
    executablePath: options.chromiumPath,
    args: ['--no-sandbox', '--headless'],
  });
  try {
    const shoot = async (file: string, lang: 'en' | 'ko', viewport: { width: number; height: number }) => {
      const context = await browser.newContext({
        viewport,
        locale: lang === 'ko' ? 'ko-KR' : 'en-US',
        ...(viewport.width < 500 ? { deviceScaleFactor: 2, isMobile: true, hasTouch: true } : {}),
      });
      const page = await context.newPage();
      await page.goto(base);
      await page.waitForSelector('body[data-ready="true"]');
      const idea =
        lang === 'ko'
          ? '동네 가게를 위한 오프라인 우선 예약 앱'
          : 'A wallet app for DAOs with shared spending limits';
      const res = await fetch(`${base}/api/debates`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ idea, lang, rounds: 2 }),
      });
      if (res.status !== 201) throw new Error(`starting a debate answered ${res.status}`);
      // A few messages in, with a persona visibly writing the next one.
      await page.waitForFunction(
        () =>
          document.querySelectorAll('#live-messages .msg.persona:not(.streaming)').length >= 3 &&
          (document.querySelector('#live-messages .msg.streaming .msg-body')?.textContent ?? '').length > 60,
        null,
        { timeout: 240_000 },
      );
      await page.evaluate(() => document.fonts.ready);
      await page.screenshot({ path: path.join(OUT, file), fullPage: viewport.width > 500 });
      await context.close();
      console.log(`wrote docs/screenshots/${file}`);
    };
    await shoot('dashboard-desktop.png', 'en', { width: 1440, height: 900 });
    await shoot('dashboard-mobile.png', 'ko', { width: 390, height: 844 });
  } finally {
    await browser.close();
  }
} finally {
  app.kill('SIGTERM');
  await new Promise((r) => app.once('exit', r));
  await rm(dataDir, { recursive: true, force: true });
}
