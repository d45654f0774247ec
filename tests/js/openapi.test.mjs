// docs/openapi.yaml cannot drift from the server: it names exactly the
// routes of server/http/routes.cpp (methods and paths), and real answers of
// the running server to a session that calls every REST route, errors
// included, validate against the schema the spec gives for their status
// (ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import yaml from 'js-yaml';

import { root, startServer, mintToken } from './support/server.mjs';

const spec = yaml.load(fs.readFileSync(path.join(root, 'docs', 'openapi.yaml'), 'utf8'));

// (method, path) of every route in the table, as the spec writes them.
function routeTable() {
  const source = fs.readFileSync(path.join(root, 'server', 'http', 'routes.cpp'), 'utf8');
  const routes = [];
  for (const m of source.matchAll(/r\.add\(\{verb::(\w+), "([^"]+)"/g)) {
    routes.push({ method: m[1].replace(/_$/, ''), path: m[2].replace('{path...}', '{path}') });
  }
  return routes;
}

const METHODS = ['get', 'post', 'patch', 'put', 'delete', 'options', 'head'];

describe('docs/openapi.yaml names every route, and only those', () => {
  it('matches the route table both ways', () => {
    const table = routeTable();
    assert.ok(table.length > 40, `only ${table.length} routes parsed from routes.cpp`);
    const inTable = new Set(table.map((r) => `${r.method} ${r.path}`));
    const inSpec = new Set();
    for (const [p, item] of Object.entries(spec.paths)) {
      for (const m of METHODS) if (item[m]) inSpec.add(`${m} ${p}`);
    }
    assert.deepEqual([...inTable].filter((r) => !inSpec.has(r)), [], 'routes missing from the spec');
    assert.deepEqual([...inSpec].filter((r) => !inTable.has(r)), [], 'spec paths that are not routes');
  });
});

describe('real answers validate against docs/openapi.yaml', () => {
  let server;
  const token = mintToken({ role: 'admin', sub: 'spec-tester' });
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('binary', true);
  ajv.addSchema({ $id: 'spec', components: spec.components });
  const seen = [];

  // The operation of `method` and a concrete path, and its path template.
  function operationFor(method, concrete) {
    const segments = concrete.split('?')[0].split('/');
    for (const [template, item] of Object.entries(spec.paths)) {
      const t = template.split('/');
      // {path} ends the two "rest of the path" routes (/static/…, /api/…).
      const rest = t[t.length - 1] === '{path}';
      if (rest ? segments.length < t.length : t.length !== segments.length) continue;
      if (t.every((s, i) => (s.startsWith('{') && segments[i] !== '') || s === segments[i]) && item[method])
        return { template, op: item[method] };
    }
    return null;
  }

  // Inline schemas refer to '#/components/...' of the spec: point them at it.
  const rebase = (schema) => JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"spec#/components/'));

  async function check(method, p, { body, headers = {}, auth = true, raw } = {}) {
    const res = await fetch(server.url + p, {
      method: method.toUpperCase(),
      headers: { ...(auth ? { Authorization: `Bearer ${token}` } : {}),
                 ...(body !== undefined && !raw ? { 'Content-Type': 'application/json' } : {}), ...headers },
      body: raw ?? (body !== undefined ? JSON.stringify(body) : undefined),
    });
    const found = operationFor(method, p);
    assert.ok(found, `${method} ${p}: no operation in the spec`);
    const responses = found.op.responses;
    let response = responses[String(res.status)] ?? responses.default;
    if (response?.$ref) response = spec.components.responses[response.$ref.split('/').pop()];
    assert.ok(response, `${method} ${p}: status ${res.status} is not in the spec`);
    const type = (res.headers.get('content-type') ?? '').split(';')[0];
    const text = await res.text();
    seen.push(`${method} ${found.template} ${res.status}`);
    if (!response.content || res.status === 204 || res.status === 304) return { status: res.status, text };
    const media = response.content[type] ?? response.content['*/*'];
    assert.ok(media, `${method} ${p} ${res.status}: content type ${type} is not in the spec`);
    if (type.endsWith('json') && media.schema) {
      const json = JSON.parse(text);
      const validate = ajv.compile(rebase(media.schema));
      assert.ok(validate(json), `${method} ${p} ${res.status}: ${ajv.errorsText(validate.errors)}\n${text.slice(0, 400)}`);
      return { status: res.status, json };
    }
    return { status: res.status, text };
  }

  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server?.stop();
    server?.cleanup();
  });

  it('every REST route, its successes and its errors', async () => {
    const photo = fs.readFileSync(path.join(root, 'tests', 'fixtures', 'images', 'photo.png'));
    await check('get', '/api/stories', { auth: false });
    assert.equal((await check('post', '/api/stories', { body: { id: 'spec', title: 'Spec', lang: 'fr' } })).status, 201);
    await check('post', '/api/stories', { body: { id: 'spec', title: 'Again' } });  // 409 story_exists
    await check('post', '/api/stories', { body: { id: 'Bad Slug', title: 'x' } });  // 400
    await check('get', '/api/stories/spec', { auth: false });
    await check('get', '/api/stories/nope', { auth: false });  // 404
    const upload = await check('post', '/api/media', { raw: photo, headers: { 'Content-Type': 'image/png' } });
    assert.equal(upload.status, 201);
    const media = upload.json.media;
    await check('post', '/api/media', { raw: Buffer.from('not an image') });  // 415
    await check('get', `/media/${media.id}/${media.widths[0]}.webp`, { auth: false });
    await check('get', `/media/${media.id}/7.jpg`, { auth: false });  // 404
    await check('patch', '/api/stories/spec', {
      body: { summary: 'Résumé', lead_image: { media: media.id, alt: 'Une photo' }, related: [{ title: 'Lien', url: 'https://example.org/' }] },
    });
    await check('patch', '/api/stories/spec', { body: {} });  // 400 nothing to change
    const posted = await check('post', '/api/stories/spec/entries', {
      body: { title: 'Titre', key_event: true, blocks: [{ type: 'text', text: 'Bonjour' }, { type: 'image', media: media.id, alt: 'Photo' }] },
      headers: { 'Idempotency-Key': 'spec-1' },
    });
    assert.equal(posted.status, 201);
    const id = posted.json.entry_id;
    assert.equal((await check('post', '/api/stories/spec/entries', {
      body: { blocks: [{ type: 'text', text: 'Bonjour' }] }, headers: { 'Idempotency-Key': 'spec-1' } })).status, 200);
    await check('post', '/api/stories/spec/entries', { body: { blocks: [{ type: 'image', src: 'javascript:x', alt: 'x' }] } });
    await check('patch', `/api/stories/spec/entries/${id}`, {
      body: { blocks: [{ type: 'text', text: 'Bonjour !' }], correction: 'ponctuation' }, headers: { 'If-Match': '"1"' } });
    await check('patch', `/api/stories/spec/entries/${id}`, { body: { key_event: false }, headers: { 'If-Match': '"1"' } });  // 409
    await check('post', `/api/stories/spec/entries/${id}/pin`);
    await check('delete', `/api/stories/spec/entries/${id}/pin`);
    await check('get', '/api/stories/spec/entries?limit=5', { auth: false });
    await check('get', '/api/stories/spec/events?since=0', { auth: false });
    await check('get', `/api/stories/spec/entries/${id}/revisions`);
    await check('get', `/api/stories/spec/entries/${id}/revisions`, { auth: false });  // 401
    const draft = await check('post', '/api/stories/spec/desk', { body: { blocks: [{ type: 'text', text: 'Brouillon' }] } });
    assert.equal(draft.status, 201);
    await check('get', '/api/stories/spec/desk');
    await check('patch', `/api/stories/spec/desk/${draft.json.draft_id}`, { body: { expected_version: 1, title: 'Brouillon' } });
    await check('post', `/api/stories/spec/desk/${draft.json.draft_id}/submit`, { body: { expected_version: 2 } });
    await check('post', `/api/stories/spec/desk/${draft.json.draft_id}/publish`, { body: { expected_version: 3 } });
    const other = await check('post', '/api/stories/spec/desk', { body: { blocks: [{ type: 'text', text: 'Autre' }] } });
    await check('delete', `/api/stories/spec/desk/${other.json.draft_id}`);
    await check('post', '/api/stories/spec/desk/nope/dance', { body: {} });  // 404
    await check('delete', `/api/stories/spec/entries/${id}`);
    await check('post', '/api/embeds', { body: { url: 'https://example.org/post/1' } });  // no provider: a link card
    await check('post', '/api/embeds', { body: { url: 'ftp://x' } });  // 400
    const user = await check('post', '/api/users', { body: { email: 'spec@example.org', name: 'Spec', role: 'editor' } });
    assert.equal(user.status, 201);
    await check('get', '/api/users');
    await check('patch', `/api/users/${user.json.user.id}`, { body: { name: 'Spec Two' } });
    await check('post', `/api/users/${user.json.user.id}/sign-out`);
    const made = await check('post', '/api/tokens', { body: { name: 'CMS', role: 'editor' } });
    assert.equal(made.status, 201);
    await check('get', '/api/tokens');
    await check('delete', `/api/tokens/${made.json.token.id}`);
    await check('get', '/api/audit?limit=5');
    await check('get', '/api/session');
    await check('post', '/api/session', { body: { email: 'spec@example.org', password: 'wrong password' }, auth: false });  // 401
    await check('delete', '/api/session', { auth: false });  // 401
    await check('post', '/api/session/sign-out-everywhere');  // 400: a token does not
    await check('post', '/api/session/password', { body: { current_password: 'a', new_password: 'b' } });
    await check('options', '/api/stories', { auth: false });
    await check('get', '/stories/spec/feed.json', { auth: false });
    await check('get', '/stories/spec/feed.atom', { auth: false });
    await check('get', '/stories/nope/feed.json', { auth: false });  // 404
    await check('get', '/oembed?url=%2Fstories%2Fspec', { auth: false });
    await check('get', '/oembed?url=%2Fstories%2Fspec&format=xml', { auth: false });  // 501
    await check('get', '/embed/stories/spec', { auth: false });
    await check('get', '/stories/spec', { auth: false });
    await check('get', '/', { auth: false });
    await check('get', '/editor', { auth: false });
    await check('get', '/static/js/render.js', { auth: false });
    await check('get', '/favicon.ico', { auth: false });
    await check('get', '/ws', { auth: false });  // 400: a plain GET
    await check('get', '/admin/ws', { auth: false });
    await check('get', '/healthz', { auth: false });
    await check('get', '/readyz', { auth: false });
    await check('get', '/metrics', { auth: false });

    // Every operation of the spec was answered at least once (the event
    // stream aside: it never ends; the SSE tests cover it).
    const called = new Set(seen.map((s) => s.split(' ').slice(0, 2).join(' ')));
    const missed = [];
    for (const [p, item] of Object.entries(spec.paths))
      for (const m of METHODS) if (item[m] && !called.has(`${m} ${p}`) && p !== '/sse/stories/{story}') missed.push(`${m} ${p}`);
    assert.deepEqual(missed, [], 'operations the session never called');
  });
});
