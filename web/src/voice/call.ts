// A voice call with the OS over /v1/realtime (docs/api.md, "Realtime"): the
// microphone (with the browser's echo cancellation) streamed as 24 kHz pcm16,
// the reply played as its audio arrives, and speech over the reply (or the
// talk button pressed) stopping it and telling the server how much was heard.
import { token } from "../api";

export type CallMode = "hands-free" | "push-to-talk";

export interface CallListener {
  state(text: string): void;                       // "Listening", "The OS is speaking", ...
  heard(itemId: string, text: string): void;       // the person's words, once transcribed
  replyStarted(responseId: string): void;          // a reply begins (its words follow)
  reply(responseId: string, delta: string): void;  // the reply's words as they come
  replyDone(responseId: string, status: string, firstWords: boolean): void;
  audio(ms: number): void;                         // reply audio received so far, in ms
  failed(message: string): void;                   // the call is over, with why
}

const RATE = 24000;

function toBase64(samples: Int16Array): string {
  const bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

function fromBase64(text: string): Float32Array<ArrayBuffer> {
  const raw = atob(text);
  const out = new Float32Array(raw.length >> 1);
  for (let i = 0; i < out.length; i++) {
    const v = raw.charCodeAt(2 * i) | (raw.charCodeAt(2 * i + 1) << 8);
    out[i] = (v >= 0x8000 ? v - 0x10000 : v) / 32768;
  }
  return out;
}

export class VoiceCall {
  private ws: WebSocket;
  private context: AudioContext;
  private stream: MediaStream | null = null;
  private talking = false;
  private playing: AudioBufferSourceNode[] = [];
  private playEnd = 0;                     // context time the queued audio ends at
  private item = "";                       // the reply item being played
  private itemStart = 0;                   // context time its audio began
  private itemMs = 0;                      // its audio received, in ms
  private responding = false;
  private received = 0;                    // all reply audio received, in ms
  private ended = false;
  private opened: Promise<void>;

  private constructor(private mode: CallMode, private on: CallListener, conversation: string) {
    this.context = new AudioContext({ sampleRate: RATE });
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const t = token.get();
    // A browser cannot send headers on a WebSocket: the token goes as a subprotocol.
    this.ws = new WebSocket(`${scheme}://${location.host}/v1/realtime?conversation=${encodeURIComponent(conversation)}`,
                            t ? ["realtime", `openai-insecure-api-key.${t}`] : ["realtime"]);
    this.opened = new Promise<void>((resolve, reject) => {
      this.ws.addEventListener("open", () => resolve(), { once: true });
      this.ws.addEventListener("error", () => reject(new Error("OS1 did not take the call (is voice on, and the token right?)")), { once: true });
    });
    this.opened.catch(() => {});  // awaited in open()
    this.ws.addEventListener("message", (m) => this.event(JSON.parse(String(m.data))));
  }

  static async start(conversation: string, mode: CallMode, on: CallListener): Promise<VoiceCall> {
    const call = new VoiceCall(mode, on, conversation);
    try {
      await call.open();
      return call;
    } catch (e) {
      call.hangUp();
      throw e;
    }
  }

  private async open(): Promise<void> {
    this.stream = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 },
    });
    await this.context.audioWorklet.addModule(new URL("./mic-worklet.js", import.meta.url));
    await this.opened;
    this.ws.addEventListener("close", () => {
      if (!this.ended) this.on.failed("The call dropped.");
      this.hangUp();
    });
    this.send({
      type: "session.update",
      session: {
        input_audio_rate: RATE,
        turn_detection: this.mode === "hands-free" ? { type: "server_vad" } : null,
      },
    });
    const mic = new AudioWorkletNode(this.context, "os1-mic");
    mic.port.onmessage = (m: MessageEvent<Int16Array>) => {
      if (this.mode === "hands-free" || this.talking) this.send({ type: "input_audio_buffer.append", audio: toBase64(m.data) });
    };
    const silent = this.context.createGain();
    silent.gain.value = 0;  // the worklet runs only when connected onwards; nothing of it is heard
    this.context.createMediaStreamSource(this.stream).connect(mic).connect(silent).connect(this.context.destination);
    await this.context.resume();
    this.on.state(this.mode === "hands-free" ? "Listening: just speak" : "Hold the button to talk");
  }

  // Push-to-talk: the button held.
  pressTalk(): void {
    this.interrupt();
    this.talking = true;
    this.on.state("Listening");
  }

  releaseTalk(): void {
    if (!this.talking) return;
    this.talking = false;
    this.send({ type: "input_audio_buffer.commit" });
    this.send({ type: "response.create" });
    this.on.state("Thinking");
  }

  hangUp(): void {
    this.ended = true;
    this.stopPlaying();
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    if (this.ws.readyState <= WebSocket.OPEN) this.ws.close();
    void this.context.close().catch(() => {});
  }

  private send(event: object): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(event));
  }

  // The person speaks over the reply: it stops, and the server learns how much was heard.
  private interrupt(): void {
    if (this.responding && this.mode === "push-to-talk") this.send({ type: "response.cancel" });
    if (!this.item || this.context.currentTime >= this.playEnd) return;
    const heard = Math.max(0, Math.min(this.itemMs, (this.context.currentTime - this.itemStart) * 1000));
    this.stopPlaying();
    this.send({ type: "conversation.item.truncate", item_id: this.item, content_index: 0, audio_end_ms: Math.floor(heard) });
  }

  private stopPlaying(): void {
    for (const s of this.playing) {
      try {
        s.stop();
      } catch {
        // already ended
      }
    }
    this.playing = [];
    this.playEnd = 0;
  }

  private play(itemId: string, delta: string): void {
    const samples = fromBase64(delta);
    const buffer = this.context.createBuffer(1, samples.length, RATE);
    buffer.copyToChannel(samples, 0);
    const source = this.context.createBufferSource();
    source.buffer = buffer;
    source.connect(this.context.destination);
    const at = Math.max(this.playEnd, this.context.currentTime + 0.05);
    if (itemId !== this.item) {
      this.item = itemId;
      this.itemStart = at;
      this.itemMs = 0;
    }
    source.start(at);
    source.onended = () => {
      if (this.ended) return;  // stopped by the hang-up: nothing more is said of the call
      this.playing = this.playing.filter((s) => s !== source);
      if (!this.playing.length && !this.responding) this.on.state(this.mode === "hands-free" ? "Listening: just speak" : "Hold the button to talk");
    };
    this.playing.push(source);
    this.playEnd = at + buffer.duration;
    this.itemMs += buffer.duration * 1000;
    this.received += buffer.duration * 1000;
    this.on.audio(Math.round(this.received));
  }

  private event(e: any): void {
    if (this.ended) return;
    switch (e.type) {
      case "input_audio_buffer.speech_started":
        this.interrupt();
        this.on.state("Listening");
        break;
      case "input_audio_buffer.speech_stopped":
        this.on.state("Thinking");
        break;
      case "conversation.item.input_audio_transcription.completed":
        if (e.transcript) this.on.heard(e.item_id, e.transcript);
        break;
      case "response.created":
        this.responding = true;
        this.on.replyStarted(e.response.id);
        break;
      case "response.audio_transcript.delta":
        this.on.reply(e.response_id, e.delta);
        break;
      case "response.audio.delta":
        this.on.state("The OS is speaking");
        this.play(e.item_id, e.delta);
        break;
      case "response.done":
        this.responding = false;
        this.on.replyDone(e.response.id, e.response.status, e.response.metadata?.os1_spoke_first === "true");
        break;
      case "error":
        this.on.state(`OS1: ${e.error?.message ?? "an error"}`);
        break;
    }
  }
}
