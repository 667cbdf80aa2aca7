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
      resident: "Inwoner", bot: "Assistent", agent: "Medewerker", system: "Systeem", notice: "Crisisbericht",
      waiting: "wacht {m} min", urgent: "Spoed", heldBy: "bij {name}", queued: "wacht op een medewerker",
      stateAgent: "u of een collega heeft het gesprek", stateBot: "de assistent antwoordt", stateClosed: "afgesloten",
      conversationWith: "Gesprek via {channel}", reason: "Reden", language: "Taal",
      sent: "Verstuurd.", loginFailed: "Inloggen lukte niet: controleer gebruikersnaam en wachtwoord.",
      failed: "Dat lukte niet: {message}", intent: "intentie", kb: "kennisbank",
      suggestions: "Antwoorden uit de kennisbank", suggestSearch: "Zoek in de kennisbank (leeg: op de laatste berichten van de inwoner)",
      suggestionsNone: "De kennisbank heeft hier geen antwoord op.", useAnswer: "Gebruik dit antwoord",
      answerInserted: "Antwoord ingevoegd: pas het aan waar nodig en verstuur het.",
      teach: "Assistent leren", teachTitle: "Zo vragen inwoners: {question}",
      teachText: "Zo vroeg de inwoner het (haal namen, adressen en nummers weg)", teachPropose: "Voorstellen",
      teachIntro: "Stel voor dat de assistent deze vraag voortaan herkent. Een goedkeurder in de redactie kijkt er eerst naar.",
      teachProposed: "Voorgesteld: een goedkeurder in de redactie kijkt ernaar.",
      teachPersonal: "Er staan nog persoonsgegevens in (telefoonnummer, e-mailadres, adres, BSN of rekeningnummer). Haal ze weg en stel het opnieuw voor.",
      events: {
        queued: "In de wachtrij gezet", taken: "Overgenomen door {agent}", handed_back: "Teruggegeven aan de assistent door {agent}",
        closed: "Afgesloten door {agent}", reopened: "Opnieuw geopend door de inwoner"
      },
      viewsLabel: "Onderdelen", rightsTitle: "Rechten van inwoners",
      rightsIntro: "Inzage- en wisverzoeken (AVG). Zoek de inwoner op met kanaal en id; daarna werkt dit scherm alleen met het pseudoniem.",
      channel: "Kanaal", webchat: "Webchat", subjectId: "Id van de inwoner op dat kanaal",
      subjectIdHint: "Telegram: het chat-id; WhatsApp: whatsapp:+31…; webchat: het gespreks-id.", find: "Zoeken",
      subjectTitle: "Inwoner", conversationsCaption: "Gesprekken in het archief", started: "Begonnen",
      messages: "Berichten", keptUntil: "Bewaartermijn tot", erasure: "Wissen",
      noConversations: "Er zijn geen gesprekken meer van deze inwoner.", destroyed: "Vernietigd",
      download: "Inzageverzoek downloaden (JSON)", eraseStart: "Wissen…", eraseConfirmTitle: "Wissen bevestigen",
      eraseSure: "Ik heb vastgesteld dat het verzoek van deze inwoner komt. Wissen kan niet ongedaan worden gemaakt.",
      eraseDo: "Definitief wissen", cancel: "Annuleren",
      erasable: "wisbaar op verzoek", keptHold: "bewaard: juridische bewaarplicht (legal hold)",
      keptArchive: "bewaard: Archiefwet, tot {until}", holdReason: "reden: {reason}",
      destroyedItem: "{date}: {count} berichten vernietigd ({reason})", reasonErasure: "wisverzoek", reasonRetention: "bewaartermijn verlopen",
      notFound: "Van deze inwoner staat niets in het archief.", forbidden: "Hiervoor heeft u de rol beheerder nodig.",
      erasePlan: "{erased} gesprek(ken) worden gewist, {kept} blijven bewaard.",
      eraseNothing: "Er is niets te wissen: alles wat er nog is, moet bewaard blijven.",
      confirmFirst: "Vink eerst aan dat u het verzoek hebt vastgesteld.",
      erased: "{n} gesprek(ken) gewist. Wat er nog is, staat hieronder met de reden.",
      downloaded: "Inzageverzoek gedownload.",
      rasaEvents: " Uit het geheugen van Rasa (tracker store): {n} gebeurtenis(sen)."
    },
    en: {
      switchTo: "Nederlands", logout: "Log out", loginTitle: "Log in", username: "Username",
      password: "Password", totp: "Authenticator app code (if enabled)", login: "Log in",
      workTitle: "Conversations", queue: "Queue", queueEmpty: "Nobody is waiting.",
      chooseConversation: "Choose a conversation", take: "Take over", handBack: "Back to the assistant",
      close: "Close", reply: "Your reply to the resident", send: "Send",
      canned: "Ready-made reply", cannedNone: "Choose to insert…", notes: "Internal notes",
      noteLabel: "Note for colleagues (not sent)", addNote: "Save note", noteSaved: "Note saved.",
      resident: "Resident", bot: "Assistant", agent: "Agent", system: "System", notice: "Crisis notice",
      waiting: "waiting {m} min", urgent: "Urgent", heldBy: "with {name}", queued: "waiting for an agent",
      stateAgent: "you or a colleague holds it", stateBot: "the assistant answers", stateClosed: "closed",
      conversationWith: "Conversation on {channel}", reason: "Reason", language: "Language",
      sent: "Sent.", loginFailed: "Could not log in: check username and password.",
      failed: "That did not work: {message}", intent: "intent", kb: "knowledge base",
      suggestions: "Answers from the knowledge base", suggestSearch: "Search the knowledge base (empty: the resident's latest messages)",
      suggestionsNone: "The knowledge base has no answer to this.", useAnswer: "Use this answer",
      answerInserted: "Answer inserted: adjust it where needed and send it.",
      teach: "Teach the assistant", teachTitle: "How residents ask: {question}",
      teachText: "How the resident asked it (take out names, addresses and numbers)", teachPropose: "Propose",
      teachIntro: "Propose that the assistant recognises this question from now on. An approver in the editorial team looks at it first.",
      teachProposed: "Proposed: an approver in the editorial team will look at it.",
      teachPersonal: "It still contains personal data (a phone number, e-mail address, address, BSN or bank account). Take it out and propose it again.",
      events: {
        queued: "Put in the queue", taken: "Taken over by {agent}", handed_back: "Handed back to the assistant by {agent}",
        closed: "Closed by {agent}", reopened: "Reopened by the resident"
      },
      viewsLabel: "Sections", rightsTitle: "Residents' rights",
      rightsIntro: "Access and erasure requests (GDPR). Find the resident by channel and id; after that this screen only uses their pseudonym.",
      channel: "Channel", webchat: "Web chat", subjectId: "The resident's id on that channel",
      subjectIdHint: "Telegram: the chat id; WhatsApp: whatsapp:+31…; web chat: the conversation id.", find: "Find",
      subjectTitle: "Resident", conversationsCaption: "Conversations in the archive", started: "Started",
      messages: "Messages", keptUntil: "Retention until", erasure: "Erasure",
      noConversations: "No conversations of this resident remain.", destroyed: "Destroyed",
      download: "Download access request (JSON)", eraseStart: "Erase…", eraseConfirmTitle: "Confirm erasure",
      eraseSure: "I have established that the request comes from this resident. Erasure cannot be undone.",
      eraseDo: "Erase for good", cancel: "Cancel",
      erasable: "erasable on request", keptHold: "kept: legal hold",
      keptArchive: "kept: Archiefwet, until {until}", holdReason: "reason: {reason}",
      destroyedItem: "{date}: {count} messages destroyed ({reason})", reasonErasure: "erasure request", reasonRetention: "retention period ended",
      notFound: "The archive holds nothing of this resident.", forbidden: "This needs the admin role.",
      erasePlan: "{erased} conversation(s) will be erased, {kept} kept.",
      eraseNothing: "Nothing can be erased: everything that remains must be kept.",
      confirmFirst: "First tick that you have established the request.",
      erased: "{n} conversation(s) erased. What remains is listed below, with why.",
      downloaded: "Access request downloaded.",
      rasaEvents: " From Rasa's memory (tracker store): {n} event(s)."
    }
  };
  var language = localStorage.getItem("loket-console-language") === "en" ? "en" : "nl";
  var token = sessionStorage.getItem("loket-console-token");
  var me = sessionStorage.getItem("loket-console-username") || "";
  var current = null;
  var events = null;
  var subjectKey = null;
  var subjectData = null;
  var suggestedFor = null;  // the conversation and resident's message the suggestions are for
  var suggestions = [];
  var basedOn = null;  // the knowledge-base version the reply being written was taken from
  var latestQuestion = "";  // the resident's latest message, to teach the assistant with
  var teaching = null;  // the suggestion the agent is teaching the assistant the question for

  function $(id) { return document.getElementById(id); }
  function t(key, values) { return LoketStaff.fill(TEXT[language][key], values); }
  var element = LoketStaff.element;
  function reasonText(reason) { return reason ? (LoketStaff.REASONS[language][reason] || reason) : ""; }

  function applyLanguage() {
    document.documentElement.lang = language;
    document.querySelectorAll("[data-text]").forEach(function (node) { node.textContent = TEXT[language][node.dataset.text]; });
    document.querySelectorAll("[data-label]").forEach(function (node) { node.setAttribute("aria-label", TEXT[language][node.dataset.label]); });
    $("language").textContent = TEXT[language].switchTo;
    $("language").lang = language === "nl" ? "en" : "nl";
    if (token) { loadQueue(); if (current) openConversation(current); }
    renderSuggestions();
    if (subjectData) renderSubject(subjectData);
  }

  function call(method, path, body) {
    return LoketStaff.request(method, api + path, token, body).catch(function (error) {
      if (error.status === 401 && path !== "/login") expired();
      throw error;
    });
  }
  function fail(error) { $("status").textContent = t("failed", { message: error.message }); }

  function showWork(user, roles) {
    $("login-view").hidden = true;
    $("logout").hidden = false;
    if (user) sessionStorage.setItem("loket-console-user", user);
    if (roles) sessionStorage.setItem("loket-console-roles", roles.join(" "));
    $("who").textContent = sessionStorage.getItem("loket-console-user") || "";
    $("views").hidden = (sessionStorage.getItem("loket-console-roles") || "").split(" ").indexOf("admin") < 0;
    route();
    loadQueue();
    listen();
  }

  // The residents' rights screen is at #inwoners; the server decides who may use it.
  function route() {
    if (!token) return;
    var rights = location.hash === "#inwoners";
    $("work-view").hidden = rights;
    $("rights-view").hidden = !rights;
    $("to-work").removeAttribute("aria-current");
    $("to-rights").removeAttribute("aria-current");
    $(rights ? "to-rights" : "to-work").setAttribute("aria-current", "page");
  }

  function forget() {
    if (events) events.close();
    token = null;
    LoketStaff.forgetSession();
  }
  function logout() {
    if (events) events.close();
    LoketStaff.logOut(token);
    token = null;
  }
  // An expired session keeps the page behind the login, so the agent who logs in again finds the
  // reply being written where it was; anyone else gets the page empty.
  function expired() {
    forget();
    ["work-view", "rights-view", "views", "logout"].forEach(function (id) { $(id).hidden = true; });
    $("who").textContent = "";
    $("login-view").hidden = false;
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
    if (id !== current) {
      basedOn = null;
      $("reply").value = "";
      fitReply();
      suggestedFor = null;
      suggestions = [];
      renderSuggestions();
      stopTeaching();
    }
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
        if (message.event) {
          var template = TEXT[language].events[message.event.name] || message.text;
          transcript.appendChild(element("li", { class: "event" }, template.replace("{agent}", message.event.agent || "?")));
          return;
        }
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
      $("suggestions-panel").hidden = data.state !== "agent";
      var residentMessages = data.messages.filter(function (message) { return message.direction === "in"; });
      var latest = residentMessages.length ? residentMessages[residentMessages.length - 1].id : 0;
      latestQuestion = residentMessages.length ? residentMessages[residentMessages.length - 1].text : "";
      if (data.state === "agent" && suggestedFor !== id + ":" + latest) {
        suggestedFor = id + ":" + latest;
        $("suggest-query").value = "";
        loadSuggestions("");
      }
      loadQueue();
    }).catch(fail);
  }

  // The knowledge base's answers for the resident's latest messages, or for the agent's search.
  function loadSuggestions(query) {
    var path = "/conversations/" + encodeURIComponent(current) + "/suggestions";
    if (query) path += "?q=" + encodeURIComponent(query);
    var conversation = current;
    return call("GET", path).then(function (data) {
      if (conversation !== current) return;  // the agent has opened another one meanwhile
      suggestions = data.suggestions;
      renderSuggestions();
    }).catch(fail);
  }

  function renderSuggestions() {
    var list = $("suggestions");
    list.textContent = "";
    $("suggestions-none").hidden = suggestions.length > 0 || !suggestedFor;
    suggestions.forEach(function (suggestion, position) {
      var item = element("li");
      var title = "suggestion-" + position;
      item.appendChild(element("h4", { id: title }, suggestion.question));
      item.appendChild(element("span", { class: "meta" }, t("kb", {}) + " " + suggestion.id + " v" + suggestion.version));
      item.appendChild(element("p", { class: "answer" }, suggestion.answer));
      var use = element("button", { type: "button", class: "secondary", "aria-describedby": title }, t("useAnswer", {}));
      use.addEventListener("click", function () {
        var reply = $("reply");
        reply.value = reply.value.trim() ? reply.value + "\n\n" + suggestion.answer : suggestion.answer;
        basedOn = { id: suggestion.id, version: suggestion.version };
        fitReply();
        $("status").textContent = t("answerInserted", {});
        reply.focus();
        reply.setSelectionRange(0, 0);
        reply.scrollTop = 0;
      });
      item.appendChild(use);
      var teach = element("button", { type: "button", class: "secondary", "aria-describedby": title }, t("teach", {}));
      teach.addEventListener("click", function () { startTeaching(suggestion); });
      item.appendChild(teach);
      list.appendChild(item);
    });
  }

  // Propose the resident's question, rewritten where needed, as a wording of a suggested
  // answer's question (knowledge_base/wordings.py): used once an approver agrees.
  function startTeaching(suggestion) {
    teaching = suggestion;
    $("teach-title").textContent = t("teachTitle", { question: suggestion.question });
    $("teach-text").value = latestQuestion;
    $("teach-form").hidden = false;
    $("teach-text").focus();
  }

  function stopTeaching() {
    teaching = null;
    $("teach-form").hidden = true;
  }

  $("teach-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = $("teach-text").value.trim();
    if (!teaching || !text) return;
    var path = "/api/editor/entries/" + encodeURIComponent(teaching.id) + "/wordings";
    LoketStaff.request("POST", path, token, { text: text, conversation_id: current }).then(function () {
      stopTeaching();
      $("status").textContent = t("teachProposed", {});
    }).catch(function (error) {
      if (error.status === 401) expired();
      $("status").textContent = error.code === "personal_data" ? t("teachPersonal", {}) : t("failed", { message: error.message });
    });
  });
  $("teach-cancel").addEventListener("click", stopTeaching);

  // The reply box grows with what is in it (to a limit), so an inserted answer can be read whole.
  function fitReply() {
    var reply = $("reply");
    reply.style.height = "";
    if (reply.scrollHeight > reply.clientHeight) reply.style.height = Math.min(reply.scrollHeight + 4, 400) + "px";
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

  function rightsFailed(error) {
    var key = { 403: "forbidden", 404: "notFound", 409: "eraseNothing" }[error.status];
    $("rights-status").textContent = key ? t(key, {}) : t("failed", { message: error.message });
  }
  function day(iso) { return new Date(iso).toLocaleDateString(language === "nl" ? "nl-NL" : "en-GB"); }

  function rasaText(erasure) {
    return erasure.rasa_events === null ? "" : t("rasaEvents", { n: erasure.rasa_events });
  }

  function keptText(conversation) {
    if (conversation.erasable) return t("erasable", {});
    var parts = [];
    if (conversation.retention.legal_hold) {
      parts.push(t("keptHold", {}));
      if (conversation.legal_hold_reason) parts.push(t("holdReason", { reason: conversation.legal_hold_reason }));
    }
    if (conversation.kept_because.some(function (reason) { return reason.indexOf("Archiefwet") === 0; })) {
      parts.push(t("keptArchive", { until: day(conversation.retention.until) }));
    }
    return parts.join("; ");
  }

  function renderSubject(data) {
    subjectData = data;
    subjectKey = data.subject_key;
    $("subject").hidden = false;
    $("erase-confirm").hidden = true;
    $("subject-key").textContent = data.subject_key.slice(0, 12);
    $("subject-key").title = data.subject_key;
    var rows = $("subject-conversations").tBodies[0];
    rows.textContent = "";
    data.conversations.forEach(function (conversation) {
      var row = element("tr");
      [day(conversation.started_at), conversation.channel, String(conversation.message_count),
        day(conversation.retention.until), keptText(conversation)].forEach(function (text) {
        row.appendChild(element("td", {}, text));
      });
      rows.appendChild(row);
    });
    $("subject-conversations").hidden = data.conversations.length === 0;
    $("subject-none").hidden = data.conversations.length > 0;
    var destroyed = $("subject-destroyed");
    destroyed.textContent = "";
    data.destroyed.forEach(function (report) {
      var reason = report.reason === "erasure" ? t("reasonErasure", {}) : t("reasonRetention", {});
      destroyed.appendChild(element("li", {}, t("destroyedItem", { date: day(report.destroyed_at), count: report.message_count, reason: reason })));
    });
    $("destroyed-title").hidden = data.destroyed.length === 0;
  }

  function showSubject() {
    return call("GET", "/subjects/" + subjectKey).then(renderSubject).catch(rightsFailed);
  }

  $("lookup-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var userId = $("subject-id").value.trim();
    if (!userId) { $("subject-id").focus(); return; }
    $("rights-status").textContent = "";
    $("subject").hidden = true;
    call("POST", "/subjects/lookup", { channel: $("subject-channel").value, user_id: userId })
      .then(function (data) {
        $("subject-id").value = "";  // from here on, only the pseudonym
        renderSubject(data);
        $("subject-title").focus();
      })
      .catch(rightsFailed);
  });
  $("download-access").addEventListener("click", function () {
    $("rights-status").textContent = "";
    call("GET", "/subjects/" + subjectKey + "/access").then(function (data) {
      var blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
      var link = element("a", { href: URL.createObjectURL(blob), download: "inzageverzoek-" + subjectKey.slice(0, 12) + ".json" });
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
      $("rights-status").textContent = t("downloaded", {});
    }).catch(rightsFailed);
  });
  $("erase-preview").addEventListener("click", function () {
    $("rights-status").textContent = "";
    call("POST", "/subjects/" + subjectKey + "/erase", { dry_run: true }).then(function (plan) {
      var kept = Object.keys(plan.kept);
      $("erase-summary").textContent = plan.erased.length ? t("erasePlan", { erased: plan.erased.length, kept: kept.length }) + rasaText(plan) : t("eraseNothing", {});
      var list = $("erase-kept");
      list.textContent = "";
      subjectData.conversations.forEach(function (conversation) {
        if (kept.indexOf(conversation.id) >= 0) {
          list.appendChild(element("li", {}, day(conversation.started_at) + " · " + conversation.channel + ": " + keptText(conversation)));
        }
      });
      $("erase-do").hidden = plan.erased.length === 0;
      $("erase-sure").parentNode.hidden = plan.erased.length === 0;
      $("erase-sure").checked = false;
      $("erase-confirm").hidden = false;
      $("erase-confirm-title").focus();
    }).catch(rightsFailed);
  });
  $("erase-cancel").addEventListener("click", function () {
    $("erase-confirm").hidden = true;
    $("erase-preview").focus();
  });
  $("erase-do").addEventListener("click", function () {
    if (!$("erase-sure").checked) { $("rights-status").textContent = t("confirmFirst", {}); $("erase-sure").focus(); return; }
    call("POST", "/subjects/" + subjectKey + "/erase", { confirm: true }).then(function (result) {
      return showSubject().then(function () { $("rights-status").textContent = t("erased", { n: result.erased.length }) + rasaText(result); });
    }).catch(rightsFailed);
  });
  window.addEventListener("hashchange", route);

  $("login-form").addEventListener("submit", function (event) {
    event.preventDefault();
    $("login-error").textContent = "";
    call("POST", "/login", { username: $("username").value, password: $("password").value, totp: $("totp").value || null })
      .then(function (data) {
        var before = me;
        token = data.token;
        me = data.username;
        sessionStorage.setItem("loket-console-token", token);
        sessionStorage.setItem("loket-console-username", me);
        $("password").value = "";
        if (before && before !== me) {
          sessionStorage.setItem("loket-console-user", data.display_name);
          sessionStorage.setItem("loket-console-roles", data.roles.join(" "));
          location.reload();
          return;
        }
        showWork(data.display_name, data.roles);
        if (current) openConversation(current);
      })
      .catch(function () { $("login-error").textContent = t("loginFailed", {}); });
  });
  $("reply-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = $("reply").value.trim();
    if (!text) return;
    call("POST", "/conversations/" + encodeURIComponent(current) + "/messages", { text: text, kb_entry: basedOn })
      .then(function () { $("reply").value = ""; basedOn = null; fitReply(); $("status").textContent = t("sent", {}); return openConversation(current); })
      .catch(fail);
  });
  $("reply").addEventListener("input", function () {
    if (!this.value.trim()) basedOn = null;
    fitReply();
  });
  $("suggest-form").addEventListener("submit", function (event) {
    event.preventDefault();
    loadSuggestions($("suggest-query").value.trim());
  });
  $("reply").addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); $("reply-form").requestSubmit(); }
  });
  $("canned").addEventListener("change", function () {
    if (!this.value) return;
    $("reply").value = $("reply").value ? $("reply").value + "\n" + this.value : this.value;
    this.value = "";
    fitReply();
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
