// Persona: who the OS is with this person (name, self-description, traits,
// notes), every version with its diff and reason; rename; roll back.
import { api, Persona } from "../api";
import { card, el, when } from "../dom";
import { describe } from "../notice";

const SOURCES: Record<string, string> = {
  onboarding: "named itself in the interview",
  rename: "renamed by you",
  rollback: "rolled back by you",
  default: "the default",
  evolve: "grew from your conversations",
};

function current(p: Persona): HTMLElement {
  const section = card("persona-now", p.version ? p.name ?? "" : "No persona yet");
  if (!p.version) {
    section.append(el("p", `It names itself in its first conversation with you (interview: ${p.onboarding}), or you name it below.`, "hint"));
    return section;
  }
  if (p.about) section.append(el("p", p.about));
  const list = el("dl");
  const row = (term: string, value: string) => {
    if (value) list.append(el("dt", term), el("dd", value));
  };
  row("Traits", (p.traits ?? []).join(", "));
  row("Interests", (p.interests ?? []).join(", "));
  row("Notes on the two of you", p.notes ?? "");
  row("Version", `${p.version}, ${SOURCES[p.source ?? ""] ?? p.source ?? ""}, ${when(p.created_at)}`);
  section.append(list);
  return section;
}

function renameForm(p: Persona, reload: () => void): HTMLElement {
  const section = card("persona-rename", "Rename");
  const form = el("form");
  const label = el("label", "New name");
  label.htmlFor = "persona-name";
  const input = el("input");
  input.id = "persona-name";
  input.required = true;
  input.maxLength = 40;
  input.value = p.name ?? "";
  const save = el("button", "Rename");
  save.type = "submit";
  const said = el("p", "", "said");
  said.setAttribute("role", "status");
  form.append(label, input, save, said);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    save.disabled = true;
    try {
      await api.rename(input.value.trim());
      reload();
    } catch (e) {
      said.textContent = describe(e);
      save.disabled = false;
    }
  });
  section.append(form);
  return section;
}

function history(versions: Persona[], reload: () => void): HTMLElement {
  const section = card("persona-history", "Versions");
  const list = el("ol", "", "log");
  versions.forEach((v, i) => {
    const li = el("li", "", "log-item");
    const head = el("p", "", "log-head");
    head.append(el("strong", `${v.version}: ${v.name ?? ""}`), el("span", ` · ${SOURCES[v.source ?? ""] ?? v.source} · ${when(v.created_at)}`));
    li.append(head);
    if (v.reason) li.append(el("p", v.reason, "hint"));
    if (v.diff) li.append(el("pre", v.diff, "diff"));
    if (i > 0) {
      const back = el("button", `Roll back to version ${v.version}`, "quiet");
      back.type = "button";
      back.addEventListener("click", async () => {
        back.disabled = true;
        try {
          await api.rollback(v.version);
          reload();
        } catch (e) {
          li.append(el("p", describe(e), "error"));
          back.disabled = false;
        }
      });
      li.append(back);
    }
    list.append(li);
  });
  section.append(list);
  return section;
}

export async function showPersona(view: HTMLElement): Promise<void> {
  const reload = () => void showPersona(view);
  try {
    const [p, versions] = await Promise.all([api.persona(), api.personaHistory()]);
    view.replaceChildren(el("h1", "Persona"), current(p));
    view.append(renameForm(p, reload));
    if (versions.length) view.append(history(versions, reload));
  } catch (e) {
    view.replaceChildren(el("h1", "Persona"), el("p", describe(e), "hint"));
  }
}
