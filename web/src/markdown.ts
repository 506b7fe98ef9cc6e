// The OS's replies as markdown. markdown-it with `html: false` escapes every tag
// a reply holds, so HTML or script in a message shows as text, and it refuses
// javascript:, vbscript: and data: links (its validateLink); the page's CSP
// forbids inline script besides. This is the one place markup is set.
import MarkdownIt from "markdown-it";

const md = new MarkdownIt({ html: false, linkify: false, breaks: true });

export function renderMarkdown(into: HTMLElement, text: string): void {
  into.innerHTML = md.render(text);
  for (const a of into.querySelectorAll("a")) {
    a.rel = "noopener noreferrer";
    a.target = "_blank";
  }
}
