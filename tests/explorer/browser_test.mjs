// Headless-Chromium test of the classroom explorer page, opened from a file:// URL:
// the injection-day slider and the patient selector change the displayed benefit to
// exactly the value of the sweep's summary.csv; the page logs no console errors.
// Usage: node browser_test.mjs EXPLORER_DIR SCREENSHOT.png
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const [dir, shot] = process.argv.slice(2);
const rows = readFileSync(join(dir, "summary.csv"), "utf8").trim().split("\n");
const head = rows.shift().split(",");
const col = (name) => head.indexOf(name);
const benefitOf = (patient, day) => {
  const r = rows.map((l) => l.split(",")).find((c) => c[col("patient")] === patient && +c[col("day")] === day &&
    c[col("treatment")] === "msc" && +c[col("dose")] === 5e7 && c[col("source")] === "reference");
  if (!r) throw new Error(`no summary row for ${patient} day ${day}`);
  return +r[col("benefit_thickness_points")];
};

let failures = 0;
const check = (ok, what) => { console.log(`${ok ? "ok  " : "FAIL"} ${what}`); if (!ok) failures++; };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true, // playwright gives every launch a fresh, empty profile
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage({ viewport: { width: 1300, height: 1900 } });
const errors = [];
page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
page.on("pageerror", (e) => errors.push(String(e)));
const requests = [];
page.on("request", (r) => { if (!r.url().startsWith("file:") && !r.url().startsWith("data:") && !r.url().startsWith("blob:")) requests.push(r.url()); });

const t0 = Date.now();
await page.goto("file://" + resolve(dir, "index.html"));
await page.waitForSelector("body[data-ready='1']", { timeout: 30000 });
console.log(`page ready in ${Date.now() - t0} ms`);

const days = await page.evaluate(() => state.data.days);
const shown = async () => parseFloat((await page.textContent("#benefit")).replace("−", "-").replace("+", ""));
const setDay = async (day) => {
  const i = days.indexOf(day);
  await page.$eval("#day", (el, v) => { el.value = v; el.dispatchEvent(new Event("input", { bubbles: true })); }, i);
};

for (const day of [days[0], days[Math.floor(days.length / 2)], days[days.length - 1]]) {
  await setDay(day);
  const want = benefitOf("average", day);
  check(Math.abs((await shown()) - want) <= 0.05, `average patient, MSCs at day ${day}: shows ${await shown()}, summary ${want.toFixed(3)}`);
}
const day = days[Math.min(1, days.length - 1)];
await setDay(day);
const before = await shown();
await page.selectOption("#patient", "fast");
const want = benefitOf("fast", day);
check(Math.abs((await shown()) - want) <= 0.05, `fast patient, day ${day}: shows ${await shown()}, summary ${want.toFixed(3)}`);
check(Math.abs(before - benefitOf("average", day)) <= 0.05 && (before !== (await shown()) || before === want),
      "switching the patient type changes the benefit accordingly");
await page.click("#play");
await page.waitForTimeout(800);
await page.click("#play");
check(errors.length === 0, `no console errors (${errors.join(" | ")})`);
check(requests.length === 0, `no network requests (${requests.join(" ")})`);
await page.selectOption("#patient", "average");
await setDay(days.includes(180) ? 180 : days[0]);
await page.screenshot({ path: shot, fullPage: true });
console.log(`screenshot: ${shot}`);
await browser.close();
console.log(`${failures ? failures + " failed" : "all browser checks passed"}`);
process.exit(failures ? 1 : 0);
