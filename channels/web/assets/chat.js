// Citizen chat: one room, live, with feedback on the assistant's answers.
"use strict";

(function () {
  const L = window.Liaison;
  const t = L.t, el = L.el;
  const main = document.getElementById("main");
  const room = main.dataset.room;
  const max = parseInt(main.dataset.max, 10) || 1000;
  const myTag = L.meta("liaison-tag");
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const nameIn = document.getElementById("name");
  const textIn = document.getElementById("text");
  const send = document.getElementById("send");
  const status = document.getElementById("form-status");
  const formError = document.getElementById("form-error");
  const announcer = document.getElementById("announce");
  // live is false while the stream replays history: only messages that
  // arrive afterwards are announced (the log itself is not a live region,
  // so that opening the page does not read out the whole history).
  let live = false;
  let announced = null; // id of the message last announced
  const seen = new Map(); // message id → element
  const keys = new Set(); // Reply.Key values shown: a resent reply is shown once

  nameIn.value = L.store("liaison.name");
  nameIn.addEventListener("change", function () { L.store("liaison.name", nameIn.value.trim()); });

  const empty = el("li", { class: "empty", text: t("empty") });
  log.append(empty);

  function authorLabel(m) {
    if (!m.bot) return m.author;
    if (m.kind === "relay") return m.signature || t("staff");
    if (m.kind === "broadcast") return t("broadcast");
    if (m.kind === "notice") return t("notice");
    return t("bot");
  }

  // splitSignature cuts the text around the staff signature line so the
  // signature can be styled: [before, signature, after]. Text without it
  // stays whole.
  function splitSignature(text, sig) {
    if (!sig) return [text, "", ""];
    const i = text.lastIndexOf(sig);
    if (i < 0) return [text, "", ""];
    const before = text.slice(0, i).replace(/[\s—–-]+$/u, "");
    const after = text.slice(i + sig.length).trim();
    return [before, sig, after];
  }

  // feedbackBox offers helpful / not helpful. prompt is the reply's own
  // invitation (its last paragraph), or one per language for a reply in
  // both ({lang, text} each), shown beside the buttons in its language.
  function feedbackBox(m, prompt) {
    // The group is named by its visible invitation, read once.
    const box = el("div", { class: "feedback", role: "group", "aria-labelledby": "fb-" + m.id });
    const note = el("span", { class: "q", id: "fb-" + m.id, role: "status" });
    function ask() {
      note.textContent = "";
      if (!prompt.length) note.textContent = t("feedback.q");
      prompt.forEach(function (p, i) {
        if (i > 0) note.append(" ");
        note.append(el("span", { lang: p.lang || null, text: p.text }));
      });
    }
    ask();
    // The reply's invitation names 👍 and 👎 (the same words go to every
    // platform): the buttons show them, and keep plain names for screen readers.
    const yes = el("button", { type: "button", class: "btn btn-small", "aria-pressed": "false", "aria-label": t("helpful"), text: "👍 " + t("helpful") });
    const no = el("button", { type: "button", class: "btn btn-small", "aria-pressed": "false", "aria-label": t("nothelpful"), text: "👎 " + t("nothelpful") });
    async function vote(btn, value) {
      const pressed = btn.getAttribute("aria-pressed") === "true";
      const v = pressed ? 0 : value;
      const res = await L.api("POST", "/api/chat/feedback", { room: room, message: m.id, value: v });
      if (!res.ok) {
        // The error is in the page's language, not the answer's.
        note.textContent = L.errorText(res.data);
        return;
      }
      yes.setAttribute("aria-pressed", String(v === 1));
      no.setAttribute("aria-pressed", String(v === -1));
      if (v === 0) ask(); else note.textContent = t("feedback.thanks");
    }
    yes.addEventListener("click", function () { vote(yes, 1); });
    no.addEventListener("click", function () { vote(no, -1); });
    box.append(note, yes, no);
    return box;
  }

  function render(m) {
    if (seen.has(m.id) || (m.key && keys.has(m.key))) return;
    if (m.key) keys.add(m.key);
    // A citizen's message from the history carries the language the
    // engine told from it (live ones get it afterwards: tagLang).
    if (!m.bot && (m.lang === "en" || m.lang === "fr")) langs.set(m.id, m.lang);
    const b = build(m);
    seen.set(m.id, b.li);
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
    empty.remove();
    log.append(b.li);
    if (atBottom || b.mine) log.scrollTop = log.scrollHeight;
    if (live && !b.mine) {
      announce(authorLabel(m), b.said);
      announced = m.id;
    }
  }

  // build makes the element of message m: {li, said (its text, part by
  // part, each with its language), mine}.
  function build(m) {
    const mine = !m.bot && m.tag && m.tag === myTag;
    const cls = ["msg", m.bot ? "bot" : "citizen", m.kind];
    if (mine) cls.push("mine");
    const li = el("li", { class: cls.join(" "), id: "msg-" + m.id, "data-kind": m.kind, "data-reply-to": m.reply_to || null });
    const head = el("p", { class: "msg-head" },
      el("span", { class: "msg-author", lang: m.kind === "relay" && m.signature && m.lang ? m.lang : null, text: authorLabel(m) + (mine ? " (" + t("you") + ")" : "") }),
      el("time", { datetime: m.time, text: L.time(m.time) }));
    if (m.kind === "relay") head.append(el("span", { class: "msg-badge relay", text: t("staff") }));
    if (m.bot && m.to_tag && m.to_tag === myTag) head.append(el("span", { class: "msg-badge", text: t("foryou") }));
    li.append(head);
    if (m.quote) {
      const q = el("blockquote", { class: "msg-quote" }, el("p", { text: t("inreply", { Author: m.quote.author }) }));
      if (m.quote.text) q.append(el("p", { class: "quoted", lang: langs.get(m.reply_to) || null, text: m.quote.text }));
      li.append(q);
    }
    // The reply ends with its own invitation to give feedback (with emoji
    // for platforms that use reactions), each language of a reply in both
    // with its own: it goes beside the buttons.
    const prompt = [];
    function withoutPrompt(text, lang) {
      const cut = text.lastIndexOf("\n\n");
      if (!m.feedback || cut <= 0 || !/\u{1F44D}|\u{1F44E}/u.test(text.slice(cut))) return text;
      prompt.push({ lang: lang, text: text.slice(cut).trim() });
      return text.slice(0, cut);
    }
    const bilingual = m.parts && m.parts.length > 0;
    const parts = splitSignature(bilingual ? m.text : withoutPrompt(m.text, m.lang), m.signature);
    // Each part is tagged with its own language: a bilingual text is one
    // paragraph per language; a staff answer sent anyway in the other
    // language is followed by a note in the citizen's.
    let said = [{ lang: m.lang, text: parts[0] }];
    if (bilingual) {
      said = m.parts.map(function (p) { return { lang: p.lang, text: withoutPrompt(p.text, p.lang) }; });
    } else if (m.body_lang && m.body_lang !== m.lang) {
      const cut = parts[0].lastIndexOf("\n\n");
      if (cut > 0) said = [{ lang: m.body_lang, text: parts[0].slice(0, cut) }, { lang: m.lang, text: parts[0].slice(cut).trim() }];
    }
    said.forEach(function (p, i) {
      if (i > 0 && m.parts) li.append(el("p", { class: "msg-divider", "aria-hidden": "true", text: "· · ·" }));
      const body = el("p", { class: "msg-text", lang: p.lang || null });
      if (m.bot) L.linkify(body, p.text); else body.textContent = p.text;
      li.append(body);
    });
    if (parts[1]) li.append(el("p", { class: "msg-sig", lang: m.lang || null, text: "— " + parts[1] }));
    if (parts[2]) li.append(el("p", { class: "msg-text msg-after", lang: m.lang || null, text: parts[2] }));
    if (m.bot && m.link && m.text.indexOf(m.link) < 0 && /^https?:\/\//.test(m.link)) {
      li.append(el("p", { class: "msg-link" }, el("a", { href: m.link, rel: "noopener noreferrer", text: t("link") })));
    }
    if (m.feedback) li.append(feedbackBox(m, prompt));
    return { li: li, said: said, mine: mine };
  }

  // forget takes what a retention purge removed: the citizens' messages
  // dropped go, and the replies that quoted or named them are shown
  // again as rewritten, in place. Nothing is announced: the words are
  // gone, not new. A reply keeps its feedback buttons as they are, so
  // that the focus and a vote given stay.
  function forget(d) {
    for (const id of d.drop || []) {
      const li = seen.get(id);
      if (li) li.remove();
      seen.delete(id);
      langs.delete(id);
      if (announced === id) announcer.textContent = "";
    }
    for (const m of d.replace || []) {
      const old = seen.get(m.id);
      if (!old) continue;
      const fresh = build(m).li;
      const box = old.querySelector(".feedback");
      for (const a of ["class", "data-reply-to"]) {
        if (fresh.hasAttribute(a)) old.setAttribute(a, fresh.getAttribute(a)); else old.removeAttribute(a);
      }
      for (const c of Array.from(old.childNodes)) if (c !== box) c.remove();
      for (const c of Array.from(fresh.childNodes)) {
        if (box && c.classList && c.classList.contains("feedback")) continue;
        old.insertBefore(c, box);
      }
    }
    if (!log.querySelector("li.msg")) log.append(empty);
  }

  // announce says one short sentence in the status region: who wrote, and
  // what, each part in its own language.
  function announce(author, parts) {
    const said = [document.createTextNode(t("new", { Author: author }) + " ")];
    parts.forEach(function (p, i) {
      if (i > 0) said.push(document.createTextNode(" "));
      said.push(el("span", { lang: p.lang || null, text: p.text }));
    });
    announcer.replaceChildren.apply(announcer, said);
  }

  // tagLang tags a citizen's message, and the quotes of it, with the
  // language the engine told from it.
  const langs = new Map(); // message id → language
  function tagLang(d) {
    if (d.lang !== "en" && d.lang !== "fr") return;
    langs.set(d.id, d.lang);
    const li = seen.get(d.id);
    if (li) for (const p of li.querySelectorAll(".msg-text")) p.setAttribute("lang", d.lang);
    for (const q of log.querySelectorAll('li[data-reply-to="' + CSS.escape(d.id) + '"] .quoted')) q.setAttribute("lang", d.lang);
  }

  function failed(d) {
    const li = seen.get(d.id);
    if (!li || li.classList.contains("failed")) return;
    li.classList.add("failed");
    li.append(el("p", { class: "msg-error", text: t("failed") }));
  }

  L.stream("/api/chat/events?room=" + encodeURIComponent(room),
    { message: render, failed: failed, lang: tagLang, forget: forget, ready: function () { live = true; } },
    document.getElementById("conn"), function () { live = false; });

  // showError shows msg in the alert; when it concerns one field, that
  // field is marked invalid, described by the alert, and focused.
  function showError(msg, field) {
    clearError();
    formError.append(el("p", { text: msg }));
    formError.hidden = false;
    if (field) {
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", "form-error " + field.dataset.hint);
      field.focus();
    }
  }
  function clearError() {
    formError.hidden = true;
    formError.textContent = "";
    for (const f of [nameIn, textIn]) {
      f.removeAttribute("aria-invalid");
      f.setAttribute("aria-describedby", f.dataset.hint);
    }
  }
  nameIn.dataset.hint = nameIn.getAttribute("aria-describedby");
  textIn.dataset.hint = textIn.getAttribute("aria-describedby");

  // pending is the message being sent ({text, id}) until it is sent.
  let pending = null;
  function clientID() {
    const b = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(b, function (x) { return x.toString(16).padStart(2, "0"); }).join("");
  }

  form.addEventListener("submit", async function (ev) {
    ev.preventDefault();
    const name = nameIn.value.trim();
    const text = textIn.value.trim();
    if (!name) return showError(t("name.required"), nameIn);
    if (!text) return showError(t("text.required"), textIn);
    // Counted as the server counts, in characters (an emoji is one): not
    // with maxlength or String.length, which count UTF-16 units. A name
    // too long is refused by the server, which names the field.
    if (L.chars(text) > max) return showError(t("text.toolong", { Max: max }), textIn);
    clearError();
    L.store("liaison.name", name);
    // The message keeps its client id until it is sent: sent again after
    // a lost answer, it is not recorded twice (the server knows the id).
    if (!pending || pending.text !== text) pending = { text: text, id: clientID() };
    send.disabled = true;
    status.textContent = t("sending");
    const res = await L.api("POST", "/api/chat/messages", { room: room, name: name, text: text, client_id: pending.id });
    send.disabled = false;
    if (res.ok) {
      pending = null;
      textIn.value = "";
      status.textContent = t("sent");
      textIn.focus();
      return;
    }
    status.textContent = "";
    // Only a refusal of one field marks it: not a flood, an outage or a
    // lost connection.
    showError(L.errorText(res.data), res.data.field === "name" ? nameIn : res.data.field === "text" ? textIn : null);
  });

  // Ctrl+Enter (or Cmd+Enter) sends; Enter alone makes a new line.
  textIn.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      form.requestSubmit();
    }
  });
})();
