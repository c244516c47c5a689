// The explorer's day labels (postprocess/explorer_app.js, dayText): for every
// day of a five-year horizon, "N y M mo" with 0 <= M < 12, within half a month
// of the day. Rounding the rest of a year gave "day 720 (1 y 12 mo ...)".
import { readFileSync } from "node:fs";

const src = readFileSync(process.argv[2], "utf8");
const def = src.match(/function dayText\(d\) \{[\s\S]*?\n\}/);
if (!def) {
  console.error("dayText not found in", process.argv[2]);
  process.exit(1);
}
const dayText = new Function(`${def[0]}; return dayText;`)();
let bad = 0;
for (let d = 1; d <= 1825; ++d) {
  const t = dayText(d);
  const m = t.match(/^day (\d+) \((?:(\d+) y)? ?(?:(\d+) mo)? after the injury\)$/);
  const years = m ? +(m[2] || 0) : NaN, months = m ? +(m[3] || 0) : NaN;
  const ok = m && +m[1] === d && months < 12 && Math.abs(12 * years + months - d / (365.25 / 12)) <= 0.5;
  if (!ok && bad++ < 5) console.error(`day ${d}: "${t}"`);
}
if (bad) {
  console.error(`${bad} bad day labels`);
  process.exit(1);
}
console.log("day labels: 1825 days checked");
