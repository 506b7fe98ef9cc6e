// One line at the top for what went wrong and what happens next.
import { ApiError } from "./api";

const el = () => document.getElementById("notice") as HTMLParagraphElement;

export function showNotice(text: string): void {
  el().textContent = text;
  el().hidden = false;
}

export function clearNotice(): void {
  el().hidden = true;
  el().textContent = "";
}

// What a failed request means for the person, in words.
export function describe(e: unknown): string {
  if (!(e instanceof ApiError)) return `something went wrong: ${String(e)}`;
  const retry = e.retryAfterS ? ` Try again in ${e.retryAfterS} s.` : "";
  const said = /[.!?]$/.test(e.message) ? e.message : `${e.message}.`;  // the server's words, as a sentence
  switch (e.status) {
    case 0:
      return "The server cannot be reached. Trying again shortly.";
    case 429:
      return `Too many requests for now.${retry}`;
    case 503:
      return `The server is busy or restarting.${retry}`;
    case 413:
      return `That was too large: ${said}`;
    case 400:
      return `The server refused it: ${said}`;
    default:
      return `${e.status}: ${said}`;
  }
}
