// Entry point of widget.js: reads the <script> tag's settings and puts the chat on the page.
import { readConfig } from "./config.js";
import { mountWidget } from "./widget.js";
import "./widget.css";

const script = document.currentScript;

if (script instanceof HTMLScriptElement) {
  const config = readConfig(script);
  if (document.body) mountWidget(config);
  else document.addEventListener("DOMContentLoaded", () => mountWidget(config), { once: true });
} else {
  console.error("The intake chat widget must be loaded with a classic <script src> tag (not type=module).");
}
