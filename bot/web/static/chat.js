// Minimal chat page: talks to Rasa's REST channel. Text is always set with
// textContent, never innerHTML, so nothing a message says can run as HTML.
(async function () {
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("message");
  const config = await (await fetch("/config.json")).json();
  const endpoint = `${location.protocol}//${location.hostname}:${config.rasaPort}/webhooks/rest/webhook`;
  let sender = sessionStorage.getItem("intake-sender");
  if (!sender) {
    sender = crypto.randomUUID();
    sessionStorage.setItem("intake-sender", sender);
  }

  function show(text, who) {
    const item = document.createElement("div");
    item.className = `msg ${who}`;
    item.textContent = text;
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
    return item;
  }

  function showButtons(buttons) {
    const row = document.createElement("div");
    row.className = "buttons";
    for (const button of buttons) {
      const element = document.createElement("button");
      element.type = "button";
      element.textContent = button.title;
      element.addEventListener("click", () => { row.remove(); send(button.payload, button.title); });
      row.appendChild(element);
    }
    log.appendChild(row);
  }

  async function send(message, shown) {
    show(shown || message, "user");
    try {
      const response = await fetch(endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sender, message }),
      });
      if (!response.ok) throw new Error(String(response.status));
      for (const reply of await response.json()) {
        if (reply.text) show(reply.text, "bot");
        if (reply.buttons && reply.buttons.length) showButtons(reply.buttons);
      }
    } catch (error) {
      show("Sorry, I couldn't reach the assistant. Please try again in a moment.", "bot");
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text);
  });
  send("/greet", "Hi");
})();
