// The steunpunt's chat widget, embedded with one tag:
//   <script src="https://…/widget.js" data-server="https://chat…" data-audience="ouder|jongere"
//           data-region="…" data-title="…" defer></script>
// It speaks Rasa's socket.io channel (events session_request / user_uttered / bot_uttered) and
// renders every payload the bot sends (channels/guarded.py sends one event per bot message:
// text, buttons and the custom payload together). Accessible by design: real buttons, a labelled
// input, one polite live region for new bot messages, focus kept where the user expects it.
// The conversation lives in sessionStorage (this tab only; never localStorage or cookies), without
// ticket codes: a code is shown once, in the page view where the ticket was made (stored.mjs).
import { io } from "socket.io-client";
import { storable } from "./stored.mjs";

const AUDIENCES = { ouder: "ouder", jongere: "jongere" };
const MAX_ITEMS = 200;
const MAX_CHARS = 1000;

const script = document.currentScript;
const scriptUrl = new URL(script.src, document.baseURI);
const config = {
  server: script.dataset.server || scriptUrl.origin,
  audience: AUDIENCES[script.dataset.audience] || null,
  region: script.dataset.region || null,
  title: script.dataset.title || "Chat met het steunpunt",
  site: scriptUrl.origin,
};
const storeKey = `steunpunt-chat:${config.server}`;

// ---- state (sessionStorage) ------------------------------------------------------------------
function freshState() {
  // live: in a live chat with a person (issue 25); liveAfter: the last live message id shown;
  // outbox: live messages sent but not yet confirmed by the server (sent again on reconnect).
  return { sessionId: null, audience: config.audience, open: false, items: [], live: false, liveAfter: 0, liveSeen: [], outbox: [] };
}
function loadState() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(storeKey));
    if (saved && Array.isArray(saved.items)) return { ...freshState(), ...saved };
  } catch (error) { /* unreadable: start over */ }
  return freshState();
}
let state = loadState();
function save() {
  state.items = state.items.slice(-MAX_ITEMS);
  const kept = { ...state, items: state.items.map(storable) };
  try { sessionStorage.setItem(storeKey, JSON.stringify(kept)); } catch (error) { /* full or blocked */ }
}

// ---- small DOM helpers ----------------------------------------------------------------------
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}
const hidden = (text) => el("span", { class: "steunpunt-visually-hidden" }, text);
function paragraphs(text) {
  return String(text).split(/\n\s*\n/).filter((part) => part.trim()).map((part) => {
    const p = el("p");
    part.split("\n").forEach((line, index) => {
      if (index) p.append(el("br"));
      p.append(line);
    });
    return p;
  });
}
function button(label, onclick, extra = "") {
  return el("button", { type: "button", class: `utrecht-button utrecht-button--secondary-action ${extra}`, onclick }, label);
}

// ---- the widget's frame ----------------------------------------------------------------------
const css = el("link", { rel: "stylesheet", href: new URL("widget.css", scriptUrl).href });
document.head.append(css);

const log = el("div", { class: "steunpunt-log", role: "log", "aria-live": "polite", "aria-label": "Gesprek" });
const typing = el("p", { class: "steunpunt-typing", hidden: true },
  "De assistent schrijft een antwoord ", el("span", { class: "steunpunt-dots", "aria-hidden": "true" }, el("span", {}, "."), el("span", {}, "."), el("span", {}, ".")));
const status = el("p", { class: "steunpunt-status", role: "status" });
const input = el("input", { id: "steunpunt-input", class: "utrecht-textbox utrecht-textbox--html-input", type: "text",
  maxlength: String(MAX_CHARS), autocomplete: "off", "aria-describedby": "steunpunt-input-hint" });
const form = el("form", { class: "steunpunt-form", onsubmit: onSubmit },
  el("label", { class: "utrecht-form-label", for: "steunpunt-input" }, "Typ je vraag"),
  el("span", { id: "steunpunt-input-hint", class: "steunpunt-visually-hidden" },
    "Noem geen namen, adressen of burgerservicenummer."),
  input,
  el("button", { type: "submit", class: "utrecht-button utrecht-button--primary-action" }, "Verstuur"),
  status);
const scroller = el("div", { class: "steunpunt-scroll" },
  el("p", { class: "steunpunt-intro" },
    "Ik ben een digitale assistent, geen mens. Ik geef alleen antwoorden die het steunpunt heeft gecontroleerd. " +
    "Weet ik het niet zeker? Dan zet ik je vraag door naar een medewerker."),
  log);
// Is a person reachable now (issue 25)? Plain text under the title, asked when the panel opens
// and at most once a minute (GET /webhooks/status/availability, channels/status.py).
const availability = el("p", { class: "steunpunt-availability", hidden: true });
let availabilityAsked = -Infinity;
function checkAvailability() {
  if (Date.now() - availabilityAsked < 60000) return;
  availabilityAsked = Date.now();
  const url = new URL("/webhooks/status/availability", config.server);
  if (config.region) url.searchParams.set("region", config.region);
  fetch(url, { credentials: "omit" })
    .then((reply) => (reply.ok ? reply.json() : null))
    .then((body) => {
      availability.hidden = !(body && body.text);
      availability.textContent = body && body.text ? String(body.text) : "";
    })
    .catch(() => { availability.hidden = true; });
}
const panel = el("section", { id: "steunpunt-panel", class: "steunpunt-panel", "aria-labelledby": "steunpunt-title", hidden: true, onkeydown: onPanelKey },
  el("div", { class: "steunpunt-header" },
    el("h2", { id: "steunpunt-title", class: "steunpunt-title" }, config.title),
    availability,
    el("div", { class: "steunpunt-header-actions" },
      button("Opnieuw beginnen", restart),
      button("Sluiten", () => setOpen(false)))),
  scroller, typing, form);
const launcher = el("button", { type: "button", class: "utrecht-button utrecht-button--primary-action steunpunt-launcher",
  "aria-expanded": "false", "aria-controls": "steunpunt-panel", onclick: () => setOpen(panel.hidden) }, "Chat met het steunpunt");
const root = el("div", { class: "steunpunt-widget steunpunt-theme", lang: "nl" }, panel, launcher);

function setOpen(open, focus = true) {
  panel.hidden = !open;
  launcher.setAttribute("aria-expanded", String(open));
  launcher.textContent = open ? "Chat verbergen" : "Chat met het steunpunt";
  state.open = open;
  save();
  if (open) {
    connect();
    checkAvailability();
    const choice = !state.audience && log.querySelector(".steunpunt-choices button:not([disabled])");
    if (focus) (choice || input).focus();
  } else if (focus) {
    launcher.focus();
  }
}
function onPanelKey(event) {
  if (event.key === "Escape") {
    event.preventDefault();
    setOpen(false);
  }
}

// ---- rendering of messages -------------------------------------------------------------------
function choices(buttons, label) {
  const group = el("div", { class: "steunpunt-choices", role: "group", "aria-label": label });
  for (const choice of buttons) {
    group.append(button(choice.title, () => {
      group.querySelectorAll("button").forEach((b) => { b.disabled = true; });
      send(choice.payload, choice.title);
      input.focus();  // a disabled button would drop keyboard focus to the page
    }));
  }
  return group;
}
function renderAnswer(item, custom) {
  const body = [el("p", { class: "steunpunt-answer-title" }, custom.title)];
  for (const block of custom.blocks || []) {
    const mark = block.regional ? { class: "steunpunt-regional" } : {};  // written by the region
    if (block.type === "list") body.push(el("ul", mark, block.items.map((text) => el("li", {}, text))));
    else body.push(el("p", mark, block.text));
  }
  const sources = custom.sources || [];
  if (sources.length) {
    body.push(el("p", { class: "steunpunt-meta" }, sources.length === 1 ? "Bron:" : "Bronnen:"),
      el("ul", { class: "steunpunt-meta" }, sources.map((source) => el("li", {},
        el("a", { class: "utrecht-link", href: source.url, target: "_blank", rel: "noopener noreferrer" },
          source.title, hidden(" (opent in een nieuw tabblad)"))))));
  }
  // The server writes the date in Dutch (steunpunt/clock.py); an answer kept in sessionStorage
  // from before it did has only the ISO date.
  body.push(el("p", { class: "steunpunt-meta" }, `Gecontroleerd op ${custom.reviewed_on_text || custom.reviewed_on}.`));
  if (item.buttons && item.buttons.length) {
    body.push(el("p", { class: "steunpunt-meta" }, "Zie ook:"), choices(item.buttons, "Zie ook"));
  }
  return body;
}
function renderHandoff(item, custom) {
  const body = paragraphs(item.text || "");
  if (custom.code) {
    const copy = button("Kopieer de code", async () => {
      try {
        await navigator.clipboard.writeText(custom.code);
        copy.textContent = "Code gekopieerd";
      } catch (error) {
        copy.textContent = "Kopiëren lukt niet: schrijf de code over";
      }
    });
    body.push(el("div", { class: "steunpunt-code-box" },
      el("p", {}, "Je code: ", el("span", { class: "steunpunt-code" }, custom.code)),
      el("p", {}, el("strong", {}, "Schrijf deze code op."), " Zonder code kun je het antwoord niet lezen."),
      copy));
  } else if (custom.codeShown) {
    body.push(el("p", { class: "steunpunt-code-gone" },
      "Je code is alleen getoond toen je vraag werd doorgezet, zodat niemand anders hem hier kan lezen. " +
      "Heb je hem niet opgeschreven? Neem dan contact op met het steunpunt en noem het nummer van je vraag."));
  }
  return body;
}
function link(href, text) {
  return el("a", { class: "utrecht-link", href, target: "_blank", rel: "noopener noreferrer" },
    text, hidden(" (opent in een nieuw tabblad)"));
}
function renderSchools(item, custom) {
  // The region's schools (issue 28): a short list with links, the full list on the site.
  const schools = custom.schools || [];
  if (!schools.length) return paragraphs(item.text || "");
  const count = custom.total || schools.length;
  const body = [el("p", {}, count > schools.length
    ? `Ik vond ${count} scholen. De eerste ${schools.length}:` : (count === 1 ? "Ik vond deze school:" : `Ik vond ${count} scholen:`))];
  body.push(el("ul", { class: "steunpunt-schools" }, schools.map((school) => el("li", {},
    el("strong", {}, school.name), `, ${school.place} (${school.type})`,
    el("br"), link(school.url, "Website"),
    school.sop_url ? [" · ", link(school.sop_url, "Schoolondersteuningsprofiel")]
      : el("span", { class: "steunpunt-meta" }, " · nog geen link naar het ondersteuningsprofiel")))));
  if (custom.more_url) body.push(el("p", {}, link(custom.more_url, "Alle scholen en gegevens")));
  return body;
}
function renderBot(item) {
  const custom = item.custom || {};
  let body;
  if (custom.type === "answer") body = renderAnswer(item, custom);
  else if (custom.type === "schools") body = renderSchools(item, custom);
  else if (custom.type === "handoff" || custom.type === "live_queued") body = renderHandoff(item, custom);
  else if (custom.type === "live_message") {
    // A person of the steunpunt wrote this: said plainly, for sighted and screen reader users.
    return el("div", { class: "steunpunt-msg steunpunt-msg--staff" },
      el("p", { class: "steunpunt-meta" }, `${custom.from || "Medewerker"}:`), paragraphs(item.text || ""));
  } else if (custom.type === "live_status" || custom.type === "live_place") {
    return el("p", { class: "steunpunt-note steunpunt-note--live" }, item.text || "");
  }
  else {
    body = paragraphs(item.text || "");
    // "I only speak Dutch" in the asker's language first: mark that paragraph's language (and
    // direction) so a screen reader reads it in the right voice; the Dutch line stays "nl".
    if (custom.type === "language_notice" && /^[a-z]{2}$/.test(custom.language || "") && body.length) {
      body[0].setAttribute("lang", custom.language);
      body[0].setAttribute("dir", custom.language === "ar" ? "rtl" : "ltr");
    }
    if (item.buttons && item.buttons.length) body.push(choices(item.buttons, "Kies een antwoord"));
  }
  if (!body.length) return null;
  const alert = ["input_rejected", "handoff_failed", "error"].includes(custom.type);
  return el("div", { class: `steunpunt-msg steunpunt-msg--bot${alert ? " steunpunt-msg--alert" : ""}` },
    hidden("Steunpunt: "), body);
}
function renderItem(item, interactive) {
  let node;
  if (item.from === "user") node = el("div", { class: "steunpunt-msg steunpunt-msg--user" }, hidden("Jij: "), item.text);
  else if (item.from === "note") node = el("p", { class: "steunpunt-note" }, ...noteContent(item.note));
  else if (item.from === "audience") node = audienceQuestion(interactive);
  else node = renderBot(item);
  if (!node) return;
  if (!interactive) node.querySelectorAll(".steunpunt-choices button").forEach((b) => { b.disabled = true; });
  log.append(node);
}
function add(item) {
  state.items.push(item);
  save();
  // Once the user says something, the choices offered before it are done.
  if (item.from === "user") log.querySelectorAll(".steunpunt-choices button").forEach((b) => { b.disabled = true; });
  renderItem(item, true);
  scroller.scrollTop = scroller.scrollHeight;
}
function noteContent(kind) {
  if (kind === "youth") {
    // The same facts as the privacy topic's youth text (content/topics/privacy.md).
    return ["Je chat anoniem: je hoeft je naam niet te geven. Je gesprek met de assistent wordt na 30 dagen " +
      "verwijderd. Vragen die ik niet kan beantwoorden, bewaren we zonder namen, scholen en nummers: zo leert " +
      "het steunpunt wat jongeren nodig hebben. Niemand kan zien dat jij het vroeg. Noem liever geen namen. ",
    el("a", { class: "utrecht-link", href: `${config.site}/jongeren/privacy`, target: "_blank", rel: "noopener" },
      "Lees wat er precies bewaard wordt", hidden(" (opent in een nieuw tabblad)")), "."];
  }
  return [];
}
function audienceQuestion(interactive) {
  const choose = (audience) => () => {
    state.audience = audience;
    node.querySelectorAll("button").forEach((b) => { b.disabled = true; });
    add({ from: "user", text: audience === "jongere" ? "Ik ben jongere" : "Ik ben ouder/verzorger" });
    if (audience === "jongere") add({ from: "note", note: "youth" });
    add({ from: "bot", text: "Dank je. Stel je vraag hieronder." });
    input.focus();
  };
  const node = el("div", { class: "steunpunt-msg steunpunt-msg--bot" }, hidden("Steunpunt: "),
    el("p", {}, "Wie ben jij? Dan kan ik mijn antwoorden beter op je afstemmen."),
    el("div", { class: "steunpunt-choices", role: "group", "aria-label": "Wie ben jij?" },
      button("Ik ben ouder/verzorger", choose("ouder")),
      button("Ik ben jongere", choose("jongere"))));
  if (!interactive || state.audience) node.querySelectorAll("button").forEach((b) => { b.disabled = true; });
  return node;
}
function start() {
  if (state.items.length) return;
  if (!state.audience) add({ from: "audience" });
  else if (state.audience === "jongere") add({ from: "note", note: "youth" });
}
function restore() {
  // Restoring is not news: fill the log without announcing, then listen again.
  log.setAttribute("aria-live", "off");
  const lastUser = state.items.map((item) => item.from).lastIndexOf("user");
  state.items.forEach((item, index) => renderItem(item, index > lastUser));
  setTimeout(() => log.setAttribute("aria-live", "polite"), 0);
}

// ---- the connection --------------------------------------------------------------------------
let socket = null;
let confirmed = false;
const queue = [];
function connect() {
  if (socket) return;
  socket = io(config.server, { path: "/socket.io", transports: ["websocket", "polling"], reconnectionAttempts: 10 });
  socket.on("connect", () => {
    confirmed = false;
    // In a live chat the server sends what this widget missed while it was away.
    socket.emit("session_request", { session_id: state.sessionId, live_after: state.live ? state.liveAfter : undefined });
  });
  socket.on("session_confirm", (sessionId) => {
    state.sessionId = sessionId;
    confirmed = true;
    save();
    status.textContent = "";
    // Live messages the server never confirmed go again (it stores each id once).
    state.outbox.forEach((pending) => emit(pending.text, pending.id));
    while (queue.length) emit(queue.shift());
  });
  socket.on("bot_uttered", (message) => {
    typing.hidden = true;
    const custom = message.custom || null;
    if (custom && Number.isInteger(custom.id)) {
      // Each id once (sent again after a reconnect); by id, not by order: a message can arrive
      // after one with a higher id.
      if (state.liveSeen.includes(custom.id)) return;
      state.liveSeen = [...state.liveSeen, custom.id].slice(-300);
      state.liveAfter = Math.max(state.liveAfter, custom.id);
    }
    if (custom && custom.type === "live_queued") state.live = true;
    if (custom && ["live_ended", "live_timeout", "live_unavailable"].includes(custom.type)) {
      state.live = false;
      state.outbox = [];
    }
    const item = { from: "bot", text: message.text || "", buttons: message.buttons || message.quick_replies || [], custom };
    if (item.text || item.buttons.length || item.custom) add(item);
  });
  socket.on("live_ack", (ack) => {
    state.outbox = state.outbox.filter((pending) => !ack || pending.id !== ack.id);
    save();
  });
  socket.on("disconnect", (reason) => {
    confirmed = false; // what is typed now waits for the next session_confirm
    // The server ends a connection when the same conversation is opened in another tab or
    // window (one live connection per conversation); a message typed here takes it back.
    if (reason !== "io server disconnect") return;
    socket = null;
    confirmed = false;
    typing.hidden = true;
    status.textContent = "Dit gesprek is geopend in een ander venster of tabblad. Stuur hier een bericht om hier verder te gaan.";
  });
  socket.on("connect_error", () => {
    status.textContent = "Er is geen verbinding met de chat. Probeer het later opnieuw, of neem zelf contact op met het steunpunt.";
    typing.hidden = true;
  });
}
function emit(message, id) {
  const metadata = {};
  if (state.audience) metadata.audience = state.audience;
  if (config.region) metadata.region = config.region;
  const data = { message, session_id: state.sessionId, metadata };
  if (id) data.id = id;
  socket.emit("user_uttered", data);
  typing.hidden = state.live; // a person answers in their own time: no "the assistant writes"
}
function messageId() {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
function send(message, shown) {
  add({ from: "user", text: shown || message });
  connect();
  if (state.live) {
    // To a person: kept until the server confirms it, so a lost connection loses nothing.
    const pending = { id: messageId(), text: message };
    state.outbox.push(pending);
    save();
    if (confirmed && socket.connected) emit(message, pending.id);
    return;
  }
  if (confirmed && socket.connected) emit(message);
  else queue.push(message);
}
function onSubmit(event) {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) {
    status.textContent = "Typ eerst je vraag.";
    input.focus();
    return;
  }
  status.textContent = "";
  input.value = "";
  send(text.slice(0, MAX_CHARS));
  input.focus();
}
function restart() {
  if (socket) socket.disconnect();
  socket = null;
  confirmed = false;
  queue.length = 0;
  state = freshState();
  state.open = true;
  log.replaceChildren();
  typing.hidden = true;
  save();
  start();
  connect();
  status.textContent = "Het gesprek is gewist. Je kunt opnieuw beginnen.";
  (log.querySelector(".steunpunt-choices button:not([disabled])") || input).focus();
}

function mount() {
  document.body.append(root);
  restore();
  start();
  if (state.open) setOpen(true, false);
}
if (document.body) mount();
else document.addEventListener("DOMContentLoaded", mount);
