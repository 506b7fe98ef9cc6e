// The official OpenAI client library, unmodified, against os1 serve.
// Usage: node run.mjs PORT TOKEN
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const [port, token] = process.argv.slice(2);
const baseURL = `http://127.0.0.1:${port}/v1`;
const client = new OpenAI({ baseURL, apiKey: token, maxRetries: 0 });

const models = await client.models.list();
assert.equal(models.data.length, 1);
const model = models.data[0].id;

const messages = [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello there' }];
const plain = await client.chat.completions.create({ model, messages, max_tokens: 8, temperature: 0, user: 'plain' });
assert.equal(plain.object, 'chat.completion');
assert.equal(plain.choices[0].message.role, 'assistant');
assert.ok(plain.choices[0].message.content.length > 0);
assert.equal(plain.choices[0].finish_reason, 'length');
assert.equal(plain.usage.completion_tokens, 8);

const stream = await client.chat.completions.create({
  model, messages, max_tokens: 8, temperature: 0, user: 'streamed', stream: true, stream_options: { include_usage: true },
});
let text = '';
let finish = null;
let usage = null;
for await (const chunk of stream) {
  const choice = chunk.choices[0];
  if (choice?.delta?.content) text += choice.delta.content;
  if (choice?.finish_reason) finish = choice.finish_reason;
  if (chunk.usage) usage = chunk.usage;
}
assert.equal(text, plain.choices[0].message.content);
assert.equal(finish, 'length');
assert.equal(usage.completion_tokens, 8);

await assert.rejects(client.chat.completions.create({ model, messages: [] }), OpenAI.BadRequestError);
const stranger = new OpenAI({ baseURL, apiKey: 'os1_wrong', maxRetries: 0 });
await assert.rejects(stranger.chat.completions.create({ model, messages }), OpenAI.AuthenticationError);
// Audio: speech made by the server, heard back by the server, through the client's own types.
const said = 'please remind me to water the plants tomorrow morning';
const speech = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: said, response_format: 'wav' });
assert.equal(speech.headers.get('content-type'), 'audio/wav');
const wav = Buffer.from(await speech.arrayBuffer());
assert.equal(wav.subarray(0, 4).toString(), 'RIFF');
assert.ok(wav.length > 16000 * 2, `${wav.length} bytes is less than a second`);
const mp3 = Buffer.from(await (await client.audio.speech.create({ model: 'tts-1', voice: 'nova', input: 'Hello.' })).arrayBuffer());
assert.ok(mp3.length > 500 && (mp3[0] === 0xff || mp3.subarray(0, 3).toString() === 'ID3'), 'mp3 is the default format');

const file = await OpenAI.toFile(wav, 'speech.wav', { type: 'audio/wav' });
const heard = await client.audio.transcriptions.create({ model: 'whisper-1', file });
const words = said.split(' ');
const found = words.filter((w) => ` ${heard.text} `.includes(` ${w} `)).length;
assert.ok(found / words.length >= 0.7, `heard "${heard.text}" for "${said}"`);
const verbose = await client.audio.transcriptions.create({
  model: 'whisper-1', file: await OpenAI.toFile(wav, 'speech.wav'), response_format: 'verbose_json',
  timestamp_granularities: ['word', 'segment'],
});
assert.equal(verbose.text, heard.text);
assert.equal(verbose.segments.length, 1);
assert.ok(verbose.words.length >= 5);
assert.ok(verbose.duration > 1);
const asText = await client.audio.transcriptions.create({ model: 'whisper-1', file: await OpenAI.toFile(wav, 'a.wav'), response_format: 'text' });
assert.equal(String(asText).trim(), heard.text);
await assert.rejects(client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'hi', response_format: 'aac' }),
  OpenAI.BadRequestError);
await assert.rejects(client.audio.transcriptions.create({ model: 'whisper-1', file: await OpenAI.toFile(Buffer.from('not audio'), 'a.wav') }),
  OpenAI.BadRequestError);
console.log('PASS: the openai client library talks to os1 serve (plain, streamed, errors, speech, transcriptions)');
