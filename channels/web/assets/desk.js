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
  const drafts = new Map();    // element id → text being typed
  const eventIds = new Map();  // escalation id → answer event id (reused on retry)
  const notices = new Map();   // notice id → view

  showAll.checked = L.store("liaison.showall") === "1";

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

  async function act(action, body, where) {
    if (!who.value) {
      say(t("whoami.first"), true);
      who.focus();
      return null;
    }
    body.as = who.value;
    if (body.id) actedOn.set(body.id, Date.now());
    const res = await L.api("POST", "/api/desk/" + action, body);
    if (!res.ok) {
      const msg = L.errorText(res.data);
      if (where) where.textContent = msg;
      say(msg, true);
      if (res.status === 409) load();
      return null;
    }
    return res.data;
  }

  function langName(l) { return t("lang." + (l || "")); }

  function metaRow(dl, label, value) {
    if (!value && value !== 0) return;
    dl.append(el("dt", { text: label }), el("dd", { text: value }));
  }

  function card(v) {
    const id = "esc-" + v.id;
    const art = el("article", { class: "esc " + v.state, id: id, "aria-labelledby": id + "-h" });
    art.append(el("h3", { id: id + "-h" },
      el("span", { text: t("esc.title", { ID: v.id }) }),
      el("span", { class: "state " + v.state, text: t("state." + v.state) })));
    art.append(v.question
      ? el("p", { class: "esc-q", lang: v.lang || null, text: v.question })
      : el("p", { class: "esc-q redacted", text: t("esc.redacted") }));
    const dl = el("dl", { class: "meta" });
    metaRow(dl, t("f.lang"), langName(v.lang));
    metaRow(dl, t("f.topic"), v.topic);
    metaRow(dl, t("f.channel"), v.channel);
    metaRow(dl, t("f.asked"), L.dateTime(v.created_at));
    metaRow(dl, t("f.routed"), v.routed_to);
    metaRow(dl, t("f.claimed"), v.claimed_by);
    metaRow(dl, t("f.answered"), v.answered_by);
    if (v.closed_by) metaRow(dl, t("f.closed"), v.closed_by + (v.close_reason ? " — " + v.close_reason : ""));
    metaRow(dl, t("f.askers"), String(v.askers));
    art.append(dl);

    const msg = el("p", { class: "esc-msg flash", role: "status", id: id + "-msg" });

    art.append(el("h4", { class: "visually-hidden", text: t("suggestions") }));
    const sugTitle = el("p", { class: "muted", text: t("suggestions") });
    art.append(sugTitle);
    if (v.suggestions.length === 0) {
      sugTitle.textContent = t("nosuggestions");
    } else {
      const ol = el("ol", { class: "sugs" });
      for (const s of v.suggestions) {
        const li = el("li", {},
          el("strong", { text: s.entry_id }), " — ",
          el("span", { lang: s.lang || null, text: s.question }), " ",
          el("span", { class: "muted", text: "(" + t("confidence", { Pct: Math.round(s.confidence * 100) }) + ")" }));
        if (v.waiting) {
          li.append(" ", el("button", {
            type: "button", class: "btn btn-small",
            "aria-label": t("sendentry") + " " + s.entry_id,
            text: t("sendentry"),
            onclick: async function () {
              const r = await act("suggest", { id: v.id, entry: s.entry_id, event_id: L.uid() }, msg);
              if (r) msg.textContent = r.mismatch ? t("answer.held") : t("answer.ok", { N: r.relays });
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
        type: "button", class: "btn btn-primary", id: id + "-claim", text: t("claim"),
        onclick: async function () {
          const r = await act("claim", { id: v.id }, msg);
          if (r) { upsert(r); say(t("claim.ok", { ID: v.id })); }
        },
      }));
    }
    actions.append(el("button", {
      type: "button", class: "btn", id: id + "-draft", text: t("draft"),
      onclick: async function () {
        const r = await act("draft", { id: v.id }, msg);
        if (r) { msg.textContent = t("draft.ok", { Entry: r.entry_id || r.draft_id }); }
      },
    }));
    art.append(actions);

    if (v.waiting) {
      const taId = id + "-answer";
      const hintId = taId + "-hint";
      const ta = el("textarea", { id: taId, rows: "4", required: true, "aria-describedby": hintId, lang: v.lang || null });
      const form = el("form", { class: "answer-form", novalidate: true },
        el("div", { class: "field" },
          el("label", { for: taId, text: t("answer") }),
          el("p", { class: "hint", id: hintId, text: t("answer.hint", { Lang: langName(v.lang) }) }),
          ta),
        el("button", { type: "submit", class: "btn btn-primary", text: t("sendanswer") }));
      form.addEventListener("submit", async function (ev) {
        ev.preventDefault();
        const text = ta.value.trim();
        if (!text) { msg.textContent = t("answer.required"); ta.setAttribute("aria-invalid", "true"); ta.focus(); return; }
        ta.removeAttribute("aria-invalid");
        if (!eventIds.has(v.id)) eventIds.set(v.id, L.uid());
        const r = await act("answer", { id: v.id, text: text, event_id: eventIds.get(v.id) }, msg);
        if (!r) return;
        eventIds.delete(v.id);
        if (!r.mismatch) {
          // The card may have been redrawn meanwhile: clear the live field.
          drafts.delete(taId);
          const cur = document.getElementById(taId);
          if (cur) cur.value = "";
        }
        const m = r.duplicate ? t("answer.dup") : r.mismatch ? t("answer.held") : t("answer.ok", { N: r.relays });
        msg.textContent = m;
        say(m);
      });
      art.append(form);

      const rsId = id + "-reason";
      const reason = el("input", { type: "text", id: rsId, maxlength: "300" });
      const close = el("form", { class: "close-form", novalidate: true },
        el("div", { class: "field" }, el("label", { for: rsId, text: t("closereason") }), reason),
        el("button", { type: "submit", class: "btn btn-danger", text: t("close") }));
      close.addEventListener("submit", async function (ev) {
        ev.preventDefault();
        if (!reason.value.trim()) { msg.textContent = t("reason.required"); reason.setAttribute("aria-invalid", "true"); reason.focus(); return; }
        const r = await act("close", { id: v.id, reason: reason.value.trim() }, msg);
        if (r) { drafts.delete(rsId); upsert(r); say(t("close.ok", { ID: v.id })); }
      });
      art.append(el("details", {}, el("summary", { text: t("close") }), close));
    }
    art.append(msg);

    // Keep what staff were typing when the card is redrawn.
    for (const f of art.querySelectorAll("textarea, input[type=text]")) {
      if (drafts.has(f.id)) f.value = drafts.get(f.id);
      f.addEventListener("input", function () { drafts.set(f.id, f.value); });
    }
    return art;
  }

  function emptyState() {
    const none = document.getElementById("queue-none");
    const any = queue.querySelector("article");
    if (!any && !none) queue.append(el("p", { id: "queue-none", class: "muted", text: t("queue.none") }));
    if (any && none) none.remove();
  }

  function upsert(v) {
    const old = escs.get(v.id);
    if (old && old.version > v.version) return;
    escs.set(v.id, v);
    const existing = document.getElementById("esc-" + v.id);
    if (!v.waiting && !showAll.checked) {
      if (existing) existing.remove();
      emptyState();
      return;
    }
    const focusId = document.activeElement && existing && existing.contains(document.activeElement) ? document.activeElement.id : "";
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
    if (focusId) { const f = document.getElementById(focusId); if (f) f.focus(); }
    emptyState();
  }

  // onEscalation takes a live update: a question the page did not have is
  // announced in one short sentence.
  function onEscalation(v) {
    const isNew = !escs.has(v.id) && !document.getElementById("esc-" + v.id);
    upsert(v);
    if (isNew && v.waiting) {
      const details = [langName(v.lang), v.topic].filter(Boolean).join(", ");
      say(t("esc.new", { ID: v.id, Details: details }));
    }
  }

  function renderNotice(n) {
    const id = "notice-" + n.id;
    const li = el("li", { class: "notice " + n.kind, id: id });
    li.append(el("span", { class: "notice-kind", text: t("kind." + n.kind) }), " ",
      el("time", { class: "muted", datetime: n.time, text: L.time(n.time) }));
    if (n.escalation_id) li.append(" · ", el("a", { href: "#esc-" + n.escalation_id, text: t("esc.title", { ID: n.escalation_id }) }));
    li.append(el("p", { lang: n.lang || null, text: n.text }));
    if (n.kind === "mismatch" && n.answer_id) {
      if (n.resolved) {
        li.append(el("p", { class: "muted", text: t("resolved") }));
      } else {
        const out = el("p", { role: "status" });
        const row = el("div", { class: "row" },
          el("button", { type: "button", class: "btn btn-small btn-primary", text: t("sendanyway"),
            onclick: async function () {
              const r = await act("mismatch", { answer_id: n.answer_id, send_anyway: true }, out);
              if (r) { out.textContent = t("answer.ok", { N: r.relays }); }
            } }),
          el("button", { type: "button", class: "btn btn-small", text: t("translate"),
            onclick: async function () {
              const r = await act("mismatch", { answer_id: n.answer_id, send_anyway: false }, out);
              if (r) { out.textContent = t("resolved"); }
            } }));
        li.append(row, out);
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
      existing.className = fresh.className;
      existing.replaceChildren.apply(existing, Array.from(fresh.childNodes));
    } else {
      noticeList.prepend(fresh);
    }
  }

  // onNotice takes a live notice: a new one is announced by its kind, not
  // read out whole, unless it follows from this page's own action.
  function onNotice(n) {
    const isNew = !notices.has(n.id);
    upsertNotice(n);
    if (isNew && !ownNotice(n)) {
      let what = t("kind." + n.kind);
      if (n.escalation_id) what += " — " + t("esc.title", { ID: n.escalation_id });
      say(t("notice.new", { What: what }));
    }
  }

  async function load() {
    const res = await L.api("GET", "/api/desk/escalations" + (showAll.checked ? "?all=1" : ""));
    if (!res.ok) { say(L.errorText(res.data), true); return; }
    const ids = new Set(res.data.map(function (v) { return v.id; }));
    for (const art of Array.from(queue.querySelectorAll("article"))) {
      const id = parseInt(art.id.slice(4), 10);
      if (!ids.has(id)) art.remove();
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
  L.stream("/api/desk/events", { escalation: onEscalation, notice: onNotice }, document.getElementById("conn"), function () {
    load(); // also after a reconnect: catch up on what changed meanwhile
    if (!loaded) { loaded = true; loadNotices(); }
  });
})();
