// Lighthouse on several pages with one Chromium: node audit.mjs OUT_DIR name=url [name=url ...]
// Mobile preset (Lighthouse's default: a mid-range phone, 4x CPU slowdown, slow 4G, simulated),
// performance and accessibility only. Each report is written to OUT_DIR/lighthouse-<name>.json
// without its screenshots. Chromium comes from CHROME_PATH (Debian's chromium).
import fs from "node:fs";
import path from "node:path";
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";

const [outDir, ...pages] = process.argv.slice(2);
if (!outDir || pages.length === 0) {
  console.error("usage: node audit.mjs OUT_DIR name=url [name=url ...]");
  process.exit(2);
}
const HEAVY = ["screenshot-thumbnails", "final-screenshot", "full-page-screenshot"];
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH,
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu"],
});
try {
  for (const page of pages) {
    const cut = page.indexOf("=");
    const name = page.slice(0, cut);
    const url = page.slice(cut + 1);
    const result = await lighthouse(url, {
      port: chrome.port,
      output: "json",
      logLevel: "error",
      onlyCategories: ["performance", "accessibility"],
    });
    const lhr = result.lhr;
    for (const audit of HEAVY) delete lhr.audits[audit];
    delete lhr.fullPageScreenshot;
    delete lhr.i18n;
    fs.writeFileSync(path.join(outDir, `lighthouse-${name}.json`), JSON.stringify(lhr, null, 1));
  }
} finally {
  await chrome.kill();
}
