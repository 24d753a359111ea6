// The widget's settings, read from the data- attributes of its <script> tag.
import { isHexColour } from "./colour.js";

const DEFAULT_TITLE = "Find a support group";
const DEFAULT_COLOUR = "#1f5fa8";
const COUNTRY = /^[A-Za-z]{2}$/;
const LOCALE_REGION = /^[A-Za-z]{2,3}[-_]([A-Za-z]{2})\b/;

/**
 * @typedef {object} WidgetConfig
 * @property {string} serverUrl  the Rasa server (its socket.io endpoint)
 * @property {string} assetBase  where widget.css and crisis-resources.json are served
 * @property {string} title
 * @property {string} locale     BCP 47, e.g. "en-GB"
 * @property {string} country    ISO 3166 alpha-2, or "" when unknown
 * @property {string} primaryColour
 * @property {boolean} open      start with the chat open
 */

/** @param {HTMLScriptElement} script @returns {WidgetConfig} */
export function readConfig(script) {
  const data = script.dataset;
  const scriptUrl = new URL(script.src, document.baseURI);
  const locale = (data.locale || navigator.language || "en").trim();
  return {
    serverUrl: data.serverUrl ? new URL(data.serverUrl, document.baseURI).href : scriptUrl.origin,
    assetBase: new URL(".", scriptUrl).href,
    title: (data.title || "").trim() || DEFAULT_TITLE,
    locale,
    country: countryOf(data.country, locale),
    primaryColour: isHexColour(data.primaryColor) ? data.primaryColor.trim() : DEFAULT_COLOUR,
    open: data.open === "true",
  };
}

/** The configured country, else the region of the locale ("en-GB" gives "GB"), else "". */
function countryOf(country, locale) {
  if (country && COUNTRY.test(country.trim())) return country.trim().toUpperCase();
  const region = LOCALE_REGION.exec(locale);
  return region ? region[1].toUpperCase() : "";
}
