// The voice call on the web page, in Chromium with a fake microphone fed a
// WAV of flite's speech (--use-file-for-fake-audio-capture): the person's
// words appear as heard, the reply is written and its audio arrives, and the
// call ends when asked, all under the page's own Content-Security-Policy.
import assert from "node:assert/strict";
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { launch, open } from "./browser.mjs";
import { ownServer } from "./server.mjs";

let server, browser, dir;

// A 16-bit mono WAV of SAMPLES (Int16Array) at RATE.
function wav(samples, rate) {
  const data = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  const head = Buffer.alloc(44);
  head.write("RIFF", 0);
  head.writeUInt32LE(36 + data.length, 4);
  head.write("WAVEfmt ", 8);
  head.writeUInt32LE(16, 16);
  head.writeUInt16LE(1, 20);
  head.writeUInt16LE(1, 22);
  head.writeUInt32LE(rate, 24);
  head.writeUInt32LE(rate * 2, 28);
  head.writeUInt16LE(2, 32);
  head.writeUInt16LE(16, 34);
  head.write("data", 36);
  head.writeUInt32LE(data.length, 40);
  return Buffer.concat([head, data]);
}

before(async () => {
  server = await ownServer(["--no-onboarding", "--max-tokens", "24"], ["ada"]);
  // What the microphone hears, looped by Chromium from the call's start: 2 s of
  // silence, a question (about 2.5 s), 12 s of silence.
  const res = await fetch(`${server.url}/v1/audio/speech`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${server.tokens.ada}` },
    body: JSON.stringify({ input: "What will the weather be like tomorrow?", response_format: "pcm" }),
  });
  assert.equal(res.status, 200);
  const speech = new Int16Array(await res.arrayBuffer());
  const rate = 24000;
  const all = new Int16Array(rate * 2 + speech.length + rate * 12);
  all.set(speech, rate * 2);
  dir = mkdtempSync(join(tmpdir(), "os1-voice-"));
  const file = join(dir, "mic.wav");
  writeFileSync(file, wav(all, rate));
  browser = await launch([
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    `--use-file-for-fake-audio-capture=${file}`,
    "--autoplay-policy=no-user-gesture-required",
  ]);
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("a hands-free call: the words heard appear, the reply is written and spoken, and the call ends", async () => {
  const { context, page, problems } = await open(browser, server.port);
  await page.getByLabel("API token").fill(server.tokens.ada);
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "OS1 right now" }).waitFor();
  await page.getByRole("link", { name: "Talk" }).click();
  await page.getByRole("heading", { name: "Conversation", level: 1 }).waitFor();

  await page.getByRole("button", { name: "Start a voice call" }).click();
  await page.getByRole("button", { name: "End the call" }).waitFor();
  const heard = page.locator(".msg.mine", { hasText: "weather" });
  await heard.first().waitFor();
  // The reply follows what was heard, is written out, and its audio came.
  await page.locator(".msg.mine + .msg.theirs:not([aria-busy])").first().waitFor();
  const voice = page.locator("fieldset.voice");
  await page.waitForFunction(() => Number(document.querySelector("fieldset.voice")?.dataset.audioMs ?? 0) > 500);
  assert.ok(Number(await voice.getAttribute("data-audio-ms")) > 500);

  await page.getByRole("button", { name: "End the call" }).click();
  await page.getByText("The call ended.").waitFor();
  await page.getByRole("button", { name: "Start a voice call" }).waitFor();
  // The server heard the same words and kept them in this person's memory.
  const memories = await (await fetch(`${server.url}/api/v1/memories?limit=10`, {
    headers: { Authorization: `Bearer ${server.tokens.ada}` },
  })).json();
  assert.ok(memories.items.some((m) => m.role === "user" && m.text.includes("weather")), JSON.stringify(memories));
  assert.deepEqual(problems, []);
  await context.close();
});

test("push to talk: what is said while the button is held is heard and answered", async () => {
  const { context, page, problems } = await open(browser, server.port);
  await page.getByLabel("API token").fill(server.tokens.ada);
  await page.keyboard.press("Enter");
  await page.getByRole("link", { name: "Talk" }).click();
  await page.getByRole("heading", { name: "Conversation", level: 1 }).waitFor();
  await page.getByRole("button", { name: "New conversation" }).click();
  await page.getByLabel("Push to talk").check();
  await page.getByRole("button", { name: "Start a voice call" }).click();
  const talk = page.getByRole("button", { name: "Hold to talk" });
  await talk.waitFor();
  assert.equal(await page.locator(".msg").count(), 0);  // nothing is sent until the button is held
  // The person holds the button while they speak (the question plays 2 to 4.5 s into the call).
  await talk.hover();
  await page.mouse.down();
  await page.getByRole("status").filter({ hasText: "Listening" }).waitFor();
  await page.waitForTimeout(7000);
  await page.mouse.up();
  await page.locator(".msg.mine", { hasText: "weather" }).first().waitFor();
  await page.locator(".msg.mine + .msg.theirs:not([aria-busy])").first().waitFor();
  await page.getByRole("button", { name: "End the call" }).click();
  await page.getByText("The call ended.").waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});
