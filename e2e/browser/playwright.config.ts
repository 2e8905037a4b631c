import { defineConfig } from '@playwright/test'

// Debian's Chromium (a browser download does not work here), headless, one worker: the story
// is one walk on one fresh server.
export default defineConfig({
  testDir: './tests',
  timeout: 120_000,
  expect: { timeout: 10_000 },
  workers: 1,
  fullyParallel: false,
  // One retry, on a fresh server (a failure ends the worker and its server): a walk that fails
  // only under the shared machine's load is reported as flaky, not lost; a real fault fails twice.
  retries: 1,
  reporter: [['list']],
  outputDir: './test-results',
  use: {
    browserName: 'chromium',
    testIdAttribute: 'data-test',
    headless: true,
    locale: 'zh-CN',
    timezoneId: 'America/New_York',
    viewport: { width: 1366, height: 768 },
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    trace: 'off',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
})
