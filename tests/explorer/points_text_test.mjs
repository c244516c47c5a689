// The explorer's benefit text (postprocess/explorer_app.js, fmtPoints) is formatted as
// plots.format_points formats it in the demo report: two decimals below 1, one above, a value
// that rounds to zero without a sign. One decimal showed the drug's +0.044 as "+0.0 points".
import { readFileSync } from "node:fs";

const src = readFileSync(process.argv[2], "utf8");
const def = src.match(/function fmtPoints\(b\) \{[\s\S]*?\n\}/);
if (!def) {
  console.error("fmtPoints not found in", process.argv[2]);
  process.exit(1);
}
const fmtPoints = new Function(`${def[0]}; return fmtPoints;`)();
// [value, text] as python3 -c 'from postprocess.plots import format_points' gives them ("-" shown as "−")
const cases = [[17.05, "+17.1"], [16.04, "+16.0"], [1.0, "+1.0"], [0.999, "+1.00"], [0.044, "+0.04"],
  [0.0449, "+0.04"], [0.012, "+0.01"], [0.004, "0.00"], [0, "0.00"], [-0.001, "0.00"], [-0.3, "−0.30"],
  [-1.2, "−1.2"]];
let bad = 0;
for (const [v, want] of cases) {
  const got = fmtPoints(v);
  if (got !== `${want} points`) {
    console.error(`fmtPoints(${v}) = "${got}", want "${want} points"`);
    bad++;
  }
}
if (bad) process.exit(1);
console.log(`benefit labels: ${cases.length} values checked`);
