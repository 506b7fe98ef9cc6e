// The page's only way to the server: typed calls to the routes of docs/api.md.

export interface Status {
  people_talking_now: number;
  conversations_held: number;
  conversations: { resident: number; in_ram: number; on_disk: number };
  requests_in_flight: number;
  talking_window_s: number;
  model: string;
  uptime_s: number;
}

export interface Initiative {
  id: number;
  kind: string; // reminder, follow_up, check_in
  text: string;
  reason: string;
  importance: number;
  state: "pending" | "sent" | "dropped";
  decision: string;
  due_at: number;
  created_at: number;
  decided_at: number | null;
  delivered_at: number | null;
  memory: number | null;
}

export interface InitiativeSettings {
  opted_out: boolean;
  quiet_from: string; // "HH:MM"
  quiet_to: string;
  utc_offset_minutes: number;
  daily_cap: number;
  min_importance: number;
}

export interface Persona {
  version: number; // 0: none yet
  name?: string;
  about?: string;
  traits?: string[];
  interests?: string[];
  notes?: string;
  source?: string; // onboarding, rename, rollback, default, evolve
  reason?: string;
  diff?: string;
  created_at?: number;
  onboarding: string;
}

export interface Memory {
  id: number;
  kind: string;
  conversation: string;
  ts: number;
  speaker: string;
  role: string;
  text: string;
}

export interface Found {
  kind: "turn" | "fact" | "summary";
  text: string;
  score: number;
  ts: number;
  ids: number[];
  fact_id?: number;
}

export interface Fact {
  id: number;
  text: string;
  ts: number;
  confidence: number; // 0 to 1
  reinforced: number; // how many more times it was said
  sources: number[]; // the memories it came from
  superseded_by: number | null;
}

export interface Summaries {
  person: string | null; // the portrait
  items: { id: number; conversation: string; text: string; upto_memory: number; updated_at: number }[];
}

export interface Profile {
  text: string;
  in_prompt: string;
}

export interface MoodDay {
  date: string; // "YYYY-MM-DD", UTC
  messages: number;
  valence: number | null; // -1 to 1
  arousal: number | null; // 0 to 1
  label: string | null;
}

export interface Reading {
  memory: number;
  ts: number;
  label: string;
  valence: number;
  arousal: number;
  source: string;
}

// A refused or failed request: `status` 0 when the server could not be reached.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly retryAfterS: number | null,
  ) {
    super(message);
  }
}

// A refused answer as an error: the server's own message (docs/api.md's error
// object) and when to try again.
async function errorOf(res: Response): Promise<ApiError> {
  let message = `${res.status} ${res.statusText}`;
  try {
    const j = (await res.json()) as { error?: { message?: string } };
    if (j.error?.message) message = j.error.message;
  } catch {
    // not JSON: the status line says it
  }
  const retry = Number(res.headers.get("Retry-After"));
  return new ApiError(res.status, message, Number.isFinite(retry) && retry > 0 ? retry : null);
}

const TOKEN_KEY = "os1.token";

// The person's API token, kept so that a reload keeps them signed in.
export const token = {
  get: (): string | null => localStorage.getItem(TOKEN_KEY),
  set: (t: string): void => localStorage.setItem(TOKEN_KEY, t),
  clear: (): void => localStorage.removeItem(TOKEN_KEY),
};

interface Options {
  body?: unknown;
  bearer?: string | null; // undefined: the stored token; null: none
}

async function send(method: string, path: string, opts: Options & { headers?: Record<string, string> } = {}): Promise<Response> {
  const headers: Record<string, string> = { ...opts.headers };
  const bearer = opts.bearer === undefined ? token.get() : opts.bearer;
  if (bearer) headers["Authorization"] = `Bearer ${bearer}`;
  if (opts.body !== undefined) headers["Content-Type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
  } catch {
    throw new ApiError(0, "the server cannot be reached", null);
  }
  if (!res.ok) throw await errorOf(res);
  return res;
}

async function request<T>(method: string, path: string, opts: Options = {}): Promise<T> {
  return (await (await send(method, path, opts)).json()) as T;
}

export interface Conversation {
  id: string;
  turns: number;
  started_at: number;
  last_at: number;
  last_text: string;
}

export interface ChatMessage {
  role: "user" | "assistant" | "system";
  content: string;
}

// Reads a server-sent-events body, calling `on` with each event's name
// ("message" when unnamed) and data; `on` returns true to stop reading.
// True when `on` stopped it, false when the stream ended first.
async function readEvents(body: ReadableStream<Uint8Array<ArrayBuffer>>, on: (name: string, data: string) => boolean): Promise<boolean> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<string>;
      try {
        chunk = await reader.read();
      } catch (e) {
        if (e instanceof DOMException && e.name === "AbortError") throw e;
        throw new ApiError(0, "the connection dropped", null);
      }
      const { value, done } = chunk;
      if (done) return false;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let name = "message";
        const data: string[] = [];
        for (const line of block.split("\n")) {
          if (line.startsWith("event: ")) name = line.slice(7);
          else if (line.startsWith("data: ")) data.push(line.slice(6));
        }
        if (data.length && on(name, data.join("\n"))) return true;
      }
    }
  } finally {
    reader.releaseLock();
  }
}

export interface SpokeFirst {
  id: number;
  kind: string; // reminder, follow_up, check_in
  text: string;
  from: string; // the OS's name with this person
  reason: string;
  sent_at: number;
}

// A request whose answer is read as it comes (SSE), with the person's token.
async function openStream(path: string, init: RequestInit, signal: AbortSignal): Promise<ReadableStream<Uint8Array<ArrayBuffer>>> {
  const headers = new Headers(init.headers);
  const t = token.get();
  if (t) headers.set("Authorization", `Bearer ${t}`);
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers, signal, cache: "no-store" });
  } catch (e) {
    if (signal.aborted) throw e;
    throw new ApiError(0, "the server cannot be reached", null);
  }
  if (!res.ok || !res.body) throw await errorOf(res);
  return res.body;
}

// The person's event stream (GET /api/v1/events): each message the OS starts
// to `onMessage` until the stream ends (resolves) or fails (throws ApiError);
// `onOpen` once the server has answered.
export async function followEvents(onMessage: (m: SpokeFirst) => void, signal: AbortSignal, onOpen: () => void): Promise<void> {
  const body = await openStream("/api/v1/events", {}, signal);
  onOpen();
  await readEvents(body, (name, data) => {
    if (name === "initiative") onMessage(JSON.parse(data) as SpokeFirst);
    return false;
  });
}

// Streams a reply of the companion (POST /v1/chat/completions, SSE): each piece
// of text to `onText` as it comes; resolves when the reply is stored ([DONE]).
export async function streamReply(
  conversation: string,
  messages: ChatMessage[],
  onText: (piece: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const init = {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-OS1-Conversation": conversation },
    body: JSON.stringify({ messages, stream: true }),
  };
  const finished = await readEvents(await openStream("/v1/chat/completions", init, signal), (_name, data) => {
    if (data === "[DONE]") return true;
    const chunk = JSON.parse(data) as { choices?: { delta?: { content?: string } }[]; error?: { message?: string } };
    if (chunk.error) throw new ApiError(500, chunk.error.message ?? "the reply failed", null);
    const piece = chunk.choices?.[0]?.delta?.content;
    if (piece) onText(piece);
    return false;
  });
  if (finished) return;
  throw new ApiError(0, "the connection ended before the reply did", null);
}

export const api = {
  conversations: (limit = 50) =>
    request<{ items: Conversation[] }>("GET", `/api/v1/conversations?limit=${limit}`).then((r) => r.items),
  conversation: (id: string) =>
    request<{ id: string; messages: Memory[] }>("GET", `/api/v1/conversations/${encodeURIComponent(id)}`).then((r) => r.messages),
  status: (bearer?: string | null) => request<Status>("GET", "/api/v1/status", { bearer }),
  memories: (before?: number, limit = 20) =>
    request<{ items: Memory[]; next_before?: number }>(
      "GET",
      `/api/v1/memories?limit=${limit}${before ? `&before=${before}` : ""}`,
    ),
  search: (q: string, limit = 10) =>
    request<{ items: Found[] }>("GET", `/api/v1/memories/search?q=${encodeURIComponent(q)}&limit=${limit}`).then((r) => r.items),
  correct: (id: number, text: string) => request<Memory>("PATCH", `/api/v1/memories/${id}`, { body: { text } }),
  forget: (id: number) => send("DELETE", `/api/v1/memories/${id}`).then(() => undefined),
  memory: (id: number) => request<Memory>("GET", `/api/v1/memories/${id}`),
  facts: (limit = 50) => request<{ items: Fact[] }>("GET", `/api/v1/facts?limit=${limit}`).then((r) => r.items),
  correctFact: (id: number, text: string) => request<Fact>("PATCH", `/api/v1/facts/${id}`, { body: { text } }),
  forgetFact: (id: number) => send("DELETE", `/api/v1/facts/${id}`).then(() => undefined),
  summaries: (limit = 20) => request<Summaries>("GET", `/api/v1/summaries?limit=${limit}`),
  mood: (days = 30) => request<{ days: MoodDay[]; readings: Reading[] }>("GET", `/api/v1/mood?days=${days}`),
  profile: () => request<Profile>("GET", "/api/v1/profile"),
  setProfile: (text: string) => request<{ text: string }>("PUT", "/api/v1/profile", { body: { text } }),
  exportAll: () => send("GET", "/api/v1/export").then((r) => r.blob()),
  eraseMe: () => send("DELETE", "/api/v1/me", { headers: { "X-OS1-Confirm": "erase" } }).then(() => undefined),
  persona: () => request<Persona>("GET", "/api/v1/persona"),
  personaHistory: (limit = 100) =>
    request<{ versions: Persona[] }>("GET", `/api/v1/persona/history?limit=${limit}`).then((r) => r.versions),
  rename: (name: string) => request<Persona>("PUT", "/api/v1/persona", { body: { name } }),
  rollback: (version: number) => request<Persona>("POST", "/api/v1/persona/rollback", { body: { version } }),
  initiatives: (limit = 100) =>
    request<{ initiatives: Initiative[] }>("GET", `/api/v1/initiatives?limit=${limit}`).then((r) => r.initiatives),
  initiativeSettings: () => request<InitiativeSettings>("GET", "/api/v1/initiative/settings"),
  setInitiativeSettings: (s: Partial<InitiativeSettings>) =>
    request<InitiativeSettings>("PUT", "/api/v1/initiative/settings", { body: s }),
};
