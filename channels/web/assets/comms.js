// Comms page: phase in force and its switch, bilingual announcements, and
// today's activity.
"use strict";

(function () {
  const L = window.Liaison;
  const t = L.t, el = L.el;
  const who = document.getElementById("whoami");
  const globalPhase = document.getElementById("global-phase");
  const tbody = document.querySelector("#channels tbody");
  const scope = document.getElementById("scope");
  const inheritRow = document.getElementById("inherit-row");
  const summary = document.getElementById("summary");
  const since = document.getElementById("sum-since");
  const phaseForm = document.getElementById("phase-form");
  const bcForm = document.getElementById("bc-form");
  const bcChannels = document.getElementById("bc-channels");
  // Says that the session has ended (L.ended): a page left open after
  // signing out, after its session expired or after someone else signed
  // in on this browser does nothing and says so.
  const conn = document.getElementById("conn");
  let channelsBuilt = false;
  // What was typed or chosen in the forms, by field id, kept in this tab
  // for the person signed in (common.js) until the server accepts the
  // switch or the announcement.
  const drafts = L.drafts(who);
  function sent(form) {
    drafts.forget(...Array.from(form.elements, function (f) { return f.id; }).filter(Boolean));
  }

  function phaseName(p) { return t("phasename." + p); }

  function alerts(form) {
    return { bad: form.querySelector(".alert-danger"), good: form.querySelector(".alert-success") };
  }
  // A field's own error sits just before it, with the id FIELD-err, and
  // is named first in its aria-describedby; for radio buttons it goes on
  // their fieldset.
  function errorTarget(field) {
    return field.type === "radio" ? field.closest("fieldset") : field;
  }
  function setFieldError(field, msg) {
    const target = errorTarget(field);
    const id = (target.id || field.name) + "-err";
    let note = document.getElementById(id);
    const ids = (target.getAttribute("aria-describedby") || "").split(" ").filter(function (x) { return x && x !== id; });
    if (!msg) {
      if (note) note.remove();
      if (ids.length) target.setAttribute("aria-describedby", ids.join(" ")); else target.removeAttribute("aria-describedby");
      if (field.type === "radio") for (const r of target.querySelectorAll("input[type=radio]")) r.removeAttribute("aria-invalid");
      else field.removeAttribute("aria-invalid");
      return;
    }
    if (!note) {
      note = el("p", { class: "field-error", id: id });
      if (field.type === "radio") target.querySelector("legend").after(note); else field.before(note);
    }
    note.textContent = msg;
    target.setAttribute("aria-describedby", [id].concat(ids).join(" "));
    if (field.type === "radio") for (const r of target.querySelectorAll("input[type=radio]")) r.setAttribute("aria-invalid", "true");
    else field.setAttribute("aria-invalid", "true");
  }
  function clear(form) {
    const a = alerts(form);
    a.bad.hidden = true; a.bad.textContent = "";
    a.good.textContent = "";
    // "You are" sits outside the forms: its error is cleared too.
    for (const f of Array.from(form.querySelectorAll("[aria-invalid]")).concat([who])) setFieldError(f, "");
  }
  // problems: [{field, msg}] shown as an error summary linking to each
  // field, and beside each field.
  function showProblems(form, problems) {
    const a = alerts(form);
    a.bad.textContent = "";
    a.bad.append(el("p", { text: t("errsummary") }));
    const ul = el("ul");
    for (const p of problems) {
      if (p.field) {
        setFieldError(p.field, p.msg);
        ul.append(el("li", {}, el("a", { href: "#" + p.field.id, text: p.msg })));
      } else {
        ul.append(el("li", { text: p.msg }));
      }
    }
    a.bad.append(ul);
    a.bad.hidden = false;
    a.bad.setAttribute("tabindex", "-1");
    a.bad.focus();
  }
  // The confirmation region stays rendered (empty) so that what is
  // written in it is announced.
  function showOK(form, msg) {
    alerts(form).good.textContent = msg;
  }

  // setText writes a value only when it changed: nothing is re-announced
  // or redrawn for a value that stayed the same.
  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
  }

  // The summary's rows by label: rebuilt only when the set of rows changes,
  // otherwise each value is updated in place.
  let statKeys = "";
  const statValues = new Map();
  function stats(rows) {
    const keys = rows.map(function (r) { return r[0]; }).join("\n");
    if (keys !== statKeys) {
      statKeys = keys;
      statValues.clear();
      summary.textContent = "";
      for (const r of rows) {
        const dd = el("dd", { text: r[1] });
        statValues.set(r[0], dd);
        summary.append(el("dt", { text: r[0] }), dd);
      }
      return;
    }
    for (const r of rows) setText(statValues.get(r[0]), r[1]);
  }

  // The channels table and the "Where" options are rebuilt only when the
  // channel list changes; phases are updated in place.
  let channelKeys = null;
  const channelCells = new Map(); // key → [phase cell, override cell]
  function channels(list) {
    const keys = JSON.stringify(list.map(function (c) { return [c.key, c.name]; }));
    if (keys !== channelKeys) {
      channelKeys = keys;
      channelCells.clear();
      tbody.textContent = "";
      const keep = scope.value;
      for (const opt of Array.from(scope.options)) if (opt.value) opt.remove();
      for (const c of list) {
        const cells = [el("td"), el("td")];
        channelCells.set(c.key, cells);
        tbody.append(el("tr", {},
          el("th", { scope: "row" }, el("span", { text: c.name }), " ", el("span", { class: "muted", text: "(" + c.key + ")" })),
          cells[0], cells[1]));
        scope.append(el("option", { value: c.key, selected: c.key === keep, text: c.name + " (" + c.key + ")" }));
      }
    }
    for (const c of list) {
      const cells = channelCells.get(c.key);
      setText(cells[0], phaseName(c.phase));
      setText(cells[1], c.override ? t("yes") : t("no"));
    }
  }

  async function refresh() {
    const res = await L.api("GET", "/api/comms/status");
    if (L.ended(res, conn, "/comms")) { clearInterval(updates); return; }
    if (!res.ok) return;
    const st = res.data;
    setText(globalPhase, phaseName(st.phase));
    channels(st.channels);
    if (!channelsBuilt) {
      channelsBuilt = true;
      drafts.keep(scope);
      scopeChanged();
      for (const c of st.channels) {
        const id = "bc-ch-" + c.key.replace(/[^a-z0-9-]/gi, "-");
        const box = el("input", { type: "checkbox", id: id, name: "channel", value: c.key });
        drafts.keep(box);
        bcChannels.append(el("div", { class: "check" }, box, el("label", { for: id, text: c.name + " (" + c.key + ")" })));
      }
    }
    const s = st.summary;
    const rows = [
      [t("sum.q.en"), String(s.questions.en || 0)],
      [t("sum.q.fr"), String(s.questions.fr || 0)],
      [t("sum.answered"), String(s.answered)],
    ];
    // Answers that did not reach the citizen are not counted as answered:
    // each kind is shown when there are some.
    if (s.withheld) rows.push([t("sum.withheld"), String(s.withheld)]);
    if (s.undelivered) rows.push([t("sum.undelivered"), String(s.undelivered)]);
    rows.push([t("sum.escalated"), String(s.escalated)]);
    // A citizen asking for a staff answer in their language is not a new
    // question: counted apart, shown when there are some.
    if (s.language_requests) rows.push([t("sum.langrequests"), String(s.language_requests)]);
    rows.push(
      [t("sum.open"), String(s.open_escalations)],
      // The median with how many questions it is taken over: none, no median.
      [t("sum.median"), s.first_responses ? t("sum.over." + L.plural(s.first_responses),
        { Median: L.duration(s.median_first_response_s), N: L.number(s.first_responses) }) : "—"],
      [t("sum.staffmedian"), s.staff_answers ? t("sum.staffover." + L.plural(s.staff_answers),
        { Median: L.duration(s.median_staff_answer_s), N: L.number(s.staff_answers) }) : "—"],
      [t("sum.feedback"), s.helpful + " / " + s.not_helpful],
    );
    if (s.shadow) rows.push([t("sum.shadow"), s.shadow + " (" + s.shadow_would_answer + ")"]);
    if (s.gaps && s.gaps.length) {
      rows.push([t("sum.gaps"), s.gaps.map(function (g) { return g.topic + " (" + g.count + ")"; }).join(", ")]);
    }
    if (st.followers) {
      for (const p of Object.keys(st.followers).sort()) rows.push([t("sum.followers", { Platform: p }), String(st.followers[p])]);
    }
    stats(rows);
    const d = L.dateTime(s.since);
    setText(since, d ? t("sum.since", { Time: d }) : "");
  }

  // The announcement texts are limited as the engine limits them, in
  // characters (code points): not with maxlength, which counts an emoji as
  // two. A counter under each says how many are left, or how many too many.
  const bcMax = parseInt(bcForm.dataset.max, 10) || 1800;
  function tooLong(field) { return L.chars(field.value.trim()) > bcMax; }
  function counter(field) {
    const out = document.getElementById(field.id + "-count");
    function update() {
      const left = bcMax - L.chars(field.value.trim());
      const n = Math.abs(left);
      setText(out, t((left < 0 ? "count.over." : "count.left.") + L.plural(n), { N: L.number(n) }));
      out.classList.toggle("over", left < 0);
    }
    field.addEventListener("input", update);
    update();
    return update;
  }
  for (const f of phaseForm.querySelectorAll("input[type=radio], textarea")) drafts.keep(f);
  for (const f of bcForm.querySelectorAll("textarea, input[type=datetime-local]")) drafts.keep(f);
  const bcCounters = [counter(document.getElementById("bc-en")), counter(document.getElementById("bc-fr"))];

  // "Keep the global phase" is offered for a channel only.
  function scopeChanged() {
    inheritRow.hidden = scope.value === "";
    const inh = document.getElementById("phase-0");
    if (inheritRow.hidden && inh.checked) inh.checked = false;
  }
  scope.addEventListener("change", scopeChanged);

  phaseForm.addEventListener("submit", async function (ev) {
    ev.preventDefault();
    clear(phaseForm);
    const picked = phaseForm.querySelector("input[name=phase]:checked");
    const reason = document.getElementById("reason");
    const problems = [];
    if (!who.value) problems.push({ field: who, msg: t("whoami.first") });
    if (!picked) problems.push({ field: document.getElementById("phase-1"), msg: t("phase.required") });
    if (!reason.value.trim()) problems.push({ field: reason, msg: t("reason.required") });
    if (problems.length) return showProblems(phaseForm, problems);
    const res = await L.api("POST", "/api/comms/phase", { as: who.value, channel: scope.value, phase: picked.value, reason: reason.value.trim() });
    if (L.ended(res, conn, "/comms", true)) return;
    if (!res.ok) return showProblems(phaseForm, [{ msg: L.errorText(res.data) }]);
    reason.value = "";
    picked.checked = false;
    sent(phaseForm);
    const where = res.data.channel ? scope.options[scope.selectedIndex].text : t("global");
    showOK(phaseForm, res.data.to === "inherit" ? t("phase.inherit.ok", { Where: where }) : t("phase.ok", { Where: where, Phase: phaseName(res.data.to) }));
    refresh();
  });

  bcForm.addEventListener("submit", async function (ev) {
    ev.preventDefault();
    clear(bcForm);
    const en = document.getElementById("bc-en");
    const fr = document.getElementById("bc-fr");
    const at = document.getElementById("bc-at");
    const problems = [];
    if (!who.value) problems.push({ field: who, msg: t("whoami.first") });
    if (!en.value.trim()) problems.push({ field: en, msg: t("bc.en.required") });
    else if (tooLong(en)) problems.push({ field: en, msg: t("bc.en.toolong", { Max: L.number(bcMax) }) });
    if (!fr.value.trim()) problems.push({ field: fr, msg: t("bc.fr.required") });
    else if (tooLong(fr)) problems.push({ field: fr, msg: t("bc.fr.toolong", { Max: L.number(bcMax) }) });
    // A half-typed date reads as "" (badInput), which would mean "now":
    // it is an error, never an immediate publication.
    let when = "";
    if (at.validity && at.validity.badInput) {
      problems.push({ field: at, msg: t("when") });
    } else if (at.value) {
      const d = new Date(at.value);
      if (isNaN(d)) problems.push({ field: at, msg: t("when") });
      else when = d.toISOString();
    }
    if (problems.length) return showProblems(bcForm, problems);
    const channels = Array.from(bcChannels.querySelectorAll("input:checked"), function (c) { return c.value; });
    const res = await L.api("POST", "/api/comms/broadcast", { as: who.value, en: en.value.trim(), fr: fr.value.trim(), at: when, channels: channels });
    if (L.ended(res, conn, "/comms", true)) return;
    if (!res.ok) return showProblems(bcForm, [{ msg: L.errorText(res.data) }]);
    en.value = ""; fr.value = ""; at.value = "";
    sent(bcForm);
    for (const update of bcCounters) update();
    showOK(bcForm, when ? t("bc.scheduled", { ID: res.data.id, Time: L.dateTime(res.data.at) }) : t("bc.ok", { ID: res.data.id }));
    refresh();
  });

  // Automatic updates can be paused (WCAG 2.2.2); the page still updates
  // after the person's own changes.
  const pause = document.getElementById("pause");
  pause.checked = L.store("liaison.comms.pause") === "1";
  pause.addEventListener("change", function () { L.store("liaison.comms.pause", pause.checked ? "1" : "0"); });

  who.addEventListener("change", function () { if (who.value) setFieldError(who, ""); });

  L.roster(who);
  const updates = setInterval(function () { if (!pause.checked) refresh(); }, 10000);
  refresh();
})();
