// Drives Swagger UI in headless Chromium: the page's title, the document's description as the
// landing text, then list_commitments: Try it out, Execute, a 200 with seed data. Saves a screenshot.
import { chromium } from 'playwright-core';

const [baseUrl, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-default-apps', '--disable-extensions',
  ],
});
const failures = [];
const check = (condition, message) => { if (!condition) failures.push(message); else console.log(`swagger ui: ok: ${message}`); };
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
  const offsite = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol.startsWith('http') && !['127.0.0.1', 'localhost'].includes(url.hostname)) offsite.push(request.url());
  });
  await page.goto(`${baseUrl}/swagger-ui/`, { waitUntil: 'networkidle' });
  check((await page.title()).includes('Alliance-commitment knowledge base'), `the page's title names the product: "${await page.title()}"`);
  await page.waitForSelector('.information-container .info', { timeout: 30000 });
  const landing = await page.textContent('.information-container .info');
  check(landing.includes('Every commitment, statement, event and claim carries its citations'), "the document's description is the landing text");
  const op = '#operations-commitments-list_commitments';
  await page.click(`${op} .opblock-summary`);
  await page.click(`${op} .try-out__btn`);
  await page.click(`${op} .execute`);
  await page.waitForSelector(`${op} .live-responses-table .response .response-col_status`, { timeout: 30000 });
  const status = (await page.textContent(`${op} .live-responses-table .response .response-col_status`)).trim();
  check(status.startsWith('200'), `Execute on list_commitments answers ${status}`);
  const body = await page.textContent(`${op} .live-responses-table .response .microlight`);
  check(body.includes('several thousand') && body.includes('Emmanuel Macron'), "the response shows seed data: France's several thousand soldiers, announced by Emmanuel Macron");
  await page.locator(`${op} .live-responses-table`).scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshot });
  check(offsite.length === 0, `no request left this machine${offsite.length ? ': ' + offsite.join(', ') : ''}`);
  console.log(`swagger ui: screenshot saved to ${screenshot}`);
} finally {
  await browser.close();
}
if (failures.length) {
  for (const f of failures) console.error(`swagger ui: FAILED: ${f}`);
  process.exit(1);
}
