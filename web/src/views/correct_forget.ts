// The two actions on anything remembered of the person: correct its text, or
// forget it. Shared by memories and facts, which differ only in their routes.
import { el } from "../dom";
import { describe } from "../notice";

export interface Editable {
  li: HTMLLIElement; // the item; replaced or emptied by the actions
  key: string; // unique on the page, for the form's ids
  text: string;
  save: (text: string) => Promise<HTMLLIElement>; // the corrected item
  forget: () => Promise<void>;
}

export function correctOrForget(item: Editable): HTMLElement {
  const actions = el("div", "", "actions");
  const edit = el("button", "Correct", "quiet");
  edit.type = "button";
  const forget = el("button", "Forget", "quiet");
  forget.type = "button";
  actions.append(edit, forget);
  edit.addEventListener("click", () => {
    const form = el("form");
    const label = el("label", "Corrected text");
    label.htmlFor = `edit-${item.key}`;
    const area = el("textarea");
    area.id = `edit-${item.key}`;
    area.value = item.text;
    area.required = true;
    const save = el("button", "Save");
    save.type = "submit";
    const said = el("p", "", "error");
    form.append(label, area, save, said);
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      try {
        item.li.replaceWith(await item.save(area.value));
      } catch (e) {
        said.textContent = describe(e);
      }
    });
    actions.replaceWith(form);
    area.focus();
  });
  forget.addEventListener("click", async () => {
    forget.disabled = true;
    try {
      await item.forget();
      item.li.replaceChildren(el("p", "Forgotten.", "hint"));
    } catch (e) {
      item.li.append(el("p", describe(e), "error"));
      forget.disabled = false;
    }
  });
  return actions;
}
