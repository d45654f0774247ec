// The story's feeds as their consumers read them: Chromium's XML parser on
// the Atom feed, checked against RFC 4287's rules (the elements a feed and
// each entry must have, their cardinality, RFC 3339 dates, absolute IRIs,
// the self link, unique ids, escaped HTML content that parses back to the
// entry's markup), and the JSON Feed 1.1 fields the spec requires or types.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openFixture, closeFixture, api } from "./harness.mjs";

let server, browser, token, page;

before(async () => {
  ({ server, token, browser } = await openFixture());
  await api(server, token, "POST", "/api/stories", { id: "flux", title: "Soirée « flux » & <tests>", lang: "fr", summary: "Le résumé" });
  await api(server, token, "POST", "/api/stories/flux/entries", {
    blocks: [{ type: "text", text: "Premier **point** avec [un lien](https://example.org/a?b=1&c=2)." }],
  });
  await api(server, token, "POST", "/api/stories/flux/entries", {
    title: "Moment clé", key_event: true,
    blocks: [{ type: "quote", text: "Une citation <script>alert(1)</script>", cite: "Quelqu’un" }],
  });
  page = await browser.newPage();
});

after(() => closeFixture({ server, browser }));

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

test("Atom: well-formed, and every RFC 4287 rule a validator checks holds", async () => {
  const res = await fetch(`${server.url}/stories/flux/feed.atom`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/atom+xml; charset=utf-8");
  const xml = await res.text();
  const report = await page.evaluate((text) => {
    const NS = "http://www.w3.org/2005/Atom";
    const doc = new DOMParser().parseFromString(text, "application/xml");
    if (doc.getElementsByTagName("parsererror").length) return { error: doc.documentElement.textContent };
    const feed = doc.documentElement;
    const kids = (el, name) => [...el.children].filter((c) => c.namespaceURI === NS && c.localName === name);
    const entries = kids(feed, "entry").map((e) => ({
      ids: kids(e, "id").map((x) => x.textContent),
      titles: kids(e, "title").length,
      updated: kids(e, "updated").map((x) => x.textContent),
      published: kids(e, "published").map((x) => x.textContent),
      authors: kids(e, "author").map((a) => kids(a, "name").map((n) => n.textContent)),
      alternate: kids(e, "link").filter((l) => l.getAttribute("rel") === "alternate").map((l) => l.getAttribute("href")),
      contentType: kids(e, "content").map((c) => c.getAttribute("type")),
      content: kids(e, "content").map((c) => c.textContent),
      categories: kids(e, "category").map((c) => c.getAttribute("term")),
    }));
    return {
      root: `${feed.namespaceURI} ${feed.localName}`,
      lang: feed.getAttribute("xml:lang"),
      ids: kids(feed, "id").map((x) => x.textContent),
      titles: kids(feed, "title").map((x) => x.textContent),
      updated: kids(feed, "updated").map((x) => x.textContent),
      self: kids(feed, "link").filter((l) => l.getAttribute("rel") === "self").map((l) => l.getAttribute("href")),
      authors: kids(feed, "author").length,
      entries,
    };
  }, xml);
  assert.equal(report.error, undefined, report.error);
  assert.equal(report.root, "http://www.w3.org/2005/Atom feed");
  assert.equal(report.lang, "fr");
  assert.equal(report.ids.length, 1);
  assert.ok(new URL(report.ids[0]).href, "the feed id is an absolute IRI");
  assert.deepEqual(report.titles, ["Soirée « flux » & <tests>"]);
  assert.equal(report.updated.length, 1);
  assert.match(report.updated[0], RFC3339);
  assert.deepEqual(report.self, [`${server.url}/stories/flux/feed.atom`]);
  assert.equal(report.entries.length, 2);
  const seen = new Set();
  for (const e of report.entries) {
    assert.equal(e.ids.length, 1);
    assert.ok(!seen.has(e.ids[0]), "entry ids are unique");
    seen.add(e.ids[0]);
    assert.ok(new URL(e.ids[0]).href);
    assert.equal(e.titles, 1);
    assert.equal(e.updated.length, 1);
    assert.match(e.updated[0], RFC3339);
    assert.match(e.published[0], RFC3339);
    // No feed-level author: then every entry must have one (RFC 4287 4.1.1).
    if (report.authors === 0) assert.equal(e.authors.length, 1);
    assert.equal(e.alternate.length, 1);
    assert.deepEqual(e.contentType, ["html"]);
  }
  // The content is the entry's markup, escaped once: it parses back to HTML
  // with no script element, and its link survives with its query.
  const [newest, oldest] = report.entries;
  assert.deepEqual(newest.categories, ["key-event"]);
  const parsed = await page.evaluate((html) => {
    const d = new DOMParser().parseFromString(html, "text/html");
    return { scripts: d.querySelectorAll("script").length, text: d.body.textContent, links: [...d.querySelectorAll("a")].map((a) => a.getAttribute("href")) };
  }, newest.content[0]);
  assert.equal(parsed.scripts, 0);
  assert.match(parsed.text, /Une citation <script>alert\(1\)<\/script>/);
  const first = await page.evaluate((html) => [...new DOMParser().parseFromString(html, "text/html").querySelectorAll("a")]
    .map((a) => a.getAttribute("href")), oldest.content[0]);
  assert.deepEqual(first, ["https://example.org/a?b=1&c=2"]);
});

test("JSON Feed 1.1: the required and typed fields of the spec", async () => {
  const res = await fetch(`${server.url}/stories/flux/feed.json`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/feed+json; charset=utf-8");
  const feed = await res.json();
  assert.equal(feed.version, "https://jsonfeed.org/version/1.1");
  assert.equal(typeof feed.title, "string");
  assert.equal(feed.feed_url, `${server.url}/stories/flux/feed.json`);
  assert.equal(feed.home_page_url, `${server.url}/stories/flux`);
  assert.equal(feed.language, "fr");
  assert.ok(Array.isArray(feed.items) && feed.items.length === 2);
  const ids = new Set();
  for (const item of feed.items) {
    assert.equal(typeof item.id, "string");  // required, a string
    assert.ok(!ids.has(item.id));
    ids.add(item.id);
    assert.ok(typeof item.content_html === "string" || typeof item.content_text === "string");  // one is required
    assert.ok(new URL(item.url).href);
    assert.match(item.date_published, RFC3339);
    assert.match(item.date_modified, RFC3339);
    assert.ok(Array.isArray(item.authors) && typeof item.authors[0].name === "string");
    assert.equal(item.author, undefined);  // 1.1 uses authors
  }
  assert.deepEqual(feed.items[0].tags, ["key-event"]);
});
