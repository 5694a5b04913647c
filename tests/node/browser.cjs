// Opens ropa's HTML report and HTML annex in Chromium (Debian's, driven by playwright-core),
// reads the DOM, works the filters, and saves screenshots. Prints what it saw as JSON for
// the Rust test (tests/browser.rs) to judge. Any request that is not a file:// URL is
// recorded: the pages must be self-contained.
const { chromium } = require("playwright-core");

const [report, annex, shots] = process.argv.slice(2);

async function visibleFindings(page) {
  return page.$$eval("li.finding", (items) =>
    items
      .filter((item) => !item.hidden && item.offsetParent !== null)
      .map((item) => ({
        severity: item.dataset.severity,
        state: item.dataset.state,
        rule: item.dataset.rule,
        activity: item.dataset.activity,
      })),
  );
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
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
  const out = { external: [], errors: [] };
  const watch = (page) => {
    page.on("request", (request) => {
      if (!request.url().startsWith("file:")) out.external.push(request.url());
    });
    page.on("pageerror", (err) => out.errors.push(String(err)));
    page.on("console", (message) => {
      if (message.type() === "error") out.errors.push(message.text());
    });
  };

  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  watch(page);
  await page.goto("file://" + report);
  out.matrix = await page.$$eval(".matrix-table tbody tr", (rows) =>
    rows.map((row) => ({
      activity: row.dataset.activity,
      total: Number(row.querySelector("td.total").dataset.total),
      cells: Array.from(row.querySelectorAll("td[data-area]")).map((cell) => ({
        area: cell.dataset.area,
        state: cell.dataset.state,
        open: Number(cell.dataset.open),
        text: cell.textContent,
      })),
    })),
  );
  out.shown = await page.textContent("#shown");
  out.notCompliance = (await page.isVisible("#not-compliance"))
    ? await page.textContent("#not-compliance")
    : null;
  out.all = await visibleFindings(page);
  await page.screenshot({ path: `${shots}/report.png` });

  // Untick warnings: only errors (and waived findings) stay.
  await page.uncheck("input[name=severity][value=warning]");
  out.withoutWarnings = await visibleFindings(page);
  out.shownWithoutWarnings = await page.textContent("#shown");
  await page.check("input[name=severity][value=warning]");

  // One rule.
  await page.selectOption("#filter-rule", "retention-required");
  out.oneRule = await visibleFindings(page);
  await page.selectOption("#filter-rule", "");

  // One activity, chosen with the keyboard: focus the select, type, confirm.
  await page.focus("#filter-activity");
  await page.selectOption("#filter-activity", "wagenparkbeheer");
  out.oneActivity = await visibleFindings(page);
  out.sectionsShown = await page.$$eval("section.activity", (sections) =>
    sections.filter((s) => !s.hidden).map((s) => s.dataset.activity),
  );
  out.rowsShown = await page.$$eval(".matrix-table tbody tr", (rows) =>
    rows.filter((r) => !r.hidden).map((r) => r.dataset.activity),
  );
  await page.screenshot({ path: `${shots}/report-filtered.png` });
  await page.click("button[type=reset]");
  // The form resets, then the filters apply again (after the reset event).
  await page.waitForFunction(() => {
    const items = document.querySelectorAll("li.finding");
    return document.getElementById("shown").textContent.startsWith(items.length + " of");
  }, null, { timeout: 5000 }).catch(() => {});
  out.afterReset = (await visibleFindings(page)).length;

  // The keyboard reaches the skip link first, and it leads to the findings.
  await page.goto("file://" + report);
  await page.keyboard.press("Tab");
  out.firstTab = await page.evaluate(() => document.activeElement.textContent);

  // At 200% zoom (half the width), the page does not scroll sideways: only the matrix does,
  // in its own region.
  await page.setViewportSize({ width: 700, height: 1000 });
  out.fitsAt200 = await page.evaluate(
    () => document.documentElement.scrollWidth <= window.innerWidth + 1,
  );
  await page.screenshot({ path: `${shots}/report-200.png` });
  await page.emulateMedia({ media: "print" });
  out.filtersInPrint = await page.$eval("#filters", (form) => getComputedStyle(form).display);
  await page.pdf({ path: `${shots}/report.pdf` }).catch(() => {});

  const annexPage = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  watch(annexPage);
  await annexPage.goto("file://" + annex);
  out.annexRows = await annexPage.$$eval("tbody tr", (rows) =>
    rows.map((row) => ({
      activity: row.dataset.activity,
      service: row.querySelector("th strong").textContent,
      items: row.querySelectorAll("td:nth-of-type(1) li").length,
    })),
  );
  out.annexHeadings = await annexPage.$$eval("thead th", (cells) => cells.map((c) => c.textContent));
  await annexPage.screenshot({ path: `${shots}/annex.png` });

  await browser.close();
  process.stdout.write(JSON.stringify(out));
})().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`);
  process.exit(1);
});
