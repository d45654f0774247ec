// The reader client without a server: the story-state functions (seq order,
// duplicates, versions, deletions vs older pages), the backoff, and the
// connection policy (close codes, gaps, errors, liveness) driven through an
// in-memory WebSocket.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import {
  connect, createStoryState, applySnapshot, applyEvent, applyOlderPage, Backoff,
} from '../../client-demo/js/liveblog-client.js';
import { waitFor } from './support/server.mjs';

const entry = (id, createdSeq, version = 1, extra = {}) => ({
  id, story: 's', version, created_seq: createdSeq, pinned: false, key_event: false,
  published_at: '2026-11-25T10:00:00.000Z', updated_at: '2026-11-25T10:00:00.000Z',
  author: { name: 'a' }, blocks: [{ type: 'text', text: `${id} v${version}` }], ...extra,
});
const created = (seq, e) => ({ type: 'event', story: 's', seq, op: 'entry.created', entry: e });
const updated = (seq, e) => ({ type: 'event', story: 's', seq, op: 'entry.updated', entry: e });
const deleted = (seq, id) => ({ type: 'event', story: 's', seq, op: 'entry.deleted', entry_id: id });
const snapshot = (seq, entries, extra = {}) => ({
  type: 'snapshot', story: { id: 's', seq, epoch: 'e1', status: 'live', lang: 'fr', title: 'S' },
  entries, pinned: [], has_more: false, ...extra,
});

describe('story state', () => {
  it('applies events in seq order and drops duplicates', () => {
    const s = createStoryState();
    applySnapshot(s, snapshot(2, [entry('b', 2), entry('a', 1)]));
    assert.equal(s.lastSeq, 2);
    assert.equal(s.epoch, 'e1');
    assert.equal(applyEvent(s, created(3, entry('c', 3))), 'applied');
    assert.equal(applyEvent(s, created(3, entry('c', 3))), 'duplicate');
    assert.equal(applyEvent(s, created(2, entry('b', 2))), 'duplicate');
    assert.deepEqual(s.ordered.map((e) => e.id), ['c', 'b', 'a']);
    assert.equal(s.lastSeq, 3);
  });

  it('keeps the higher version of an entry', () => {
    const s = createStoryState();
    applySnapshot(s, snapshot(5, [entry('a', 1, 3)]));
    applyEvent(s, updated(6, entry('a', 1, 2)));  // an older copy, later seq
    assert.equal(s.entries.get('a').version, 3);
    assert.equal(s.lastSeq, 6);
    applyEvent(s, updated(7, entry('a', 1, 4)));
    assert.equal(s.entries.get('a').version, 4);
  });

  it('treats live gaps as gaps but not compacted catch-ups', () => {
    const s = createStoryState({ since: 3, epoch: 'e1' });
    assert.equal(applyEvent(s, created(7, entry('x', 7))), 'applied');  // catch-up: compacted, may skip
    s.live = true;
    assert.equal(applyEvent(s, created(9, entry('y', 9))), 'gap');
    assert.equal(s.lastSeq, 7);
    assert.equal(s.entries.has('y'), false);
  });

  it('removes deleted entries and does not bring them back from an older page', () => {
    const s = createStoryState();
    applySnapshot(s, snapshot(30, [entry('n', 30), entry('m', 25)], { has_more: true }));
    assert.equal(s.nextBefore, 25);
    applyEvent(s, deleted(31, 'o'));  // an entry older than the stream, deleted
    const taken = applyOlderPage(s, { entries: [entry('o', 20), entry('p', 10)], has_more: false, next_before: null });
    assert.deepEqual(taken.map((e) => e.id), ['p']);
    assert.deepEqual(s.ordered.map((e) => e.id), ['n', 'm', 'p']);
    assert.equal(s.hasMore, false);
  });

  it('keeps pinned entries older than the stream, and story meta', () => {
    const s = createStoryState();
    applySnapshot(s, snapshot(30, [entry('n', 30)], { has_more: true, pinned: [entry('old', 3, 2, { pinned: true })] }));
    assert.deepEqual(s.ordered.map((e) => e.id), ['n']);
    assert.deepEqual(s.pinned.map((e) => e.id), ['old']);
    applyEvent(s, updated(31, entry('old', 3, 3, { pinned: false })));
    assert.deepEqual(s.pinned, []);
    assert.equal(s.entries.has('old'), false, 'an unpinned entry below the stream is not held');
    applyEvent(s, { type: 'event', story: 's', seq: 32, op: 'story.updated', story_state: { id: 's', status: 'ended' } });
    assert.equal(s.story.status, 'ended');
  });

  it('backs off exponentially with full jitter', () => {
    const high = new Backoff({ initialMs: 100, maxMs: 1000 }, () => 0.999999);
    assert.deepEqual([1, 2, 3, 4, 5, 6].map(() => high.next()), [99, 199, 399, 799, 999, 999]);
    high.reset();
    assert.equal(high.next(), 99);
    const low = new Backoff({ initialMs: 100, maxMs: 1000 }, () => 0);
    assert.equal(low.next(), 0);
    assert.equal(low.penalty(), 500);
  });
});

// An in-memory WebSocket the tests drive from the server's side.
function fakeSockets() {
  const sockets = [];
  class FakeWebSocket {
    constructor(url) {
      this.url = url;
      this.sent = [];
      this.closed = false;
      sockets.push(this);
    }
    send(text) { this.sent.push(JSON.parse(text)); }
    close() { this.closed = true; }
    // server side
    open() { this.onopen?.({}); }
    receive(msg) { this.onmessage?.({ data: JSON.stringify(msg) }); }
    drop(code) { this.onclose?.({ code }); }
  }
  return { sockets, FakeWebSocket };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('connection policy', () => {
  function setup(extra = {}) {
    const { sockets, FakeWebSocket } = fakeSockets();
    const client = connect('http://liveblog.test:8080/', {
      WebSocket: FakeWebSocket, EventSource: null, backoff: { initialMs: 20, maxMs: 200 }, random: () => 0.5, ...extra,
    });
    return { sockets, client };
  }

  it('resubscribes with since and epoch after 4008 and 1001', async () => {
    const { sockets, client } = setup();
    const events = [];
    client.subscribe('s', { onEvent: (e) => events.push(e.seq) });
    assert.equal(sockets[0].url, 'ws://liveblog.test:8080/ws');
    sockets[0].open();
    assert.deepEqual(sockets[0].sent, [{ type: 'subscribe', story: 's' }]);
    sockets[0].receive(snapshot(4, [entry('a', 4)]));
    sockets[0].receive({ type: 'subscribed', story: 's', seq: 4, epoch: 'e1', mode: 'snapshot' });
    sockets[0].receive(created(5, entry('b', 5)));

    for (const [k, code] of [[1, 4008], [2, 1001]]) {
      sockets[k - 1].drop(code);
      assert.equal(client.state, 'reconnecting');
      await waitFor(() => sockets.length === k + 1, 1000, `reconnect after ${code}`);
      sockets[k].open();
      assert.deepEqual(sockets[k].sent, [{ type: 'subscribe', story: 's', since: 5, epoch: 'e1' }]);
      assert.equal(client.state, 'open');
    }
    // The replay overlaps what was applied: dropped.
    sockets[2].receive(created(5, entry('b', 5)));
    sockets[2].receive(created(6, entry('c', 6)));
    assert.deepEqual(events, [5, 6]);
    client.close();
  });

  it('waits much longer after 4029', async () => {
    const { sockets, client } = setup({ random: () => 0 });
    client.subscribe('s');
    sockets[0].open();
    sockets[0].drop(4029);
    await sleep(60);
    assert.equal(sockets.length, 1, 'no reconnection before half the maximum backoff');
    await waitFor(() => sockets.length === 2, 1000, 'reconnect after 4029');
    client.close();
  });

  it('resubscribes on a gap in live events', () => {
    const { sockets, client } = setup();
    const sub = client.subscribe('s');
    sockets[0].open();
    sockets[0].receive(snapshot(4, []));
    sockets[0].receive({ type: 'subscribed', story: 's', seq: 4, epoch: 'e1', mode: 'snapshot' });
    sockets[0].receive(created(6, entry('x', 6)));
    assert.equal(sub.state.entries.size, 0);
    assert.deepEqual(sockets[0].sent.at(-1), { type: 'subscribe', story: 's', since: 4, epoch: 'e1' });
    client.close();
  });

  it('takes the seq of `subscribed` when compaction left the last events out', () => {
    const { sockets, client } = setup();
    const sub = client.subscribe('s', { since: 2, epoch: 'e1' });
    sockets[0].open();
    assert.deepEqual(sockets[0].sent, [{ type: 'subscribe', story: 's', since: 2, epoch: 'e1' }]);
    sockets[0].receive(created(3, entry('x', 3)));
    sockets[0].receive({ type: 'subscribed', story: 's', seq: 5, epoch: 'e1', mode: 'replay_store' });
    sockets[0].receive(created(6, entry('y', 6)));
    assert.equal(sub.state.lastSeq, 6);
    assert.equal(sockets[0].sent.length, 1, 'no resubscribe: 6 follows 5');
    client.close();
  });

  it('gives a subscribe error to the subscription that waits for its catch-up', () => {
    const { sockets, client } = setup();
    const errors = [];
    const a = client.subscribe('a', { onError: (e) => errors.push(['a', e.code]) });
    const b = client.subscribe('b', { onError: (e) => errors.push(['b', e.code]) });
    sockets[0].open();
    sockets[0].receive({ type: 'subscribed', story: 'a', seq: 0, epoch: 'e', mode: 'up_to_date' });
    sockets[0].receive({ type: 'error', code: 'unknown_story', message: "no story 'b'" });
    assert.deepEqual(errors, [['b', 'unknown_story']]);
    assert.ok(a && b);
    assert.throws(() => client.subscribe('Bad Id'), TypeError);
    assert.throws(() => client.subscribe('a'), /already subscribed/);
    client.close();
  });

  it('retries a subscribe dropped by a retryable error', async () => {
    const { sockets, client } = setup();
    client.subscribe('s');
    sockets[0].open();
    sockets[0].receive({ type: 'error', code: 'store_unavailable', message: "could not read 's'", retryable: true });
    await waitFor(() => sockets[0].sent.length === 2, 1000, 'subscribe again');
    assert.deepEqual(sockets[0].sent[1], { type: 'subscribe', story: 's' });
    client.close();
  });

  it('pings a silent connection, then gives it up and reconnects', async () => {
    const { sockets, client } = setup({ heartbeatMs: 60 });
    client.subscribe('s');
    sockets[0].open();
    await waitFor(() => sockets[0].sent.some((m) => m.type === 'ping'), 1000, 'ping');
    await waitFor(() => sockets.length === 2, 1000, 'reconnect');
    assert.equal(sockets[0].closed, true);
    client.close();
  });

  it('reports state and transport changes, and closes', () => {
    const states = [];
    const { sockets, client } = setup({ onState: (s) => states.push(`${s.state}/${s.transport}`) });
    assert.equal(client.state, 'connecting');
    sockets[0].open();
    client.close();
    assert.deepEqual(states, ['open/websocket', 'closed/websocket']);
    assert.equal(sockets[0].closed, true);
    assert.throws(() => connect('ftp://x'), TypeError);
  });
});
