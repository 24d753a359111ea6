// The socket.io link to Rasa: one session per conversation, messages held back
// until the server has confirmed the session (also after every reconnect).
import { io } from "socket.io-client";

/**
 * @param {string} serverUrl
 * @param {string} sessionId
 * @param {{onSession(id: string): void, onMessage(message: object): void,
 *          onTurnComplete(): void, onStatus(status: "online"|"reconnecting"): void}} events
 */
export function openConnection(serverUrl, sessionId, events) {
  // A path in the server URL is a proxy's prefix, not a socket.io namespace.
  const server = new URL(serverUrl);
  const path = `${server.pathname.replace(/\/+$/, "")}/socket.io`;
  const socket = io(server.origin, { path, reconnectionDelayMax: 10000 });
  const outbox = [];
  let confirmed = false;

  function flush() {
    while (confirmed && outbox.length) {
      socket.emit("user_uttered", { ...outbox.shift(), session_id: sessionId });
    }
  }

  socket.on("connect", () => socket.emit("session_request", { session_id: sessionId }));
  socket.on("session_confirm", (confirmedId) => {
    // The server replaces an id it cannot accept; the new one is the conversation from now on.
    if (typeof confirmedId === "string" && confirmedId !== sessionId) {
      sessionId = confirmedId;
      events.onSession(confirmedId);
    }
    confirmed = true;
    events.onStatus("online");
    flush();
  });
  socket.on("bot_uttered", (message) => events.onMessage(message));
  socket.on("turn_complete", () => events.onTurnComplete());
  socket.on("disconnect", () => {
    confirmed = false;
    events.onStatus("reconnecting");
  });
  socket.on("connect_error", () => events.onStatus("reconnecting"));

  return {
    /** Send a message (or a /intent payload) with the visitor's metadata. */
    send(message, metadata) {
      outbox.push({ message, metadata });
      flush();
    },
  };
}
