// The OS's own messages that arrived while another view was open: a box under
// the header, marked as the OS speaking first, with a way to answer.
import { SpokeFirst } from "../api";
import { el, when } from "../dom";
import { dismissWaiting, onWaitingChange } from "../events";

const KINDS: Record<string, string> = { reminder: "Reminder", follow_up: "Follow-up", check_in: "Check-in" };

export const kindName = (kind: string): string => KINDS[kind] ?? kind;

// "Samantha spoke first · Reminder · <time>": how each such message is marked.
export const spokeFirstLine = (m: SpokeFirst): string => `${m.from} spoke first · ${kindName(m.kind)} · ${when(m.sent_at)}`;

export function startSpokeFirstBox(): void {
  const box = document.getElementById("spoke-first") as HTMLElement;
  onWaitingChange((all) => {
    box.hidden = all.length === 0;
    if (!all.length) return box.replaceChildren();
    const list = el("ul");
    for (const m of all) {
      const li = el("li", "", "first");
      li.append(el("p", spokeFirstLine(m), "hint who"), el("p", m.text));
      list.append(li);
    }
    const answer = el("a", "Answer in Talk");
    answer.href = "#/chat";
    const dismiss = el("button", "Dismiss", "quiet");
    dismiss.type = "button";
    dismiss.addEventListener("click", dismissWaiting);
    box.replaceChildren(el("h2", "The OS spoke first"), list, answer, dismiss);
  });
}
