// Loket's agent console: the queue, a conversation's transcript with the bot's context, and
// replies on the resident's own channel. It uses only the public console API (/api/console).
// Every text is inserted with textContent, never as HTML.
(function () {
  "use strict";
  var api = "/api/console";
  var TEXT = {
    nl: {
      switchTo: "English", logout: "Uitloggen", loginTitle: "Inloggen", username: "Gebruikersnaam",
      password: "Wachtwoord", totp: "Code uit de authenticator-app (als die aan staat)", login: "Inloggen",
      workTitle: "Gesprekken", queue: "Wachtrij", queueEmpty: "Er wacht niemand.",
      chooseConversation: "Kies een gesprek", take: "Overnemen", handBack: "Terug naar de assistent",
      close: "Afsluiten", reply: "Uw antwoord aan de inwoner", send: "Versturen",
      canned: "Standaardantwoord", cannedNone: "Kies om in te voegen…", notes: "Interne notities",
      noteLabel: "Notitie voor collega's (wordt niet verstuurd)", addNote: "Notitie opslaan", noteSaved: "Notitie opgeslagen.",
      resident: "Inwoner", bot: "Assistent", agent: "Medewerker", system: "Systeem",
      waiting: "wacht {m} min", urgent: "Spoed", heldBy: "bij {name}", queued: "wacht op een medewerker",
      stateAgent: "u of een collega heeft het gesprek", stateBot: "de assistent antwoordt", stateClosed: "afgesloten",
      conversationWith: "Gesprek via {channel}", reason: "Reden", language: "Taal",
      sent: "Verstuurd.", loginFailed: "Inloggen lukte niet: controleer gebruikersnaam en wachtwoord.",
      failed: "Dat lukte niet: {message}", intent: "intentie", kb: "kennisbank",
      reasons: {
        request_human: "vraagt om een medewerker", safety_suicide: "veiligheid: suïcidale gedachten",
        safety_violence: "veiligheid: geweld of dreiging", emergency: "noodgeval", insult: "boos of beledigend",
        complaint: "klacht", distress: "geld- of woonnood", legal_deadline: "termijn met gevolgen",
        not_helpful: "antwoord hielp niet", misunderstood: "assistent begreep het twee keer niet",
        repeated: "zelfde vraag opnieuw", complex: "ingewikkelde vraag"
      }
    },
    en: {
      switchTo: "Nederlands", logout: "Log out", loginTitle: "Log in", username: "Username",
      password: "Password", totp: "Authenticator app code (if enabled)", login: "Log in",
      workTitle: "Conversations", queue: "Queue", queueEmpty: "Nobody is waiting.",
      chooseConversation: "Choose a conversation", take: "Take over", handBack: "Back to the assistant",
      close: "Close", reply: "Your reply to the resident", send: "Send",
      canned: "Ready-made reply", cannedNone: "Choose to insert…", notes: "Internal notes",
      noteLabel: "Note for colleagues (not sent)", addNote: "Save note", noteSaved: "Note saved.",
      resident: "Resident", bot: "Assistant", agent: "Agent", system: "System",
      waiting: "waiting {m} min", urgent: "Urgent", heldBy: "with {name}", queued: "waiting for an agent",
      stateAgent: "you or a colleague holds it", stateBot: "the assistant answers", stateClosed: "closed",
      conversationWith: "Conversation on {channel}", reason: "Reason", language: "Language",
      sent: "Sent.", loginFailed: "Could not log in: check username and password.",
      failed: "That did not work: {message}", intent: "intent", kb: "knowledge base",
      reasons: {
        request_human: "asks for a person", safety_suicide: "safety: suicidal thoughts",
        safety_violence: "safety: violence or threats", emergency: "emergency", insult: "angry or insulting",
        complaint: "complaint", distress: "money or housing distress", legal_deadline: "deadline with consequences",
        not_helpful: "answer did not help", misunderstood: "assistant misunderstood twice",
        repeated: "same question again", complex: "complicated question"
      }
    }
  };
  var language = localStorage.getItem("loket-console-language") === "en" ? "en" : "nl";
  var token = sessionStorage.getItem("loket-console-token");
  var current = null;
  var events = null;

  function $(id) { return document.getElementById(id); }
  function t(key, values) {
    return TEXT[language][key].replace(/\{(\w+)\}/g, function (_, name) { return values[name]; });
  }
  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function reasonText(reason) { return reason ? (TEXT[language].reasons[reason] || reason) : ""; }

  function applyLanguage() {
    document.documentElement.lang = language;
    document.querySelectorAll("[data-text]").forEach(function (node) { node.textContent = TEXT[language][node.dataset.text]; });
    $("language").textContent = TEXT[language].switchTo;
    $("language").lang = language === "nl" ? "en" : "nl";
    if (token) { loadQueue(); if (current) openConversation(current); }
  }

  function call(method, path, body) {
    var headers = { "Content-Type": "application/json" };
    if (token) headers.Authorization = "Bearer " + token;
    return fetch(api + path, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined })
      .then(function (response) {
        if (response.status === 401 && path !== "/login") { logout(); throw new Error("401"); }
        if (response.status === 204) return null;
        return response.json().then(function (data) {
          if (!response.ok) throw new Error((data.error && data.error.message) || response.status);
          return data;
        });
      });
  }
  function fail(error) { $("status").textContent = t("failed", { message: error.message }); }

  function showWork(user) {
    $("login-view").hidden = true;
    $("work-view").hidden = false;
    $("logout").hidden = false;
    if (user) sessionStorage.setItem("loket-console-user", user);
    $("who").textContent = sessionStorage.getItem("loket-console-user") || "";
    loadQueue();
    listen();
  }

  function logout() {
    if (events) events.close();
    if (token) fetch(api + "/logout", { method: "POST", headers: { Authorization: "Bearer " + token } });
    token = null;
    sessionStorage.removeItem("loket-console-token");
    $("login-view").hidden = false;
    $("work-view").hidden = true;
    $("logout").hidden = true;
    $("who").textContent = "";
    $("username").focus();
  }

  function listen() {
    if (events) events.close();
    events = new EventSource(api + "/events?token=" + encodeURIComponent(token));
    events.addEventListener("conversation", function (event) {
      var data = JSON.parse(event.data);
      loadQueue();
      if (current && data.conversation_id === current) openConversation(current);
    });
  }

  function loadQueue() {
    return call("GET", "/queue").then(function (data) {
      var list = $("queue");
      list.textContent = "";
      $("queue-empty").hidden = data.conversations.length > 0;
      data.conversations.forEach(function (item) {
        var button = element("button", { type: "button", class: item.urgency >= 3 ? "urgent" : "" });
        if (item.conversation_id === current) button.setAttribute("aria-current", "true");
        if (item.urgency >= 3) button.appendChild(element("span", { class: "badge" }, t("urgent", {}) + " · "));
        button.appendChild(document.createTextNode(reasonText(item.handoff_reason) || item.channel));
        var meta = item.channel + " · " + (item.agent ? t("heldBy", { name: item.agent }) : t("waiting", { m: Math.floor((item.waiting_seconds || 0) / 60) }));
        button.appendChild(element("span", { class: "meta" }, meta));
        button.appendChild(element("span", { class: "meta" }, item.last_message));
        button.addEventListener("click", function () { openConversation(item.conversation_id); });
        var entry = element("li");
        entry.appendChild(button);
        list.appendChild(entry);
      });
    }).catch(fail);
  }

  function stateText(state) {
    return { agent: t("stateAgent", {}), queued: t("queued", {}), bot: t("stateBot", {}), closed: t("stateClosed", {}) }[state] || state;
  }

  function openConversation(id) {
    current = id;
    return call("GET", "/conversations/" + encodeURIComponent(id)).then(function (data) {
      $("conversation-title").textContent = t("conversationWith", { channel: data.channel });
      var context = stateText(data.state);
      if (data.handoff_reason) context += " · " + t("reason", {}) + ": " + reasonText(data.handoff_reason);
      context += " · " + t("language", {}) + ": " + data.language;
      $("context").textContent = context;
      $("actions").hidden = false;
      $("take").hidden = data.state === "agent" || data.state === "closed";
      $("hand-back").hidden = data.state !== "agent";
      $("reply-form").hidden = data.state !== "agent";
      var transcript = $("transcript");
      transcript.textContent = "";
      data.messages.forEach(function (message) {
        var item = element("li", { class: message.sender });
        item.appendChild(element("span", { class: "who" }, TEXT[language][message.sender] || message.sender));
        item.appendChild(document.createTextNode(message.text));
        var details = [];
        if (message.intent) details.push(t("intent", {}) + " " + message.intent + (message.confidence ? " (" + message.confidence.toFixed(2) + ")" : ""));
        if (message.kb_entry) details.push(t("kb", {}) + " " + message.kb_entry.id + " v" + message.kb_entry.version);
        if (message.handoff_reason) details.push(reasonText(message.handoff_reason));
        if (details.length) item.appendChild(element("span", { class: "meta" }, details.join(" · ")));
        transcript.appendChild(item);
      });
      transcript.scrollTop = transcript.scrollHeight;
      var notes = $("notes");
      notes.textContent = "";
      data.notes.forEach(function (note) {
        var item = element("li");
        item.appendChild(element("span", { class: "who" }, note.agent));
        item.appendChild(document.createTextNode(note.text));
        notes.appendChild(item);
      });
      $("notes-title").hidden = false;
      $("note-form").hidden = false;
      if (data.state === "agent") loadCanned(data.language);
      loadQueue();
    }).catch(fail);
  }

  function loadCanned(residentLanguage) {
    return call("GET", "/canned-responses?language=" + residentLanguage).then(function (data) {
      var select = $("canned");
      while (select.options.length > 1) select.remove(1);
      data.responses.forEach(function (response) {
        var option = element("option", { value: response.text }, response.title);
        select.appendChild(option);
      });
    }).catch(fail);
  }

  function move(action) {
    return call("POST", "/conversations/" + encodeURIComponent(current) + "/" + action)
      .then(function () { return openConversation(current); })
      .then(function () { if (action === "take") $("reply").focus(); })
      .catch(fail);
  }

  $("login-form").addEventListener("submit", function (event) {
    event.preventDefault();
    $("login-error").textContent = "";
    call("POST", "/login", { username: $("username").value, password: $("password").value, totp: $("totp").value || null })
      .then(function (data) {
        token = data.token;
        sessionStorage.setItem("loket-console-token", token);
        $("password").value = "";
        showWork(data.display_name);
      })
      .catch(function () { $("login-error").textContent = t("loginFailed", {}); });
  });
  $("reply-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = $("reply").value.trim();
    if (!text) return;
    call("POST", "/conversations/" + encodeURIComponent(current) + "/messages", { text: text })
      .then(function () { $("reply").value = ""; $("status").textContent = t("sent", {}); return openConversation(current); })
      .catch(fail);
  });
  $("reply").addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); $("reply-form").requestSubmit(); }
  });
  $("canned").addEventListener("change", function () {
    if (!this.value) return;
    $("reply").value = $("reply").value ? $("reply").value + "\n" + this.value : this.value;
    this.value = "";
    $("reply").focus();
  });
  $("note-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = $("note").value.trim();
    if (!text) return;
    call("POST", "/conversations/" + encodeURIComponent(current) + "/notes", { text: text })
      .then(function () { $("note").value = ""; $("status").textContent = t("noteSaved", {}); return openConversation(current); })
      .catch(fail);
  });
  $("take").addEventListener("click", function () { move("take"); });
  $("hand-back").addEventListener("click", function () { move("hand-back"); });
  $("close").addEventListener("click", function () { move("close"); });
  $("logout").addEventListener("click", logout);
  $("language").addEventListener("click", function () {
    language = language === "nl" ? "en" : "nl";
    localStorage.setItem("loket-console-language", language);
    applyLanguage();
  });

  applyLanguage();
  if (token) showWork(); else $("username").focus();
})();
