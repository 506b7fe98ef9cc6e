// Building elements: text always through textContent, so nothing the server
// sends (a message, a memory, a name) is ever parsed as markup.
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, text = "", className = ""): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text) e.textContent = text;
  if (className) e.className = className;
  return e;
}

export const when = (unix: number | null | undefined): string => (unix ? new Date(unix * 1000).toLocaleString() : "");

// A card section with a heading that names it for screen readers.
export function card(id: string, title: string): HTMLElement {
  const section = el("section", "", "card");
  section.setAttribute("aria-labelledby", id);
  const h = el("h2", title);
  h.id = id;
  section.append(h);
  return section;
}
