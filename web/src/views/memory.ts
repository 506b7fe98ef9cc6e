// Memory: what recall finds, the memories themselves (read, correct, forget),
// the person's own profile, and all of their data: export it or erase it.
import { api, Found, Memory } from "../api";
import { card, el, when } from "../dom";
import { describe } from "../notice";
import { correctOrForget } from "./correct_forget";
import { factsSection, summariesSection } from "./memory_facts";

const FOUND_KINDS: Record<string, string> = { turn: "memory", fact: "fact", summary: "summary" };

function searchSection(): HTMLElement {
  const section = card("memory-search", "What it recalls");
  const form = el("form", "", "row");
  form.setAttribute("role", "search");
  const label = el("label", "Search your memories");
  label.htmlFor = "memory-q";
  const q = el("input");
  q.id = "memory-q";
  q.type = "search";
  q.required = true;
  q.placeholder = "words, a question, or a time such as “last May”";
  const go = el("button", "Search");
  go.type = "submit";
  const results = el("ol", "", "log");
  results.setAttribute("aria-live", "polite");
  form.append(label, q, go);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    results.replaceChildren();
    try {
      const found: Found[] = await api.search(q.value);
      if (!found.length) results.append(el("li", "Nothing recalled for that.", "hint"));
      for (const f of found) {
        const li = el("li", "", "log-item found");
        li.append(el("p", `${FOUND_KINDS[f.kind] ?? f.kind} · ${when(f.ts)} · score ${f.score.toFixed(3)}`, "hint"), el("p", f.text));
        results.append(li);
      }
    } catch (e) {
      results.append(el("li", describe(e), "error"));
    }
  });
  section.append(form, results);
  return section;
}

function memoryItem(m: Memory): HTMLLIElement {
  const li = el("li", "", "log-item memory");
  li.dataset.id = String(m.id);
  const head = el("p", `${m.role === "user" ? "You" : m.speaker || "OS"} · ${when(m.ts)} · ${m.conversation}`, "hint");
  const actions = correctOrForget({
    li,
    key: `memory-${m.id}`,
    text: m.text,
    save: async (text) => memoryItem(await api.correct(m.id, text)),
    forget: () => api.forget(m.id),
  });
  li.append(head, el("p", m.text, "memory-text"), actions);
  return li;
}

function memoriesSection(): HTMLElement {
  const section = card("memory-list", "Your memories");
  const list = el("ol", "", "log");
  const more = el("button", "Older", "quiet");
  more.type = "button";
  let before: number | undefined;
  const load = async () => {
    more.disabled = true;
    try {
      const page = await api.memories(before);
      if (!page.items.length && before === undefined) list.append(el("li", "Nothing remembered yet.", "hint"));
      for (const m of page.items) list.append(memoryItem(m));
      before = page.next_before;
      more.hidden = !before;
    } catch (e) {
      list.append(el("li", describe(e), "error"));
    } finally {
      more.disabled = false;
    }
  };
  more.addEventListener("click", () => void load());
  void load();
  section.append(list, more);
  return section;
}

function profileSection(): HTMLElement {
  const section = card("memory-profile", "About you, in your words");
  const form = el("form");
  const label = el("label", "Your profile (every new conversation begins with it)");
  label.htmlFor = "profile-text";
  const area = el("textarea");
  area.id = "profile-text";
  area.maxLength = 2048;
  const inPrompt = el("p", "", "hint");
  const save = el("button", "Save");
  save.type = "submit";
  const said = el("p", "", "said");
  said.setAttribute("role", "status");
  form.append(label, area, save, said, inPrompt);
  area.readOnly = true;  // until the saved text is in: nothing typed is overwritten by it
  void api
    .profile()
    .then((p) => {
      area.value = p.text;
      area.readOnly = false;
      inPrompt.textContent = p.in_prompt ? `What a new conversation begins with: ${p.in_prompt}` : "";
    })
    .catch((e) => {
      said.textContent = describe(e);
      area.readOnly = false;
    });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      await api.setProfile(area.value);
      said.textContent = "Saved: new conversations begin with it.";
    } catch (e) {
      said.textContent = describe(e);
    }
  });
  section.append(form);
  return section;
}

function dataSection(onErased: () => void): HTMLElement {
  const section = card("memory-data", "All your data");
  const exp = el("button", "Export all my data");
  exp.type = "button";
  const said = el("p", "", "said");
  said.setAttribute("role", "status");
  exp.addEventListener("click", async () => {
    exp.disabled = true;
    try {
      const blob = await api.exportAll();
      const a = el("a");
      a.href = URL.createObjectURL(blob);
      a.download = "os1-export.tar";
      a.click();
      URL.revokeObjectURL(a.href);
      said.textContent = `Exported (${Math.ceil(blob.size / 1024)} KiB): memories.json and memories.md in a tar archive.`;
    } catch (e) {
      said.textContent = describe(e);
    } finally {
      exp.disabled = false;
    }
  });
  const erase = el("button", "Erase all my data…", "danger");
  erase.type = "button";
  const dialog = el("dialog");
  dialog.setAttribute("aria-labelledby", "erase-title");
  const title = el("h2", "Erase everything of yours?");
  title.id = "erase-title";
  const lost = el("p",
    "This erases, for good: every memory of your conversations, the facts and summaries learned from them, " +
      "your profile, every version of the persona it has with you and its name, the feelings read from your " +
      "messages, what it planned to say first, every saved conversation state, and your account: your token " +
      "stops working. Export first if you want a copy.");
  const yes = el("button", "Erase everything", "danger");
  yes.type = "button";
  const no = el("button", "Keep it", "quiet");
  no.type = "button";
  dialog.append(title, lost, yes, no);
  erase.addEventListener("click", () => dialog.showModal());
  no.addEventListener("click", () => dialog.close());
  yes.addEventListener("click", async () => {
    yes.disabled = true;
    try {
      await api.eraseMe();
      dialog.close();
      onErased();
    } catch (e) {
      lost.textContent = describe(e);
      yes.disabled = false;
    }
  });
  section.append(el("p", "A tar archive of everything the server holds of you, to read or keep.", "hint"), exp, said, erase, dialog);
  return section;
}

export function memoryView(onErased: () => void): (view: HTMLElement) => Promise<void> {
  return async (view) => {
    view.replaceChildren(el("h1", "Memory"), searchSection(), memoriesSection(), factsSection(), summariesSection(),
      profileSection(), dataSection(onErased));
  };
}
