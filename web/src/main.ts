// The page's start: sign in when the server wants a token, then the views.
import "./style.css";
import { api, ApiError, token } from "./api";
import { describe, showNotice } from "./notice";
import { showOverview } from "./views/overview";
import { renderSignIn } from "./views/signin";
import { startStatus } from "./views/status";

const view = document.getElementById("view") as HTMLElement;
const signOut = document.getElementById("sign-out") as HTMLButtonElement;
let stopStatus: (() => void) | null = null;

function signedIn(withToken: boolean): void {
  signOut.hidden = !withToken;
  stopStatus?.();
  stopStatus = startStatus(() => toSignIn("Your token is no longer accepted: sign in again."));
  void showOverview(view);
}

function toSignIn(why: string): void {
  stopStatus?.();
  stopStatus = null;
  token.clear();
  signOut.hidden = true;
  renderSignIn(view, why, () => signedIn(true));
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
