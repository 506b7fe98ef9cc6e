// What the OS holds right now, in full: the status bar's figures, split.
import { api, Status } from "../api";
import { describe } from "../notice";

function row(list: HTMLDListElement, term: string, value: string): void {
  const dt = document.createElement("dt");
  dt.textContent = term;
  const dd = document.createElement("dd");
  dd.textContent = value;
  list.append(dt, dd);
}

export function renderOverview(view: HTMLElement, s: Status): void {
  view.replaceChildren();
  const card = document.createElement("section");
  card.className = "card";
  card.setAttribute("aria-labelledby", "overview-title");
  const h = document.createElement("h1");
  h.id = "overview-title";
  h.textContent = "OS1 right now";
  const list = document.createElement("dl");
  row(list, "People talking with it now", s.people_talking_now.toLocaleString());
  row(list, "Conversations it holds", s.conversations_held.toLocaleString());
  row(list, "… in the model's context", s.conversations.resident.toLocaleString());
  row(list, "… in RAM", s.conversations.in_ram.toLocaleString());
  row(list, "… on disk", s.conversations.on_disk.toLocaleString());
  row(list, "Model", s.model);
  row(list, "Up for", `${Math.floor(s.uptime_s / 3600)} h ${Math.floor((s.uptime_s % 3600) / 60)} min`);
  const note = document.createElement("p");
  note.className = "hint";
  note.textContent = `"Now" counts everyone with a message in the last ${Math.round(s.talking_window_s / 60)} minutes, counted by the server, never by the model.`;
  card.append(h, list, note);
  view.append(card);
}

export async function showOverview(view: HTMLElement): Promise<void> {
  try {
    renderOverview(view, await api.status());
  } catch (e) {
    view.textContent = describe(e);
  }
}
