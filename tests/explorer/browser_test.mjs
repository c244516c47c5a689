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
const frameLabel = await page.textContent("#frame-label");
check(frameLabel === "year 5.0 (day 1825)", `the depth profiles open at the 5-year horizon: "${frameLabel}"`);
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
// The synovitis curves as drawn (chart-time traces 2: untreated, 3: treated; x in years). Sampled
// monthly, the IL-1Ra curve fell from the month before the injection and stayed low for two months,
// and the MSC dip of the fast patient (0.18 half a day after the injection) was drawn at 0.41.
const synovitis = () => page.evaluate(() => {
  const d = document.getElementById("chart-time").data;
  return { un: { x: Array.from(d[2].x), y: Array.from(d[2].y) }, tr: { x: Array.from(d[3].x), y: Array.from(d[3].y) } };
});
const dipDay = days.includes(180) ? 180 : days[0];
await page.selectOption("#patient", "average");
await page.selectOption("#treatment", "il1ra");
await setDay(dipDay);
let c = await synovitis();
const earlier = c.tr.x.map((x, k) => [x, c.tr.y[k]]).filter(([x]) => x * 365 < dipDay - 1e-6);
check(earlier.length > 0 && earlier.every(([x, y]) => Math.abs(y - c.un.y[c.un.x.findIndex((u) => Math.abs(u - x) < 1e-9)]) < 1e-3),
      `IL-1Ra at day ${dipDay}: the treated synovitis equals the untreated one before the injection`);
const within = (lo, hi) => c.tr.y.filter((y, k) => c.tr.x[k] * 365 >= lo - 1e-6 && c.tr.x[k] * 365 <= hi + 1e-6);
check(within(dipDay, dipDay)[0] > 0.3, `IL-1Ra: the curve reaches the injection day at the untreated value, then drops (${within(dipDay, dipDay)})`);
check(Math.min(...within(dipDay, dipDay + 1)) < 0.05, `IL-1Ra: synovitis drops to ~0 on the injection day (${Math.min(...within(dipDay, dipDay + 1))})`);
check(Math.min(...within(dipDay + 3, 1825)) > 0.5, `IL-1Ra: synovitis is back from day ${dipDay + 3} on (${Math.min(...within(dipDay + 3, 1825))})`);
await page.selectOption("#treatment", "msc_5e7");
await page.selectOption("#patient", "fast");
c = await synovitis();
check(Math.min(...within(dipDay, dipDay + 2)) < 0.25, `fast patient, MSCs at day ${dipDay}: the dip is drawn down to ${Math.min(...within(dipDay, dipDay + 2))} within two days`);
// The window chart keeps one y range per patient across the treatments: rescaled per treatment,
// the drug's 0.07-point curve looked like the MSCs' 18-point cliff. Its benefit reads "+0.04".
await page.selectOption("#patient", "average");
const windowRange = () => page.evaluate(() => Array.from(document.getElementById("chart-window").layout.yaxis.range));
const allBenefits = rows.map((l) => l.split(",")).filter((r) => r[col("patient")] === "average")
  .map((r) => +r[col("benefit_thickness_points")]);
const ranges = [];
for (const t of ["msc_5e7", "msc_1e7", "il1ra"]) {
  await page.selectOption("#treatment", t);
  ranges.push(await windowRange());
}
check(ranges.every((r) => r[0] === ranges[0][0] && r[1] === ranges[0][1]) && ranges[0][0] <= 0 &&
      ranges[0][1] >= Math.max(...allBenefits), `the window chart's y range is the same for every treatment ` +
      `(${ranges.map((r) => r.map((v) => v.toFixed(2)).join("–")).join(", ")}; largest benefit ${Math.max(...allBenefits).toFixed(2)})`);
await setDay(dipDay);
const drug = rows.map((l) => l.split(",")).find((r) => r[col("patient")] === "average" && +r[col("day")] === dipDay &&
  r[col("treatment")] === "il1ra");
const drugText = await page.textContent("#benefit");
check(drugText === `+${(+drug[col("benefit_thickness_points")]).toFixed(2)} points`,
      `IL-1Ra at day ${dipDay} reads "${drugText}" (summary ${drug[col("benefit_thickness_points")]})`);
await page.selectOption("#treatment", "msc_5e7");
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
