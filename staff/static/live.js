/* Live chat in the staff app (issue 25): new messages and waiting conversations without a
 * reload. Served from the staff app (/static/live.js): its CSP allows no inline script.
 *
 * - The pages work without this file (forms and reloads); this only adds to them.
 * - Updates come as server-sent events (EventSource), never by polling; after a broken
 *   connection the browser opens it again after the server's `retry` (3 s) and goes on from
 *   the last message it had (Last-Event-ID).
 * - Text from users is only ever set as textContent, never as HTML.
 * - A message is sent with fetch(), with the form's CSRF token (field `csrf`), so the page
 *   does not reload; the message itself appears when the stream brings it (once).
 * - New messages and new waiting conversations get a visible "Nieuw" marker and a count in
 *   the title, "(2) ..."; no sound.
 * - What it adds is built like the templates build it (staff/templates/live.html and
 *   live_chat.html: the NL Design System classes, ids and data-* attributes): change both.
 */
(function () {
  "use strict";

  var COUNT = /^\(\d+\) /;
  var baseTitle = document.title.replace(COUNT, "");

  function setCount(n) {
    document.title = n > 0 ? "(" + n + ") " + baseTitle : baseTitle;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // A message bubble as the templates make one: "steunpunt-msg steunpunt-msg--user" (or staff,
  // bot, system); any other sender from the server becomes a note of the system.
  function bubble(sender) {
    var known = { user: 1, staff: 1, bot: 1, system: 1 };
    return element("p", "steunpunt-msg steunpunt-msg--" + (known[sender] ? sender : "system"));
  }

  function say(text) {
    var status = document.getElementById("live-verbinding");
    if (status) status.textContent = text;
  }

  function mmss(seconds) {
    seconds = Math.max(0, Math.round(seconds));
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    var two = function (n) { return (n < 10 ? "0" : "") + n; };
    return h ? h + ":" + two(m) + ":" + two(s) : m + ":" + two(s);
  }

  function watchConnection(source) {
    source.addEventListener("open", function () { say(""); });
    source.addEventListener("error", function () {
      say(source.readyState === EventSource.CLOSED
        ? "De verbinding is verbroken. Laad de pagina opnieuw."
        : "Verbinding wordt hersteld…");
    });
  }

  // --- one conversation: /live/<id> ------------------------------------------------------
  function conversation(log) {
    var unseen = 0;
    var marker = null;

    function clearNew() {
      if (marker && marker.parentNode) marker.parentNode.removeChild(marker);
      marker = null;
      Array.prototype.forEach.call(log.querySelectorAll(".nieuw"), function (node) {
        node.classList.remove("nieuw");
      });
      unseen = 0;
      setCount(0);
    }

    function append(line) {
      if (line.id && log.querySelector('[data-id="' + Number(line.id) + '"]')) return; // had it
      var row = bubble(line.sender);
      if (line.id) row.setAttribute("data-id", String(Number(line.id)));
      var meta = element("span", "steunpunt-msg__meta");
      meta.appendChild(element("strong", "", line.who));
      if (line.time) {
        meta.appendChild(document.createTextNode(" "));
        meta.appendChild(element("span", "tijd", line.time));
      }
      meta.appendChild(document.createTextNode(":"));
      row.appendChild(meta);
      row.appendChild(document.createTextNode(" " + line.text));
      if (line.sender === "user") {
        row.classList.add("nieuw");
        if (!marker) {
          marker = element("p", "nieuw-marker", "Nieuw bericht");
          log.appendChild(marker);
        }
        if (document.hidden) {
          unseen += 1;
          setCount(unseen);
        }
      }
      log.appendChild(row);
      if (!document.hidden) row.scrollIntoView({ block: "nearest" });
    }

    var source = new EventSource(log.getAttribute("data-stream") + "?na=" + (log.getAttribute("data-last") || "0"));
    watchConnection(source);
    source.addEventListener("message", function (e) { append(JSON.parse(e.data)); });
    source.addEventListener("einde", function (e) {
      var info = JSON.parse(e.data);
      source.close();
      var note = element("p", "utrecht-paragraph steunpunt-live-ended", info.reden + " ");
      if (info.ticket) {
        var link = element("a", "utrecht-link", "Naar de vraag");
        link.href = info.ticket;
        note.appendChild(link);
      }
      say("");
      log.parentNode.insertBefore(note, log.nextSibling);
      Array.prototype.forEach.call(document.querySelectorAll("form button, form textarea, form select"), function (c) {
        if (!c.closest("nav")) c.disabled = true;
      });
    });
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) {
        unseen = 0;
        setCount(0);
      }
    });

    var form = document.getElementById("bericht-form");
    if (!form) return;
    var box = form.querySelector("textarea");
    var button = form.querySelector("button");
    var problem = document.getElementById("bericht-fout");
    // The reason a message was not sent: in the alert under the box, and tied to the box.
    function complain(text) {
      problem.textContent = text;
      if (text) {
        box.setAttribute("aria-describedby", problem.id);
        box.setAttribute("aria-invalid", "true");
      } else {
        box.removeAttribute("aria-describedby");
        box.removeAttribute("aria-invalid");
      }
    }
    box.addEventListener("focus", clearNew);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (!box.value.trim()) return;
      button.disabled = true;
      fetch(form.action, {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        redirect: "manual",
      })
        .then(function (reply) {
          var json = (reply.headers.get("content-type") || "").indexOf("application/json") === 0;
          return (json ? reply.json() : Promise.resolve({})).then(function (body) {
            if (reply.ok && json) {
              box.value = "";
              complain("");
              clearNew();
              return;
            }
            complain(body.error ||
              "Het bericht is niet verstuurd: je bent misschien niet meer ingelogd. Laad de pagina opnieuw.");
          });
        })
        .catch(function () { complain("Het bericht is niet verstuurd. Probeer het opnieuw."); })
        .then(function () { button.disabled = false; });
    });
    box.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) form.requestSubmit();
    });
  }

  // --- the list: /live ----------------------------------------------------------------------
  function overview(list) {
    var csrf = list.getAttribute("data-csrf");
    var known = {}; // ids of the waiting chats on the page
    var fresh = {}; // new ones: id -> when they were first on a visible page (0: not yet)
    var received = Date.now();
    Array.prototype.forEach.call(list.querySelectorAll(".live-wacht"), function (node) {
      known[node.getAttribute("data-id")] = true;
    });

    function waitingChat(chat) {
      var id = String(Number(chat.id));
      var article = element("article", "live-wacht steunpunt-live-card");
      article.id = "gesprek-" + id;
      article.setAttribute("data-id", id);
      article.setAttribute("aria-labelledby", "titel-" + id);
      var heading = element("h3", "utrecht-heading-3");
      heading.id = "titel-" + id;
      var link = element("a", "utrecht-link", "Gesprek " + id);
      link.href = "/live/" + id;
      heading.appendChild(link);
      if (!known[id]) fresh[id] = 0;
      if (id in fresh) {
        article.classList.add("nieuw");
        heading.appendChild(document.createTextNode(" "));
        heading.appendChild(element("strong", "nieuw-marker", "Nieuw"));
      }
      article.appendChild(heading);
      var facts = element("dl", "utrecht-data-list");
      [
        ["Wacht al", mmss(chat.waited)],
        ["In de wachtrij sinds", chat.queued],
        ["Regio", chat.region],
        ["Doelgroep", chat.audience],
      ].forEach(function (pair) {
        var item = element("div", "utrecht-data-list__item");
        item.appendChild(element("dt", "utrecht-data-list__item-key", pair[0]));
        var value = element("dd", "utrecht-data-list__item-value utrecht-data-list__item-value--html-dd", pair[1]);
        if (pair[0] === "Wacht al") value.setAttribute("data-waited", String(Number(chat.waited)));
        item.appendChild(value);
        facts.appendChild(item);
      });
      article.appendChild(facts);
      var transcript = element("div", "transcript steunpunt-conversation");
      transcript.setAttribute("role", "group");
      transcript.setAttribute("aria-label", "Gesprek tot nu toe");
      chat.lines.forEach(function (line) {
        var row = bubble(line.sender);
        row.appendChild(element("strong", "", line.who + ":"));
        row.appendChild(document.createTextNode(" " + line.text));
        transcript.appendChild(row);
      });
      article.appendChild(transcript);
      var form = element("form");
      form.method = "post";
      form.action = "/live/" + id + "/aannemen";
      var token = element("input");
      token.type = "hidden";
      token.name = "csrf";
      token.value = csrf;
      form.appendChild(token);
      var group = element("div", "utrecht-button-group");
      var claim = element("button", "utrecht-button utrecht-button--primary-action", "Neem gesprek aan");
      claim.type = "submit";
      group.appendChild(claim);
      form.appendChild(group);
      article.appendChild(form);
      return article;
    }

    function show(content) {
      received = Date.now();
      var waiting = document.getElementById("wachtend-lijst");
      var rows = content.waiting.map(waitingChat);
      waiting.replaceChildren.apply(waiting, rows.length ? rows : [element("p", "utrecht-paragraph", "Er wacht nu niemand.")]);
      known = {};
      content.waiting.forEach(function (chat) { known[String(Number(chat.id))] = true; });
      Object.keys(fresh).forEach(function (id) { if (!known[id]) delete fresh[id]; });
      document.getElementById("aantal-wachtend").textContent = String(content.waiting.length);
      setCount(content.waiting.length);
      var mine = document.getElementById("mijn-lijst");
      var items = content.mine.map(function (chat) {
        var item = element("li", "utrecht-unordered-list__item");
        var link = element("a", "utrecht-link", "Gesprek " + Number(chat.id));
        link.href = "/live/" + Number(chat.id);
        item.appendChild(link);
        item.appendChild(document.createTextNode(
          " – " + chat.audience + ", regio " + chat.region + ", aangenomen om " + chat.claimed));
        return item;
      });
      mine.replaceChildren.apply(mine, items.length ? items : [element("li", "utrecht-unordered-list__item", "Je hebt nu geen gesprekken.")]);
    }

    // The wait times count on here, once a second (no request: the page's own clock); a new
    // chat keeps its marker until it was on a visible page for half a minute.
    setInterval(function () {
      var passed = (Date.now() - received) / 1000;
      Object.keys(fresh).forEach(function (id) {
        if (document.hidden) return;
        if (!fresh[id]) fresh[id] = Date.now();
        if (Date.now() - fresh[id] < 30000) return;
        delete fresh[id];
        var article = document.getElementById("gesprek-" + id);
        var mark = article && article.querySelector(".nieuw-marker");
        if (article) article.classList.remove("nieuw");
        if (mark) mark.parentNode.removeChild(mark);
      });
      Array.prototype.forEach.call(list.querySelectorAll("[data-waited]"), function (node) {
        node.textContent = mmss(Number(node.getAttribute("data-waited")) + passed);
      });
    }, 1000);

    var source = new EventSource(list.getAttribute("data-stream"));
    watchConnection(source);
    source.addEventListener("message", function (e) { show(JSON.parse(e.data)); });
    source.addEventListener("einde", function (e) {
      source.close();
      say(JSON.parse(e.data).reden);
    });
  }

  var log = document.getElementById("berichten");
  if (log && log.getAttribute("data-stream")) conversation(log);
  var list = document.getElementById("live-lijst");
  if (list && list.getAttribute("data-stream")) overview(list);
})();
