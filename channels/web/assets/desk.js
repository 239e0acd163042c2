// Staff desk: live escalations and notices; every action goes to the engine.
"use strict";

(function () {
  const L = window.Liaison;
  const t = L.t, el = L.el;
  const who = document.getElementById("whoami");
  const showAll = document.getElementById("showall");
  const queue = document.getElementById("queue");
  const noticeList = document.getElementById("notices");
  const flash = document.getElementById("flash");
  const escs = new Map();      // id → view
  // What staff were typing, by field id, kept in this tab for the person
  // signed in (common.js).
  const drafts = L.drafts(who);
  const conn = document.getElementById("conn");
  const eventIds = new Map();  // escalation id → answer event id (reused on retry)
  const notices = new Map();   // notice id → view

  showAll.checked = L.store("liaison.showall") === "1";
  const whoErr = el("p", { class: "field-error", id: "whoami-err" });
  who.before(whoErr);
  who.addEventListener("change", function () { if (who.value) fieldError(who, whoErr, ""); });

  // say writes one short sentence to the page's one status region (the
  // queue and the notices are not live regions: they would read out whole
  // cards). The same sentence twice is still announced.
  function say(msg, isError) {
    if (flash.textContent === msg) msg += "\u00a0";
    flash.textContent = msg;
    flash.classList.toggle("error", !!isError);
  }

  // The escalations this page acted on lately, by id → time: their notices
  // (held, delivered) follow from the action, whose own result is said.
  const actedOn = new Map();
  function ownNotice(n) {
    const at = actedOn.get(n.escalation_id);
    return at !== undefined && Date.now() - at < 15000;
  }

  async function act(action, body) {
    if (!who.value) {
      say(t("whoami.first"), true);
      fieldError(who, whoErr, t("whoami.first"));
      return null;
    }
    body.as = who.value;
    if (body.id) actedOn.set(body.id, Date.now());
    const res = await L.api("POST", "/api/desk/" + action, body);
    if (L.ended(res, conn, "/desk", true)) return null;
    if (!res.ok) {
      say(L.errorText(res.data), true);
      if (res.status === 409) load();
      return null;
    }
    return res.data;
  }

  function langName(l) { return t("lang." + (l || "")); }

  // channelLabel names the room a question came from in the page's
  // language, with its key, as the comms page does: "Aide (web:help)".
  function channelLabel(v) {
    const name = L.lang === "fr" ? v.channel_fr : v.channel_en;
    return name ? name + " (" + v.channel + ")" : v.channel;
  }

  function metaRow(dl, label, value) {
    if (!value && value !== 0) return;
    dl.append(el("dt", { text: label }), el("dd", { text: value }));
  }

  // undeliveredText says how many of the citizens who asked a waiting
  // question its answer did not reach ("" when it reached them all).
  function undeliveredText(v) {
    if (!v.waiting || !v.undelivered) return "";
    if (v.citizens <= 1) return t("undelivered.one");
    if (v.undelivered >= v.citizens) return t("undelivered.all", { M: v.citizens });
    return t("undelivered.some", { N: v.undelivered, M: v.citizens });
  }

  function card(v) {
    const id = "esc-" + v.id;
    const art = el("article", { class: "esc " + v.state, id: id, "aria-labelledby": id + "-h" });
    // The heading takes focus when the control that had it goes away.
    art.append(el("h3", { id: id + "-h", tabindex: "-1" },
      el("span", { text: t("esc.title", { ID: v.id }) }),
      el("span", { class: "state " + v.state, text: t("state." + v.state) })));
    // An answer that did not reach everyone: said in words, not by colour
    // alone, and tied to the answer field below.
    const undelivered = undeliveredText(v);
    if (undelivered) {
      art.append(el("div", { class: "alert alert-warning esc-undelivered", id: id + "-undelivered" },
        el("p", {}, el("strong", { text: t("kind.undelivered") })),
        el("p", { text: undelivered }),
        el("p", { text: t(v.undelivered === 1 ? "undelivered.next.one" : "undelivered.next.other") })));
    }
    art.append(v.question
      ? el("p", { class: "esc-q", lang: v.lang || null, text: v.question })
      : el("p", { class: "esc-q redacted", text: t("esc.redacted") }));
    const dl = el("dl", { class: "meta" });
    metaRow(dl, t("f.lang"), langName(v.lang));
    metaRow(dl, t("f.topic"), v.topic);
    metaRow(dl, t("f.channel"), channelLabel(v));
    metaRow(dl, t("f.asked"), L.dateTime(v.created_at));
    metaRow(dl, t("f.routed"), v.routed_to);
    metaRow(dl, t("f.claimed"), v.claimed_by);
    metaRow(dl, t("f.answered"), v.answered_by);
    if (v.closed_by) metaRow(dl, t("f.closed"), v.closed_by + (v.close_reason ? " — " + v.close_reason : ""));
    metaRow(dl, t("f.askers"), String(v.askers));
    art.append(dl);

    if (v.suggestions.length === 0) {
      art.append(el("p", { class: "muted", text: t("nosuggestions") }));
    } else {
      art.append(el("h4", { class: "sugs-h", text: t("suggestions") }));
      const ol = el("ol", { class: "sugs" });
      for (const s of v.suggestions) {
        const li = el("li", {},
          el("strong", { text: s.entry_id }), " — ",
          el("span", { lang: s.lang || null, text: s.question }), " ",
          el("span", { class: "muted", text: "(" + t("confidence", { Pct: Math.round(s.confidence * 100) }) + ")" }));
        if (v.waiting) {
          li.append(" ", el("button", {
            type: "button", class: "btn btn-small", id: id + "-sug-" + s.entry_id.replace(/[^a-z0-9-]/gi, "-"),
            "aria-label": t("sendentry") + " " + s.entry_id, "aria-describedby": id + "-h",
            text: t("sendentry"),
            onclick: async function () {
              const r = await act("suggest", { id: v.id, entry: s.entry_id, event_id: L.uid() });
              if (r) say(r.mismatch ? t("answer.held") : t("answer.ok." + L.plural(r.relays), { N: r.relays }));
            },
          }));
        }
        ol.append(li);
      }
      art.append(ol);
    }

    const actions = el("div", { class: "esc-actions" });
    if (v.state === "open") {
      actions.append(el("button", {
        type: "button", class: "btn btn-primary", id: id + "-claim", text: t("claim"), "aria-describedby": id + "-h",
        onclick: async function () {
          const r = await act("claim", { id: v.id });
          if (r) { upsert(r); say(t("claim.ok", { ID: v.id })); }
        },
      }));
    }
    actions.append(el("button", {
      type: "button", class: "btn", id: id + "-draft", text: t("draft"), "aria-describedby": id + "-h",
      onclick: async function () {
        const r = await act("draft", { id: v.id });
        if (r) say(t("draft.ok", { Entry: r.entry_id || r.draft_id }));
      },
    }));
    art.append(actions);

    if (v.waiting) {
      const taId = id + "-answer";
      const hintId = taId + "-hint";
      const taErr = el("p", { class: "field-error", id: taId + "-err" });
      const ta = el("textarea", { id: taId, rows: "4", required: true, "aria-describedby": hintId + (undelivered ? " " + id + "-undelivered" : ""), lang: v.lang || null });
      const form = el("form", { class: "answer-form", novalidate: true },
        el("div", { class: "field" },
          el("label", { for: taId, text: t("answer") }),
          el("p", { class: "hint", id: hintId, text: t("answer.hint", { Lang: langName(v.lang) }) }),
          taErr, ta),
        el("button", { type: "submit", class: "btn btn-primary", id: id + "-send", text: t("sendanswer"), "aria-describedby": id + "-h" }));
      form.addEventListener("submit", async function (ev) {
        ev.preventDefault();
        const text = ta.value.trim();
        if (!text) { fieldError(ta, taErr, t("answer.required")); return; }
        fieldError(ta, taErr, "");
        if (!eventIds.has(v.id)) eventIds.set(v.id, L.uid());
        const r = await act("answer", { id: v.id, text: text, event_id: eventIds.get(v.id) });
        if (!r) return;
        eventIds.delete(v.id);
        if (!r.mismatch) {
          // The card may have been redrawn meanwhile: clear the live field.
          drafts.forget(taId);
          const cur = document.getElementById(taId);
          if (cur) cur.value = "";
        }
        say(r.duplicate ? t("answer.dup") : r.mismatch ? t("answer.held") : t("answer.ok." + L.plural(r.relays), { N: r.relays }));
      });
      art.append(form);

      const rsId = id + "-reason";
      const rsErr = el("p", { class: "field-error", id: rsId + "-err" });
      const reason = el("input", { type: "text", id: rsId, maxlength: "300" });
      const close = el("form", { class: "close-form", novalidate: true },
        el("div", { class: "field" }, el("label", { for: rsId, text: t("closereason") }), rsErr, reason),
        el("button", { type: "submit", class: "btn btn-danger", id: id + "-close", text: t("close"), "aria-describedby": id + "-h" }));
      close.addEventListener("submit", async function (ev) {
        ev.preventDefault();
        if (!reason.value.trim()) { fieldError(reason, rsErr, t("reason.required")); return; }
        fieldError(reason, rsErr, "");
        const r = await act("close", { id: v.id, reason: reason.value.trim() });
        if (r) { drafts.forget(rsId); upsert(r); say(t("close.ok", { ID: v.id })); }
      });
      art.append(el("details", {}, el("summary", { id: id + "-close-toggle", "aria-describedby": id + "-h", text: t("close") }), close));
    }

    // Keep what staff were typing when the card is redrawn.
    for (const f of art.querySelectorAll("textarea, input[type=text]")) drafts.keep(f);
    return art;
  }

  function emptyState() {
    const none = document.getElementById("queue-none");
    const any = queue.querySelector("article");
    if (!any && !none) queue.append(el("p", { id: "queue-none", class: "muted", text: t("queue.none") }));
    if (any && none) none.remove();
  }

  // fieldError shows msg under a field and ties it to it (aria-invalid,
  // aria-describedby); an empty msg clears it and restores the field.
  function fieldError(field, note, msg) {
    const ids = (field.getAttribute("aria-describedby") || "").split(" ").filter(function (x) { return x && x !== note.id; });
    note.textContent = msg;
    if (msg) {
      ids.unshift(note.id);
      field.setAttribute("aria-invalid", "true");
    } else {
      field.removeAttribute("aria-invalid");
    }
    if (ids.length) field.setAttribute("aria-describedby", ids.join(" ")); else field.removeAttribute("aria-describedby");
    if (msg) field.focus();
  }

  function nextCard(art) {
    let n = art.nextElementSibling;
    while (n && n.tagName !== "ARTICLE") n = n.nextElementSibling;
    if (n) return n;
    n = art.previousElementSibling;
    while (n && n.tagName !== "ARTICLE") n = n.previousElementSibling;
    return n;
  }
  function focusHeading(art) {
    const h = art && art.querySelector("h3");
    (h || document.getElementById("queue-h")).focus();
  }

  function upsert(v) {
    const old = escs.get(v.id);
    if (old && old.version > v.version) return;
    escs.set(v.id, v);
    const existing = document.getElementById("esc-" + v.id);
    const focusWasIn = !!(existing && existing.contains(document.activeElement));
    if (!v.waiting && !showAll.checked) {
      if (existing) {
        // Answered or closed, the card leaves: focus goes to the next
        // card's heading, or the previous one's, or the queue's.
        const next = nextCard(existing);
        existing.remove();
        if (focusWasIn) focusHeading(next);
      }
      emptyState();
      return;
    }
    const focusId = document.activeElement && existing && existing.contains(document.activeElement) ? document.activeElement.id : "";
    const caret = focusId && typeof document.activeElement.selectionStart === "number"
      ? [document.activeElement.selectionStart, document.activeElement.selectionEnd] : null;
    const openClose = existing && existing.querySelector("details[open]");
    const fresh = card(v);
    if (openClose) { const d = fresh.querySelector("details"); if (d) d.open = true; }
    // The card is updated in place: the article stays the same element.
    if (existing) {
      existing.className = fresh.className;
      existing.replaceChildren.apply(existing, Array.from(fresh.childNodes));
    } else {
      queue.append(fresh);
    }
    if (existing && existing.contains(document.activeElement) === false && focusWasIn) {
      // The control that had focus is gone (Claim, once claimed): the
      // card's heading takes it, so that the keyboard stays in the card.
      const f = focusId && document.getElementById(focusId);
      if (f && !f.disabled) {
        f.focus();
        if (caret) { try { f.setSelectionRange(caret[0], caret[1]); } catch (e) { /* not a text field */ } }
      } else {
        document.getElementById("esc-" + v.id + "-h").focus();
      }
    }
    emptyState();
  }

  // onEscalation takes a live update: a question the page did not have is
  // announced in one short sentence, and so is one waiting again because
  // its answer did not reach everyone (once, when that appears).
  function onEscalation(v) {
    const isNew = !escs.has(v.id) && !document.getElementById("esc-" + v.id);
    const old = escs.get(v.id);
    upsert(v);
    if (escs.get(v.id) !== v) return; // older than what the page shows
    const undelivered = undeliveredText(v);
    if (undelivered && !(old && undeliveredText(old))) {
      say(t("undelivered.new", { ID: v.id }) + " " + undelivered);
    } else if (isNew && v.waiting) {
      const details = [langName(v.lang), v.topic].filter(Boolean).join(", ");
      say(t("esc.new", { ID: v.id, Details: details }));
    }
  }

  // alreadyChosen says that a held answer's choice had been made before
  // this click (a colleague's, a double click): sent as written, or to be
  // translated. Nothing changed.
  function alreadyChosen(r) {
    return t(r.status === "dropped" ? "mismatch.already.dropped" : "mismatch.already.queued");
  }

  function renderNotice(n) {
    const id = "notice-" + n.id;
    const li = el("li", { class: "notice " + n.kind, id: id, tabindex: "-1" });
    li.append(el("span", { class: "notice-kind", id: id + "-kind", text: t("kind." + n.kind) }), " ",
      el("time", { class: "muted", datetime: n.time, text: L.time(n.time) }));
    if (n.escalation_id) li.append(" · ", el("a", { href: "#esc-" + n.escalation_id, id: id + "-esc", text: t("esc.title", { ID: n.escalation_id }) }));
    // Buttons that repeat from notice to notice are described by theirs.
    const about = n.escalation_id ? id + "-kind " + id + "-esc" : id + "-kind";
    // A notice in both languages is one paragraph per language.
    if (n.parts && n.parts.length) {
      for (const p of n.parts) li.append(el("p", { lang: p.lang, text: p.text }));
    } else {
      li.append(el("p", { lang: n.lang || null, text: n.text }));
    }
    if (n.kind === "mismatch" && n.answer_id) {
      if (n.resolved) {
        li.append(el("p", { class: "muted", text: t(n.choice ? "resolved." + n.choice : "resolved") }));
      } else {
        const row = el("div", { class: "row" },
          el("button", { type: "button", class: "btn btn-small btn-primary", id: id + "-anyway", "aria-describedby": about, text: t("sendanyway"),
            onclick: async function () {
              const r = await act("mismatch", { answer_id: n.answer_id, send_anyway: true });
              if (r) say(r.duplicate ? alreadyChosen(r) : t("answer.ok." + L.plural(r.relays), { N: r.relays }));
            } }),
          el("button", { type: "button", class: "btn btn-small", id: id + "-translate", "aria-describedby": about, text: t("translate"),
            onclick: async function () {
              const r = await act("mismatch", { answer_id: n.answer_id, send_anyway: false });
              if (r) say(r.duplicate ? alreadyChosen(r) : t("translate.ok"));
            } }));
        li.append(row);
      }
    }
    return li;
  }

  function upsertNotice(n) {
    notices.set(n.id, n);
    const fresh = renderNotice(n);
    const existing = document.getElementById("notice-" + n.id);
    const none = document.getElementById("notices-none");
    if (none) none.remove();
    if (existing) {
      const focusWasIn = existing.contains(document.activeElement);
      existing.className = fresh.className;
      existing.replaceChildren.apply(existing, Array.from(fresh.childNodes));
      // Settled, the notice loses its buttons: it keeps the focus itself.
      if (focusWasIn && !existing.contains(document.activeElement)) existing.focus();
    } else {
      noticeList.prepend(fresh);
    }
  }

  // onNotice takes a live notice: a new one is announced by its kind, not
  // read out whole, unless it follows from this page's own action. A
  // question returned to its author is said by its card (onEscalation),
  // not twice.
  function onNotice(n) {
    const isNew = !notices.has(n.id);
    upsertNotice(n);
    if (isNew && !ownNotice(n) && n.kind !== "reopened") {
      let what = t("kind." + n.kind);
      if (n.escalation_id) what += " — " + t("esc.title", { ID: n.escalation_id });
      say(t("notice.new", { What: what }));
    }
  }

  async function load() {
    const res = await L.api("GET", "/api/desk/escalations" + (showAll.checked ? "?all=1" : ""));
    if (L.ended(res, conn, "/desk")) return;
    if (!res.ok) { say(L.errorText(res.data), true); return; }
    const ids = new Set(res.data.map(function (v) { return v.id; }));
    for (const art of Array.from(queue.querySelectorAll("article"))) {
      const id = parseInt(art.id.slice(4), 10);
      if (!ids.has(id)) {
        const had = art.contains(document.activeElement);
        const next = nextCard(art);
        art.remove();
        if (had) focusHeading(next);
      }
    }
    for (const v of res.data) { escs.delete(v.id); upsert(v); }
    emptyState();
  }

  async function loadNotices() {
    const res = await L.api("GET", "/api/desk/notices");
    if (!res.ok) return;
    for (const n of res.data) upsertNotice(n);
    if (res.data.length === 0 && !document.getElementById("notices-none")) {
      noticeList.append(el("li", { id: "notices-none", class: "muted", text: t("notices.none") }));
    }
  }

  showAll.addEventListener("change", function () {
    L.store("liaison.showall", showAll.checked ? "1" : "0");
    load();
  });

  L.roster(who);
  // Subscribe first, then load: nothing that happens in between is missed.
  let loaded = false;
  L.stream("/api/desk/events", { escalation: onEscalation, notice: onNotice }, conn, function () {
    load(); // also after a reconnect: catch up on what changed meanwhile
    if (!loaded) { loaded = true; loadNotices(); }
  }, "/api/desk/roster", "/desk");
})();
