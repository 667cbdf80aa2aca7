// What the staff pages (the console and the editor) share: building elements safely (every text
// with textContent, never as HTML), filling {placeholders} in texts, calling Loket's API with
// the login token, and the login itself, which both pages keep in this tab's sessionStorage.
(function () {
  "use strict";

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_, name) {
      return values && values[name] !== undefined ? values[name] : "";
    });
  }

  // JSON in and out; a failure rejects with an Error carrying the API's message, `status` and `code`.
  function request(method, url, token, body) {
    var headers = { "Content-Type": "application/json" };
    if (token) headers.Authorization = "Bearer " + token;
    return fetch(url, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined })
      .then(function (response) {
        if (response.status === 204) return null;
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (!response.ok) {
            var error = new Error((data.error && data.error.message) || String(response.status));
            error.status = response.status;
            error.code = data.error && data.error.code;
            throw error;
          }
          return data;
        });
      });
  }

  var SESSION_KEYS = ["loket-console-token", "loket-console-roles", "loket-console-user", "loket-console-username"];
  function forgetSession() {
    SESSION_KEYS.forEach(function (key) { sessionStorage.removeItem(key); });
  }

  // Logging out leaves nothing on the page for the next person at this desk: the page starts
  // again, empty, once the server has ended the session.
  function logOut(token) {
    var ended = token
      ? fetch("/api/console/logout", { method: "POST", keepalive: true, headers: { Authorization: "Bearer " + token } })
      : Promise.resolve();
    forgetSession();
    ended.catch(function () {}).then(function () { location.reload(); });
  }

  // Why a conversation went to a person (the handoff reasons of actions/escalation.py).
  var REASONS = {
    nl: {
      request_human: "vraagt om een medewerker", safety_suicide: "veiligheid: suïcidale gedachten",
      safety_violence: "veiligheid: geweld of dreiging", emergency: "noodgeval", insult: "boos of beledigend",
      complaint: "klacht", distress: "geld- of woonnood", legal_deadline: "termijn met gevolgen",
      not_helpful: "antwoord hielp niet", misunderstood: "assistent begreep het twee keer niet",
      repeated: "zelfde vraag opnieuw", complex: "ingewikkelde vraag"
    },
    en: {
      request_human: "asks for a person", safety_suicide: "safety: suicidal thoughts",
      safety_violence: "safety: violence or threats", emergency: "emergency", insult: "angry or insulting",
      complaint: "complaint", distress: "money or housing distress", legal_deadline: "deadline with consequences",
      not_helpful: "answer did not help", misunderstood: "assistant misunderstood twice",
      repeated: "same question again", complex: "complicated question"
    }
  };

  window.LoketStaff = {
    element: element, fill: fill, request: request, forgetSession: forgetSession, logOut: logOut, REASONS: REASONS
  };
})();
