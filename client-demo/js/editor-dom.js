// Small DOM helpers for the editor console. Every piece of user or server
// text goes through textContent or setAttribute: nothing here parses HTML.

/**
 * h("button", {type: "button", class: "x", onclick: fn, text: "Label"}, child...)
 * Props: `text` sets textContent, `class` the class list, `on<event>` adds a
 * listener, `value`/`checked`/`disabled`/`hidden` set the property, `dataset`
 * merges data-* attributes; anything else is setAttribute (true → "").
 * null, undefined and false props and children are skipped.
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [key, value] of Object.entries(props)) {
      if (value == null || value === false) continue;
      if (key === "text") el.textContent = String(value);
      else if (key === "class") el.className = value;
      else if (key === "dataset") Object.assign(el.dataset, value);
      else if (key === "value") el.value = value;
      else if (key === "checked" || key === "disabled" || key === "hidden" || key === "selected") el[key] = true;
      else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export const $ = (selector, root = document) => root.querySelector(selector);

/** Formats an ISO time for the newsroom: "14:32" today, else "25/11 14:32". */
export function shortTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const now = new Date();
  const time = d.toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" });
  if (d.toDateString() === now.toDateString()) return time;
  return `${d.toLocaleDateString("fr-FR", { day: "2-digit", month: "2-digit" })} ${time}`;
}

export function longTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString("fr-FR", { dateStyle: "medium", timeStyle: "short" });
}

/** A polite live region for short announcements ("Entrée publiée"). */
export function announce(message) {
  const region = document.getElementById("announcer");
  if (!region) return;
  region.textContent = "";
  // A new text node after a tick makes screen readers repeat equal messages.
  setTimeout(() => { region.textContent = message; }, 30);
}
