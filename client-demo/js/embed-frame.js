/**
 * embed-frame.js — the iframe variant of the embed (/embed/stories/{id}, a
 * page served by the liveblog server holding one <liveblog-story>): tells
 * the host page the document's height whenever it changes, so the host can
 * size the iframe to its content and the reader scrolls the host page only.
 *
 *   parent.postMessage({type: "liveblog:height", story, height}, "*")
 *
 * "*": the frame does not know, and need not trust, who embeds it; the
 * message carries nothing but a public story id and a number. The host
 * checks the message's origin and source (docs/embed.md has the snippet).
 *
 * @module embed-frame
 */

function main() {
  if (typeof window === 'undefined' || window.parent === window) return;  // not framed: nobody to tell
  const element = document.querySelector('liveblog-story');
  const story = element ? element.getAttribute('story') : null;
  // The frame's height is its content's: no margin around the embed. The
  // frame keeps its scrollbar: a CMS that takes an iframe but no script
  // never resizes it, and its readers still reach every entry.
  document.documentElement.style.margin = '0';
  document.body.style.margin = '0';
  // A link in an entry would otherwise open inside the frame: it opens in
  // a new tab, and the host's article stays. (The frame's <base> applies to
  // the links in the element's shadow tree too: same document.)
  if (!document.querySelector('base[target]')) {
    const base = document.createElement('base');
    base.target = '_blank';
    document.head.append(base);
  }

  let last = -1;
  const post = () => {
    // The document's own box, not scrollHeight, which is never less than
    // the frame's current height and so would never let it shrink.
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ type: 'liveblog:height', story, height }, '*');
  };
  if (typeof ResizeObserver === 'function') new ResizeObserver(post).observe(document.documentElement);
  else setInterval(post, 500);  // old browsers: poll
  // Once more when everything has loaded, for a host whose listener came
  // after the first message.
  window.addEventListener('load', () => {
    last = -1;
    post();
  });
  post();
}

main();
