// The reader client (client-demo/js/liveblog-client.js) against the real
// server binary: snapshot then live, duplicates dropped, edits and deletions,
// older pages, resume across a server restart, the SSE fallback and the way
// back to WebSockets. Node 18+: node:test, node:assert and the shims in
// support/ (Node has no WebSocket or EventSource of its own before 22).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { connect } from '../../client-demo/js/liveblog-client.js';
import { WebSocketShim } from './support/websocket-shim.mjs';
import { EventSourceShim } from './support/eventsource-shim.mjs';
import { startServer, mintToken, restClient, waitFor } from './support/server.mjs';

const SERVER_ARGS = ['--presence-interval-s', '0.2', '--sse-heartbeat-s', '1'];

let server;
let rest;
const servers = [];
const clients = [];

before(async () => {
  server = await startServer({ args: SERVER_ARGS });
  servers.push(server);
  rest = restClient(() => server.url, mintToken());
});

after(async () => {
  for (const c of clients) c.close();
  await Promise.all(servers.map((s) => s.stop()));
  for (const s of servers) s.cleanup();  // restarts share a data dir: removing it twice is harmless
});

function open(options = {}) {
  const client = connect(server.url, {
    WebSocket: WebSocketShim,
    EventSource: EventSourceShim,
    backoff: { initialMs: 50, maxMs: 400 },
    ...options,
  });
  clients.push(client);
  return client;
}

// Subscribes and records every callback.
function follow(client, story, extra = {}) {
  const log = { snapshots: 0, events: [], subscribed: [], presence: [], errors: [], older: [] };
  const sub = client.subscribe(story, {
    onSnapshot: () => log.snapshots++,
    onEvent: (e) => log.events.push(e),
    onSubscribed: (m) => log.subscribed.push(m),
    onPresence: (n) => log.presence.push(n),
    onError: (e) => log.errors.push(e),
    onOlder: (entries) => log.older.push(entries),
    ...extra,
  });
  return { sub, log };
}

const texts = (entries) => entries.map((e) => e.blocks[0].text);

// Every entry id created is seen by exactly one entry.created event.
function assertCreatedOnce(events, ids) {
  for (const id of ids) {
    const n = events.filter((e) => e.op === 'entry.created' && e.entry.id === id).length;
    assert.equal(n, 1, `entry ${id} created ${n} times`);
  }
}

async function postAll(story, list) {
  const acks = [];
  for (const text of list) acks.push(await rest.post(story, text));
  return acks;
}

describe('liveblog client over WebSocket', () => {
  it('gets a snapshot, then live events in seq order', async () => {
    const { story } = await rest.createStory('ws-live');
    await postAll('ws-live', ['a', 'b', 'c']);
    const states = [];
    const client = open({ onState: (s) => states.push(s) });
    const { sub, log } = follow(client, 'ws-live');
    await waitFor(() => log.subscribed.length === 1, 3000, 'subscribed');

    assert.equal(log.snapshots, 1);
    assert.equal(log.subscribed[0].mode, 'snapshot');
    assert.deepEqual(texts(sub.state.ordered), ['c', 'b', 'a']);
    assert.equal(sub.state.lastSeq, 3);
    assert.equal(sub.state.epoch, story.epoch);
    assert.equal(sub.state.story.title, 'Story ws-live');
    assert.equal(client.state, 'open');
    assert.equal(client.transport, 'websocket');
    assert.deepEqual(states[states.length - 1], { state: 'open', transport: 'websocket' });

    const ack = await rest.post('ws-live', 'd');
    await waitFor(() => log.events.length === 1, 3000, 'live event');
    assert.equal(log.events[0].op, 'entry.created');
    assert.equal(log.events[0].seq, ack.seq);
    assert.deepEqual(texts(sub.state.ordered), ['d', 'c', 'b', 'a']);
    assert.equal(sub.state.lastSeq, ack.seq);

    await waitFor(() => sub.state.viewers === 1, 3000, 'presence');
    client.close();
    assert.equal(client.state, 'closed');
  });

  it('drops events it already applied', async () => {
    await rest.createStory('ws-dups');
    await postAll('ws-dups', ['a', 'b']);
    const sockets = [];
    class RecordingWebSocket extends WebSocketShim {
      constructor(url) {
        super(url);
        sockets.push(this);
      }
    }
    const client = open({ WebSocket: RecordingWebSocket });
    const { sub, log } = follow(client, 'ws-dups');
    await waitFor(() => log.subscribed.length === 1, 3000, 'subscribed');
    const c = await rest.post('ws-dups', 'c');
    await waitFor(() => log.events.length === 1, 3000, 'live event');

    // Behind the client's back, resubscribe from seq 1: the server replays
    // seqs 2 and 3, which the client has already applied.
    sockets[0].send(JSON.stringify({ type: 'subscribe', story: 'ws-dups', since: 1 }));
    await waitFor(() => log.subscribed.length === 2, 3000, 'second subscribed');
    assert.equal(log.subscribed[1].mode, 'replay_memory');
    assert.equal(log.events.length, 1, 'replayed events were applied again');
    assert.equal(sub.state.lastSeq, c.seq);

    const d = await rest.post('ws-dups', 'd');
    await waitFor(() => log.events.length === 2, 3000, 'next live event');
    assert.equal(log.events[1].seq, d.seq);
    assert.deepEqual(texts(sub.state.ordered), ['d', 'c', 'b', 'a']);
    client.close();
  });

  it('applies edits, pins, deletions and story updates', async () => {
    await rest.createStory('ws-edits');
    const [a, b] = await postAll('ws-edits', ['a', 'b']);
    const client = open();
    const { sub, log } = follow(client, 'ws-edits');
    await waitFor(() => log.subscribed.length === 1, 3000, 'subscribed');

    await rest.edit('ws-edits', a.entry_id, 1, { blocks: [{ type: 'text', text: 'a, corrected' }], title: 'Title' });
    await rest.pin('ws-edits', b.entry_id);
    await rest.remove('ws-edits', a.entry_id);
    await rest.updateStory('ws-edits', { status: 'paused' });
    await waitFor(() => log.events.length === 4, 3000, 'four events');

    assert.deepEqual(log.events.map((e) => e.op), ['entry.updated', 'entry.updated', 'entry.deleted', 'story.updated']);
    const edited = log.events[0].entry;
    assert.equal(edited.version, 2);
    assert.equal(edited.title, 'Title');
    assert.deepEqual(sub.state.pinned.map((e) => e.id), [b.entry_id]);
    assert.equal(sub.state.entries.has(a.entry_id), false);
    assert.deepEqual(sub.state.ordered.map((e) => e.id), [b.entry_id]);
    assert.equal(sub.state.story.status, 'paused');
    assert.equal(sub.state.lastSeq, log.events[3].seq);
    client.close();
  });

  it('loads older entries through the API', async () => {
    await rest.createStory('ws-older');
    const acks = await postAll('ws-older', Array.from({ length: 24 }, (_, i) => `e${i + 1}`));
    const client = open();
    const { sub, log } = follow(client, 'ws-older');
    await waitFor(() => log.subscribed.length === 1, 3000, 'subscribed');
    assert.equal(sub.state.ordered.length, 20);
    assert.equal(sub.state.hasMore, true);

    // The newest of the older entries was edited after the snapshot.
    await rest.edit('ws-older', acks[3].entry_id, 1, { blocks: [{ type: 'text', text: 'e4, edited' }] });
    await waitFor(() => log.events.length === 1, 3000, 'edit event');
    const page = await client.loadOlder('ws-older');
    assert.deepEqual(texts(page.entries), ['e4, edited', 'e3', 'e2', 'e1']);
    assert.equal(page.hasMore, false);
    assert.equal(sub.state.ordered.length, 24);
    assert.equal(sub.state.hasMore, false);
    assert.equal(log.older.length, 1);
    assert.deepEqual((await client.loadOlder('ws-older')).entries, []);
    client.close();
  });

  it('reports an unknown story to its subscription', async () => {
    const client = open();
    const { log } = follow(client, 'no-such-story');
    await waitFor(() => log.errors.length === 1, 3000, 'error');
    assert.equal(log.errors[0].code, 'unknown_story');
    client.close();
  });

  it('resumes after a server restart with every missed entry exactly once', async () => {
    await rest.createStory('ws-restart');
    const [old1, old2] = await postAll('ws-restart', ['old 1', 'old 2']);
    // Reconnections wait at this gate, so entries can be posted while the
    // client is away and the server is up.
    let gate = Promise.resolve();
    const sockets = [];
    class GatedWebSocket extends WebSocketShim {
      constructor(url) {
        super(url, { delayConnect: gate });
        sockets.push(this);
      }
    }
    const client = open({ WebSocket: GatedWebSocket });
    const { sub, log } = follow(client, 'ws-restart');
    await waitFor(() => log.subscribed.length === 1, 3000, 'subscribed');

    let release;
    gate = new Promise((r) => { release = r; });
    sockets[0].terminate();  // the reader drops off (no close frame)…
    await waitFor(() => client.state === 'reconnecting', 3000, 'reconnecting');
    const away = await rest.post('ws-restart', 'new 0');  // …misses this one…
    const port = server.port;
    await server.stop();  // …and the server restarts: its in-memory ring is gone
    server = await startServer({ dataDir: server.dataDir, port, args: SERVER_ARGS });
    servers.push(server);

    const missed = await postAll('ws-restart', ['new 1', 'new 2']);
    await rest.edit('ws-restart', old1.entry_id, 1, { blocks: [{ type: 'text', text: 'old 1, edited' }] });
    await rest.remove('ws-restart', old2.entry_id);
    const last = await rest.post('ws-restart', 'new 3');
    release();

    await waitFor(() => log.subscribed.length === 2 && sub.state.lastSeq === last.seq, 5000, 'resume');
    assert.equal(log.snapshots, 1, 'a resume, not a second snapshot');
    assert.equal(log.subscribed[1].mode, 'replay_store');
    assertCreatedOnce(log.events, [away, ...missed, last].map((a) => a.entry_id));
    const seqs = log.events.map((e) => e.seq);
    assert.deepEqual(seqs, [...new Set(seqs)].sort((x, y) => x - y), 'events in seq order, each once');

    const fromApi = await (await fetch(`${server.url}/api/stories/ws-restart/entries`)).json();
    assert.deepEqual(sub.state.ordered.map((e) => e.id), fromApi.entries.map((e) => e.id));
    assert.deepEqual(texts(sub.state.ordered), ['new 3', 'new 2', 'new 1', 'new 0', 'old 1, edited']);

    // A server shutdown (1001 going away) is resumed from too, and the
    // client is live afterwards. While the server is down its WebSocket
    // attempts fail, so it may pass through the SSE fallback (how long the
    // restart takes decides); either way it ends back on the WebSocket.
    await server.stop();
    await waitFor(() => client.state === 'reconnecting', 3000, 'reconnecting after 1001');
    server = await startServer({ dataDir: server.dataDir, port, args: SERVER_ARGS });
    servers.push(server);
    const next = await rest.post('ws-restart', 'new 4');
    await waitFor(() => sub.state.lastSeq === next.seq, 5000, 'live after restart');
    await waitFor(() => client.transport === 'websocket' && client.state === 'open', 5000, 'back on the WebSocket');
    const after = await rest.post('ws-restart', 'new 5');
    await waitFor(() => sub.state.lastSeq === after.seq, 5000, 'live on the WebSocket');
    assertCreatedOnce(log.events, [next.entry_id, after.entry_id]);
    const allSeqs = log.events.map((e) => e.seq);
    assert.deepEqual(allSeqs, [...new Set(allSeqs)].sort((x, y) => x - y), 'events in seq order, each once');
    assert.equal(log.snapshots, 1);
    client.close();
  });
});

describe('liveblog client over Server-Sent Events', () => {
  class ThrowingWebSocket {
    constructor() {
      throw new Error('WebSockets are blocked here');
    }
  }

  it('falls back to SSE when the WebSocket constructor throws', async () => {
    await rest.createStory('sse-live');
    const [a, b] = await postAll('sse-live', ['a', 'b']);
    const client = open({ WebSocket: ThrowingWebSocket });
    const { sub, log } = follow(client, 'sse-live');
    await waitFor(() => log.subscribed.length === 1, 3000, 'subscribed');
    assert.equal(client.transport, 'sse');
    assert.equal(client.state, 'open');
    assert.equal(log.snapshots, 1);
    assert.deepEqual(texts(sub.state.ordered), ['b', 'a']);

    const c = await rest.post('sse-live', 'c');
    await rest.edit('sse-live', a.entry_id, 1, { blocks: [{ type: 'text', text: 'a, corrected' }] });
    await rest.remove('sse-live', b.entry_id);
    await waitFor(() => log.events.length === 3, 3000, 'three events');
    assert.deepEqual(log.events.map((e) => e.op), ['entry.created', 'entry.updated', 'entry.deleted']);
    assert.deepEqual(texts(sub.state.ordered), ['c', 'a, corrected']);
    assert.equal(sub.state.lastSeq, log.events[2].seq);
    assert.ok(c.seq < sub.state.lastSeq);
    await waitFor(() => sub.state.viewers === 1, 3000, 'presence');
    client.close();
  });

  it('resumes a cut stream from the last seq applied', async () => {
    await rest.createStory('sse-resume');
    await postAll('sse-resume', ['a']);
    const streams = [];
    let gate = Promise.resolve();
    class GatedEventSource extends EventSourceShim {
      constructor(url) {
        super(url, { delayConnect: gate });
        streams.push(this);
      }
    }
    const client = open({ WebSocket: ThrowingWebSocket, EventSource: GatedEventSource });
    const { sub, log } = follow(client, 'sse-resume');
    await waitFor(() => log.subscribed.length === 1, 3000, 'subscribed');

    let release;
    gate = new Promise((r) => { release = r; });
    streams[0]._req.destroy();  // the network drops the stream
    await waitFor(() => client.state === 'reconnecting', 3000, 'reconnecting');
    const missed = await postAll('sse-resume', ['b', 'c']);
    release();
    await waitFor(() => sub.state.lastSeq === missed[1].seq && log.subscribed.length === 2, 3000, 'resume');
    assert.ok(streams[1].url.includes(`since=${missed[0].seq - 1}`), streams[1].url);
    assert.equal(log.snapshots, 1);
    assertCreatedOnce(log.events, missed.map((m) => m.entry_id));
    assert.deepEqual(texts(sub.state.ordered), ['c', 'b', 'a']);
    client.close();
  });

  it('falls back after two failed opens and stays when WebSockets still fail', async () => {
    await rest.createStory('sse-blocked');
    let constructed = 0;
    // Connects to a port nobody listens on: every open fails.
    class DeadWebSocket extends WebSocketShim {
      constructor(url) {
        super(url.replace(/:\d+\/ws$/, ':1/ws'));
        constructed++;
      }
    }
    const client = open({ WebSocket: DeadWebSocket });
    const { sub, log } = follow(client, 'sse-blocked');
    await waitFor(() => log.subscribed.length === 1, 3000, 'subscribed');
    assert.equal(client.transport, 'sse');
    // Two failed opens, then one probe once SSE worked, which failed too.
    await waitFor(() => constructed === 3, 3000, 'probe');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(constructed, 3);
    assert.equal(client.transport, 'sse');
    assert.equal(sub.state.live, true, 'the failed probe left the stream live');
    const ack = await rest.post('sse-blocked', 'x');
    await waitFor(() => log.events.length === 1, 3000, 'live event');
    assert.equal(log.events[0].seq, ack.seq);
    client.close();
  });

  it('goes back to WebSocket when it works again', async () => {
    await rest.createStory('sse-back');
    await postAll('sse-back', ['a']);
    let constructed = 0;
    class FlakyWebSocket extends WebSocketShim {
      constructor(url) {
        constructed++;
        super(constructed <= 2 ? url.replace(/:\d+\/ws$/, ':1/ws') : url);
      }
    }
    const client = open({ WebSocket: FlakyWebSocket });
    const { sub, log } = follow(client, 'sse-back');
    await waitFor(() => client.transport === 'websocket' && client.state === 'open', 3000, 'back on WebSocket');
    await waitFor(() => log.subscribed.length >= 1 && sub.state.live, 3000, 'live');
    const ack = await rest.post('sse-back', 'b');
    await waitFor(() => sub.state.lastSeq === ack.seq, 3000, 'live event');
    assertCreatedOnce(log.events, [ack.entry_id]);
    assert.deepEqual(texts(sub.state.ordered), ['b', 'a']);
    client.close();
  });
});
