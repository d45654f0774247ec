// render.js builds the same markup as the server's page renderer: entries
// (every block type, the inline marks, pinned copies, "updated" times,
// uploaded images as <picture>, embed cards) and the story's lead image and
// related links are rendered with a test DOM and compared byte for byte with
// what the real server renders. Plus the safety rules: no HTML is ever
// parsed, only http(s) URLs become links or images, only media ids become
// /media/ paths.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  renderEntry, renderBlock, appendInline, stripInlineMarks, entryHeadline, renderKeyEventItem,
  isHttpUrl, longDate, labelsFor, displayHost, renderLeadImage, renderRelatedList, IMAGE_SIZES,
} from '../../client-demo/js/render.js';
import { fallbackWidth } from '../../client-demo/js/render-media.js';
import { relativeTime } from '../../client-demo/js/reader-page.js';
import { fakeDocument as doc } from './support/fake-dom.mjs';
import { startServer, mintToken, restClient, root } from './support/server.mjs';

const inline = (text) => appendInline(doc.createElement('p'), text, doc).innerHTML;
const fixture = (name) => fs.readFileSync(path.join(root, 'tests', 'fixtures', 'images', name));

describe('render.js matches the server-rendered page', () => {
  let server;
  let rest;
  let token;

  before(async () => {
    server = await startServer();
    token = mintToken();
    rest = restClient(() => server.url, token);
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

  // -- uploaded images, embed cards, lead image, related links ----------------

  // POST /api/media with the file's bytes as the body; the stored image.
  async function upload(name) {
    const res = await fetch(`${server.url}/api/media`, {
      method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: fixture(name),
    });
    const body = await res.json();
    assert.ok(res.status === 201 || res.status === 200, `upload ${name}: ${res.status} ${JSON.stringify(body)}`);
    return body.media;
  }

  // Cards are posted as the console would after POST /api/embeds (the server
  // validates them as plain text and sets the thumbnail's size itself).
  const mediaBlocks = (photo, thumb) => [
    { type: 'image', media: photo.id, alt: 'La foule « place » & "ailleurs"', caption: 'Vers **21 h**,\nplace de la République', credit: 'AFP' },
    { type: 'image', media: photo.id, alt: 'Sans légende' },
    { type: 'image', media: thumb.id, alt: 'Crédit seul', credit: 'Reuters' },
    {
      type: 'embed', url: 'https://bsky.app/profile/example.org/post/3k2a',
      card: {
        provider: 'Bluesky', author: 'Jane <Doe> (@example.org)', author_url: 'https://bsky.app/profile/example.org',
        text: 'Première ligne\n\nDeuxième **pas grasse** <script>alert(1)</script>\n   \nfin & "guillemets"',
        date: '7 décembre 2026 à 21:04', thumbnail: { media: thumb.id },
      },
    },
    { type: 'embed', url: 'https://www.Social.example:8443/p/2?x=1', card: { provider: 'Testsocial', title: 'Seulement un titre' } },
    { type: 'embed', url: 'https://social.example/p/3', card: { provider: 'Testsocial', author: 'Jane', text: 'Une ligne', date: '1er mai 2026' } },
    { type: 'embed', url: 'https://social.example/p/4', card: { provider: 'Mastodon' } },
  ];

  const serverBlock = (html, re, what) => {
    const m = re.exec(html);
    assert.ok(m, `no ${what} on the page`);
    return m[0];
  };
  const leadMarkup = (story) =>
    `<div id="story-lead" class="story-lead">${renderLeadImage(story.lead_image, doc)?.outerHTML ?? ''}</div>`;
  const relatedMarkup = (story, lang) => {
    const ul = renderRelatedList(story.related, doc);
    return `<aside id="related" class="related" aria-labelledby="related-title"${ul.childNodes.length ? '' : ' hidden'}>` +
      `<h2 id="related-title">${labelsFor(lang).related}</h2>${ul.outerHTML}</aside>`;
  };

  for (const lang of ['fr', 'en']) {
    it(`renders uploaded images, embed cards, the lead image and related links as the server does (${lang})`, async () => {
      const id = `render-media-${lang}`;
      const photo = await upload('photo.jpg');
      const thumb = await upload('photo.png');
      assert.match(photo.id, /^[0-9a-f]{32}$/);
      await rest.createStory(id, { lang, title: `Médias ${lang}` });
      const blocks = mediaBlocks(photo, thumb);
      await rest.post(id, 'x', { blocks: blocks.slice(0, 3), key_event: true });
      await rest.post(id, 'x', { blocks: blocks.slice(3) });
      await rest.updateStory(id, {
        lead_image: { media: photo.id, alt: 'Une « foule »', caption: 'Vers _21 h_', credit: 'AFP' },
        related: [
          { title: 'Le direct d’hier & <avant-hier>', url: 'https://example.org/direct?d=1&e=2' },
          { title: 'Explications', url: 'https://example.org/explications' },
        ],
      });

      const html = await (await fetch(`${server.url}/stories/${id}`)).text();
      const { entries } = await (await fetch(`${server.url}/api/stories/${id}/entries?limit=100`)).json();
      const { story } = await (await fetch(`${server.url}/api/stories/${id}`)).json();
      assert.equal(entries.length, 2);
      // The server filled the size and the widths from the upload.
      const stored = entries.find((e) => e.blocks[0].type === 'image').blocks[0];
      assert.deepEqual([stored.width, stored.height, stored.widths], [photo.width, photo.height, photo.widths]);
      for (const e of entries) assert.equal(ours(e, 'stream', lang), serverArticle(html, `entry-${e.id}`));
      assert.match(html, /<picture><source type="image\/webp" srcset="\/media\//);
      assert.ok(html.includes(`sizes="${IMAGE_SIZES}"`));

      assert.equal(story.lead_image.media, photo.id);
      assert.equal(story.related.length, 2);
      assert.equal(serverBlock(html, /<div id="story-lead"[\s\S]*?<\/div>/, '#story-lead'), leadMarkup(story));
      assert.match(leadMarkup(story), / fetchpriority="high" decoding="async">/);
      assert.equal(serverBlock(html, /<aside id="related"[\s\S]*?<\/aside>/, '#related'), relatedMarkup(story, lang));

      // An external lead image, and no related links: the aside is there, hidden.
      await rest.updateStory(id, { lead_image: { src: 'https://img.example/lead.jpg?a=1&b=2', alt: 'Externe', width: 1600, height: 900 }, related: [] });
      const html2 = await (await fetch(`${server.url}/stories/${id}`)).text();
      const story2 = (await (await fetch(`${server.url}/api/stories/${id}`)).json()).story;
      assert.ok(story2.related === undefined || story2.related.length === 0, 'related cleared');
      assert.equal(serverBlock(html2, /<div id="story-lead"[\s\S]*?<\/div>/, '#story-lead'), leadMarkup(story2));
      assert.equal(serverBlock(html2, /<aside id="related"[\s\S]*?<\/aside>/, '#related'), relatedMarkup(story2, lang));

      // No lead image: the div is there, empty.
      await rest.updateStory(id, { lead_image: null });
      const html3 = await (await fetch(`${server.url}/stories/${id}`)).text();
      assert.ok(html3.includes('<div id="story-lead" class="story-lead"></div>'));
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

  const ID = '0123456789abcdef0123456789abcdef';
  const WIDTHS = [320, 640, 1024, 1600];

  it('renders an uploaded image as a <picture> over its stored widths', () => {
    const html = renderBlock({ type: 'image', media: ID, alt: 'a', width: 4032, height: 3024, widths: WIDTHS }, doc).outerHTML;
    const set = (ext) => WIDTHS.map((w) => `/media/${ID}/${w}.${ext} ${w}w`).join(', ');
    assert.equal(html, `<figure><picture><source type="image/webp" srcset="${set('webp')}" sizes="${IMAGE_SIZES}">` +
      `<img src="/media/${ID}/1024.jpg" srcset="${set('jpg')}" sizes="${IMAGE_SIZES}" alt="a" width="4032" height="3024" ` +
      'loading="lazy" decoding="async"></picture></figure>');
    assert.equal(fallbackWidth([320, 640, 1024, 1600]), 1024);
    assert.equal(fallbackWidth([320, 640, 800]), 800);
    assert.equal(fallbackWidth([1200, 1600]), 1200);
    assert.equal(fallbackWidth([300]), 300);
  });

  it('makes a /media/ path only of a media id, and only with usable widths', () => {
    for (const media of ['../../etc/passwd', ID.toUpperCase(), ID.slice(1), `${ID}0`, `${ID}\n`, 'javascript:alert(1)', 42, null]) {
      const html = renderBlock({ type: 'image', media, alt: 'a', caption: 'c', widths: WIDTHS }, doc).outerHTML;
      assert.equal(html, '<figure><figcaption>c</figcaption></figure>', String(media));
    }
    for (const widths of [[], [0], [-320], [320.5], ['320'], '320', null, [320, '640" onerror="x']]) {
      assert.equal(renderBlock({ type: 'image', media: ID, alt: 'a', widths }, doc).outerHTML, '<figure></figure>', JSON.stringify(widths));
    }
    // A block with a bad media id and a good src falls back to the src.
    assert.equal(renderBlock({ type: 'image', media: 'nope', src: 'https://img.example/a.jpg', alt: 'a' }, doc).outerHTML,
      '<figure><img src="https://img.example/a.jpg" alt="a" loading="lazy" decoding="async"></figure>');
    // Sizes only when both are positive integers.
    assert.doesNotMatch(renderBlock({ type: 'image', media: ID, alt: 'a', width: 10, height: '5', widths: WIDTHS }, doc).outerHTML, /width=/);
  });

  it('renders an embed card as plain text, never as markup or a script', () => {
    const block = {
      type: 'embed', url: 'https://social.example/p/1',
      card: {
        provider: 'Test<social>', author: '<img src=x onerror=alert(1)>', author_url: 'javascript:alert(1)',
        text: '<script>alert(1)</script>\n**pas gras** [lien](https://evil.example)\n \t\n', date: '7 décembre 2026',
        thumbnail: { media: 'ZZZ', widths: WIDTHS },
      },
    };
    const html = renderBlock(block, doc).outerHTML;
    assert.equal(html, '<figure class="embed-card"><blockquote cite="https://social.example/p/1">' +
      '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p><p>**pas gras** [lien](https://evil.example)</p></blockquote>' +
      '<figcaption><span class="embed-author">&lt;img src=x onerror=alert(1)&gt;</span> <span class="embed-provider">Test&lt;social&gt;</span> ' +
      '<a class="embed-link" href="https://social.example/p/1" rel="nofollow noopener noreferrer">7 décembre 2026</a></figcaption></figure>');
    assert.doesNotMatch(html, /javascript:/);  // author_url is never rendered, let alone a non-http one
    assert.doesNotMatch(html, /embed-thumb/);   // a thumbnail must be an upload
  });

  it('renders a card thumbnail, a title when there is no text, the host when there is no date', () => {
    const html = renderBlock({
      type: 'embed', url: 'https://www.Social.example/p/2',
      card: { provider: 'P', title: 'Un titre', thumbnail: { media: ID, width: 1200, height: 630, widths: [320, 1200] } },
    }, doc).outerHTML;
    assert.equal(html, '<figure class="embed-card"><a class="embed-thumb" href="https://www.Social.example/p/2" ' +
      'rel="nofollow noopener noreferrer" tabindex="-1" aria-hidden="true"><picture>' +
      `<source type="image/webp" srcset="/media/${ID}/320.webp 320w, /media/${ID}/1200.webp 1200w" sizes="${IMAGE_SIZES}">` +
      `<img src="/media/${ID}/320.jpg" srcset="/media/${ID}/320.jpg 320w, /media/${ID}/1200.jpg 1200w" sizes="${IMAGE_SIZES}" ` +
      'alt="" width="1200" height="630" loading="lazy" decoding="async"></picture></a>' +
      '<blockquote cite="https://www.Social.example/p/2"><p>Un titre</p></blockquote>' +
      '<figcaption><span class="embed-provider">P</span> <a class="embed-link" href="https://www.Social.example/p/2" ' +
      'rel="nofollow noopener noreferrer">social.example</a></figcaption></figure>');
  });

  it('falls back to the link card without a usable card, and never links a non-http URL', () => {
    const link = '<a class="embed" href="https://a.example/x" rel="nofollow noopener noreferrer"><span class="embed-host">a.example</span> <span class="embed-url">https://a.example/x</span></a>';
    for (const card of [undefined, null, 'Bluesky', [], {}, { provider: '' }, { provider: 42 }]) {
      assert.equal(renderBlock({ type: 'embed', url: 'https://a.example/x', card }, doc).outerHTML, link, JSON.stringify(card));
    }
    assert.equal(renderBlock({ type: 'embed', url: 'javascript:alert(1)', card: { provider: 'P', text: 't' } }, doc).outerHTML,
      '<p class="embed">javascript:alert(1)</p>');
  });

  it('renders the lead image eagerly and the related links as a list of http(s) links', () => {
    assert.equal(renderLeadImage(null, doc), null);
    assert.equal(renderLeadImage(undefined, doc), null);
    assert.equal(renderLeadImage({ src: 'https://img.example/l.jpg', alt: 'L', width: 1600, height: 900, caption: 'C', credit: 'AFP' }, doc).outerHTML,
      '<figure class="lead-image"><img src="https://img.example/l.jpg" alt="L" width="1600" height="900" fetchpriority="high" decoding="async">' +
      '<figcaption>C <span class="credit">AFP</span></figcaption></figure>');
    assert.equal(renderLeadImage({ src: 'javascript:alert(1)', alt: 'L' }, doc).outerHTML, '<figure class="lead-image"></figure>');
    assert.match(renderLeadImage({ media: ID, alt: 'L', widths: [320] }, doc).outerHTML,
      new RegExp(`<img src="/media/${ID}/320.jpg" srcset="[^"]+" sizes="[^"]+" alt="L" fetchpriority="high" decoding="async">`));
    assert.equal(renderRelatedList([
      { title: 'A & <b>', url: 'https://a.example/?x=1&y=2' },
      { title: 'mauvais', url: 'javascript:alert(1)' },
      'pas un objet',
      { title: 'B', url: 'http://b.example' },
    ], doc).outerHTML, '<ul><li><a href="https://a.example/?x=1&amp;y=2">A &amp; &lt;b&gt;</a></li><li><a href="http://b.example">B</a></li></ul>');
    assert.equal(renderRelatedList(undefined, doc).outerHTML, '<ul></ul>');
    assert.equal(labelsFor('fr').related, 'À suivre aussi');
    assert.equal(labelsFor('en').related, 'Related');
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
