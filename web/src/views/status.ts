// The honest status, always visible: how many people the OS is talking with
// now and how many conversations it holds (GET /api/v1/status), refreshed.
import { api, ApiError, Status } from "../api";
import { clearNotice, describe, showNotice } from "../notice";

const REFRESH_S = 15;

function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

export function statusLine(s: Status): string {
  return (
    `Talking with ${plural(s.people_talking_now, "person", "people")} now · ` +
    `holding ${plural(s.conversations_held, "conversation", "conversations")}`
  );
}

// The status bar; `onUnauthorized` when the token stops working.
export function startStatus(onUnauthorized: () => void): () => void {
  const bar = document.getElementById("status") as HTMLParagraphElement;
  let timer = 0;
  let stopped = false;
  const tick = async () => {
    let next = REFRESH_S;
    try {
      const s = await api.status();
      bar.textContent = statusLine(s);
      bar.title = `${s.conversations.resident} in the model's context, ${s.conversations.in_ram} in RAM, ${s.conversations.on_disk} on disk; model ${s.model}`;
      clearNotice();
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        onUnauthorized();
        return;
      }
      showNotice(describe(e));
      if (e instanceof ApiError && e.retryAfterS) next = e.retryAfterS;
    }
    if (!stopped) timer = window.setTimeout(tick, next * 1000);
  };
  void tick();
  return () => {
    stopped = true;
    window.clearTimeout(timer);
    bar.textContent = "";
  };
}
