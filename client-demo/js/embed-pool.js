/**
 * embed-pool.js — the connections of the page's <liveblog-story> embeds
 * (embed.js): one client per server, shared.
 *
 * A page with several embeds of one server opens one WebSocket for them
 * all, up to the server's max_subscriptions (20) stories per connection. A
 * client follows a story once, so a second embed of the same story gets a
 * connection of its own. A client is closed with its last story.
 *
 * @module embed-pool
 */

import { connect } from './liveblog-client.js';

const MAX_STORIES_PER_CONNECTION = 20;
/** @type {Map<string, Array<{client: import('./liveblog-client.js').LiveblogClient, stories: Set<string>, online: () => void}>>} */
const pool = new Map();

/**
 * A connection to `server` on which `story` is not followed yet; the caller
 * subscribes to it on `slot.client`.
 * @param {string} server
 * @param {string} story
 */
export function acquire(server, story) {
  const slots = pool.get(server) ?? [];
  pool.set(server, slots);
  let slot = slots.find((s) => !s.stories.has(story) && s.stories.size < MAX_STORIES_PER_CONNECTION);
  if (!slot) {
    const client = connect(server);
    // Back online: reconnect now rather than at the end of the backoff.
    slot = { client, stories: new Set(), online: () => client.retryNow() };
    window.addEventListener('online', slot.online);
    slots.push(slot);
  }
  slot.stories.add(story);
  return slot;
}

/**
 * The embed of `story` is done with `slot` (it has unsubscribed).
 * @param {string} server
 * @param {ReturnType<typeof acquire>} slot
 * @param {string} story
 */
export function release(server, slot, story) {
  slot.stories.delete(story);
  if (slot.stories.size) return;
  slot.client.close();
  window.removeEventListener('online', slot.online);
  const slots = pool.get(server) ?? [];
  slots.splice(slots.indexOf(slot), 1);
  if (!slots.length) pool.delete(server);
}
