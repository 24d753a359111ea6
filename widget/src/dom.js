// A tiny element builder. Strings become text nodes, never HTML, so nothing a
// message contains can run or render as markup.

/**
 * Create an element with attributes (`on…` keys add listeners) and children.
 * @param {string} tag
 * @param {Record<string, any>} [attributes]
 * @param {...(Node|string|null|false)} children
 * @returns {HTMLElement}
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === false) continue;
    element.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return element;
}

/** Text that screen readers read but that is not shown. */
export function hiddenText(text) {
  return h("span", { class: "visually-hidden" }, text);
}
