// Sign in with an API token (`os1 users add NAME` prints one).
import { api, ApiError, token } from "../api";
import { describe } from "../notice";

export function renderSignIn(view: HTMLElement, why: string, onSignedIn: () => void): void {
  view.replaceChildren();
  const form = document.createElement("form");
  form.className = "card signin";
  const h = document.createElement("h1");
  h.textContent = "Sign in";
  const p = document.createElement("p");
  p.textContent = why || "Your API token: the operator made it with `os1 users add NAME`.";
  const label = document.createElement("label");
  label.textContent = "API token";
  label.htmlFor = "token";
  const input = document.createElement("input");
  input.id = "token";
  input.type = "password";
  input.autocomplete = "current-password";
  input.required = true;
  input.spellcheck = false;
  const button = document.createElement("button");
  button.type = "submit";
  button.textContent = "Sign in";
  const error = document.createElement("p");
  error.className = "error";
  error.setAttribute("role", "alert");
  form.append(h, p, label, input, button, error);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const t = input.value.trim();
    button.disabled = true;
    error.textContent = "";
    try {
      await api.status(t);
      token.set(t);
      onSignedIn();
    } catch (e) {
      error.textContent =
        e instanceof ApiError && e.status === 401 ? "That token was refused: check it and try again." : describe(e);
    } finally {
      button.disabled = false;
    }
  });
  view.append(form);
  input.focus();
}
