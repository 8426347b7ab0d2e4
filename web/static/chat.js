// Progressive enhancement only: everything works without this file.
//
// The conversation: each question is asked without leaving the page, its answer lands below
// the earlier ones, and the address becomes /?q=… (a link that holds the answer). The turns
// of this tab live in sessionStorage (never on the server): the HTML of each turn as the
// server rendered it, its address, and what a follow-up needs of it. Back, forward and
// reload show the conversation as it was at that answer; "New conversation" forgets it.
"use strict";

const KEY = "plw-conversation";
const MAX_HISTORY = 20;  // earlier turns sent with a question, as the server keeps them
const form = document.querySelector("form.ask");
const conversation = document.querySelector(".conversation");
const result = document.querySelector(".result");
const starters = result ? result.querySelector(".starters") : null;
let state = null;  // {id, turns: [{url, html, data}]}; `shown` of them are on the page
let shown = 0;
let busy = false;

// ---------------------------------------------------------------- the page's small helpers

function prefix(k) { return k === 1 ? "" : `t${k}-`; }

// Ids inside turn k carry the prefix "t<k>-" (none for the first), as the server renders them.
function renumber(section, k) {
  const fix = (value) => prefix(k) + value.replace(/^t\d+-/, "");
  section.querySelectorAll("[id]").forEach((el) => { el.id = fix(el.id); });
  for (const name of ["for", "aria-describedby", "data-copy-target"]) {
    section.querySelectorAll(`[${name}]`).forEach((el) => el.setAttribute(name, fix(el.getAttribute(name))));
  }
  section.querySelectorAll('a[href^="#"]').forEach((a) => a.setAttribute("href", "#" + fix(a.getAttribute("href").slice(1))));
}

// What the server needs of an earlier turn to understand a follow-up.
function brief(data) {
  const cited = (data.citations || []).filter((c) => c && c.highlights && c.highlights.length);
  return {
    question: String(data.question || ""),
    answer: String(data.answer || ""),
    citations: cited.map((c) => ({chunk_id: c.chunk_id, highlights: c.highlights})),
  };
}

function load() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(KEY));
    return saved && typeof saved.id === "string" && Array.isArray(saved.turns) ? saved : null;
  } catch { return null; }
}

function save() {
  if (!state) return;
  // Keep what happened on the page since (feedback given, passages unfolded).
  conversation.querySelectorAll(":scope > .turn").forEach((el, i) => {
    if (i < shown && state.turns[i]) state.turns[i].html = el.outerHTML;
  });
  try { sessionStorage.setItem(KEY, JSON.stringify(state)); } catch { /* full or disabled */ }
}

function forget() {
  try { sessionStorage.removeItem(KEY); } catch { /* disabled */ }
}

function entry() { return {plw: state.id, n: shown - 1}; }

function here() { return location.pathname + location.search; }

function status(text, className, role) {
  const p = document.createElement("p");
  p.className = className;
  if (role) p.setAttribute("role", role);
  p.textContent = text;
  result.replaceChildren(p);
}

function setUp(root) {
  if (!navigator.clipboard) return;
  root.querySelectorAll("button.copy[data-copy-target]").forEach((button) => { button.hidden = false; });
}

// The view lands on the new answer's start; focus goes there too, for screen readers.
function land(section) {
  const heading = section.querySelector("h2.asked");
  if (!heading) return;
  heading.scrollIntoView({block: "start"});
  heading.focus({preventScroll: true});
}

// What the follow-up box suggests: drawn from the last answer shown (the server says what in
// its data-follow-up), a plain invitation after a refusal.
function suggestion() {
  const turns = conversation.querySelectorAll(":scope > .turn");
  const answer = turns.length ? turns[turns.length - 1].querySelector("article.answer") : null;
  return (answer && answer.dataset.followUp) || "Ask another question about the lessons";
}

// The form says what comes next: a first question or a follow-up, with the turns shown.
function syncForm() {
  const turns = state.turns.slice(0, shown);
  form.elements.history.value = JSON.stringify(turns.slice(-MAX_HISTORY).map((t) => t.data));
  form.querySelector(".ask-label").textContent = shown ? "Ask a follow-up question" : "Your question";
  if (shown) form.elements.q.removeAttribute("autofocus");  // the answer, not the box, is in view
  form.elements.q.placeholder = shown ? suggestion() : "How can clusters support their members with EU funding?";
  const link = form.querySelector("a.new");
  if (link) link.hidden = !shown;
  const last = turns[turns.length - 1];
  document.title = last ? `${last.data.question} · PLW Assistant` : "PLW Assistant";
}

// Show the first `count` turns of the stored conversation.
function show(count) {
  shown = Math.min(count, state.turns.length);
  conversation.innerHTML = state.turns.slice(0, shown).map((t) => t.html).join("");  // the server's own escaped HTML
  setUp(conversation);
  if (shown) result.replaceChildren();
  else result.replaceChildren(...(starters ? [starters] : []));
  syncForm();
}

// A new answer: its turn goes below the ones shown (later ones are dropped, as the browser
// drops forward entries), the address becomes its link, and the view lands on it.
function add(section, url, data) {
  state.turns = state.turns.slice(0, shown);
  shown += 1;
  renumber(section, shown);
  section.dataset.url = url;
  if (section.parentNode !== conversation) conversation.append(section);
  state.turns.push({url, html: section.outerHTML, data: brief(data)});
  setUp(section);
  result.replaceChildren();
  // A filter applies to the question it was set for (its turn says so); the next starts without.
  for (const name of ["session", "document", "tag"]) if (form.elements[name]) form.elements[name].value = "";
  sayScope();
  const scope = form.querySelector("details.scope");
  if (scope) scope.open = false;
  syncForm();
  form.elements.q.value = "";
  history.pushState(entry(), "", url);
  save();
  land(section);
}

// The state of a page the server rendered: its turns, and where they came from.
function fromPage() {
  const sections = [...conversation.querySelectorAll(":scope > .turn")];
  let data = [];
  try { data = JSON.parse(form.elements.history.value || "[]"); } catch { data = []; }
  const offset = sections.length - data.length;
  const turns = sections.map((el, i) => {
    renumber(el, i + 1);
    const asked = el.querySelector("h2.asked");
    const turn = data[i - offset] || {question: asked ? asked.textContent : ""};
    return {url: el.dataset.url || "", html: el.outerHTML, data: brief(turn)};
  });
  return {id: `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`, turns};
}

// ---------------------------------------------------------------- asking

// Filters chosen say so in the folded "Only search in" line.
function sayScope() {
  const now = form.querySelector(".scope-now");
  const said = Object.keys(filterValues()).map((name) => {
    const select = form.elements[name];
    const label = form.querySelector(`label[for="${select.id}"]`);
    return `${label ? label.textContent : name}: ${select.selectedOptions[0].textContent}`;
  });
  if (now) now.textContent = said.length ? said.join(", ") : "all lessons";
}

function filterValues() {
  const out = {};
  for (const name of ["session", "document", "tag"]) {
    const select = form.elements[name];
    if (select && select.value) out[name] = select.value;
  }
  return out;
}

function urlFor(question) {
  const params = new URLSearchParams({q: question});
  const mode = form.elements.mode;
  if (mode && mode.value !== form.dataset.defaultMode) params.set("mode", mode.value);
  for (const [name, value] of Object.entries(filterValues())) params.set(name, value);
  return `/?${params}`;
}

function waiting(on) {
  form.querySelector("button[type=submit]").disabled = on;
  if (on) status("Looking through the lessons…", "loading");
}

function fail(error) {
  status(error.message || "Something went wrong. Please ask again.", "error", "alert");
}

// Without a language model: the page's own form, posted in the background; the new turn is
// taken from the page the server renders.
// A question of only spaces is said to be empty rather than sent or silently dropped.
function blank(event) {
  if (form.elements.q.value.trim()) return false;
  event.preventDefault();
  status("The question is empty. Type a question about the lessons.", "error", "alert");
  form.elements.q.value = "";
  form.elements.q.focus();
  return true;
}

async function ask(event) {
  event.preventDefault();
  if (busy || blank(event)) return;
  busy = true;
  const question = form.elements.q.value.trim();
  waiting(true);
  try {
    const response = await fetch("/", {method: "POST", body: new URLSearchParams(new FormData(form))});
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    const sections = doc.querySelectorAll(".conversation > .turn");
    const error = doc.querySelector(".result .error");
    if (error) throw new Error(error.textContent);
    if (!response.ok || !sections.length) {
      const said = doc.body ? doc.body.textContent.trim().slice(0, 300) : "";
      throw new Error(said || `The server answered ${response.status}. Please ask again.`);
    }
    let data = {question};
    try {
      const past = JSON.parse(doc.querySelector("form.ask input[name=history]").value);
      data = past[past.length - 1] || data;
    } catch { /* the question alone */ }
    const section = document.importNode(sections[sections.length - 1], true);
    add(section, section.dataset.url || urlFor(question), data);
  } catch (error) {
    fail(error);
  } finally {
    waiting(false);
    if (result.querySelector(".loading")) result.replaceChildren();
    busy = false;
  }
}

// The notice a filtered abstention gets (the server adds it to the pages it renders): when the
// filters left out what answers, where the best match is.
function filterNote(data) {
  const said = [];
  for (const name of Object.keys(filterValues())) {
    const select = form.elements[name];
    const label = form.querySelector(`label[for="${select.id}"]`);
    said.push(`${label ? label.textContent : name}: ${select.selectedOptions[0].textContent}`);
  }
  if (!said.length) return null;
  const noun = said.length === 1 ? "filter" : "filters";
  const p = document.createElement("p");
  p.className = "filter-note";
  p.textContent = data.elsewhere
    ? `Nothing within the ${noun} ${said.join(" and ")} matches this question well. The best match is in “${data.elsewhere.title}”. `
    : `No lesson matched with the ${noun} ${said.join(" and ")}. `;
  const a = document.createElement("a");
  const params = new URLSearchParams({q: data.resolved || data.question});
  const mode = form.elements.mode;
  if (mode && mode.value !== form.dataset.defaultMode) params.set("mode", mode.value);
  a.href = `/?${params}`;
  a.className = "unfiltered";
  a.textContent = "Ask the same question in all lessons";
  p.append(a);
  return p;
}

// With a language model: the answer streams in (server-sent events over fetch) and grows in
// place, in a turn of its own.
async function askStreaming(event) {
  if (blank(event)) return;
  const question = form.elements.q.value.trim();
  event.preventDefault();
  if (busy) return;
  busy = true;
  const section = document.createElement("section");
  section.className = "turn";
  const heading = document.createElement("h2");
  heading.className = "asked";
  heading.tabIndex = -1;
  heading.textContent = question;
  const live = document.createElement("p");
  live.className = "streaming";
  live.textContent = "…";
  section.append(heading, live);
  conversation.append(section);
  result.replaceChildren();
  land(section);
  form.querySelector("button[type=submit]").disabled = true;
  const history = state.turns.slice(0, shown).slice(-MAX_HISTORY).map((t) => t.data);
  try {
    const response = await fetch("/api/ask/stream", {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify({question, mode: form.elements.mode.value, filters: filterValues(), history}),
    });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      throw new Error(body.detail || `HTTP ${response.status}`);
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "", text = "";
    for (;;) {
      const {value, done} = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, {stream: true});
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const name = (block.match(/^event: (.*)$/m) || [])[1];
        const data = JSON.parse((block.match(/^data: (.*)$/m) || [])[1] || "{}");
        if (name === "token") { text += data.text; live.textContent = text; }
        if (name === "error") throw new Error(data.detail);
        if (name === "answer") {
          const holder = document.createElement("div");
          holder.innerHTML = data.html;  // rendered and escaped by the server
          section.replaceChildren(heading, ...holder.childNodes);
          const note = data.abstained && !data.language ? filterNote(data) : null;
          const kind = section.querySelector(".answer h3.kind");
          if (note && kind) kind.after(note);
          if (note && data.elsewhere) section.querySelector(".answer p.text")?.remove();
          delete data.html;
          add(section, urlFor(data.resolved || question), data);
        }
      }
    }
  } catch (error) {
    section.remove();
    status(`Something went wrong: ${error.message}`, "error", "alert");
  } finally {
    form.querySelector("button[type=submit]").disabled = false;
    busy = false;
  }
}

// ---------------------------------------------------------------- feedback, copy, keys

// A vote counts when given: "No" is stored at once, and the optional comment then changes the
// same vote, as does the other button (one vote per answer; the server gave back its id).
async function sendVote(f, body) {
  const vote = Number(f.dataset.vote || 0);
  if (vote) body.vote = vote;
  const r = await fetch("/api/feedback", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
  const reply = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(reply.detail || "");
  if (reply.vote) f.dataset.vote = String(reply.vote);
}

function noted(f, text) {
  let said = f.querySelector(".noted");
  if (!said) {
    said = document.createElement("span");
    said.className = "noted";
    said.setAttribute("role", "status");
    f.prepend(said);
  }
  said.textContent = text;
}

async function feedback(event) {
  const f = event.target;
  event.preventDefault();
  const button = event.submitter;
  const kind = f.elements.kind ? f.elements.kind.value : "answer";
  const comment = f.querySelector(".comment");
  const sending = button && button.classList.contains("send");
  const rating = sending ? "down" : (button ? button.value : "up");
  const body = {
    rating,
    kind,
    question: f.elements.question.value,
    answer: f.elements.answer.value,
    chunk_ids: f.elements.chunk_ids.value.split(" ").filter(Boolean),
    comment: sending && f.elements.comment ? f.elements.comment.value.trim() : "",
  };
  try {
    await sendVote(f, body);
  } catch (error) {
    noted(f, `Sorry, the vote could not be saved. ${error.message}`.trim());
    return;
  }
  if (kind === "missing") {
    f.replaceChildren();
    noted(f, "Thanks — noted as a question the lessons should answer.");
  } else {
    f.querySelectorAll("button.vote").forEach((b) => { b.setAttribute("aria-pressed", String(b.value === rating)); });
    const label = f.querySelector("span.vote");
    if (label) label.textContent = "Change your vote:";
    if (sending) {
      noted(f, body.comment ? "Thanks — your comment was added to your vote." : "Thanks — noted.");
      if (comment) comment.hidden = true;
    } else {
      noted(f, rating === "down" ? "Thanks — noted: not useful." : "Thanks — noted: useful.");
      if (comment) comment.hidden = rating !== "down";
      if (rating === "down" && f.elements.comment) f.elements.comment.focus();
    }
  }
  save();
}

document.addEventListener("submit", (event) => {
  if (event.target.matches("form.feedback")) feedback(event);
});

document.addEventListener("click", async (event) => {
  const target = event.target instanceof Element ? event.target : null;
  if (!target) return;
  // Clicking [n] scrolls to the passage (the link's anchor) and briefly flashes it.
  const cite = target.closest("a.cite");
  if (cite) {
    const card = document.getElementById(cite.getAttribute("href").slice(1));
    if (card) { card.classList.remove("flash"); void card.offsetWidth; card.classList.add("flash"); }
    return;
  }
  const copy = target.closest("button.copy[data-copy-target]");
  if (copy) {
    const source = document.getElementById(copy.dataset.copyTarget);
    try {
      await navigator.clipboard.writeText(source.value);
      copy.textContent = "Copied";
    } catch {
      copy.textContent = "Copy failed: select the text below";
    }
    setTimeout(() => { copy.textContent = "Copy as Markdown"; }, 2000);
    return;
  }
  if (target.closest("a.new")) forget();
});

// "/" goes to the question box, unless typing somewhere already.
document.addEventListener("keydown", (event) => {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
  const t = event.target;
  if (t instanceof Element && (t.closest("input, textarea, select") || t.isContentEditable)) return;
  const box = document.getElementById("q");
  if (!box) return;
  event.preventDefault();
  box.focus();
});

// Printing shows the related passages too.
const folded = [];
window.addEventListener("beforeprint", () => {
  document.querySelectorAll("details.related:not([open])").forEach((d) => { d.open = true; folded.push(d); });
});
window.addEventListener("afterprint", () => { folded.splice(0).forEach((d) => { d.open = false; }); });

// ---------------------------------------------------------------- the way back from a note

const RETURN = "plw-return";

// Leaving for a passage's note: remember which passage, to land on it on the way back.
document.addEventListener("click", (event) => {
  const link = event.target instanceof Element ? event.target.closest('a[href^="/documents/"]') : null;
  const card = link && conversation ? link.closest(".conversation [id]") : null;
  if (!card) return;
  save();
  try { sessionStorage.setItem(RETURN, card.id); } catch { /* disabled */ }
});

// Back on the chat: the passage the reader left from, unfolded and in view.
function landOnReturn() {
  let id = null;
  try { id = sessionStorage.getItem(RETURN); sessionStorage.removeItem(RETURN); } catch { return false; }
  const card = id ? document.getElementById(id) : null;
  if (!card) return false;
  for (let d = card.closest("details"); d; d = d.parentElement.closest("details")) d.open = true;
  card.scrollIntoView({block: "center"});
  card.classList.add("flash");
  return true;
}

// A note's "Back to the chat": the browser's own back when the chat is the page before (it
// keeps the conversation), else the address of the conversation's last answer in this tab.
function backToChat() {
  const saved = load();
  const last = saved && saved.turns.length ? saved.turns[saved.turns.length - 1] : null;
  if (last && last.url && !form) {  // the site's links to the chat, from the other pages
    document.querySelectorAll('a[href="/"]').forEach((a) => { a.href = last.url; });
  }
  const link = document.querySelector("a.back-to-chat");
  if (!link) return;
  let from = null;
  try { from = document.referrer ? new URL(document.referrer) : null; } catch { from = null; }
  link.addEventListener("click", (event) => {
    if (from && from.origin === location.origin && from.pathname === "/" && history.length > 1) {
      event.preventDefault();
      history.back();
    }
  });
}

// ---------------------------------------------------------------- start

function start() {
  backToChat();
  if (!form || !conversation || !result || !window.fetch || !window.DOMParser || !history.pushState) return;
  history.scrollRestoration = "manual";
  const saved = load();
  const entryState = history.state;
  let count = -1;
  if (saved && entryState && entryState.plw === saved.id) count = entryState.n + 1;
  else if (saved && !entryState && location.search) {
    count = saved.turns.map((t) => t.url).lastIndexOf(here()) + 1 || -1;
  }
  if (count >= 0 && count <= saved.turns.length) {
    state = saved;  // reload, or back to this page: the conversation as it was here
    show(count);
    const last = conversation.lastElementChild;
    if (!landOnReturn() && last && !location.hash) land(last);
  } else {
    state = fromPage();
    shown = state.turns.length;
    setUp(conversation);
    syncForm();
    if (shown) save();
    landOnReturn();
  }
  window.addEventListener("pageshow", (event) => { if (event.persisted) landOnReturn(); });
  // This entry now knows its place in the conversation, at the answer's own address.
  const last = state.turns[shown - 1];
  const hash = location.hash === "#latest" ? "" : location.hash;
  history.replaceState(entry(), "", last && last.url ? last.url + hash : here() + hash);
  form.addEventListener("submit", document.body.dataset.stream === "1" && window.TextDecoder ? askStreaming : ask);
  window.addEventListener("popstate", (event) => {
    const st = event.state;
    if (!st || st.plw !== state.id) {
      // An entry made by following a link inside the page (#passage-2): it belongs here.
      if (!st) history.replaceState(entry(), "");
      return;
    }
    if (st.n + 1 !== shown) {
      show(st.n + 1);
      const lastTurn = conversation.lastElementChild;
      if (lastTurn) land(lastTurn);
    }
  });
  form.addEventListener("change", (event) => {
    if (event.target instanceof HTMLSelectElement && event.target.name !== "mode") sayScope();
  });
}

start();
