// What the OS says first (GET /api/v1/events), followed while the page is open:
// the stream is opened again whenever it drops, with a notice meanwhile, and
// the server sends on reconnection whatever came due while it was away.
import { ApiError, followEvents, SpokeFirst } from "./api";
import { clearNotice, showNotice } from "./notice";

let shown: ((m: SpokeFirst) => boolean) | null = null;
const waiting: SpokeFirst[] = [];
let onWaiting: (all: readonly SpokeFirst[]) => void = () => {};

// Where each message the OS starts goes: to `f` (the conversation view shows
// it in the conversation; false when it is no longer on the page), else to
// `waiting`, which `onWaiting` shows (a box on every other view).
export function showSpokeFirst(f: ((m: SpokeFirst) => boolean) | null): void {
  shown = f;
  const before = waiting.splice(0);
  for (const m of before) deliver(m);
  onWaiting(waiting);
}

export function onWaitingChange(f: (all: readonly SpokeFirst[]) => void): void {
  onWaiting = f;
}

export function dismissWaiting(): void {
  waiting.splice(0);
  onWaiting(waiting);
}

function deliver(m: SpokeFirst): void {
  if (shown?.(m)) return;
  shown = null;
  waiting.push(m);
  onWaiting(waiting);
}

// Follows the stream until the returned function is called; `onUnauthorized`
// when the token stops working.
export function startEvents(onUnauthorized: () => void): () => void {
  const stop = new AbortController();
  let dropped = false;
  const run = async () => {
    let wait = 1;
    while (!stop.signal.aborted) {
      const opened = Date.now();
      try {
        // A stream says nothing until an event: it is live once the server
        // has answered, so the notice goes then.
        await followEvents(deliver, stop.signal, () => {
          if (dropped) clearNotice();
          dropped = false;
          wait = 1;
        });
      } catch (e) {
        if (stop.signal.aborted) return;
        if (e instanceof ApiError && e.status === 401) return onUnauthorized();
        if (e instanceof ApiError && e.status === 404) return;  // this server does not speak first
        if (e instanceof ApiError && e.retryAfterS) wait = e.retryAfterS;
      }
      if (stop.signal.aborted) return;
      if (Date.now() - opened > 30_000) wait = 1;  // it had been up for a while: try again soon
      dropped = true;
      showNotice(`The connection to OS1 dropped. Reconnecting in ${wait} s; nothing you typed is lost.`);
      await new Promise((r) => window.setTimeout(r, wait * 1000));
      wait = Math.min(wait * 2, 15);
    }
  };
  void run();
  return () => {
    stop.abort();
    if (dropped) clearNotice();
  };
}
