// Initiative: what the OS thought of saying first (sent, held or dropped, and
// why), and the person's own limits, editable.
import { api, ApiError, Initiative, InitiativeSettings } from "../api";
import { card, el, when } from "../dom";
import { describe } from "../notice";

const KINDS: Record<string, string> = { reminder: "Reminder", follow_up: "Follow-up", check_in: "Check-in" };

function logSection(items: Initiative[]): HTMLElement {
  const section = card("initiative-log", "What it thought of saying");
  if (items.length === 0) {
    section.append(el("p", "Nothing yet: it speaks first only about what you told it (a reminder, a day ahead, a hard day).", "hint"));
    return section;
  }
  const list = el("ol", "", "log");
  for (const i of items) {
    const li = el("li", "", `log-item ${i.state}`);
    const head = el("p", "", "log-head");
    head.append(el("strong", KINDS[i.kind] ?? i.kind), el("span", ` · ${i.state} · due ${when(i.due_at)}`));
    // textContent only: a message may hold anything the person wrote.
    li.append(head, el("p", i.text, "log-text"), el("p", `${i.reason}. ${i.decision}`, "hint"));
    list.append(li);
  }
  section.append(list);
  return section;
}

function field(form: HTMLFormElement, label: string, input: HTMLInputElement, hint = ""): void {
  const l = el("label", label);
  l.htmlFor = input.id;
  form.append(l, input);
  if (hint) form.append(el("p", hint, "hint"));
}

function input(id: string, type: string, value: string, attrs: Record<string, string> = {}): HTMLInputElement {
  const i = el("input");
  i.id = id;
  i.name = id;
  i.type = type;
  i.value = value;
  for (const [k, v] of Object.entries(attrs)) i.setAttribute(k, v);
  return i;
}

function limitsSection(s: InitiativeSettings): HTMLElement {
  const section = card("initiative-limits", "Your limits");
  const form = el("form");
  const optOut = input("opted_out", "checkbox", "");
  optOut.checked = s.opted_out;
  const optLabel = el("label", "", "check");
  optLabel.append(optOut, el("span", " It never speaks first (reminders you ask for still come)"));
  form.append(optLabel);
  const from = input("quiet_from", "time", s.quiet_from, { required: "" });
  const to = input("quiet_to", "time", s.quiet_to, { required: "" });
  field(form, "Quiet from", from);
  field(form, "Quiet until", to);
  const offset = input("utc_offset_minutes", "number", String(s.utc_offset_minutes), { min: "-840", max: "840", step: "1", required: "" });
  field(form, "Your time zone (minutes from UTC)", offset, `This browser says ${-new Date().getTimezoneOffset()}.`);
  const cap = input("daily_cap", "number", String(s.daily_cap), { min: "0", max: "50", step: "1", required: "" });
  field(form, "Messages it may start a day", cap);
  const imp = input("min_importance", "number", String(s.min_importance), { min: "0", max: "1", step: "0.05", required: "" });
  field(form, "Least importance worth a message (0 to 1)", imp);
  const save = el("button", "Save");
  save.type = "submit";
  const said = el("p", "", "said");
  said.setAttribute("role", "status");
  form.append(save, said);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    save.disabled = true;
    said.textContent = "";
    try {
      const saved = await api.setInitiativeSettings({
        opted_out: optOut.checked,
        quiet_from: from.value,
        quiet_to: to.value,
        utc_offset_minutes: Number(offset.value),
        daily_cap: Number(cap.value),
        min_importance: Number(imp.value),
      });
      said.textContent = `Saved: quiet ${saved.quiet_from}-${saved.quiet_to}, at most ${saved.daily_cap} a day${saved.opted_out ? ", never first" : ""}.`;
    } catch (e) {
      said.textContent = describe(e);
    } finally {
      save.disabled = false;
    }
  });
  section.append(form);
  return section;
}

export async function showInitiative(view: HTMLElement): Promise<void> {
  view.replaceChildren(el("h1", "Initiative"));
  try {
    const [items, settings] = await Promise.all([api.initiatives(), api.initiativeSettings()]);
    view.append(limitsSection(settings), logSection(items));
  } catch (e) {
    const text = e instanceof ApiError && e.status === 404 ? "This server runs without initiative (or without memory)." : describe(e);
    view.append(el("p", text, "hint"));
  }
}
