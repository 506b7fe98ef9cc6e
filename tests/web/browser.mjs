// Debian's chromium, headless, with nothing that calls out to the network
// (this machine's network is closed), and a page that records every CSP
// violation and script error so that a test can assert there were none.
import { after, before } from "node:test";
import { chromium } from "playwright-core";

export async function launch(extraArgs = []) {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      ...extraArgs,
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

export async function open(browser, port, viewport = { width: 1280, height: 800 }, colorScheme = "light") {
  const context = await browser.newContext({ viewport, colorScheme });
  // ctest runs this beside the model tests: a reply of the tiny model can take
  // many times its idle time on a loaded 2-core machine (seen: over 30 s).
  context.setDefaultTimeout(120_000);
  const page = await context.newPage();
  // Requests under way, but for the event stream, which stays open (see settled()).
  page.__loading = new Set();
  page.on("request", (r) => !r.url().endsWith("/api/v1/events") && page.__loading.add(r));
  page.on("requestfinished", (r) => page.__loading.delete(r));
  page.on("requestfailed", (r) => page.__loading.delete(r));
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

// Waits until the page has no request under way (the event stream aside) for
// 300 ms: what a view fetched has arrived and been drawn. Playwright's
// "networkidle" never comes while the event stream is open.
export async function settled(page) {
  let quietSince = Date.now();
  for (;;) {
    if (page.__loading.size) quietSince = Date.now();
    else if (Date.now() - quietSince >= 300) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

// The share of pixels (0 to 1) that differ by more than 48 in any channel
// between two PNGs, decoded by the browser in a blank page (no policy there);
// 1 when their sizes differ.
export async function imageDifference(browser, png, approvedPng) {
  const page = await browser.newPage();
  try {
    return await page.evaluate(async ([a, b]) => {
      const decode = async (b64) => {
        const img = new Image();
        img.src = `data:image/png;base64,${b64}`;
        await img.decode();
        const c = new OffscreenCanvas(img.width, img.height);
        const g = c.getContext("2d");
        g.drawImage(img, 0, 0);
        return g.getImageData(0, 0, img.width, img.height);
      };
      const [x, y] = [await decode(a), await decode(b)];
      if (x.width !== y.width || x.height !== y.height) return 1;
      let differ = 0;
      for (let i = 0; i < x.data.length; i += 4) {
        const d = Math.max(...[0, 1, 2, 3].map((k) => Math.abs(x.data[i + k] - y.data[i + k])));
        if (d > 48) differ++;
      }
      return differ / (x.width * x.height);
    }, [png.toString("base64"), approvedPng.toString("base64")]);
  } finally {
    await page.close();
  }
}
