// Loket web chat widget. One tag on the municipality's site, no build step:
//   <script src="https://loket.example.nl/static/widget.js" defer></script>
// Options as data attributes on that tag: data-language="nl|en" (default: the page's language),
// data-mode="inline" (show the chat in place of the tag's data-target element instead of as a
// button in the corner), data-target="#element-id".
// Every text is inserted with textContent, never as HTML. Answers may use Loket's small markup
// (**bold**, [label](https://...), bare https:// addresses, "- " list lines), built here as nodes.
(function () {
  "use strict";
  var script = document.currentScript;
  var base = new URL(script.src, document.baseURI).origin;
  var api = base + "/api/webchat";
  var pageLanguage = (script.dataset.language || document.documentElement.lang || navigator.language || "nl").slice(0, 2);
  var language = pageLanguage === "en" ? "en" : "nl";
  var inline = script.dataset.mode === "inline";
  var storageKey = "loket-token:" + base;

  var TEXT = {
    nl: {
      open: "Chat met de gemeente", close: "Sluiten", title: "Stel uw vraag aan de gemeente",
      intro: "U chat met de digitale assistent. U krijgt direct antwoord, dag en nacht. Wilt u een medewerker spreken? Typ dan \"medewerker\".",
      log: "Gesprek", label: "Uw bericht", send: "Verstuur",
      help: "Druk op Enter om te versturen, Shift+Enter voor een nieuwe regel.",
      you: "U: ", them: "Gemeente: ", agent: "Medewerker: ", notice: "Belangrijk bericht: ", typing: "De assistent typt…", empty: "Typ eerst uw vraag.",
      notices: "Belangrijke berichten van de gemeente", updates: "Laatste nieuws",
      openNotice: "Chat met de gemeente · Belangrijk bericht",
      failed: "Uw bericht is niet verstuurd. Probeer het opnieuw.",
      offline: "Verbinding verbroken. Opnieuw verbinden…",
      unavailable: "De chat is nu niet bereikbaar. Probeer het later opnieuw."
    },
    en: {
      open: "Chat with the municipality", close: "Close", title: "Ask the municipality",
      intro: "You are chatting with the digital assistant. You get an answer straight away, day and night. Would you rather talk to a person? Type \"person\".",
      log: "Conversation", label: "Your message", send: "Send",
      help: "Press Enter to send, Shift+Enter for a new line.",
      you: "You: ", them: "Municipality: ", agent: "Colleague: ", notice: "Important message: ", typing: "The assistant is typing…", empty: "Please type your question first.",
      notices: "Important messages from the municipality", updates: "Latest news",
      openNotice: "Chat with the municipality · Important message",
      failed: "Your message was not sent. Please try again.",
      offline: "Connection lost. Reconnecting…",
      unavailable: "The chat cannot be reached right now. Please try again later."
    }
  }[language];

  var STYLE = [
    ":host { all: initial; font: 1.0625rem/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: #1a1a1a; }",
    "* { box-sizing: border-box; }",
    ".launcher { position: fixed; right: 1rem; bottom: 1rem; z-index: 2147483000; }",
    ".panel { display: flex; flex-direction: column; background: #fff; }",
    ".floating { position: fixed; right: 1rem; bottom: 4.5rem; width: min(26rem, calc(100vw - 2rem));",
    "  height: min(36rem, calc(100vh - 6rem)); border: 1px solid #6b6b6b; border-radius: .5rem;",
    "  box-shadow: 0 .5rem 2rem rgba(0,0,0,.25); z-index: 2147483000; padding: .75rem; }",
    ".inline { min-height: 30rem; }",
    ".panel[hidden] { display: none; }",
    ".header { display: flex; justify-content: space-between; align-items: center; gap: .5rem; }",
    "h2 { font-size: 1.25rem; margin: .25rem 0; }",
    ".intro, .help, .status { color: #4a4a4a; font-size: .9375rem; margin: .25rem 0; }",
    ".status { min-height: 1.5em; }",
    ".transcript { flex: 1; overflow-y: auto; border: 1px solid #8a8a8a; border-radius: .5rem; padding: .5rem; min-height: 10rem; }",
    ".transcript:focus { outline: 3px solid #00527a; outline-offset: 2px; }",
    ".entry { display: flex; flex-direction: column; }",
    ".message { margin: .375rem 0; max-width: 85%; padding: .5rem .75rem; border-radius: .75rem; white-space: pre-wrap; overflow-wrap: anywhere; }",
    ".message.in { align-self: flex-end; background: #00527a; color: #fff; }",
    ".message.out { background: #eef3f6; }",
    ".pending .message { opacity: .7; }",
    ".who { position: absolute; left: -9999px; }",
    ".message a { color: #00466a; text-decoration: underline; }",
    ".message.agent { background: #fdf3d8; border-left: 4px solid #8a5a00; }",
    ".message.agent .who { position: static; display: block; font-weight: 600; }",
    ".choices { display: flex; flex-wrap: wrap; gap: .5rem; margin: .25rem 0 .5rem; }",
    ".notices:empty { display: none; }",
    ".notices { margin: .25rem 0 .5rem; max-height: 40%; overflow-y: auto; }",
    ".notice-banner { background: #fbe3e4; border-left: 4px solid #b00020; border-radius: .375rem; padding: .5rem .75rem; margin-bottom: .375rem; }",
    ".notice-banner h3 { font-size: 1rem; margin: 0 0 .25rem; }",
    ".notice-banner p { margin: 0 0 .25rem; white-space: pre-wrap; }",
    ".notice-banner a, .message.notice a { color: #7a0010; text-decoration: underline; }",
    ".message.notice { background: #fbe3e4; border-left: 4px solid #b00020; }",
    ".message.notice .who { position: static; display: block; font-weight: 600; }",
    "label { font-weight: 600; display: block; margin-top: .25rem; }",
    ".row { display: flex; gap: .5rem; }",
    "textarea { flex: 1; font: inherit; padding: .5rem; border: 2px solid #6b6b6b; border-radius: .375rem; resize: vertical; }",
    "button { font: inherit; padding: .5rem 1rem; border: 2px solid #00527a; border-radius: .375rem; background: #00527a; color: #fff; cursor: pointer; }",
    ".choices button, .close { background: #fff; color: #00527a; }",
    ".launcher.alert { background: #b00020; border-color: #b00020; }",
    "button:focus-visible, textarea:focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }"
  ].join("\n");

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text) node.textContent = text;
    return node;
  }

  var host = element("div", { id: "loket-chat", lang: language });
  var root = host.attachShadow({ mode: "open" });
  root.appendChild(element("style", {}, STYLE));

  var panel = element("section", { class: "panel " + (inline ? "inline" : "floating"), id: "loket-panel", "aria-labelledby": "loket-title" });
  var header = element("div", { class: "header" });
  header.appendChild(element("h2", { id: "loket-title" }, TEXT.title));
  var closeButton = element("button", { type: "button", class: "close" }, TEXT.close);
  if (!inline) header.appendChild(closeButton);
  panel.appendChild(header);
  panel.appendChild(element("p", { class: "intro" }, TEXT.intro));
  var noticeBoard = element("div", { class: "notices", role: "region", "aria-label": TEXT.notices, "aria-live": "polite" });
  panel.appendChild(noticeBoard);
  var transcript = element("div", { class: "transcript", role: "log", "aria-live": "polite", "aria-relevant": "additions", "aria-label": TEXT.log, tabindex: "0" });
  panel.appendChild(transcript);
  var statusLine = element("p", { class: "status", role: "status", "aria-live": "polite" });
  panel.appendChild(statusLine);
  var form = element("form", { novalidate: "" });
  form.appendChild(element("label", { for: "loket-input" }, TEXT.label));
  var row = element("div", { class: "row" });
  var input = element("textarea", { id: "loket-input", rows: "2", maxlength: "4000", required: "", "aria-describedby": "loket-help" });
  row.appendChild(input);
  row.appendChild(element("button", { type: "submit" }, TEXT.send));
  form.appendChild(row);
  form.appendChild(element("p", { class: "help", id: "loket-help" }, TEXT.help));
  panel.appendChild(form);

  var launcher = element("button", { type: "button", class: "launcher", "aria-expanded": "false", "aria-controls": "loket-panel" }, TEXT.open);
  if (inline) {
    root.appendChild(panel);
  } else {
    panel.hidden = true;
    root.appendChild(launcher);
    root.appendChild(panel);
  }
  var target = inline && script.dataset.target ? document.querySelector(script.dataset.target) : null;
  (target || document.body).appendChild(host);

  var shown = {};
  var token = sessionStorage.getItem(storageKey);
  var events = null;
  var started = null;

  function setStatus(text) { statusLine.textContent = text; }

  var MARKUP = /\*\*([^*\n]+?)\*\*|\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)|(https?:\/\/[^\s<>()]*[^\s<>().,;:!?'"])/g;

  function link(label, url) {
    var node = element("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, label);
    return node;
  }

  // The same markup as channels/formatting.py renders for Telegram and WhatsApp.
  function rich(text) {
    var fragment = document.createDocumentFragment();
    text = text.replace(/^- /gm, "\u2022 ");
    var position = 0;
    var match;
    MARKUP.lastIndex = 0;
    while ((match = MARKUP.exec(text)) !== null) {
      if (match.index > position) fragment.appendChild(document.createTextNode(text.slice(position, match.index)));
      if (match[1]) fragment.appendChild(element("strong", {}, match[1]));
      else if (match[2]) fragment.appendChild(link(match[2], match[3]));
      else fragment.appendChild(link(match[4], match[4]));
      position = MARKUP.lastIndex;
    }
    if (position < text.length) fragment.appendChild(document.createTextNode(text.slice(position)));
    return fragment;
  }

  function bubble(direction, text, sender) {
    var entry = element("div", { class: "entry" });
    var kind = sender === "agent" || sender === "notice" ? " " + sender : "";
    var body = element("div", { class: "message " + (direction === "in" ? "in" : "out") + kind });
    var who = direction === "in" ? TEXT.you : sender === "agent" ? TEXT.agent : sender === "notice" ? TEXT.notice : TEXT.them;
    body.appendChild(element("span", { class: "who" }, who));
    body.appendChild(direction === "in" ? document.createTextNode(text) : rich(text));
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
    transcript.scrollTop = transcript.scrollHeight;
  }

  function render(message, pending) {
    if (shown[message.id]) return;
    shown[message.id] = true;
    if (pending) { place(pending, message.id); pending.classList.remove("pending"); return; }
    var entry = bubble(message.direction, message.text, message.sender);
    if (message.choices && message.choices.length) {
      var choices = element("div", { class: "choices" });
      message.choices.forEach(function (choice) {
        var button = element("button", { type: "button" }, choice.title);
        button.addEventListener("click", function () { send(choice.payload); });
        choices.appendChild(button);
      });
      entry.appendChild(choices);
    }
    place(entry, message.id);
  }

  function startSession() {
    return fetch(api + "/sessions", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ language: language })
    }).then(function (response) {
      if (!response.ok) throw new Error("session");
      return response.json();
    }).then(function (session) {
      token = session.token;
      sessionStorage.setItem(storageKey, token);
    });
  }

  // Crisis notices live now, above the conversation; each goes away at its end, also when the
  // server's next word about them is late.
  var noticeTimer = null;
  function showNotices(notices) {
    clearTimeout(noticeTimer);
    var now = Date.now();
    var live = notices.filter(function (notice) { return Date.parse(notice.ends_at) > now && Date.parse(notice.starts_at) <= now; });
    noticeBoard.textContent = "";
    live.forEach(function (notice) {
      var box = element("div", { class: "notice-banner" });
      box.appendChild(element("h3", {}, notice.title[language] || notice.title.nl));
      box.appendChild(element("p", {}, notice.body[language] || notice.body.nl));
      if (notice.url) {
        var more = element("p");
        more.appendChild(link(TEXT.updates, notice.url));
        box.appendChild(more);
      }
      noticeBoard.appendChild(box);
    });
    launcher.textContent = live.length ? TEXT.openNotice : TEXT.open;
    launcher.classList.toggle("alert", live.length > 0);
    var next = notices.map(function (notice) { return Date.parse(notice.ends_at); }).filter(function (end) { return end > now; });
    if (next.length) noticeTimer = setTimeout(function () { showNotices(notices); }, Math.min.apply(null, next) - now + 50);
  }

  function listen() {
    if (events) events.close();
    events = new EventSource(api + "/events?token=" + encodeURIComponent(token));
    events.addEventListener("message", function (event) { render(JSON.parse(event.data)); });
    events.addEventListener("notices", function (event) { showNotices(JSON.parse(event.data).notices); });
    events.onerror = function () { setStatus(TEXT.offline); };
    events.onopen = function () { setStatus(""); };
  }

  function ensureSession() {
    if (!started) {
      var ready = token
        ? fetch(api + "/messages", { headers: { Authorization: "Bearer " + token } }).then(function (response) {
            if (!response.ok) { token = null; return startSession(); }
          })
        : startSession();
      started = ready.then(listen).catch(function (error) {
        started = null;
        setStatus(TEXT.unavailable);
        throw error;
      });
    }
    return started;
  }

  function send(text) {
    var clientId = String(Date.now()) + "-" + Math.random().toString(16).slice(2);
    var pending = bubble("in", text);
    pending.classList.add("pending");
    transcript.appendChild(pending);
    transcript.scrollTop = transcript.scrollHeight;
    setStatus(TEXT.typing);
    return ensureSession().then(function () {
      return fetch(api + "/messages", {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: "Bearer " + token },
        body: JSON.stringify({ text: text, client_message_id: clientId })
      });
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw new Error((body.error && body.error.message) || "error");
        render(body.message, pending);
        body.replies.forEach(function (reply) { render(reply); });
        setStatus("");
      });
    }).catch(function () {
      pending.remove();
      input.value = text;
      setStatus(TEXT.failed);
    });
  }

  function open() {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    ensureSession().catch(function () {});
    input.focus();
  }

  function close() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  launcher.addEventListener("click", function () { if (panel.hidden) open(); else close(); });
  closeButton.addEventListener("click", close);
  panel.addEventListener("keydown", function (event) { if (event.key === "Escape" && !inline) close(); });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { setStatus(TEXT.empty); input.focus(); return; }
    input.value = "";
    send(text);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });

  if (inline || token) ensureSession().catch(function () {});
  // Before any conversation: the button in the corner says when there is an important message.
  else fetch(api + "/notices").then(function (response) { return response.ok ? response.json() : { notices: [] }; })
    .then(function (data) { showNotices(data.notices); }).catch(function () {});
})();
