// What OS1 learned from the conversations: the facts (each with the messages it
// came from, correctable and forgettable), the portrait and the summaries.
import { api, Fact } from "../api";
import { card, el, when } from "../dom";
import { describe } from "../notice";
import { correctOrForget } from "./correct_forget";

// The messages a fact came from, fetched when the person asks.
function sourcesOf(f: Fact): HTMLElement {
  const box = el("details", "", "sources");
  box.append(el("summary", `From ${f.sources.length === 1 ? "1 message" : `${f.sources.length} messages`}`));
  const list = el("ul");
  box.append(list);
  box.addEventListener("toggle", async () => {
    if (!box.open || list.childElementCount) return;
    for (const id of f.sources) {
      try {
        const m = await api.memory(id);
        const li = el("li");
        li.append(el("p", `${m.role === "user" ? "You" : m.speaker || "OS"} · ${when(m.ts)} · ${m.conversation}`, "hint"), el("p", m.text));
        list.append(li);
      } catch (e) {
        list.append(el("li", `message ${id}: ${describe(e)}`, "hint"));
      }
    }
  });
  return box;
}

function factItem(f: Fact): HTMLLIElement {
  const li = el("li", "", "log-item fact");
  li.dataset.id = String(f.id);
  const said = f.reinforced ? `, said ${f.reinforced + 1} times` : "";
  const head = el("p", `${when(f.ts)} · sure ${Math.round(f.confidence * 100)}%${said}`, "hint");
  const actions = correctOrForget({
    li,
    key: `fact-${f.id}`,
    text: f.text,
    save: async (text) => factItem(await api.correctFact(f.id, text)),
    forget: () => api.forgetFact(f.id),
  });
  li.append(head, el("p", f.text, "fact-text"));
  if (f.sources.length) li.append(sourcesOf(f));
  li.append(actions);
  return li;
}

export function factsSection(): HTMLElement {
  const section = card("memory-facts", "What it learned about you");
  const list = el("ol", "", "log");
  section.append(el("p", "Facts it drew from your conversations; the ones said most often join every new conversation.", "hint"), list);
  void api
    .facts()
    .then((facts) => {
      if (!facts.length) list.append(el("li", "Nothing learned yet: facts are drawn every few messages.", "hint"));
      for (const f of facts) list.append(factItem(f));
    })
    .catch((e) => list.append(el("li", describe(e), "error")));
  return section;
}

export function summariesSection(): HTMLElement {
  const section = card("memory-summaries", "Its picture of you");
  const portrait = el("div");
  const list = el("ol", "", "log");
  section.append(portrait, el("h3", "Conversations, summed up"), list);
  void api
    .summaries()
    .then((s) => {
      portrait.append(s.person ? el("p", s.person, "portrait") : el("p", "No portrait yet: it is written from the summaries.", "hint"));
      if (!s.items.length) list.append(el("li", "No conversation summed up yet.", "hint"));
      for (const item of s.items) {
        const li = el("li", "", "log-item summary");
        li.append(el("p", `${item.conversation} · ${when(item.updated_at)}`, "hint"), el("p", item.text));
        list.append(li);
      }
    })
    .catch((e) => portrait.append(el("p", describe(e), "error")));
  return section;
}
