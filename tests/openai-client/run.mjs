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
console.log('PASS: the openai client library talks to os1 serve (plain, streamed, errors)');
