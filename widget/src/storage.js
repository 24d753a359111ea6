// The conversation kept across page reloads, in sessionStorage: it survives a
// reload but not closing the tab, so a shared or family computer does not keep
// someone's disclosures for the next person to find.

const KEY = "intake-widget";
const MAX_MESSAGES = 200;

/**
 * @typedef {{from: "bot"|"user", text: string, offered?: string[], file?: {filename: string, content: string}}} Message
 * @typedef {{title: string, payload: string}} Suggestion
 * @typedef {{sessionId: string, open: boolean|null, messages: Message[], suggestions: Suggestion[]}} ChatState
 * (`open` is null until the visitor opens or closes the chat.)
 */

/** A session id nobody can guess: 128 random bits from the browser's CSPRNG, as hex. */
export function newSessionId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function storage() {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage blocked: the chat still works, it just won't survive a reload
  }
}

/** @returns {ChatState} */
export function loadState() {
  try {
    const saved = JSON.parse(storage()?.getItem(KEY) || "null");
    if (saved && typeof saved.sessionId === "string" && Array.isArray(saved.messages)) {
      return {
        sessionId: saved.sessionId,
        open: typeof saved.open === "boolean" ? saved.open : null,
        messages: saved.messages.filter((m) => typeof m?.text === "string" && (m.from === "bot" || m.from === "user")),
        suggestions: Array.isArray(saved.suggestions) ? saved.suggestions : [],
      };
    }
  } catch {
    // unreadable or corrupt: start afresh below
  }
  return { sessionId: newSessionId(), open: null, messages: [], suggestions: [] };
}

/** @param {ChatState} state */
export function saveState(state) {
  const kept = { ...state, messages: state.messages.slice(-MAX_MESSAGES) };
  try {
    storage()?.setItem(KEY, JSON.stringify(kept));
  } catch {
    // quota or privacy mode: nothing to do, the conversation goes on in memory
  }
}
