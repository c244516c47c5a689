// cartsim classroom explorer: decodes the inlined plotly.js and data, wires the controls.
async function gunzip(b64) {
  const bin = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const stream = new Blob([bin]).stream().pipeThrough(new DecompressionStream("gzip"));
  return await new Response(stream).text();
}

const state = { data: null, frame: 0, timer: null };
const $ = (id) => document.getElementById(id);
const COLORS = { untreated: "#333333", treated: "#1f77b4", window: "#1b7f3b" };

function armKey() {
  const t = $("treatment").value;
  if (t === "il1ra") return "il1ra";
  return `${t}_${$("source").value}`;
}

/* "+17.1 points", "+0.04 points", "−1.2 points": two decimals below 1, as plots.format_points and
 * the demo report (one decimal showed the drug's +0.044 as "+0.0 points"); a value that rounds to
 * zero is "0.00 points" */
function fmtPoints(b) {
  const text = Math.abs(b).toFixed(Math.abs(b) < 1 ? 2 : 1);
  if (+text === 0) return "0.00 points";
  return (b >= 0 ? "+" : "−") + text + " points";
}

/* The window chart's y range for a patient: the same for every treatment, so that the drug's
 * benefit (below 0.3 points) lies flat on the axis instead of filling the chart as the MSCs' 18
 * points do (per treatment, plotly scaled both to the same height) */
function windowRange(p) {
  const all = Object.values(p.arms).flatMap((a) => a.benefit);
  const lo = Math.min(0, ...all), hi = Math.max(0, ...all), pad = 0.05 * (hi - lo || 1);
  return [lo < 0 ? lo - pad : 0, hi + pad];
}

/* "day 720 (2 y after the injury)": whole months first, then years, so that
 * rounding never gives "1 y 12 mo" */
function dayText(d) {
  const months = Math.round(d / (365.25 / 12)), y = Math.floor(months / 12), m = months % 12;
  const parts = [y ? y + " y" : "", m || !y ? m + " mo" : ""].filter(Boolean).join(" ");
  return `day ${d} (${parts} after the injury)`;
}

/* A treated synovitis curve: the monthly values before the injection day (the untreated knee's),
 * then the branch's own rows for the first weeks after it (D.early: days after the injection;
 * `early` starts with the untreated value on the injection day itself, then the branch's first
 * row, already after the injection), then the monthly values again. An IL-1Ra bolus lowers
 * synovitis for about a day and MSCs most within the first day: monthly values missed both. */
function treatedSynovitis(D, monthly, early, day) {
  const last = day + D.early[D.early.length - 1], x = [], y = [];
  D.grid.forEach((g, k) => { if (g < day) { x.push(g); y.push(monthly[k]); } });
  [0, ...D.early].forEach((o, k) => { x.push(day + o); y.push(early[k]); });
  D.grid.forEach((g, k) => { if (g > last) { x.push(g); y.push(monthly[k]); } });
  return { x: x.map((t) => t / 365), y };
}

function render() {
  const D = state.data, p = D.patients[$("patient").value], key = armKey(), arm = p.arms[key];
  const i = +$("day").value, day = D.days[i], b = arm.benefit[i];
  $("source").disabled = key === "il1ra";
  $("day-label").textContent = dayText(day);
  $("benefit").textContent = fmtPoints(b);
  $("benefit").className = b < 5 ? "small" : "";
  const years = D.grid.map((t) => t / 365);
  const label = D.arms[key].label;
  const syn = treatedSynovitis(D, arm.synovitis[i], arm.synovitis_early[i], day);
  Plotly.react("chart-time", [
    { x: years, y: p.untreated.thickness, name: "untreated", line: { color: COLORS.untreated, width: 3 } },
    { x: years, y: arm.thickness[i], name: label, line: { color: COLORS.treated, width: 3 } },
    { x: years, y: p.untreated.synovitis, name: "untreated", xaxis: "x2", yaxis: "y2", showlegend: false,
      line: { color: COLORS.untreated, width: 3 } },
    { x: syn.x, y: syn.y, name: label, xaxis: "x2", yaxis: "y2", showlegend: false,
      line: { color: COLORS.treated, width: 3 } },
  ], {
    margin: { t: 10, r: 10, b: 45, l: 60 }, legend: { orientation: "h", y: 1.12 },
    grid: { rows: 2, columns: 1, pattern: "independent", roworder: "top to bottom" },
    xaxis: { matches: "x2", showticklabels: false }, xaxis2: { title: "years since the injury" },
    yaxis: { title: "thickness (mm)" }, yaxis2: { title: "synovitis (pain proxy)", range: [0, 1] },
    shapes: [0, 1].map((r) => ({ type: "line", xref: r ? "x2" : "x", yref: r ? "y2 domain" : "y domain",
      x0: day / 365, x1: day / 365, y0: 0, y1: 1, line: { dash: "dash", color: COLORS.treated } })),
  }, { displayModeBar: false, responsive: true });
  Plotly.react("chart-window", [
    { x: D.days, y: arm.benefit, mode: "lines+markers", name: label, line: { color: COLORS.window } },
    { x: [day], y: [b], mode: "markers", name: "chosen day", marker: { size: 16, color: "#d62728" } },
  ], {
    margin: { t: 10, r: 10, b: 45, l: 60 }, showlegend: false,
    xaxis: { title: "injection day" }, yaxis: { title: "benefit at 5 years (points)", range: windowRange(p) },
  }, { displayModeBar: false, responsive: true });
  renderProfiles();
}

function renderProfiles() {
  const D = state.data, p = D.patients[$("patient").value], i = +$("day").value;
  const treated = p.arms["msc_5e7_reference"].profiles[i], un = p.untreated.profiles, f = state.frame;
  const t = D.profile_times[f];
  $("frame-label").textContent = `year ${(t / 365).toFixed(1)} (day ${t})`;
  const names = { a: "aggrecan", c: "collagen", Ch: "chondrocytes" };
  const traces = [];
  ["a", "c", "Ch"].forEach((s, k) => {
    const ax = k ? String(k + 1) : "";
    traces.push({ x: un[s][f], y: p.z, name: "untreated", showlegend: k === 0, xaxis: "x" + ax, yaxis: "y" + ax,
      line: { color: COLORS.untreated, width: 3 } });
    traces.push({ x: treated[s][f], y: p.z, name: `MSCs at ${dayText(D.days[i])}`, showlegend: k === 0,
      xaxis: "x" + ax, yaxis: "y" + ax, line: { color: COLORS.treated, width: 3 } });
  });
  const layout = { margin: { t: 30, r: 10, b: 45, l: 60 }, legend: { orientation: "h", y: 1.15 },
    grid: { rows: 1, columns: 3, pattern: "independent" } };
  ["a", "c", "Ch"].forEach((s, k) => {
    const ax = k ? String(k + 1) : "";
    layout["xaxis" + ax] = { title: names[s] + " (fraction of healthy)", range: [0, 1.05] };
    layout["yaxis" + ax] = { title: k ? "" : "z above the tidemark (mm)" };
  });
  Plotly.react("chart-profiles", traces, layout, { displayModeBar: false, responsive: true });
}

function togglePlay() {
  if (state.timer) {
    clearInterval(state.timer);
    state.timer = null;
    $("play").textContent = "▶ play";
    return;
  }
  $("play").textContent = "❚❚ pause";
  state.timer = setInterval(() => {
    state.frame = (state.frame + 1) % state.data.profile_times.length;
    $("frame").value = state.frame;
    renderProfiles();
  }, 350);
}

async function boot() {
  (0, eval)(await gunzip(PLOTLY_GZ)); // plotly.js, inlined: no network needed
  state.data = JSON.parse(await gunzip(DATA_GZ));
  const D = state.data;
  $("day").max = D.days.length - 1;
  $("day").value = Math.max(0, D.days.indexOf(180));
  $("frame").max = D.profile_times.length - 1;
  state.frame = D.profile_times.length - 1;
  $("frame").value = state.frame;
  ["patient", "treatment", "source"].forEach((id) => $(id).addEventListener("change", render));
  $("day").addEventListener("input", render);
  $("frame").addEventListener("input", () => { state.frame = +$("frame").value; renderProfiles(); });
  $("play").addEventListener("click", togglePlay);
  $("loading").remove();
  render();
  document.body.dataset.ready = "1";
}

boot().catch((e) => { $("loading").textContent = "Could not load the simulations: " + e; throw e; });
