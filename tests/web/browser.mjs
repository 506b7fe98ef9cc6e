// Debian's chromium, headless, with nothing that calls out to the network
// (this machine's network is closed), and a page that records every CSP
// violation and script error so that a test can assert there were none.
import { after, before } from "node:test";
import { chromium } from "playwright-core";

export async function launch() {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export async function open(browser, port, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => {
    // A 401 is how the page learns it must sign in (and that a token is wrong): expected.
    if (m.type() === "error" && !m.text().includes("status of 401")) problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  await page.goto(`http://127.0.0.1:${port}/`);
  return { context, page, problems };
}

// One browser for a test file: started before its tests, closed after them.
export function useBrowser() {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });
  return () => browser;
}
