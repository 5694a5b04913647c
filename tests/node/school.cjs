// Opens a school board's Dutch HTML report and Dutch HTML annex in Chromium (Debian's, driven
// by playwright-core), reads what a board or parent council would read, and saves full-page
// screenshots. Prints what it saw as JSON for tests/browser.rs to judge.
const { chromium } = require("playwright-core");

const [report, annex, shots] = process.argv.slice(2);

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
  const out = { external: [], errors: [] };
  const watch = (page) => {
    page.on("request", (request) => {
      if (!request.url().startsWith("file:")) out.external.push(request.url());
    });
    page.on("pageerror", (err) => out.errors.push(String(err)));
  };

  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  watch(page);
  await page.goto("file://" + report);
  out.lang = await page.getAttribute("html", "lang");
  out.notCompliance = await page.textContent("#not-compliance");
  out.shown = await page.textContent("#shown");
  out.matrixHeadings = await page.$$eval(".matrix-table thead th", (cells) =>
    cells.map((c) => c.childNodes[0].textContent),
  );
  out.records = await page.$$eval("section.activity[data-activity]", (sections) =>
    sections
      .filter((s) => s.dataset.activity !== "")
      .map((s) => ({
        activity: s.dataset.activity,
        fields: Array.from(s.querySelectorAll("dl.record dt")).map((dt) => [
          dt.textContent,
          dt.nextElementSibling.textContent,
        ]),
        help: Array.from(s.querySelectorAll("p.help")).map((p) => p.textContent),
      })),
  );
  out.footer = await page.textContent("footer");
  await page.screenshot({ path: `${shots}/school-report.png`, fullPage: true });

  const annexPage = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  watch(annexPage);
  await annexPage.goto("file://" + annex);
  out.annexLang = await annexPage.getAttribute("html", "lang");
  out.annexTitle = await annexPage.textContent("h1");
  out.annexContact = await annexPage.textContent("p.contact");
  out.annexVersion = await annexPage.textContent("p.version");
  out.annexHeadings = await annexPage.$$eval("thead th", (cells) => cells.map((c) => c.textContent));
  out.annexRows = await annexPage.$$eval("tbody tr", (rows) =>
    rows.map((row) => ({
      activity: row.dataset.activity,
      cells: Array.from(row.querySelectorAll("td")).map((td) => td.innerText),
    })),
  );
  await annexPage.screenshot({ path: `${shots}/school-annex.png`, fullPage: true });

  await browser.close();
  process.stdout.write(JSON.stringify(out));
})().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`);
  process.exit(1);
});
