// render.js builds the same markup as the server's page renderer: entries
// (every block type, the inline marks, pinned copies, "updated" times) are
// rendered with a test DOM and compared byte for byte with the article the
// real server renders for the same entry. Plus the safety rules: no HTML is
// ever parsed, only http(s) URLs become links or images.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  renderEntry, renderBlock, appendInline, stripInlineMarks, entryHeadline, renderKeyEventItem,
  isHttpUrl, longDate, labelsFor, displayHost,
} from '../../client-demo/js/render.js';
import { relativeTime } from '../../client-demo/js/reader-page.js';
import { fakeDocument as doc } from './support/fake-dom.mjs';
import { startServer, mintToken, restClient } from './support/server.mjs';

const inline = (text) => appendInline(doc.createElement('p'), text, doc).innerHTML;

describe('render.js matches the server-rendered page', () => {
  let server;
  let rest;

  before(async () => {
    server = await startServer();
    rest = restClient(() => server.url, mintToken());
  });

  after(async () => {
    await server?.stop();
    server?.cleanup();
  });

  const TEXTS = [
    'Premiers résultats à **20 h**, _selon_ [l’AFP](https://www.afp.com/fr).',
    '«_titre_» snake_case_name __init__ ****a** **x * y** ** not bold ** 2*3*4',
    'Wikipedia [Foo](https://en.wikipedia.org/wiki/Foo_(bar)) and _[link](https://e.com/a_b_c)_ text',
    '[**gras** et _ital_](https://example.org/?q=1&r=2) <b>pas du HTML</b> & "quotes" \'single\'',
    'ligne 1\nligne 2\n\nligne\t4',
    '😀_a_😀 _😀_ **😀** _é_ a_b_ _c_d',
    '[a [b](https://b.example) [](https://empty.example) [c] (https://c.example) [d](https://d.example/x(y)z)',
    '**unclosed and _also [x](http://x.example/_y_) **bold _and italic_**',
  ];

  const BLOCKS = [
    { type: 'heading', text: 'Titre **important** <h1>' },
    { type: 'quote', text: '« Nous _gagnerons_ »', cite: 'Jean <Dupont> & "Cie"' },
    { type: 'quote', text: 'Sans source' },
    { type: 'image', src: 'https://img.example/a.jpg?x=1&y=2', alt: 'Une "image"', caption: 'Légende **grasse**\nsur deux lignes', credit: 'AFP', width: 1200, height: 800 },
    { type: 'image', src: 'https://img.example/b.jpg', alt: 'b', credit: 'Reuters' },
    { type: 'image', src: 'http://img.example/c.jpg', alt: 'c', caption: 'Seule légende' },
    { type: 'embed', url: 'https://www.Example.org:8443/path?x=1#frag' },
    { type: 'list', items: ['un **deux**', '[trois](http://3.example)', '<li>quatre</li>'] },
  ];

  async function storyPage(id, lang) {
    await rest.createStory(id, { lang, title: `Render ${id}` });
    const acks = [];
    for (const text of TEXTS) acks.push(await rest.post(id, text, { key_event: acks.length % 3 === 0 }));
    acks.push(await rest.post(id, 'blocks', {
      blocks: BLOCKS, title: 'Titre <em>brut</em> & co', author: { name: 'Marie "M" O\'Neil' }, key_event: true,
    }));
    // Edited (shows "updated HH:MM") and pinned (a second copy in the pinned block).
    await rest.edit(id, acks[1].entry_id, 1, { blocks: [{ type: 'text', text: 'corrigé **enfin**' }] });
    await rest.pin(id, acks[2].entry_id);
    await rest.pin(id, acks[acks.length - 1].entry_id);
    const html = await (await fetch(`${server.url}/stories/${id}`)).text();
    const { entries } = await (await fetch(`${server.url}/api/stories/${id}/entries?limit=100`)).json();
    return { html, entries };
  }

  // The server's article for an anchor; ours without the data-created-seq it lacks.
  const serverArticle = (html, anchor) => {
    const m = new RegExp(`<article [^>]*id="${anchor}"[\\s\\S]*?</article>`).exec(html);
    assert.ok(m, `no article ${anchor} on the page`);
    return m[0];
  };
  const ours = (entry, placement, lang) =>
    renderEntry(entry, { placement, lang, document: doc }).outerHTML.replace(/ data-created-seq="\d+"/, '');

  for (const lang of ['fr', 'en']) {
    it(`renders every entry as the server does (${lang})`, async () => {
      const { html, entries } = await storyPage(`render-${lang}`, lang);
      assert.equal(entries.length, TEXTS.length + 1);
      let pinned = 0;
      for (const e of entries) {
        assert.equal(ours(e, 'stream', lang), serverArticle(html, `entry-${e.id}`), `entry ${e.blocks[0].text || e.title}`);
        if (e.pinned) {
          pinned++;
          assert.equal(ours(e, 'pinned', lang), serverArticle(html, `pinned-${e.id}`));
        }
      }
      assert.equal(pinned, 2);
      assert.match(html, lang === 'fr' ? /mis à jour <time/ : /updated <time/);

      // The key events list, item by item.
      const items = [...html.matchAll(/<li><a href="#[^"]+"><time[\s\S]*?<\/li>/g)].map((m) => m[0]);
      const keyEntries = entries.filter((e) => e.key_event);
      assert.equal(items.length, keyEntries.length);
      keyEntries.forEach((e, k) => {
        const li = renderKeyEventItem({ anchor: `entry-${e.id}`, publishedAt: e.published_at, headline: entryHeadline(e) }, doc);
        assert.equal(li.outerHTML, items[k]);
      });
    });
  }
});

describe('render.js safety and details', () => {
  it('never turns text into markup', () => {
    assert.equal(inline('<img src=x onerror=alert(1)> & "q"'), '&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot;');
    assert.equal(inline('**<b>x</b>**'), '<strong>&lt;b&gt;x&lt;/b&gt;</strong>');
  });

  it('links only http(s) targets', () => {
    assert.equal(inline('[x](javascript:alert(1))'), '[x](javascript:alert(1))');
    assert.equal(inline('[x](data:text/html,hi)'), '[x](data:text/html,hi)');
    assert.equal(inline('[x](https://a.example/"onmouseover=1)'), '[x](https://a.example/&quot;onmouseover=1)');
    assert.equal(inline('[x](https://user@a.example/)'), '[x](https://user@a.example/)');
    assert.equal(inline('[x](HTTPS://A.example/p)'), '<a href="HTTPS://A.example/p" rel="nofollow noopener noreferrer">x</a>');
    for (const bad of ['javascript:x', 'https://', 'https:// a.example', 'https://a.example:99999', '//a.example', 'ftp://a.example', 'https://a\u200b.example']) {
      assert.equal(isHttpUrl(bad), false, bad);
    }
    for (const good of ['http://a.example', 'https://[::1]:8080/x', 'https://exämple.fr/é', 'https://a.example/?q=a(b)']) {
      assert.equal(isHttpUrl(good), true, good);
    }
  });

  it('drops unsafe image sources and embed URLs', () => {
    assert.equal(renderBlock({ type: 'image', src: 'javascript:alert(1)', alt: 'a' }, doc).outerHTML, '<figure></figure>');
    assert.equal(renderBlock({ type: 'embed', url: 'javascript:alert(1)' }, doc).outerHTML, '<p class="embed">javascript:alert(1)</p>');
    assert.equal(renderBlock({ type: 'video', url: 'https://x.example' }, doc), null);
    assert.equal(renderBlock({ type: 'list', items: 'nope' }, doc), null);
    assert.equal(displayHost('https://WWW.Example.org:8443/a?b'), 'example.org:8443');
  });

  it('stays linear on hostile input', () => {
    const started = Date.now();
    stripInlineMarks('**'.repeat(10000) + '_a'.repeat(10000) + '[x]('.repeat(5000));
    assert.ok(Date.now() - started < 1000);
  });

  it('formats dates and relative times in both languages', () => {
    assert.equal(longDate('2026-05-01T10:00:00.000Z', labelsFor('fr')), '1er mai 2026');
    assert.equal(longDate('2026-05-01T10:00:00.000Z', labelsFor('en-GB')), '1 May 2026');
    assert.equal(longDate('2026-11-25T23:59:00.000Z', labelsFor('fr-CA')), '25 novembre 2026');
    const now = Date.parse('2026-11-25T12:00:00.000Z');
    const fr = { justNow: 'à l’instant', minutesAgo: (n) => `il y a ${n} min`, hoursAgo: (n) => `il y a ${n} h`, daysAgo: (n) => `il y a ${n} j` };
    assert.equal(relativeTime('2026-11-25T11:57:00.000Z', now, fr), 'il y a 3 min');
    assert.equal(relativeTime('2026-11-25T09:00:00.000Z', now, fr), 'il y a 3 h');
    assert.equal(relativeTime('2026-11-23T11:00:00.000Z', now, fr), 'il y a 2 j');
    assert.equal(relativeTime('2026-11-25T12:05:00.000Z', now, fr), 'à l’instant');
  });

  it('browser code never writes HTML strings into the DOM', () => {
    const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../client-demo/js');
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.js'))) {
      const src = fs.readFileSync(path.join(dir, file), 'utf8');
      assert.doesNotMatch(src, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|DOMParser|createContextualFragment/, file);
    }
  });
});
