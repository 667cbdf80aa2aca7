// Loket web chat: a session token, messages over the JSON API, replies over Server-Sent Events.
// Every text is inserted with textContent, never as HTML.
(function () {
  "use strict";
  var api = "/api/webchat";
  var transcript = document.getElementById("transcript");
  var form = document.getElementById("chat-form");
  var input = document.getElementById("chat-input");
  var statusLine = document.getElementById("status");
  var shown = {};
  var token = sessionStorage.getItem("loket-token");
  var events = null;

  function setStatus(text) { statusLine.textContent = text; }

  function bubble(direction, text) {
    var entry = document.createElement("div");
    entry.className = "entry";
    var body = document.createElement("div");
    body.className = "message " + (direction === "in" ? "in" : "out");
    var who = document.createElement("span");
    who.className = "who";
    who.textContent = direction === "in" ? "U: " : "Gemeente: ";
    body.appendChild(who);
    body.appendChild(document.createTextNode(text));
    entry.appendChild(body);
    return entry;
  }

  // Messages are kept in the archive's order (their id), whichever way they arrived first.
  function place(entry, id) {
    entry.dataset.id = String(id);
    var later = Array.prototype.find.call(transcript.children, function (child) {
      return child.dataset.id && Number(child.dataset.id) > id;
    });
    transcript.insertBefore(entry, later || null);
  }

  function render(message, pending) {
    if (shown[message.id]) return;
    shown[message.id] = true;
    if (pending) { place(pending, message.id); pending.classList.remove("pending"); return; }
    var entry = bubble(message.direction, message.text);
    if (message.choices && message.choices.length) {
      var choices = document.createElement("div");
      choices.className = "choices";
      message.choices.forEach(function (choice) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = choice.title;
        button.addEventListener("click", function () { send(choice.payload); });
        choices.appendChild(button);
      });
      entry.appendChild(choices);
    }
    place(entry, message.id);
    transcript.scrollTop = transcript.scrollHeight;
  }

  function startSession() {
    return fetch(api + "/sessions", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ language: (navigator.language || "nl").slice(0, 2) === "en" ? "en" : "nl" })
    }).then(function (response) {
      if (!response.ok) throw new Error("session");
      return response.json();
    }).then(function (session) {
      token = session.token;
      sessionStorage.setItem("loket-token", token);
    });
  }

  function listen() {
    if (events) events.close();
    events = new EventSource(api + "/events?token=" + encodeURIComponent(token));
    events.addEventListener("message", function (event) { render(JSON.parse(event.data)); });
    events.onerror = function () { setStatus("Verbinding verbroken. Opnieuw verbinden…"); };
    events.onopen = function () { setStatus(""); };
  }

  function ensureSession() {
    if (token) {
      return fetch(api + "/messages", { headers: { Authorization: "Bearer " + token } })
        .then(function (response) { if (!response.ok) { token = null; return startSession(); } })
        .then(listen);
    }
    return startSession().then(listen);
  }

  function send(text) {
    var clientId = String(Date.now()) + "-" + Math.random().toString(16).slice(2);
    var pending = bubble("in", text);
    pending.classList.add("pending");
    transcript.appendChild(pending);
    transcript.scrollTop = transcript.scrollHeight;
    setStatus("De assistent typt…");
    return fetch(api + "/messages", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: "Bearer " + token },
      body: JSON.stringify({ text: text, client_message_id: clientId })
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw new Error((body.error && body.error.message) || "error");
        render(body.message, pending);
        body.replies.forEach(function (reply) { render(reply); });
        setStatus("");
      });
    }).catch(function (error) {
      pending.remove();
      input.value = text;
      setStatus("Uw bericht is niet verstuurd: " + error.message + ". Probeer het opnieuw.");
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { setStatus("Typ eerst uw vraag."); input.focus(); return; }
    input.value = "";
    send(text);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });

  ensureSession().catch(function () { setStatus("De chat is nu niet bereikbaar. Probeer het later opnieuw."); });
})();
