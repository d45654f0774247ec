// Just enough of a DOM for render.js under Node: createElement,
// createTextNode, appendChild, setAttribute, textContent, and an HTML
// serializer that escapes as the server does (& < > " ' in text and
// attributes), so rendered nodes compare byte for byte with server markup.

const VOID = new Set(['br', 'img', 'source']);

function escape(s) {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

class Text {
  constructor(data) {
    this.nodeType = 3;
    this.data = String(data);
  }

  get textContent() {
    return this.data;
  }

  get outerHTML() {
    return escape(this.data);
  }
}

class Element {
  constructor(tag) {
    this.nodeType = 1;
    this.tagName = tag.toLowerCase();
    this.attributes = new Map();
    this.childNodes = [];
  }

  setAttribute(name, value) {
    this.attributes.set(name, String(value));
  }

  getAttribute(name) {
    return this.attributes.has(name) ? this.attributes.get(name) : null;
  }

  removeAttribute(name) {
    this.attributes.delete(name);
  }

  appendChild(node) {
    this.childNodes.push(node);
    return node;
  }

  get textContent() {
    return this.childNodes.map((n) => n.textContent).join('');
  }

  set textContent(text) {
    this.childNodes = text === '' ? [] : [new Text(text)];
  }

  get innerHTML() {
    return this.childNodes.map((n) => n.outerHTML).join('');
  }

  set innerHTML(_) {
    throw new Error('render code must not set innerHTML');
  }

  get outerHTML() {
    const attrs = [...this.attributes].map(([k, v]) => ` ${k}="${escape(v)}"`).join('');
    return VOID.has(this.tagName) ? `<${this.tagName}${attrs}>` : `<${this.tagName}${attrs}>${this.innerHTML}</${this.tagName}>`;
  }
}

export const fakeDocument = {
  createElement: (tag) => new Element(tag),
  createTextNode: (data) => new Text(data),
};
