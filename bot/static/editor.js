// Loket's knowledge-base editor: answers with their versions (four eyes: someone else approves),
// crisis notices and the insights dashboard. It uses only the public APIs (/api/editor, and
// /api/console/login to log in). Every text is inserted with textContent, never as HTML.
(function () {
  "use strict";
  var TEXT = {
    nl: {
      switchTo: "English", skip: "Naar de inhoud", brand: "Loket redactie", logout: "Uitloggen",
      loginTitle: "Inloggen", username: "Gebruikersnaam", password: "Wachtwoord",
      totp: "Code uit de authenticator-app (als die aan staat)", login: "Inloggen",
      loginFailed: "Inloggen lukte niet: controleer gebruikersnaam en wachtwoord.",
      noEditor: "Dit scherm is voor redacteuren en goedkeurders. Uw account heeft die rol niet.",
      viewsLabel: "Onderdelen", entriesTitle: "Antwoorden", reviewTitle: "Beoordelen",
      crisisTitle: "Crisisberichten", insightsTitle: "Inzicht",
      search: "Zoeken in vragen en antwoorden", stateFilter: "Status", allStates: "Alle", find: "Zoeken",
      newEntry: "Nieuw antwoord", chooseEntry: "Kies een antwoord", newEntryTitle: "Nieuw antwoord",
      entryTitle: "Antwoord: {id}", found: "{n} antwoorden gevonden.",
      topic: "Onderwerp (één woord)",
      topicHint: "Bijvoorbeeld afval, paspoort of parkeren. Crisisberichten over dit onderwerp komen bij het antwoord te staan.",
      questionsNl: "Vragen in het Nederlands (één per regel)",
      questionsHint: "Schrijf ze zoals inwoners ze stellen: \"mn paspoort is verlopen\", niet alleen de officiële titel.",
      questionsEn: "Vragen in het Engels (optioneel)", answerNl: "Antwoord in het Nederlands (taalniveau B1)",
      answerHint: "Opmaak: **vet**, [tekst](https://…) voor een link, regels die beginnen met \"- \" voor een opsomming.",
      answerEn: "Antwoord in het Engels (optioneel)", sourceUrl: "Bron (webadres)",
      owner: "Eigenaar (afdeling of persoon)", validFrom: "Geldig vanaf (leeg: direct)",
      validUntil: "Geldig tot (leeg: onbeperkt)", save: "Opslaan als concept",
      submitReview: "Ter beoordeling aanbieden", approve: "Goedkeuren en publiceren",
      rejectNote: "Waarom terugsturen?", reject: "Terugsturen", preview: "Voorbeeld",
      previewLanguage: "Taal van de inwoner", history: "Versies", retire: "Buiten gebruik stellen",
      tryTitle: "Probeer een vraag", tryQuestion: "Een vraag zoals een inwoner die stelt",
      try: "Wat antwoordt de assistent?",
      tryAnswer: "Antwoord: {question} ({id}, versie {version}, score {score})",
      tryChoices: "De assistent vraagt: bedoelt u een van deze?", tryNone: "De assistent weet het niet en verwijst naar de gemeente.",
      saved: "Opgeslagen als versie {version} (concept). Bied het aan ter beoordeling als het klaar is.",
      submitted: "Versie {version} wacht nu op een goedkeurder.",
      published: "Versie {version} is gepubliceerd: inwoners krijgen dit antwoord nu.",
      scheduledSaved: "Versie {version} is goedgekeurd en gaat in op het ingestelde moment.",
      rejected: "Versie {version} is teruggestuurd naar de schrijver.",
      rolledBack: "De tekst van versie {from} staat weer live, als versie {version}.",
      retired: "Dit antwoord wordt niet meer gegeven.", retireSure: "Zeker weten? Inwoners krijgen dit antwoord dan niet meer.",
      failed: "Dat lukte niet: {message}", reviewNote: "Teruggestuurd: {note}",
      versionLine: "Versie {version}", by: "door {who}", approvedBy: "goedgekeurd door {who}",
      diffButton: "Verschillen", rollbackButton: "Deze tekst terugzetten", openVersion: "Openen",
      diffTitle: "Versie {version} tegenover versie {against}", diffFirst: "Versie {version} (eerste versie)",
      noChanges: "Geen verschillen.",
      fields: {
        topic: "Onderwerp", "questions.nl": "Vragen (NL)", "questions.en": "Vragen (EN)",
        "answers.nl": "Antwoord (NL)", "answers.en": "Antwoord (EN)", source_url: "Bron",
        owner: "Eigenaar", valid_from: "Geldig vanaf", valid_until: "Geldig tot"
      },
      states: {
        live: "Live", draft: "Concept", in_review: "Ter beoordeling", scheduled: "Gepland",
        expired: "Verlopen", superseded: "Vervangen", retired: "Buiten gebruik", ended: "Afgelopen",
        published: "Gepubliceerd"
      },
      state_live: "Live", state_draft: "Concept", state_in_review: "Ter beoordeling",
      state_scheduled: "Gepland", state_retired: "Buiten gebruik",
      reviewIntro: "Antwoorden die wachten op een tweede paar ogen. U kunt niet uw eigen versie goedkeuren.",
      reviewEmpty: "Er wacht niets op beoordeling.", mine: "uw eigen versie",
      wordingsTitle: "Zo vragen inwoners het",
      wordingsIntro: "Hoe inwoners deze vraag in hun eigen woorden stelden. De assistent herkent zo'n vraag daarna beter; inwoners zien deze zinnen nooit.",
      wordingNew: "Nieuwe formulering (zonder namen, adressen of nummers)", wordingPropose: "Voorstellen",
      wordingsNone: "Nog geen formuleringen van inwoners.", wordingProposed: "Voorgesteld: een goedkeurder kijkt ernaar.",
      wordingApproved: "Goedgekeurd: de assistent gebruikt deze formulering nu.", wordingRejected: "Afgewezen.",
      wordingRemoved: "Verwijderd: de assistent gebruikt deze formulering niet meer.",
      wordingPersonal: "Er staan nog persoonsgegevens in (telefoonnummer, e-mailadres, adres, BSN of rekeningnummer). Haal ze weg: een formulering gaat over hoe inwoners het vragen.",
      wordingApprove: "Goedkeuren", wordingReject: "Afwijzen", wordingWithdraw: "Intrekken", wordingRemove: "Verwijderen",
      wordingFor: "bij {question}", wordingBy: "voorgesteld door {who}", wordingMine: "uw eigen voorstel",
      wordingStates: { proposed: "Voorgesteld", approved: "In gebruik", rejected: "Afgewezen", removed: "Verwijderd" },
      wordingReviewTitle: "Formuleringen van inwoners",
      wordingReviewIntro: "Voorgesteld door medewerkers vanuit een gesprek. Keur alleen goed wat bij het antwoord hoort en niets over één inwoner zegt.",
      wordingReviewEmpty: "Er wacht geen formulering.",
      nowSame: "Nu: de assistent geeft dit antwoord al.", nowOther: "Nu: de assistent antwoordt met {question}.",
      nowChoices: "Nu: de assistent vraagt of het gaat om {questions}.", nowNone: "Nu: de assistent weet hier geen antwoord op.",
      alsoNear: "Lijkt ook op: {questions}. Vragen daarover kunnen na goedkeuren hier terechtkomen.",
      effectMeasuring: "Meten wat goedkeuren verandert voor andere antwoorden…",
      effectKept: "Gemeten: na goedkeuren houden de andere antwoorden alle {measured} formuleringen van inwoners die erop lijken.",
      effectTaken: "Let op: na goedkeuren krijgen {taken} van {measured} formuleringen van andere antwoorden dit antwoord: {items}.",
      effectNothing: "Gemeten: de antwoorden waar dit op lijkt, hebben nog geen formuleringen van inwoners om mee te vergelijken.",
      effectUnanswerable: "Niet gemeten: inwoners krijgen dit antwoord nu niet (nog niet gepubliceerd, of niet meer geldig).",
      effectItem: "„{wording}” (nu bij {question})", effectFailed: "Meten lukte niet; probeer het later opnieuw.",
      crisisIntro: "Een crisisbericht staat van begin tot eind op elk kanaal: bij het begin van elk gesprek en bij antwoorden over de onderwerpen die u noemt.",
      newNotice: "Nieuw crisisbericht", noticeTitleNl: "Wat is er aan de hand? (kop, Nederlands)",
      noticeBodyNl: "Wat moeten inwoners doen? (Nederlands)", noticeTitleEn: "Kop in het Engels (optioneel)",
      noticeBodyEn: "Tekst in het Engels (optioneel)", noticeUrl: "Waar staat het laatste nieuws? (webadres)",
      noticeTopics: "Onderwerpen (met komma's), bijvoorbeeld afval, crisis", noticeStart: "Begin (leeg: direct)",
      noticeEnd: "Einde", noticePush: "Ook sturen naar inwoners die schreven in de laatste … uur (leeg: niet sturen)",
      noticeSave: "Opslaan en ter beoordeling aanbieden", urgentLegend: "Spoed",
      urgentSure: "Ik publiceer dit bericht zonder tweede paar ogen. Dit wordt vastgelegd.",
      urgentPublish: "Nu publiceren (spoed)", urgentFirst: "Vink eerst aan dat u zonder tweede paar ogen publiceert.",
      noticeSubmitted: "Het crisisbericht wacht op een goedkeurder.",
      noticePublished: "Het crisisbericht staat nu op alle kanalen.", noticeEnded: "Het crisisbericht is beëindigd.",
      noticeWindow: "{from} tot {to}", noticeUrgent: "spoed", endNotice: "Beëindigen",
      approveNotice: "Goedkeuren en publiceren", noNotices: "Er zijn nog geen crisisberichten.",
      rangeFrom: "Van", rangeTo: "Tot en met", show: "Tonen", csv: "Download als CSV",
      tileConversations: "gesprekken", tileAnswered: "van de vragen beantwoord", tileHandoff: "naar een medewerker",
      chartConversations: "Gesprekken per kanaal", unansweredTitle: "Vragen zonder antwoord",
      unansweredIntro: "Gegroepeerd op betekenis, grootste groep eerst: wat u hier ziet, kunt u als volgende schrijven.",
      topicsTitle: "Meest gevraagde onderwerpen", handoffsTitle: "Naar een medewerker, en waarom",
      asTable: "Toon als tabel", period: "Periode", channel: "Kanaal", count: "Aantal", topicColumn: "Onderwerp",
      reasonColumn: "Reden", perHour: "per uur", perDay: "per dag",
      chartLabel: "Staafdiagram: {title}, {resolution}. De cijfers staan in de tabel eronder.",
      barsLabel: "Staafdiagram: {title}. De cijfers staan in de tabel eronder.",
      timesAsked: "{n}× gevraagd", writeAnswer: "Nieuw antwoord hierover", wordingOf: "Formulering van: {question}", belongsTo: "Hoort het bij een bestaand antwoord?", noneUnanswered: "Geen onbeantwoorde vragen in deze periode.",
      downloaded: "Gedownload.", loading: "Bezig…", noData: "Niets in deze periode."
    },
    en: {
      switchTo: "Nederlands", skip: "Skip to content", brand: "Loket editor", logout: "Log out",
      loginTitle: "Log in", username: "Username", password: "Password",
      totp: "Authenticator app code (if enabled)", login: "Log in",
      loginFailed: "Could not log in: check username and password.",
      noEditor: "This screen is for editors and approvers. Your account does not have that role.",
      viewsLabel: "Sections", entriesTitle: "Answers", reviewTitle: "Review",
      crisisTitle: "Crisis notices", insightsTitle: "Insights",
      search: "Search questions and answers", stateFilter: "Status", allStates: "All", find: "Search",
      newEntry: "New answer", chooseEntry: "Choose an answer", newEntryTitle: "New answer",
      entryTitle: "Answer: {id}", found: "{n} answers found.",
      topic: "Topic (one word)",
      topicHint: "For example afval, paspoort or parkeren. Crisis notices on this topic are added to the answer.",
      questionsNl: "Questions in Dutch (one per line)",
      questionsHint: "Write them the way residents ask: \"mn paspoort is verlopen\", not only the official title.",
      questionsEn: "Questions in English (optional)", answerNl: "Answer in Dutch (plain language, B1)",
      answerHint: "Formatting: **bold**, [text](https://…) for a link, lines starting with \"- \" for a list.",
      answerEn: "Answer in English (optional)", sourceUrl: "Source (web address)",
      owner: "Owner (department or person)", validFrom: "Valid from (empty: at once)",
      validUntil: "Valid until (empty: no end)", save: "Save as draft",
      submitReview: "Offer for review", approve: "Approve and publish",
      rejectNote: "Why send it back?", reject: "Send back", preview: "Preview",
      previewLanguage: "The resident's language", history: "Versions", retire: "Retire",
      tryTitle: "Try a question", tryQuestion: "A question as a resident would ask it",
      try: "What does the assistant answer?",
      tryAnswer: "Answer: {question} ({id}, version {version}, score {score})",
      tryChoices: "The assistant asks: do you mean one of these?", tryNone: "The assistant does not know and refers to the municipality.",
      saved: "Saved as version {version} (draft). Offer it for review when it is ready.",
      submitted: "Version {version} now waits for an approver.",
      published: "Version {version} is published: residents get this answer now.",
      scheduledSaved: "Version {version} is approved and takes effect at the time set.",
      rejected: "Version {version} was sent back to its author.",
      rolledBack: "The text of version {from} is live again, as version {version}.",
      retired: "This answer is no longer given.", retireSure: "Are you sure? Residents will no longer get this answer.",
      failed: "That did not work: {message}", reviewNote: "Sent back: {note}",
      versionLine: "Version {version}", by: "by {who}", approvedBy: "approved by {who}",
      diffButton: "Differences", rollbackButton: "Restore this text", openVersion: "Open",
      diffTitle: "Version {version} against version {against}", diffFirst: "Version {version} (first version)",
      noChanges: "No differences.",
      fields: {
        topic: "Topic", "questions.nl": "Questions (NL)", "questions.en": "Questions (EN)",
        "answers.nl": "Answer (NL)", "answers.en": "Answer (EN)", source_url: "Source",
        owner: "Owner", valid_from: "Valid from", valid_until: "Valid until"
      },
      states: {
        live: "Live", draft: "Draft", in_review: "In review", scheduled: "Scheduled",
        expired: "Expired", superseded: "Superseded", retired: "Retired", ended: "Ended",
        published: "Published"
      },
      state_live: "Live", state_draft: "Draft", state_in_review: "In review",
      state_scheduled: "Scheduled", state_retired: "Retired",
      reviewIntro: "Answers waiting for a second pair of eyes. You cannot approve your own version.",
      reviewEmpty: "Nothing is waiting for review.", mine: "your own version",
      wordingsTitle: "How residents ask it",
      wordingsIntro: "How residents asked this question in their own words. The assistant then recognises such a question better; residents never see these sentences.",
      wordingNew: "New wording (without names, addresses or numbers)", wordingPropose: "Propose",
      wordingsNone: "No residents' wordings yet.", wordingProposed: "Proposed: an approver will look at it.",
      wordingApproved: "Approved: the assistant uses this wording now.", wordingRejected: "Rejected.",
      wordingRemoved: "Removed: the assistant no longer uses this wording.",
      wordingPersonal: "It still contains personal data (a phone number, e-mail address, address, BSN or bank account). Take it out: a wording is about how residents ask.",
      wordingApprove: "Approve", wordingReject: "Reject", wordingWithdraw: "Withdraw", wordingRemove: "Remove",
      wordingFor: "for {question}", wordingBy: "proposed by {who}", wordingMine: "your own proposal",
      wordingStates: { proposed: "Proposed", approved: "In use", rejected: "Rejected", removed: "Removed" },
      wordingReviewTitle: "Residents' wordings",
      wordingReviewIntro: "Proposed by agents from a conversation. Approve only what belongs to the answer and says nothing about one resident.",
      wordingReviewEmpty: "No wording is waiting.",
      nowSame: "Now: the assistant already gives this answer.", nowOther: "Now: the assistant answers with {question}.",
      nowChoices: "Now: the assistant asks whether it is about {questions}.", nowNone: "Now: the assistant has no answer to this.",
      alsoNear: "Also close to: {questions}. Questions about those may come here once it is approved.",
      effectMeasuring: "Measuring what approving changes for other answers…",
      effectKept: "Measured: once approved, the other answers keep all {measured} residents' wordings close to it.",
      effectTaken: "Note: once approved, {taken} of {measured} wordings of other answers get this answer: {items}.",
      effectNothing: "Measured: the answers this is close to have no residents' wordings to compare with yet.",
      effectUnanswerable: "Not measured: residents do not get this answer now (not published yet, or no longer valid).",
      effectItem: "“{wording}” (now with {question})", effectFailed: "Measuring failed; try again later.",
      crisisIntro: "A crisis notice is shown on every channel from its start to its end: at the start of every conversation and with answers on the topics you name.",
      newNotice: "New crisis notice", noticeTitleNl: "What is going on? (headline, Dutch)",
      noticeBodyNl: "What should residents do? (Dutch)", noticeTitleEn: "Headline in English (optional)",
      noticeBodyEn: "Text in English (optional)", noticeUrl: "Where are the latest updates? (web address)",
      noticeTopics: "Topics (comma-separated), for example afval, crisis", noticeStart: "Start (empty: now)",
      noticeEnd: "End", noticePush: "Also send it to residents who wrote in the last … hours (empty: don't send)",
      noticeSave: "Save and offer for review", urgentLegend: "Urgent",
      urgentSure: "I publish this notice without a second pair of eyes. This is recorded.",
      urgentPublish: "Publish now (urgent)", urgentFirst: "First tick that you publish without a second pair of eyes.",
      noticeSubmitted: "The crisis notice waits for an approver.",
      noticePublished: "The crisis notice is now on every channel.", noticeEnded: "The crisis notice has ended.",
      noticeWindow: "{from} to {to}", noticeUrgent: "urgent", endNotice: "End now",
      approveNotice: "Approve and publish", noNotices: "There are no crisis notices yet.",
      rangeFrom: "From", rangeTo: "To (inclusive)", show: "Show", csv: "Download as CSV",
      tileConversations: "conversations", tileAnswered: "of questions answered", tileHandoff: "to a colleague",
      chartConversations: "Conversations per channel", unansweredTitle: "Questions without an answer",
      unansweredIntro: "Grouped by meaning, biggest group first: what you see here is what to write next.",
      topicsTitle: "Topics asked most", handoffsTitle: "To a colleague, and why",
      asTable: "Show as a table", period: "Period", channel: "Channel", count: "Count", topicColumn: "Topic",
      reasonColumn: "Reason", perHour: "per hour", perDay: "per day",
      chartLabel: "Bar chart: {title}, {resolution}. The figures are in the table below.",
      barsLabel: "Bar chart: {title}. The figures are in the table below.",
      timesAsked: "asked {n}×", writeAnswer: "New answer about this", wordingOf: "Wording of: {question}", belongsTo: "Does it belong to an existing answer?", noneUnanswered: "No unanswered questions in this period.",
      downloaded: "Downloaded.", loading: "Loading…", noData: "Nothing in this period."
    }
  };
  var CHANNEL_COLOURS = { webchat: "#00527a", telegram: "#1f7a6d", whatsapp: "#8a5a00", cli: "#5b3c99" };
  var SVG = "http://www.w3.org/2000/svg";
  var language = localStorage.getItem("loket-console-language") === "en" ? "en" : "nl";
  var token = sessionStorage.getItem("loket-console-token");
  var roles = (sessionStorage.getItem("loket-console-roles") || "").split(" ").filter(Boolean);
  var me = sessionStorage.getItem("loket-console-username") || "";
  var entry = null;       // { id, versions, answering } of the open entry, or { id: null } for a new one
  var shownVersion = null;
  var previewTimer = null;
  var lastReport = null;

  function $(id) { return document.getElementById(id); }
  function t(key, values) { return LoketStaff.fill(TEXT[language][key], values); }
  var element = LoketStaff.element;
  function svg(tag, attributes) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    return node;
  }
  function stateLabel(state) { return TEXT[language].states[state] || state; }
  function stateBadge(state) { return element("span", { class: "state state-" + state }, stateLabel(state)); }
  function isApprover() { return roles.indexOf("approver") >= 0 || roles.indexOf("admin") >= 0; }
  function when(iso) {
    if (!iso) return "";
    return new Date(iso).toLocaleString(language === "nl" ? "nl-NL" : "en-GB", { dateStyle: "medium", timeStyle: "short" });
  }
  function localInput(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    function two(n) { return String(n).padStart(2, "0"); }
    return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate()) + "T" + two(d.getHours()) + ":" + two(d.getMinutes()) + ":" + two(d.getSeconds());
  }
  function isoFrom(value) { return value ? new Date(value).toISOString() : null; }
  function lines(value) { return value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean); }

  function call(method, path, body) {
    return LoketStaff.request(method, path, token, body).catch(function (error) {
      if (error.status === 401 && path !== "/api/console/login") expired();
      throw error;
    });
  }
  function failTo(statusId) {
    return function (error) { $(statusId).textContent = t("failed", { message: error.message }); };
  }

  function applyLanguage() {
    document.documentElement.lang = language;
    document.querySelectorAll("[data-text]").forEach(function (node) { node.textContent = TEXT[language][node.dataset.text]; });
    document.querySelectorAll("[data-label]").forEach(function (node) { node.setAttribute("aria-label", TEXT[language][node.dataset.label]); });
    document.querySelectorAll("[data-text-placeholder]").forEach(function (node) { node.setAttribute("placeholder", TEXT[language][node.dataset.textPlaceholder]); });
    $("language").textContent = TEXT[language].switchTo;
    $("language").lang = language === "nl" ? "en" : "nl";
    if (token) route();
  }

  // ---- logging in and out; the login is shared with the agents' console ----
  function loggedIn() {
    $("login-view").hidden = true;
    $("logout").hidden = false;
    $("views").hidden = false;
    $("who").textContent = me;
    if (!location.hash) history.replaceState(null, "", "#antwoorden");
    route();
  }
  function forget() {
    token = null;
    LoketStaff.forgetSession();
  }
  function logout() {
    LoketStaff.logOut(token);
    token = null;
  }
  // An expired session keeps the page as it is, so the editor who logs in again finds a draft
  // where it was; someone else logging in gets the page empty.
  function expired() {
    forget();
    document.querySelectorAll(".view").forEach(function (view) { view.hidden = true; });
    $("views").hidden = true;
    $("logout").hidden = true;
    $("who").textContent = "";
    $("login-view").hidden = false;
    $("username").focus();
  }
  $("login-form").addEventListener("submit", function (event) {
    event.preventDefault();
    $("login-error").textContent = "";
    call("POST", "/api/console/login", {
      username: $("username").value, password: $("password").value, totp: $("totp").value || null
    }).then(function (data) {
      if (data.roles.indexOf("editor") < 0 && data.roles.indexOf("approver") < 0 && data.roles.indexOf("admin") < 0) {
        $("login-error").textContent = t("noEditor");
        return;
      }
      var before = me;
      token = data.token;
      roles = data.roles;
      me = data.username;
      sessionStorage.setItem("loket-console-token", token);
      sessionStorage.setItem("loket-console-roles", roles.join(" "));
      sessionStorage.setItem("loket-console-username", me);
      sessionStorage.setItem("loket-console-user", data.display_name);
      $("password").value = "";
      if (before && before !== me) location.reload();
      else loggedIn();
    }).catch(function () { $("login-error").textContent = t("loginFailed"); });
  });
  $("logout").addEventListener("click", logout);
  $("language").addEventListener("click", function () {
    language = language === "nl" ? "en" : "nl";
    localStorage.setItem("loket-console-language", language);
    applyLanguage();
  });

  var VIEWS = { "#antwoorden": "entries", "#beoordelen": "review", "#crisis": "crisis", "#inzicht": "insights" };
  function route() {
    if (!token) return;
    var name = VIEWS[location.hash] || "entries";
    document.querySelectorAll(".view").forEach(function (view) { view.hidden = view.id !== name + "-view"; });
    document.querySelectorAll("#views a").forEach(function (link) {
      if (VIEWS[link.getAttribute("href")] === name) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    });
    if (name === "entries") {
      loadList();
      if (entry && entry.id) openEntry(entry.id, shownVersion);
      else if (entry) $("entry-title").textContent = t("newEntryTitle");
    }
    if (name === "review") loadReview();
    if (name === "crisis") loadNotices();
    if (name === "insights") loadInsights();
  }
  window.addEventListener("hashchange", route);

  // ---- the list of answers ----
  function loadList() {
    var query = "?q=" + encodeURIComponent($("search").value) + "&state=" + encodeURIComponent($("state-filter").value);
    return call("GET", "/api/editor/entries" + query).then(function (data) {
      var list = $("entry-list");
      list.textContent = "";
      $("list-count").textContent = t("found", { n: data.total });
      data.entries.forEach(function (item) {
        var li = element("li");
        if (entry && entry.id === item.entry_id) li.setAttribute("aria-current", "true");
        var button = element("button", { type: "button", class: "link" }, item.question);
        button.addEventListener("click", function () { openEntry(item.entry_id); });
        li.appendChild(button);
        var meta = element("span", { class: "meta" });
        meta.appendChild(stateBadge(item.state));
        meta.appendChild(document.createTextNode(item.topic + " · " + t("versionLine", { version: item.version })));
        li.appendChild(meta);
        list.appendChild(li);
      });
    }).catch(failTo("entry-status"));
  }
  $("search-form").addEventListener("submit", function (event) { event.preventDefault(); loadList(); });
  $("new-entry").addEventListener("click", function () { newEntry(); });

  function loadTopics() {
    return call("GET", "/api/editor/topics").then(function (data) {
      var list = $("topics");
      list.textContent = "";
      data.topics.forEach(function (topic) { list.appendChild(element("option", { value: topic })); });
    }).catch(function () {});
  }

  // ---- one answer: its form, preview, versions ----
  function fill(version) {
    $("topic").value = version ? version.topic : "";
    $("questions-nl").value = version ? (version.questions.nl || []).join("\n") : "";
    $("questions-en").value = version ? (version.questions.en || []).join("\n") : "";
    $("answer-nl").value = version ? version.answers.nl || "" : "";
    $("answer-en").value = version ? version.answers.en || "" : "";
    $("source-url").value = version ? version.source_url : "";
    $("owner").value = version ? version.owner : "";
    $("valid-from").value = version ? localInput(version.valid_from) : "";
    $("valid-until").value = version ? localInput(version.valid_until) : "";
  }

  function newEntry(prefill) {
    opening += 1;  // an entry still loading is no longer wanted
    entry = { id: null, versions: [], answering: null };
    shownVersion = null;
    $("entry-title").textContent = t("newEntryTitle");
    $("entry-context").textContent = "";
    fill(null);
    if (prefill) $("questions-nl").value = prefill.join("\n");
    $("entry-form").hidden = false;
    $("submit-review").hidden = true;
    $("approve-box").hidden = true;
    $("review-note").hidden = true;
    $("history").hidden = true;
    $("wordings-box").hidden = true;
    $("preview").hidden = false;
    $("entry-status").textContent = "";
    loadTopics();
    schedulePreview();
    $("entry-title").focus();
  }

  // Only the entry opened last is shown, however the answers to earlier requests cross.
  var opening = 0;
  function openEntry(id, number) {
    var ticket = ++opening;
    return call("GET", "/api/editor/entries/" + encodeURIComponent(id)).then(function (data) {
      if (ticket !== opening) return;
      entry = { id: id, versions: data.versions, answering: data.answering };
      var version = data.versions.filter(function (v) { return v.version === number; })[0] || data.versions[0];
      shownVersion = version.version;
      $("entry-title").textContent = t("entryTitle", { id: id });
      $("entry-context").textContent = "";
      $("entry-context").appendChild(stateBadge(version.state));
      $("entry-context").appendChild(document.createTextNode(t("versionLine", { version: version.version }) + " · " + t("by", { who: version.author })));
      fill(version);
      $("entry-form").hidden = false;
      var newest = data.versions[0];
      $("submit-review").hidden = !(version === newest && newest.state === "draft");
      var reviewable = version.state === "in_review" && isApprover() && version.author !== "staff:" + me;
      $("approve-box").hidden = !reviewable;
      $("review-note").hidden = !version.review_note;
      $("review-note").textContent = version.review_note ? t("reviewNote", { note: version.review_note }) : "";
      $("retire").hidden = !(isApprover() && data.answering);
      renderVersions();
      loadWordings();
      $("history").hidden = false;
      $("preview").hidden = false;
      loadTopics();
      schedulePreview();
      loadList();
    }).catch(failTo("entry-status"));
  }

  function renderVersions() {
    var list = $("versions");
    list.textContent = "";
    entry.versions.forEach(function (version) {
      var li = element("li");
      if (version.version === shownVersion) li.setAttribute("aria-current", "true");
      li.appendChild(stateBadge(version.state));
      var parts = [t("versionLine", { version: version.version }), t("by", { who: version.author }), when(version.created_at)];
      if (version.approved_by) parts.push(t("approvedBy", { who: version.approved_by }));
      li.appendChild(document.createTextNode(parts.join(" · ")));
      var row = element("div", { class: "row" });
      var open = element("button", { type: "button", class: "secondary" }, t("openVersion"));
      open.setAttribute("aria-label", t("openVersion") + " " + t("versionLine", { version: version.version }));
      open.addEventListener("click", function () { openEntry(entry.id, version.version); });
      row.appendChild(open);
      var diff = element("button", { type: "button", class: "secondary" }, t("diffButton"));
      diff.setAttribute("aria-label", t("diffButton") + " " + t("versionLine", { version: version.version }));
      diff.addEventListener("click", function () { showDiff(version.version); });
      row.appendChild(diff);
      if (isApprover() && version.approved_by && version.version !== entry.answering) {
        var restore = element("button", { type: "button", class: "secondary" }, t("rollbackButton"));
        restore.setAttribute("aria-label", t("rollbackButton") + " " + t("versionLine", { version: version.version }));
        restore.addEventListener("click", function () { rollback(version.version); });
        row.appendChild(restore);
      }
      li.appendChild(row);
      list.appendChild(li);
    });
  }

  // ---- residents' wordings of the answer's question ----
  function wordingMessage(error) {
    return error.code === "personal_data" ? t("wordingPersonal") : t("failed", { message: error.message });
  }

  // Approve, reject or remove a wording, say so in `statusId`, then show the list again.
  function wordingStep(wording, step, doneText, statusId, then) {
    call("POST", "/api/editor/wordings/" + wording.id + "/" + step, step === "approve" ? undefined : { note: "" }).then(function () {
      $(statusId).textContent = t(doneText);
      then();
    }).catch(function (error) { $(statusId).textContent = wordingMessage(error); });
  }

  // What the assistant answers the wording now: what approving it would change.
  function nowText(wording) {
    var now = wording.now;
    if (now.outcome === "answer" && now.answer.entry_id === wording.entry_id) return t("nowSame");
    if (now.outcome === "answer") return t("nowOther", { question: now.answer.question });
    if (now.outcome === "choices") {
      return t("nowChoices", { questions: now.alternatives.map(function (c) { return c.question; }).join(" / ") });
    }
    return t("nowNone");
  }

  // What approving the wording takes from the answers it comes close to, measured by the server
  // one wording at a time (a second or two each); a newer `list` stops the older one's round.
  var rounds = {};
  function measureEffects(list, pending) {
    var round = rounds[list] = (rounds[list] || 0) + 1;
    pending.reduce(function (previous, item) {
      return previous.then(function () {
        if (round !== rounds[list]) return null;
        return call("GET", "/api/editor/wordings/" + item.wording.id + "/effect").then(function (found) {
          item.line.textContent = effectText(found);
        }).catch(function () { item.line.textContent = t("effectFailed"); });
      });
    }, Promise.resolve());
  }

  function effectText(found) {
    if (!found.answerable) return t("effectUnanswerable");
    if (!found.measured) return t("effectNothing");
    if (!found.taken) return t("effectKept", { measured: found.measured });
    var items = [];
    found.neighbours.forEach(function (neighbour) {
      neighbour.wordings.forEach(function (wording) {
        items.push(t("effectItem", { wording: wording, question: neighbour.question }));
      });
    });
    return t("effectTaken", { taken: found.taken, measured: found.measured, items: items.join("; ") });
  }

  function wordingButton(label, wording, handler, kind) {
    var attributes = { type: "button" };
    if (kind) attributes.class = kind;
    var button = element("button", attributes, label);
    button.setAttribute("aria-label", label + ": " + wording.text);
    button.addEventListener("click", handler);
    return button;
  }

  function loadWordings() {
    var id = entry.id;
    $("wordings-box").hidden = false;
    return call("GET", "/api/editor/entries/" + encodeURIComponent(id) + "/wordings").then(function (data) {
      if (!entry || entry.id !== id) return;
      var list = $("wordings");
      list.textContent = "";
      var shown = data.wordings.filter(function (w) { return w.status === "proposed" || w.status === "approved"; });
      if (!shown.length) list.appendChild(element("li", {}, t("wordingsNone")));
      var pending = [];
      shown.forEach(function (wording) {
        var li = element("li");
        li.appendChild(element("span", { class: "state state-wording-" + wording.status }, TEXT[language].wordingStates[wording.status]));
        li.appendChild(element("q", {}, wording.text));
        li.appendChild(element("span", { class: "meta" }, t("wordingBy", { who: wording.proposed_by }) + " · " + when(wording.proposed_at)));
        if (wording.status === "proposed") {
          var effect = element("span", { class: "meta effect", "aria-live": "polite" }, t("effectMeasuring"));
          li.appendChild(effect);
          pending.push({ wording: wording, line: effect });
        }
        var row = element("div", { class: "row" });
        var mine = wording.proposed_by === "staff:" + me;
        if (wording.status === "proposed" && isApprover() && !mine) {
          row.appendChild(wordingButton(t("wordingApprove"), wording, function () {
            wordingStep(wording, "approve", "wordingApproved", "wording-status", loadWordings);
          }));
        }
        if (wording.status === "proposed" && (isApprover() || mine)) {
          row.appendChild(wordingButton(t(mine ? "wordingWithdraw" : "wordingReject"), wording, function () {
            wordingStep(wording, "reject", "wordingRejected", "wording-status", loadWordings);
          }, "secondary"));
        }
        if (wording.status === "approved" && isApprover()) {
          row.appendChild(wordingButton(t("wordingRemove"), wording, function () {
            wordingStep(wording, "remove", "wordingRemoved", "wording-status", loadWordings);
          }, "danger"));
        }
        if (row.childNodes.length) li.appendChild(row);
        list.appendChild(li);
      });
      measureEffects("entry", pending);
    }).catch(failTo("wording-status"));
  }

  $("wording-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = $("wording-text").value.trim();
    if (!entry || !entry.id || !text) return;
    call("POST", "/api/editor/entries/" + encodeURIComponent(entry.id) + "/wordings", { text: text }).then(function () {
      $("wording-text").value = "";
      $("wording-status").textContent = t("wordingProposed");
      loadWordings();
    }).catch(function (error) { $("wording-status").textContent = wordingMessage(error); });
  });

  function showDiff(number) {
    call("GET", "/api/editor/entries/" + encodeURIComponent(entry.id) + "/versions/" + number + "/diff").then(function (data) {
      $("diff").hidden = false;
      $("diff-title").textContent = data.against ? t("diffTitle", { version: number, against: data.against }) : t("diffFirst", { version: number });
      var fields = $("diff-fields");
      fields.textContent = "";
      if (!data.changes.length) fields.appendChild(element("dd", {}, t("noChanges")));
      data.changes.forEach(function (change) {
        fields.appendChild(element("dt", {}, TEXT[language].fields[change.field] || change.field));
        var dd = element("dd");
        change.pieces.forEach(function (piece) {
          var tag = piece[0] === "insert" ? "ins" : piece[0] === "delete" ? "del" : "span";
          dd.appendChild(element(tag, {}, piece[1]));
        });
        fields.appendChild(dd);
      });
      $("diff-title").focus();
    }).catch(failTo("entry-status"));
  }

  function formContent() {
    var questions = { nl: lines($("questions-nl").value) };
    var english = lines($("questions-en").value);
    if (english.length) questions.en = english;
    var answers = { nl: $("answer-nl").value.trim() };
    if ($("answer-en").value.trim()) answers.en = $("answer-en").value.trim();
    return {
      topic: $("topic").value.trim(), questions: questions, answers: answers,
      source_url: $("source-url").value.trim(), owner: $("owner").value.trim(),
      valid_from: isoFrom($("valid-from").value), valid_until: isoFrom($("valid-until").value)
    };
  }

  $("entry-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var body = formContent();
    var request = entry && entry.id
      ? call("POST", "/api/editor/entries/" + encodeURIComponent(entry.id) + "/versions", Object.assign(body, { based_on: entry.versions[0].version }))
      : call("POST", "/api/editor/entries", body);
    request.then(function (version) {
      return openEntry(version.entry_id, version.version).then(function () {
        $("entry-status").textContent = t("saved", { version: version.version });
      });
    }).catch(failTo("entry-status"));
  });

  $("submit-review").addEventListener("click", function () {
    var number = entry.versions[0].version;
    call("POST", "/api/editor/entries/" + encodeURIComponent(entry.id) + "/versions/" + number + "/submit").then(function () {
      return openEntry(entry.id, number).then(function () { $("entry-status").textContent = t("submitted", { version: number }); });
    }).catch(failTo("entry-status"));
  });

  $("approve").addEventListener("click", function () {
    var number = shownVersion;
    call("POST", "/api/editor/entries/" + encodeURIComponent(entry.id) + "/versions/" + number + "/approve").then(function (version) {
      return openEntry(entry.id, number).then(function () {
        $("entry-status").textContent = t(version.state === "live" ? "published" : "scheduledSaved", { version: number });
      });
    }).catch(failTo("entry-status"));
  });

  $("reject").addEventListener("click", function () {
    var number = shownVersion;
    call("POST", "/api/editor/entries/" + encodeURIComponent(entry.id) + "/versions/" + number + "/reject", { note: $("reject-note").value }).then(function () {
      $("reject-note").value = "";
      return openEntry(entry.id, number).then(function () { $("entry-status").textContent = t("rejected", { version: number }); });
    }).catch(failTo("entry-status"));
  });

  function rollback(number) {
    call("POST", "/api/editor/entries/" + encodeURIComponent(entry.id) + "/rollback", { version: number }).then(function (version) {
      return openEntry(entry.id, version.version).then(function () {
        $("entry-status").textContent = t("rolledBack", { from: number, version: version.version });
      });
    }).catch(failTo("entry-status"));
  }

  $("retire").addEventListener("click", function () {
    if (!window.confirm(t("retireSure"))) return;
    call("POST", "/api/editor/entries/" + encodeURIComponent(entry.id) + "/retire").then(function () {
      return openEntry(entry.id).then(function () { $("entry-status").textContent = t("retired"); });
    }).catch(failTo("entry-status"));
  });

  function schedulePreview() {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(updatePreview, 300);
  }
  function pieces(parts) {
    var p = element("p");
    parts.forEach(function (piece) {
      if (piece.kind === "bold") p.appendChild(element("strong", {}, piece.text));
      else if (piece.kind === "link") p.appendChild(element("a", { href: piece.url, target: "_blank", rel: "noopener noreferrer" }, piece.text));
      else p.appendChild(document.createTextNode(piece.text));
    });
    return p;
  }
  function updatePreview() {
    var content = formContent();
    if (!content.answers.nl) {
      ["webchat", "telegram", "whatsapp"].forEach(function (name) { $("preview-" + name).textContent = ""; });
      return;
    }
    call("POST", "/api/editor/preview", {
      topic: content.topic, answers: content.answers, source_url: content.source_url, language: $("preview-language").value
    }).then(function (data) {
      ["webchat", "telegram", "whatsapp"].forEach(function (name) {
        var box = $("preview-" + name);
        box.textContent = "";
        data.channels[name].forEach(function (message) { box.appendChild(pieces(message)); });
      });
    }).catch(function () {});
  }
  ["answer-nl", "answer-en", "source-url", "topic"].forEach(function (id) { $(id).addEventListener("input", schedulePreview); });
  $("preview-language").addEventListener("change", updatePreview);

  $("try-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var question = $("try-question").value.trim();
    if (!question) return;
    call("POST", "/api/editor/try", { question: question }).then(function (data) {
      var box = $("try-result");
      box.textContent = "";
      if (data.answer) {
        box.appendChild(element("p", {}, t("tryAnswer", {
          question: data.answer.question, id: data.answer.entry_id, version: data.answer.version, score: data.answer.score.toFixed(2)
        })));
      } else if (data.alternatives.length) {
        box.appendChild(element("p", {}, t("tryChoices")));
        var list = element("ul");
        data.alternatives.forEach(function (c) { list.appendChild(element("li", {}, c.question + " (" + c.entry_id + ")")); });
        box.appendChild(list);
      } else {
        box.appendChild(element("p", {}, t("tryNone")));
      }
    }).catch(failTo("entry-status"));
  });

  // ---- review ----
  function loadReview() {
    call("GET", "/api/editor/review").then(function (data) {
      var list = $("review-list");
      list.textContent = "";
      $("review-empty").hidden = data.versions.length > 0;
      data.versions.forEach(function (version) {
        var li = element("li");
        var open = element("button", { type: "button", class: "link" }, version.questions.nl[0]);
        open.addEventListener("click", function () {
          entry = { id: version.entry_id };
          shownVersion = version.version;
          location.hash = "#antwoorden";
        });
        li.appendChild(open);
        var meta = [version.entry_id, t("versionLine", { version: version.version }), t("by", { who: version.author }), when(version.created_at)];
        if (version.mine) meta.push(t("mine"));
        li.appendChild(element("span", { class: "meta" }, meta.join(" · ")));
        list.appendChild(li);
      });
      var wordings = $("wording-review");
      wordings.textContent = "";
      $("wording-review-empty").hidden = data.wordings.length > 0;
      var pending = [];
      data.wordings.forEach(function (wording) {
        var li = element("li");
        li.appendChild(element("q", {}, wording.text));
        var meta = [t("wordingFor", { question: wording.question }), t("wordingBy", { who: wording.proposed_by }), when(wording.proposed_at)];
        if (wording.mine) meta.push(t("wordingMine"));
        li.appendChild(element("span", { class: "meta" }, meta.join(" · ")));
        li.appendChild(element("span", { class: "meta" }, nowText(wording)));
        // The entries it comes close to besides its own: their residents' questions may follow it.
        var others = wording.now.candidates.filter(function (c) { return c.entry_id !== wording.entry_id; });
        if (others.length) {
          li.appendChild(element("span", { class: "meta" }, t("alsoNear", { questions: others.map(function (c) { return c.question; }).join(" / ") })));
        }
        var effect = element("span", { class: "meta effect", "aria-live": "polite" }, t("effectMeasuring"));
        li.appendChild(effect);
        pending.push({ wording: wording, line: effect });
        var row = element("div", { class: "row" });
        if (isApprover() && !wording.mine) {
          row.appendChild(wordingButton(t("wordingApprove"), wording, function () {
            wordingStep(wording, "approve", "wordingApproved", "review-status", loadReview);
          }));
        }
        if (isApprover() || wording.mine) {
          row.appendChild(wordingButton(t(wording.mine ? "wordingWithdraw" : "wordingReject"), wording, function () {
            wordingStep(wording, "reject", "wordingRejected", "review-status", loadReview);
          }, "secondary"));
        }
        if (row.childNodes.length) li.appendChild(row);
        wordings.appendChild(li);
      });
      measureEffects("review", pending);
    }).catch(function () {});
  }

  // ---- crisis notices ----
  function loadNotices() {
    call("GET", "/api/editor/notices").then(function (data) {
      var list = $("notice-list");
      list.textContent = "";
      if (!data.notices.length) list.appendChild(element("li", {}, t("noNotices")));
      data.notices.forEach(function (notice) {
        var li = element("li");
        li.appendChild(stateBadge(notice.state));
        li.appendChild(element("strong", {}, notice.title.nl));
        li.appendChild(element("span", { class: "meta" }, notice.body.nl));
        var meta = [t("noticeWindow", { from: when(notice.starts_at), to: when(notice.ends_at) }), t("by", { who: notice.author })];
        if (notice.approved_by) meta.push(t("approvedBy", { who: notice.approved_by }));
        if (notice.urgent) meta.push(t("noticeUrgent"));
        li.appendChild(element("span", { class: "meta" }, meta.join(" · ")));
        var row = element("div", { class: "row" });
        if (isApprover() && notice.state === "in_review" && notice.author !== "staff:" + me) {
          var approve = element("button", { type: "button" }, t("approveNotice"));
          approve.addEventListener("click", function () { noticeStep(notice.id, "approve", null, "noticePublished"); });
          row.appendChild(approve);
        }
        if (isApprover() && (notice.state === "live" || notice.state === "scheduled")) {
          var end = element("button", { type: "button", class: "danger" }, t("endNotice"));
          end.setAttribute("aria-label", t("endNotice") + ": " + notice.title.nl);
          end.addEventListener("click", function () { noticeStep(notice.id, "end", null, "noticeEnded"); });
          row.appendChild(end);
        }
        if (row.childNodes.length) li.appendChild(row);
        list.appendChild(li);
      });
    }).catch(failTo("crisis-status"));
    $("urgent-box").hidden = !isApprover();
  }

  function noticeStep(id, step, body, done) {
    return call("POST", "/api/editor/notices/" + id + "/" + step, body).then(function () {
      $("crisis-status").textContent = t(done);
      loadNotices();
    }).catch(failTo("crisis-status"));
  }

  function noticeContent() {
    var title = { nl: $("notice-title-nl").value.trim() };
    var body = { nl: $("notice-body-nl").value.trim() };
    if ($("notice-title-en").value.trim()) title.en = $("notice-title-en").value.trim();
    if ($("notice-body-en").value.trim()) body.en = $("notice-body-en").value.trim();
    var push = parseInt($("notice-push").value, 10);
    return {
      title: title, body: body, url: $("notice-url").value.trim(),
      topics: $("notice-topics").value.split(",").map(function (s) { return s.trim(); }).filter(Boolean),
      starts_at: isoFrom($("notice-start").value), ends_at: isoFrom($("notice-end").value),
      push_hours: isNaN(push) ? null : push
    };
  }
  function clearNoticeForm() {
    ["notice-title-nl", "notice-body-nl", "notice-title-en", "notice-body-en", "notice-url", "notice-topics", "notice-start", "notice-end", "notice-push"].forEach(function (id) { $(id).value = ""; });
    $("urgent-sure").checked = false;
  }

  $("notice-form").addEventListener("submit", function (event) {
    event.preventDefault();
    call("POST", "/api/editor/notices", noticeContent()).then(function (notice) {
      return noticeStep(notice.id, "submit", null, "noticeSubmitted");
    }).then(clearNoticeForm).catch(failTo("crisis-status"));
  });
  $("urgent-publish").addEventListener("click", function () {
    if (!$("urgent-sure").checked) { $("crisis-status").textContent = t("urgentFirst"); $("urgent-sure").focus(); return; }
    call("POST", "/api/editor/notices", noticeContent()).then(function (notice) {
      return noticeStep(notice.id, "urgent", { confirm: true }, "noticePublished");
    }).then(clearNoticeForm).catch(failTo("crisis-status"));
  });

  // ---- insights ----
  function loadInsights() {
    var query = [];
    if ($("range-from").value) query.push("from=" + $("range-from").value);
    if ($("range-to").value) query.push("to=" + $("range-to").value);
    $("insights-status").textContent = t("loading");
    call("GET", "/api/editor/insights" + (query.length ? "?" + query.join("&") : "")).then(function (report) {
      lastReport = report;
      $("insights-status").textContent = "";
      if (!$("range-from").value) $("range-from").value = report.from.slice(0, 10);
      renderInsights(report);
      $("insights").hidden = false;
    }).catch(failTo("insights-status"));
  }
  $("range-form").addEventListener("submit", function (event) { event.preventDefault(); loadInsights(); });

  function table(caption, headings, rows) {
    var details = element("details");
    details.appendChild(element("summary", {}, t("asTable")));
    var tableNode = element("table");
    tableNode.appendChild(element("caption", {}, caption));
    var head = element("tr");
    headings.forEach(function (h) { head.appendChild(element("th", { scope: "col" }, h)); });
    var thead = element("thead");
    thead.appendChild(head);
    tableNode.appendChild(thead);
    var body = element("tbody");
    rows.forEach(function (row) {
      var tr = element("tr");
      row.forEach(function (cell) { tr.appendChild(element("td", {}, String(cell))); });
      body.appendChild(tr);
    });
    tableNode.appendChild(body);
    details.appendChild(tableNode);
    return details;
  }

  function stackedBars(box, rows, resolution, title) {
    var periods = [];
    var channels = [];
    var totals = {};
    rows.forEach(function (row) {
      if (periods.indexOf(row.period) < 0) periods.push(row.period);
      if (channels.indexOf(row.channel) < 0) channels.push(row.channel);
      totals[row.period] = (totals[row.period] || 0) + row.conversations;
    });
    if (!rows.length) { box.appendChild(element("p", {}, t("noData"))); return; }
    var max = Math.max.apply(null, [1].concat(Object.keys(totals).map(function (k) { return totals[k]; })));
    var width = 720, height = 220, left = 40, bottom = 40;
    var step = periods.length ? (width - left) / periods.length : 0;
    var chart = svg("svg", { viewBox: "0 0 " + width + " " + height, role: "img", "aria-label": t("chartLabel", { title: title, resolution: t(resolution === "hour" ? "perHour" : "perDay") }) });
    chart.appendChild(svg("line", { x1: left, y1: height - bottom, x2: width, y2: height - bottom, stroke: "#1a1a1a" }));
    var maxLabel = svg("text", { x: left - 6, y: 12, "text-anchor": "end", "font-size": 12 });
    maxLabel.textContent = String(max);
    chart.appendChild(maxLabel);
    periods.forEach(function (period, i) {
      var y = height - bottom;
      channels.forEach(function (channel) {
        var row = rows.filter(function (r) { return r.period === period && r.channel === channel; })[0];
        if (!row) return;
        var h = (row.conversations / max) * (height - bottom - 16);
        y -= h;
        var rect = svg("rect", { x: left + i * step + 2, y: y, width: Math.max(step - 4, 1), height: h, fill: CHANNEL_COLOURS[channel] || "#4a4a4a" });
        var tip = svg("title");
        tip.textContent = period + " · " + channel + ": " + row.conversations;
        rect.appendChild(tip);
        chart.appendChild(rect);
      });
      if (periods.length <= 14 || i % Math.ceil(periods.length / 14) === 0) {
        var label = svg("text", { x: left + i * step + step / 2, y: height - bottom + 16, "text-anchor": "middle", "font-size": 11 });
        label.textContent = resolution === "hour" ? period.slice(11, 16) : period.slice(5, 10);
        chart.appendChild(label);
      }
    });
    box.appendChild(chart);
    var legend = element("ul", { class: "legend" });
    channels.forEach(function (channel) {
      var li = element("li");
      li.appendChild(element("span", { class: "swatch", style: "background:" + (CHANNEL_COLOURS[channel] || "#4a4a4a"), "aria-hidden": "true" }));
      li.appendChild(document.createTextNode(channel));
      legend.appendChild(li);
    });
    box.appendChild(legend);
    box.appendChild(table(title, [t("period"), t("channel"), t("count")], rows.map(function (r) { return [r.period, r.channel, r.conversations]; })));
  }

  function horizontalBars(box, items, title, heading) {
    if (!items.length) { box.appendChild(element("p", {}, t("noData"))); return; }
    var max = Math.max.apply(null, [1].concat(items.map(function (item) { return item.value; })));
    var rowHeight = 26, labelWidth = 260, width = 720;
    var chart = svg("svg", { viewBox: "0 0 " + width + " " + Math.max(items.length * rowHeight, rowHeight), role: "img", "aria-label": t("barsLabel", { title: title }) });
    items.forEach(function (item, i) {
      var label = svg("text", { x: labelWidth - 8, y: i * rowHeight + 17, "text-anchor": "end", "font-size": 13 });
      label.textContent = item.label;
      chart.appendChild(label);
      var w = (item.value / max) * (width - labelWidth - 50);
      chart.appendChild(svg("rect", { x: labelWidth, y: i * rowHeight + 4, width: Math.max(w, 1), height: rowHeight - 8, fill: "#00527a" }));
      var value = svg("text", { x: labelWidth + w + 6, y: i * rowHeight + 17, "font-size": 13 });
      value.textContent = String(item.value);
      chart.appendChild(value);
    });
    box.appendChild(chart);
    box.appendChild(table(title, [heading, t("count")], items.map(function (item) { return [item.label, item.value]; })));
  }

  function renderInsights(report) {
    var conversations = report.conversations.reduce(function (sum, r) { return sum + r.conversations; }, 0);
    var outcomes = report.outcomes;
    var asked = (outcomes.answer || 0) + (outcomes.choices || 0) + (outcomes.dont_know || 0);
    $("tile-conversations").textContent = String(conversations);
    $("tile-answered").textContent = asked ? Math.round(100 * (outcomes.answer || 0) / asked) + "%" : "–";
    $("tile-handoff").textContent = Math.round(100 * report.handoffs.rate) + "%";

    var box = $("chart-conversations");
    box.textContent = "";
    stackedBars(box, report.conversations, report.resolution, t("chartConversations"));

    var list = $("unanswered");
    list.textContent = "";
    if (!report.unanswered.length) list.appendChild(element("li", {}, t("noneUnanswered")));
    report.unanswered.forEach(function (group) {
      var li = element("li");
      li.appendChild(element("strong", {}, group.question));
      li.appendChild(element("span", { class: "meta" }, t("timesAsked", { n: group.count }) + " · " + when(group.last_asked)));
      if (group.examples.length > 1) {
        var examples = element("ul");
        group.examples.slice(1).forEach(function (example) { examples.appendChild(element("li", {}, example)); });
        li.appendChild(examples);
      }
      var write = element("button", { type: "button", class: "secondary" }, t("writeAnswer"));
      write.setAttribute("aria-label", t("writeAnswer") + ": " + group.question);
      write.addEventListener("click", function () {
        history.pushState(null, "", "#antwoorden");
        route();
        newEntry(group.examples);
      });
      li.appendChild(write);
      if (group.similar && group.similar.length) {
        // Asked in other words than an entry's: a wording of that entry may be all it needs.
        var similar = element("details");
        similar.appendChild(element("summary", {}, t("belongsTo")));
        group.similar.forEach(function (entry) {
          var teach = element("button", { type: "button", class: "secondary" }, t("wordingOf", { question: entry.question }));
          teach.addEventListener("click", function () {
            history.pushState(null, "", "#antwoorden");
            route();
            openEntry(entry.entry_id).then(function () {
              $("wording-text").value = group.question;
              $("wording-text").focus();
            });
          });
          similar.appendChild(teach);
        });
        li.appendChild(similar);
      }
      list.appendChild(li);
    });

    box = $("chart-topics");
    box.textContent = "";
    horizontalBars(box, report.topics.map(function (topic) { return { label: topic.topic, value: topic.answers }; }), t("topicsTitle"), t("topicColumn"));
    box = $("chart-handoffs");
    box.textContent = "";
    horizontalBars(box, report.handoffs.reasons.map(function (r) {
      return { label: LoketStaff.REASONS[language][r.reason] || r.reason, value: r.count };
    }), t("handoffsTitle"), t("reasonColumn"));
  }

  document.querySelectorAll("button.csv").forEach(function (button) {
    button.addEventListener("click", function () {
      var query = "?table=" + button.dataset.table;
      if (lastReport) query += "&from=" + $("range-from").value + (($("range-to").value) ? "&to=" + $("range-to").value : "");
      fetch("/api/editor/insights.csv" + query, { headers: { Authorization: "Bearer " + token } }).then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        var name = (response.headers.get("Content-Disposition") || "").split("filename=")[1] || "loket.csv";
        return response.blob().then(function (blob) {
          var link = element("a", { href: URL.createObjectURL(blob), download: name.replace(/"/g, "") });
          document.body.appendChild(link);
          link.click();
          link.remove();
          $("insights-status").textContent = t("downloaded");
        });
      }).catch(failTo("insights-status"));
    });
  });

  applyLanguage();
  if (token) loggedIn();
})();
