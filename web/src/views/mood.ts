// Mood: valence and arousal per day (uPlot), where a day's point opens the
// messages it was read from; the same days as a table for keyboards and
// screen readers.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { api, MoodDay, Reading } from "../api";
import { card, el, when } from "../dom";
import { describe } from "../notice";

const dayStart = (date: string) => Date.parse(`${date}T00:00:00Z`) / 1000;

async function showMessages(box: HTMLElement, day: MoodDay, readings: Reading[]): Promise<void> {
  const start = dayStart(day.date);
  const mine = readings.filter((r) => r.ts >= start && r.ts < start + 86400);
  box.hidden = false;
  box.replaceChildren(el("h2", `${day.date}: ${day.label ?? "no reading"}`));
  if (!mine.length) {
    box.append(el("p", "No message was read that day (or it is older than the latest 200 readings).", "hint"));
    return;
  }
  const list = el("ol", "", "log");
  box.append(list);
  for (const r of mine) {
    const li = el("li", "", "log-item mood-message");
    li.append(el("p", `${when(r.ts)} · ${r.label} · valence ${r.valence.toFixed(2)}, arousal ${r.arousal.toFixed(2)}`, "hint"));
    list.append(li);
    try {
      li.append(el("p", (await api.memory(r.memory)).text));
    } catch (e) {
      li.append(el("p", describe(e), "error"));
    }
  }
  box.focus();
}

function chart(days: MoodDay[], width: number, onPick: (i: number) => void): HTMLElement {
  const holder = el("div", "", "chart");
  holder.setAttribute("role", "img");
  holder.setAttribute("aria-label", "Valence and arousal per day; the table below holds the same figures");
  const xs = days.map((d) => dayStart(d.date));
  const opts: uPlot.Options = {
    width,
    height: 240,
    // Half a day either side, so that the first and last days' points are whole.
    scales: { x: { time: true, range: (_u, min, max) => [min - 43200, max + 43200] }, y: { range: [-1, 1] } },
    series: [
      {},
      { label: "valence", stroke: "#b4442e", width: 2, points: { show: true, size: 8 }, spanGaps: false },
      { label: "arousal", stroke: "#2e7fb4", width: 2, points: { show: true, size: 8 }, spanGaps: false },
    ],
    axes: [{ stroke: "#888" }, { stroke: "#888" }],
  };
  const data: uPlot.AlignedData = [xs, days.map((d) => d.valence), days.map((d) => d.arousal)];
  const plot = new uPlot(opts, data, holder);
  plot.over.addEventListener("click", () => {
    const i = plot.cursor.idx;
    if (i !== null && i !== undefined && days[i].messages > 0) onPick(i);
  });
  return holder;
}

function table(days: MoodDay[], onPick: (i: number) => void): HTMLTableElement {
  const t = el("table", "", "mood-table");
  const head = el("tr");
  for (const h of ["Day", "Messages", "Valence", "Arousal", "Feeling"]) head.append(el("th", h));
  t.append(head);
  days.forEach((d, i) => {
    if (!d.messages) return;
    const tr = el("tr");
    const open = el("button", d.date, "quiet");
    open.type = "button";
    open.addEventListener("click", () => onPick(i));
    const first = el("td");
    first.append(open);
    tr.append(first, el("td", String(d.messages)), el("td", d.valence?.toFixed(2) ?? ""), el("td", d.arousal?.toFixed(2) ?? ""),
      el("td", d.label ?? ""));
    t.append(tr);
  });
  return t;
}

export async function showMood(view: HTMLElement, days = 30): Promise<void> {
  view.replaceChildren(el("h1", "Mood"));
  const section = card("mood-chart", `The last ${days} days`);
  const picker = el("div", "", "actions");
  for (const n of [7, 30, 90, 366]) {
    const b = el("button", `${n} days`, "quiet");
    b.type = "button";
    b.setAttribute("aria-pressed", String(n === days));
    b.addEventListener("click", () => void showMood(view, n));
    picker.append(b);
  }
  section.append(picker);
  view.append(section);
  try {
    const mood = await api.mood(days);
    const box = el("section", "", "card");
    box.tabIndex = -1;
    box.hidden = true;  // until a day is picked
    box.setAttribute("aria-live", "polite");
    const pick = (i: number) => void showMessages(box, mood.days[i], mood.readings);
    if (!mood.days.some((d) => d.messages)) {
      section.append(el("p", "No feelings read yet: they come from your messages.", "hint"));
      return;
    }
    // The plot's width in pixels: the card's content box.
    const pad = parseFloat(getComputedStyle(section).paddingLeft) + parseFloat(getComputedStyle(section).paddingRight);
    const wrap = el("div", "", "table-wrap");
    wrap.append(table(mood.days, pick));
    section.append(chart(mood.days, Math.max(200, Math.min(720, section.clientWidth - pad)), pick), wrap);
    view.append(box);
  } catch (e) {
    section.append(el("p", describe(e), "hint"));
  }
}
