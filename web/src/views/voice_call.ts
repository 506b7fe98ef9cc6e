// The voice call in the conversation view: start and end it, hands-free or
// push-to-talk, with what is heard and said shown live in the conversation.
import { el } from "../dom";
import { renderMarkdown } from "../markdown";
import { describe } from "../notice";
import { CallMode, VoiceCall } from "../voice/call";

export interface CallHost {
  conversation(): Promise<string>;  // the conversation on screen (a new one when there is none)
  message(role: "user" | "assistant", text: string, first: boolean): HTMLLIElement;  // appended to the log
  remember(role: "user" | "assistant", text: string): void;  // joins the history typed messages continue from
}

export function voiceControls(host: CallHost): HTMLElement {
  const box = el("fieldset", "", "voice");
  box.append(el("legend", "Voice"));
  const modes = el("div", "", "modes");
  for (const [value, text] of [["hands-free", "Hands-free"], ["push-to-talk", "Push to talk"]] as const) {
    const label = el("label", "");
    const radio = el("input");
    radio.type = "radio";
    radio.name = "voice-mode";
    radio.value = value;
    radio.checked = value === "hands-free";
    label.append(radio, ` ${text}`);
    modes.append(label);
  }
  const start = el("button", "Start a voice call");
  start.type = "button";
  const talk = el("button", "Hold to talk");
  talk.type = "button";
  talk.hidden = true;
  const state = el("p", "", "hint call-state");
  state.setAttribute("role", "status");
  box.append(modes, start, talk, state);

  let call: VoiceCall | null = null;
  const replies = new Map<string, { li: HTMLLIElement; text: string }>();
  const ended = (why: string) => {
    call = null;
    start.textContent = "Start a voice call";
    talk.hidden = true;
    for (const r of modes.querySelectorAll("input")) r.disabled = false;
    state.textContent = why;
  };

  start.addEventListener("click", async () => {
    if (call) {
      call.hangUp();
      return ended("The call ended.");
    }
    const mode = (modes.querySelector("input:checked") as HTMLInputElement).value as CallMode;
    start.disabled = true;
    state.textContent = "Calling…";
    try {
      const conversation = await host.conversation();
      call = await VoiceCall.start(conversation, mode, {
        state: (text) => (state.textContent = text),
        heard: (_item, text) => {
          host.message("user", text, false);
          host.remember("user", text);
        },
        replyStarted: (id) => {
          const li = host.message("assistant", "", false);
          li.setAttribute("aria-busy", "true");
          replies.set(id, { li, text: "" });
        },
        reply: (id, delta) => {
          const r = replies.get(id);
          if (!r) return;
          r.text += delta;
          (r.li.querySelector(".body") as HTMLElement).textContent = r.text;
        },
        replyDone: (id, status, first) => {
          const r = replies.get(id);
          replies.delete(id);
          if (!r) return;
          r.li.removeAttribute("aria-busy");
          renderMarkdown(r.li.querySelector(".body") as HTMLElement, r.text);
          if (!r.text) r.li.append(el("p", "(no words)", "hint"));
          if (first) r.li.classList.add("first");
          if (status === "cancelled") r.li.append(el("p", "(interrupted)", "hint"));
          if (!first) host.remember("assistant", r.text);
        },
        audio: (ms) => (box.dataset.audioMs = String(ms)),
        failed: (why) => ended(why),
      });
      start.textContent = "End the call";
      talk.hidden = mode !== "push-to-talk";
      for (const r of modes.querySelectorAll("input")) r.disabled = true;
    } catch (e) {
      ended(`The call could not start: ${e instanceof Error ? e.message : describe(e)}`);
    } finally {
      start.disabled = false;
    }
  });
  talk.addEventListener("pointerdown", () => call?.pressTalk());
  for (const ev of ["pointerup", "pointerleave", "pointercancel"]) talk.addEventListener(ev, () => call?.releaseTalk());
  talk.addEventListener("keydown", (ev) => {
    if ((ev.key === " " || ev.key === "Enter") && !ev.repeat) call?.pressTalk();
  });
  talk.addEventListener("keyup", (ev) => {
    if (ev.key === " " || ev.key === "Enter") call?.releaseTalk();
  });
  // Leaving the view ends the call.
  const watch = new MutationObserver(() => {
    if (!box.isConnected && call) {
      call.hangUp();
      call = null;
      watch.disconnect();
    }
  });
  queueMicrotask(() => box.parentElement && watch.observe(document.body, { childList: true, subtree: true }));
  return box;
}
