// Colours from the embedding site, with text colours that keep WCAG AA contrast.

const HEX = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i;
const LIGHT_TEXT = "#ffffff";
const DARK_TEXT = "#111418";

/** True for "#abc" or "#aabbcc". */
export function isHexColour(value) {
  return typeof value === "string" && HEX.test(value.trim());
}

function channels(hex) {
  let digits = hex.trim().slice(1);
  if (digits.length === 3) digits = [...digits].map((d) => d + d).join("");
  return [0, 2, 4].map((i) => parseInt(digits.slice(i, i + 2), 16) / 255);
}

/** Relative luminance as WCAG 2.1 defines it. */
function luminance(hex) {
  const [r, g, b] = channels(hex).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio between two colours (1 to 21). */
export function contrast(a, b) {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

/** The text colour, white or near-black, that reads best on a background. */
export function textColourOn(background) {
  return contrast(background, LIGHT_TEXT) >= contrast(background, DARK_TEXT) ? LIGHT_TEXT : DARK_TEXT;
}
