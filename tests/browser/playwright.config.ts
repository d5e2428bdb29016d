// Playwright drives Debian's chromium (/usr/bin/chromium): no browser is
// downloaded. The flags keep chromium off the network — the test machine has
// none, and a page must not need it. tests/browser/console.sh and portal.sh
// start the issuer and set ESEAL_CONSOLE_URL or ESEAL_PORTAL_URL and the
// accounts.
import { defineConfig } from '@playwright/test';

const out = process.env.ESEAL_SCREENSHOTS ?? 'results/screenshots';
export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  outputDir: 'results/output',
  timeout: 300_000,
  expect: { timeout: 15_000 },
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: process.env.ESEAL_PORTAL_URL ?? process.env.ESEAL_CONSOLE_URL,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1440, height: 900 },
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
      ],
    },
  },
  metadata: { screenshots: out },
});
