// A conversation: the person's conversations listed and resumable, the reply
// streamed as it is written, a stop button, and nothing typed ever lost.
import { api, ApiError, ChatMessage, Memory, SpokeFirst, streamReply } from "../api";
import { card, el, when } from "../dom";
import { showSpokeFirst } from "../events";
import { renderMarkdown } from "../markdown";
import { describe, showNotice } from "../notice";
import { spokeFirstLine } from "./spoke_first";
import { voiceControls } from "./voice_call";

const CURRENT = "os1.conversation";
// Where the server keeps what the OS said first (docs/api.md, "Initiative").
const INITIATIVE = "initiative";

// One message; `who` replaces "You"/"OS" (the OS speaking first says so).
function bubble(role: string, text: string, ts?: number, who?: string): HTMLLIElement {
  const li = el("li", "", `msg ${role === "user" ? "mine" : "theirs"}${who ? " first" : ""}`);
  li.append(el("p", who ?? `${role === "user" ? "You" : "OS"}${ts ? ` · ${when(ts)}` : ""}`, "hint who"));
  const body = el("div", "", "body");
  if (role === "user") body.textContent = text;
  else renderMarkdown(body, text);
  li.append(body);
  return li;
}

export async function showConversation(view: HTMLElement): Promise<void> {
  let current = sessionStorage.getItem(CURRENT) ?? "";
  let history: ChatMessage[] = [];
  let streaming: AbortController | null = null;

  const listSection = card("conversation-list", "Your conversations");
  const list = el("ul", "", "conversations");
  const fresh = el("button", "New conversation", "quiet");
  fresh.type = "button";
  listSection.append(fresh, list);

  const chatSection = card("conversation-now", "Conversation");
  // A list in a live region (a list given the role "log" would stop being a list).
  const log = el("ol", "", "messages");
  const live = el("div");
  live.setAttribute("role", "log");
  live.setAttribute("aria-live", "polite");
  live.append(log);
  const form = el("form", "", "composer");
  const label = el("label", "Your message");
  label.htmlFor = "message";
  const box = el("textarea");
  box.id = "message";
  box.required = true;
  box.value = sessionStorage.getItem("os1.draft") ?? "";
  const send = el("button", "Send");
  send.type = "submit";
  const stop = el("button", "Stop", "quiet");
  stop.type = "button";
  stop.hidden = true;
  form.append(label, box, send, stop);
  const voice = voiceControls({
    conversation: async () => {
      if (!current) await open(`web-${Date.now().toString(36)}`, true);
      return current;
    },
    message: (role, text) => {
      const li = bubble(role, text);
      log.append(li);
      return li;
    },
    remember: (role, content) => history.push({ role, content }),
  });
  chatSection.append(live, form, voice);
  view.replaceChildren(el("h1", "Conversation"), listSection, chatSection);

  // What the person is typing survives a reload or a lost connection.
  box.addEventListener("input", () => sessionStorage.setItem("os1.draft", box.value));
  box.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey) {
      ev.preventDefault();
      form.requestSubmit();
    }
  });

  // A new conversation has nothing on the server yet: nothing to fetch.
  const open = async (id: string, fresh = false) => {
    current = id;
    sessionStorage.setItem(CURRENT, id);
    log.replaceChildren();
    history = [];
    for (const b of list.querySelectorAll("button")) b.setAttribute("aria-current", String(b.dataset.id === id));
    if (!id || fresh) return;
    try {
      const messages: Memory[] = await api.conversation(id);
      for (const m of messages) {
        if (m.role !== "user" && m.role !== "assistant") continue;
        history.push({ role: m.role, content: m.text });
        const first = id === INITIATIVE && m.role === "assistant" ? `The OS spoke first · ${when(m.ts)}` : undefined;
        log.append(bubble(m.role, m.text, m.ts, first));
      }
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 404)) log.append(el("li", describe(e), "error"));
    }
  };

  const refreshList = async () => {
    try {
      const items = await api.conversations();
      list.replaceChildren();
      for (const c of items) {
        const li = el("li");
        const b = el("button", "", "quiet conversation");
        b.type = "button";
        b.dataset.id = c.id;
        b.setAttribute("aria-current", String(c.id === current));
        b.append(el("strong", c.id === INITIATIVE ? "What the OS said first" : c.id), el("span", ` · ${when(c.last_at)} · ${c.last_text}`, "hint"));
        b.addEventListener("click", () => void open(c.id));
        li.append(b);
        list.append(li);
      }
      if (!items.length) list.append(el("li", "None yet: say something below.", "hint"));
    } catch (e) {
      list.replaceChildren(el("li", describe(e), "error"));
    }
  };

  fresh.addEventListener("click", () => {
    void open(`web-${Date.now().toString(36)}`, true);
    box.focus();
  });
  stop.addEventListener("click", () => streaming?.abort());

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const text = box.value.trim();
    if (!text || streaming) return;
    if (!current) await open(`web-${Date.now().toString(36)}`, true);
    const id = current;
    const mine = bubble("user", text);
    const reply = bubble("assistant", "");
    const body = reply.querySelector(".body") as HTMLElement;
    reply.setAttribute("aria-busy", "true");
    log.append(mine, reply);
    box.value = "";
    streaming = new AbortController();
    send.disabled = true;
    stop.hidden = false;
    let said = "";
    try {
      await streamReply(id, [...history, { role: "user", content: text }], (piece) => {
        said += piece;
        body.textContent = said;  // as text while it streams; markdown once whole
      }, streaming.signal);
      history.push({ role: "user", content: text }, { role: "assistant", content: said });
      renderMarkdown(body, said);
      sessionStorage.removeItem("os1.draft");
    } catch (e) {
      if (streaming.signal.aborted) {
        history.push({ role: "user", content: text }, { role: "assistant", content: said });
        renderMarkdown(body, said);
        reply.append(el("p", "(stopped)", "hint"));
        sessionStorage.removeItem("os1.draft");
      } else {
        // Not answered: the message goes back where it was typed, to send again.
        mine.remove();
        reply.remove();
        box.value = text;
        showNotice(`${describe(e)} Your message is kept: send it again.`);
      }
    } finally {
      reply.removeAttribute("aria-busy");
      streaming = null;
      send.disabled = false;
      stop.hidden = true;
      void refreshList();
    }
  });

  await refreshList();
  await open(current);
  // What the OS says first while this view is open joins the conversation on
  // screen, so that an answer continues from it.
  if (!view.isConnected) return;  // the person went elsewhere meanwhile
  showSpokeFirst((m: SpokeFirst) => {
    if (!view.isConnected) return false;
    history.push({ role: "assistant", content: m.text });
    log.append(bubble("assistant", m.text, m.sent_at, spokeFirstLine(m)));
    return true;
  });
}
