// The page's start: sign in when the server wants a token, then the views.
import "./style.css";
import { api, ApiError, token } from "./api";
import { dismissWaiting, showSpokeFirst, startEvents } from "./events";
import { describe, showNotice } from "./notice";
import { showConversation } from "./views/conversation";
import { showInitiative } from "./views/initiative";
import { memoryView } from "./views/memory";
import { showMood } from "./views/mood";
import { showOverview } from "./views/overview";
import { showPersona } from "./views/persona";
import { startSpokeFirstBox } from "./views/spoke_first";
import { renderSignIn } from "./views/signin";
import { startStatus } from "./views/status";

const view = document.getElementById("view") as HTMLElement;
const signOut = document.getElementById("sign-out") as HTMLButtonElement;
const nav = document.getElementById("nav") as HTMLElement;

// One view per address: #/ (now), #/chat, #/memory, #/mood, #/persona, #/initiative.
const views: Record<string, (view: HTMLElement) => Promise<void>> = {
  "#/": showOverview,
  "#/chat": showConversation,
  "#/memory": memoryView(afterErase),
  "#/mood": (v) => showMood(v),
  "#/persona": showPersona,
  "#/initiative": showInitiative,
};

function route(): void {
  if (nav.hidden) return;  // not signed in
  const key = views[location.hash] ? location.hash : "#/";
  for (const a of nav.querySelectorAll("a")) {
    if (a.getAttribute("href") === key) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  // Each visit renders into a box of its own: a slower earlier view that
  // finishes late fills a box no longer on the page, never the current one.
  const box = document.createElement("div");
  view.replaceChildren(box);
  showSpokeFirst(null);  // the box under the header, unless the view shows them itself
  void views[key](box);
}
window.addEventListener("hashchange", route);
let stopStatus: (() => void) | null = null;
let stopEvents: (() => void) | null = null;
startSpokeFirstBox();

function signedIn(withToken: boolean): void {
  signOut.hidden = !withToken;
  stopStatus?.();
  stopEvents?.();
  const refused = () => toSignIn("Your token is no longer accepted: sign in again.");
  stopStatus = startStatus(refused);
  stopEvents = startEvents(refused);
  nav.hidden = false;
  route();
}

function toSignIn(why: string): void {
  stopStatus?.();
  stopEvents?.();
  stopStatus = stopEvents = null;
  dismissWaiting();  // what the OS said to this person is not for whoever signs in next
  token.clear();
  signOut.hidden = true;
  nav.hidden = true;
  renderSignIn(view, why, () => signedIn(true));
}

// Erased: a person with a token is signed out (the token is gone too); the
// person at a --no-auth server starts again from nothing.
function afterErase(): void {
  if (token.get()) return toSignIn("Everything of yours is erased, and your token with it.");
  showNotice("Everything of yours is erased.");
  location.hash = "#/";
  route();
}

signOut.addEventListener("click", () => toSignIn("Signed out: the token is forgotten on this browser."));

async function boot(): Promise<void> {
  try {
    // A --no-auth server on this machine answers without a token: no sign-in.
    await api.status(null);
    signedIn(false);
    return;
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) {
      showNotice(describe(e));
      window.setTimeout(() => void boot(), ((e instanceof ApiError && e.retryAfterS) || 5) * 1000);
      return;
    }
  }
  if (!token.get()) return toSignIn("");
  try {
    await api.status();
    signedIn(true);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return toSignIn("Your token is no longer accepted: sign in again.");
    showNotice(describe(e));
    window.setTimeout(() => void boot(), ((e instanceof ApiError && e.retryAfterS) || 5) * 1000);
  }
}

void boot();
