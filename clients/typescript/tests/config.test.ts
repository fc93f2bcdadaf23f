import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChatRoutesClient, apiRoot, parseRetryAfter } from '../src/index';
import { stack } from './support/helpers';

describe('configuration', () => {
  const saved = { key: process.env.CHATROUTES_API_KEY, url: process.env.CHATROUTES_BASE_URL };
  afterEach(() => {
    process.env.CHATROUTES_API_KEY = saved.key;
    process.env.CHATROUTES_BASE_URL = saved.url;
    if (saved.key === undefined) delete process.env.CHATROUTES_API_KEY;
    if (saved.url === undefined) delete process.env.CHATROUTES_BASE_URL;
  });

  it('takes apiKey and baseUrl from CHATROUTES_API_KEY and CHATROUTES_BASE_URL in Node', async () => {
    process.env.CHATROUTES_API_KEY = stack.apiKey;
    process.env.CHATROUTES_BASE_URL = stack.baseUrl;
    const api = new ChatRoutesClient();
    expect(api.baseUrl).toBe(stack.apiUrl);
    expect((await api.conversations.list({ limit: 1 })).page).toBe(1);
  });

  it('works given the server root or its /api/v1, with or without a trailing slash', async () => {
    for (const baseUrl of [stack.baseUrl, stack.apiUrl, stack.apiUrl + '/', stack.baseUrl + '/']) {
      const api = new ChatRoutesClient({ apiKey: stack.apiKey, baseUrl });
      expect(api.baseUrl).toBe(stack.apiUrl);
      expect(Array.isArray(await api.models.list())).toBe(true);
    }
    expect(apiRoot('https://api.chatroutes.com')).toBe('https://api.chatroutes.com/api/v1');
  });

  it('keeps the official raw calls: paths with /api/v1 answer the whole envelope', async () => {
    const api = new ChatRoutesClient({ apiKey: stack.apiKey, baseUrl: stack.baseUrl });
    const created = await api.post<{ conversation: { id: string } }>('/api/v1/conversations', { title: 'Raw' });
    expect(created.success).toBe(true);
    const fetched = await api.get<{ conversation: { title: string } }>(`/api/v1/conversations/${created.data!.conversation.id}`);
    expect(fetched.data?.conversation.title).toBe('Raw');
    expect((await api.delete(`/conversations/${created.data!.conversation.id}`)).success).toBe(true);
  });

  it('parses Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('7')).toBe(7);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it.each([
    ['.', 'index', 'ChatRoutesClient'],
    ['./bindings', 'bindings', 'QueryCache'],
  ])('builds a browser bundle of %s with no Node import and no runtime dependency', (subpath, entry, exported) => {
    const pkg = JSON.parse(readFileSync(resolve(__dirname, '../package.json'), 'utf8'));
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.exports[subpath].import.default).toBe(`./dist/${entry}.mjs`);
    const bundle = readFileSync(resolve(__dirname, `../dist/${entry}.mjs`), 'utf8');
    expect(bundle).not.toMatch(/from\s*["']node:|require\(|from\s*["'](?!\.)[^"']+["']/);
    expect(bundle).toContain(exported);
  });
});
