// The chat widget: a launcher button and a chat panel inside a shadow root, so
// the host page's styles and the widget's never mix.
import { textColourOn } from "./colour.js";
import { openConnection } from "./connection.js";
import { showCrisisResources } from "./crisis.js";
import { h, hiddenText } from "./dom.js";
import { loadState, saveState } from "./storage.js";
import { TEXT } from "./text.js";

const SLOW_REPLY_MS = 20000;
const MAX_CALENDAR_CHARACTERS = 20000;

/** Put the widget on the page. @param {import("./config.js").WidgetConfig} config */
export function mountWidget(config) {
  const widget = new ChatWidget(config);
  document.body.append(widget.host);
  if (widget.state.open ?? config.open) widget.open({ focus: false });
  return widget;
}

class ChatWidget {
  /** @param {import("./config.js").WidgetConfig} config */
  constructor(config) {
    this.config = config;
    this.state = loadState();
    this.connection = null;
    this.slowTimer = 0;
    this.host = h("div", { class: "intake-chat-widget" });
    this.host.style.setProperty("--intake-primary", config.primaryColour);
    this.host.style.setProperty("--intake-on-primary", textColourOn(config.primaryColour));
    this.shadow = this.host.attachShadow({ mode: "open" });
    this.build();
    this.restore();
  }

  build() {
    this.launcher = h("button", {
      type: "button", class: "launcher", "aria-controls": "intake-panel", "aria-expanded": "false",
      onclick: () => this.open(),
    }, TEXT.launcher);
    this.urgentToggle = h("button", {
      type: "button", class: "urgent-toggle", "aria-controls": "intake-urgent", "aria-expanded": "false",
      onclick: () => this.toggleUrgent(),
    }, TEXT.urgentToggle);
    this.urgentPanel = h("div", { id: "intake-urgent", class: "urgent-panel", hidden: true });
    this.log = h("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": TEXT.conversation, tabindex: "0" });
    this.typing = h("div", { class: "typing", hidden: true },
      ...[1, 2, 3].map(() => h("span", { class: "dot", "aria-hidden": "true" })), hiddenText(TEXT.typing));
    this.status = h("p", { class: "status", role: "status" });
    this.suggestions = h("div", { class: "suggestions", role: "group", "aria-label": TEXT.suggestions, hidden: true });
    this.input = h("input", {
      id: "intake-input", type: "text", maxlength: "2000", autocomplete: "off", placeholder: TEXT.placeholder,
    });
    this.deleteButton = h("button", { type: "button", onclick: () => this.askToDelete() }, TEXT.deleteConversation);
    this.tools = h("div", { class: "tools" },
      h("button", { type: "button", onclick: () => this.startOver() }, TEXT.startOver), this.deleteButton);
    this.confirmYes = h("button", { type: "button", class: "danger", onclick: () => this.deleteConversation() }, TEXT.confirmYes);
    this.confirm = h("div", { class: "confirm", role: "group", "aria-labelledby": "intake-confirm", hidden: true },
      h("p", { id: "intake-confirm" }, TEXT.confirmDelete), this.confirmYes,
      h("button", { type: "button", onclick: () => this.cancelDelete() }, TEXT.confirmNo));
    this.panel = h("div", {
      id: "intake-panel", class: "panel", hidden: true,
      onkeydown: (event) => event.key === "Escape" && this.close(),
    },
    h("div", { class: "header" },
      h("h2", {}, this.config.title),
      h("button", { type: "button", class: "close", "aria-label": TEXT.close, title: TEXT.close, onclick: () => this.close() }, "×")),
    h("div", { class: "urgent" }, this.urgentToggle, this.urgentPanel),
    this.log, this.typing, this.status, this.suggestions,
    h("form", { class: "composer", onsubmit: (event) => this.submit(event) },
      h("label", { for: "intake-input", class: "visually-hidden" }, TEXT.inputLabel),
      this.input, h("button", { type: "submit", class: "send" }, TEXT.send)),
    this.tools, this.confirm,
    h("p", { class: "privacy" }, TEXT.privacy));
    const root = h("aside", { class: "intake", "aria-label": this.config.title, hidden: true }, this.launcher, this.panel);
    // Shown once its stylesheet is in, so it never flashes unstyled.
    const reveal = () => {
      root.hidden = false;
      this.scrollToEnd();
    };
    const stylesheet = h("link", {
      rel: "stylesheet", href: new URL("widget.css", this.config.assetBase).href, onload: reveal, onerror: reveal,
    });
    this.shadow.append(stylesheet, root);
  }

  /** Show the conversation kept from before a reload (before the log is live, so nothing is re-announced). */
  restore() {
    this.log.append(...this.state.messages.map(renderMessage));
    this.showSuggestions(this.state.suggestions);
  }

  open({ focus = true } = {}) {
    this.panel.hidden = false;
    this.launcher.hidden = true;
    this.launcher.setAttribute("aria-expanded", "true");
    this.remember({ open: true });
    if (!this.connection) {
      this.connection = openConnection(this.config.serverUrl, this.state.sessionId, {
        onSession: (sessionId) => this.remember({ sessionId }),
        onMessage: (message) => this.receive(message),
        onTurnComplete: () => this.turnComplete(),
        onStatus: (status) => this.setStatus(status === "reconnecting" ? TEXT.reconnecting : ""),
      });
      showCrisisResources(this.urgentPanel, this.config.assetBase, this.config.country);
      if (!this.state.messages.length) this.send("/greet");
    }
    this.scrollToEnd();
    if (focus) this.input.focus();
  }

  close() {
    this.panel.hidden = true;
    this.launcher.hidden = false;
    this.launcher.setAttribute("aria-expanded", "false");
    this.remember({ open: false });
    this.launcher.focus();
  }

  toggleUrgent() {
    const expand = this.urgentPanel.hidden;
    this.urgentPanel.hidden = !expand;
    this.urgentToggle.setAttribute("aria-expanded", String(expand));
  }

  /** Send a message or an /intent; `shown` is what appears in the log as the visitor's words. */
  send(message, shown) {
    if (shown) this.addMessage({ from: "user", text: shown });
    this.showSuggestions([]);
    const metadata = { locale: this.config.locale };
    if (this.config.country) metadata.country = this.config.country;
    this.connection.send(message, metadata);
    this.typing.hidden = false;
    clearTimeout(this.slowTimer);
    this.slowTimer = setTimeout(() => this.setStatus(TEXT.slow), SLOW_REPLY_MS);
  }

  submit(event) {
    event.preventDefault();
    const text = this.input.value.trim();
    if (!text) return;
    this.input.value = "";
    this.send(text, text);
  }

  /** A quick reply: its payload goes to the assistant, its title into the log. */
  choose(suggestion, event) {
    this.send(suggestion.payload, suggestion.title);
    // The buttons are gone: keyboard users carry on typing; a tap must not pop up a phone's keyboard.
    if (event.detail === 0) this.input.focus();
    else this.log.focus({ preventScroll: true });
  }

  receive(message) {
    const text = typeof message?.text === "string" ? message.text : "";
    const replies = (Array.isArray(message?.quick_replies) ? message.quick_replies : [])
      .filter((reply) => typeof reply?.title === "string" && typeof reply?.payload === "string")
      .map(({ title, payload }) => ({ title, payload }));
    const file = calendarFile(message?.custom?.calendar);
    if (text) this.addMessage({ from: "bot", text, offered: replies.map((reply) => reply.title) });
    if (file) this.addMessage({ from: "bot", text: "", file });
    // One answer can offer several sets (a "Pick number N" per group, then what next): keep them all.
    if (replies.length) this.showSuggestions([...this.state.suggestions, ...replies]);
  }

  turnComplete() {
    this.typing.hidden = true;
    clearTimeout(this.slowTimer);
    if (this.status.textContent === TEXT.slow) this.setStatus("");
  }

  addMessage(message) {
    this.remember({ messages: [...this.state.messages, message] });
    this.log.append(renderMessage(message));
    this.scrollToEnd();
  }

  showSuggestions(suggestions) {
    this.remember({ suggestions });
    this.suggestions.replaceChildren(...suggestions.map((suggestion) =>
      h("button", { type: "button", onclick: (event) => this.choose(suggestion, event) }, suggestion.title)));
    this.suggestions.hidden = suggestions.length === 0;
  }

  startOver() {
    this.clearConversation();
    this.send("/restart");
    this.input.focus();
  }

  askToDelete() {
    this.tools.hidden = true;
    this.confirm.hidden = false;
    this.confirmYes.focus();
  }

  cancelDelete() {
    this.confirm.hidden = true;
    this.tools.hidden = false;
    this.deleteButton.focus();
  }

  deleteConversation() {
    this.confirm.hidden = true;
    this.tools.hidden = false;
    this.clearConversation();
    this.send("/delete_data");
    this.input.focus();
  }

  clearConversation() {
    this.remember({ messages: [] });
    this.log.replaceChildren();
  }

  setStatus(text) {
    this.status.textContent = text;
  }

  scrollToEnd() {
    this.log.scrollTop = this.log.scrollHeight;
  }

  remember(changes) {
    Object.assign(this.state, changes);
    saveState(this.state);
  }
}

/** One line of the conversation, with who said it for screen readers. */
function renderMessage(message) {
  const file = calendarFile(message.file);
  return h("div", { class: `message ${message.from}` },
    hiddenText(message.from === "bot" ? TEXT.assistant : TEXT.you),
    message.text,
    file ? downloadLink(file) : null,
    message.offered?.length ? hiddenText(TEXT.offered + message.offered.join("; ") + ".") : null);
}

/** The calendar file of a chosen group (the assistant's custom message), or null. */
function calendarFile(calendar) {
  const valid = typeof calendar?.filename === "string" && typeof calendar?.content === "string"
    && calendar.content.length <= MAX_CALENDAR_CHARACTERS;
  return valid ? { filename: calendar.filename.replace(/[^\w.-]/g, "_"), content: calendar.content } : null;
}

function downloadLink(file) {
  const url = URL.createObjectURL(new Blob([file.content], { type: "text/calendar" }));
  return h("a", { href: url, download: file.filename }, TEXT.calendar + file.filename);
}
