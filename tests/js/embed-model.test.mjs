// The embed's decisions without a DOM (client-demo/js/embed-model.js): its
// options from attributes, which entries the stream shows as "load older"
// lowers its floor, and /media/ URLs made absolute against the server.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import {
  DEFAULT_LIMIT, candidates, hasOlder, lowerFloor, normaliseServer, readOptions, resolveAgainstServer, resolveSrcset,
  serverFromModuleUrl, shownEntries,
} from '../../client-demo/js/embed-model.js';

const MODULE = 'https://live.example/static/js/embed.js';
const attrs = (map) => (name) => (name in map ? map[name] : null);

describe('embed options', () => {
  it('defaults: the server embed.js came from, 20 entries, newest first, everything', () => {
    assert.deepEqual(readOptions(attrs({ story: 'soir-electoral', lang: 'fr' }), MODULE), {
      story: 'soir-electoral', lang: 'fr', server: 'https://live.example', limit: DEFAULT_LIMIT,
      keyEventsOnly: false, order: 'newest', noTitle: false,
    });
  });

  it('reads every data- option', () => {
    const o = readOptions(attrs({
      story: ' s ', 'data-limit': '5', 'data-key-events-only': '', 'data-order': 'Oldest', 'data-no-title': '',
      'data-server': 'https://other.example/live/?x=1#y',
    }), MODULE);
    assert.deepEqual(o, {
      story: 's', lang: null, server: 'https://other.example/live', limit: 5, keyEventsOnly: true, order: 'oldest', noTitle: true,
    });
  });

  it('takes "false" and "0" as off, and bounds the limit', () => {
    const o = readOptions(attrs({ story: 's', 'data-key-events-only': 'false', 'data-no-title': '0', 'data-limit': '500' }), MODULE);
    assert.equal(o.keyEventsOnly, false);
    assert.equal(o.noTitle, false);
    assert.equal(o.limit, 100);
    for (const bad of ['0', '-3', 'abc', '']) assert.equal(readOptions(attrs({ 'data-limit': bad }), MODULE).limit, DEFAULT_LIMIT);
    assert.equal(readOptions(attrs({ 'data-order': 'sideways' }), MODULE).order, 'newest');
  });

  it('ignores a data-server that is not http(s), and keeps a proxy prefix of the module URL', () => {
    assert.equal(readOptions(attrs({ 'data-server': 'javascript:alert(1)' }), MODULE).server, 'https://live.example');
    assert.equal(normaliseServer('ftp://x.example'), null);
    assert.equal(normaliseServer('not a url'), null);
    assert.equal(serverFromModuleUrl('https://news.example/live/static/js/embed.js?v=0123456789ab'), 'https://news.example/live');
  });
});

describe('the stream floor', () => {
  // created_seq 10 (newest) down to 1; even ones are key events.
  const ordered = Array.from({ length: 10 }, (_, k) => ({ id: `e${10 - k}`, created_seq: 10 - k, key_event: (10 - k) % 2 === 0 }));

  it('shows `limit` entries from what is loaded', () => {
    const r = lowerFloor(ordered, Infinity, 3, true, 1);
    assert.deepEqual(r, { floor: 8, done: true });
    assert.deepEqual(shownEntries(ordered, r.floor).map((e) => e.id), ['e10', 'e9', 'e8']);
    assert.ok(hasOlder(ordered, r.floor, false), 'loaded entries below the floor');
  });

  it('"load older" lowers it by `limit` more', () => {
    assert.deepEqual(lowerFloor(ordered, 8, 3, true, 1), { floor: 5, done: true });
  });

  it('shows everything and asks for a page when the loaded entries are not enough', () => {
    assert.deepEqual(lowerFloor(ordered, 3, 5, true, 1), { floor: 1, done: false });
    assert.deepEqual(lowerFloor(ordered, 3, 5, false, null), { floor: -Infinity, done: true });
    assert.equal(hasOlder(ordered, -Infinity, false), false);
  });

  it('counts key events only in key-events-only mode', () => {
    const keys = candidates(ordered, true);
    assert.deepEqual(keys.map((e) => e.id), ['e10', 'e8', 'e6', 'e4', 'e2']);
    assert.deepEqual(lowerFloor(keys, Infinity, 2, true, 1), { floor: 8, done: true });
    // None loaded at all: the floor still comes down to the loaded window,
    // so entries that arrive live (above it) are shown.
    assert.deepEqual(lowerFloor([], Infinity, 2, true, 7), { floor: 7, done: false });
  });
});

describe('media URLs on another site', () => {
  const server = 'https://live.example';

  it('makes root-relative URLs absolute and leaves the others', () => {
    assert.equal(resolveAgainstServer('/media/abc/640.jpg', server), 'https://live.example/media/abc/640.jpg');
    assert.equal(resolveAgainstServer('/media/abc/640.jpg', 'https://news.example/live'), 'https://news.example/live/media/abc/640.jpg');
    for (const keep of ['https://cdn.example/a.jpg', '//cdn.example/a.jpg', '#entry-1', 'a.jpg']) {
      assert.equal(resolveAgainstServer(keep, server), keep);
    }
  });

  it('rewrites every candidate of a srcset', () => {
    assert.equal(resolveSrcset('/media/a/320.webp 320w, /media/a/640.webp 640w', server),
      'https://live.example/media/a/320.webp 320w, https://live.example/media/a/640.webp 640w');
    assert.equal(resolveSrcset('https://cdn.example/x.jpg 1x', server), 'https://cdn.example/x.jpg 1x');
  });
});
