// Liaison pages: shared helpers. Data is always inserted with textContent
// or setAttribute, never as HTML.
"use strict";

window.Liaison = (function () {
  const stringsEl = document.getElementById("strings");
  const strings = stringsEl ? JSON.parse(stringsEl.textContent || "{}") : {};
  function meta(name) {
    const m = document.querySelector('meta[name="' + name + '"]');
    return m ? m.getAttribute("content") : "";
  }
  const lang = meta("liaison-lang") || "en";
  const locale = lang === "fr" ? "fr-CA" : "en-CA";

  // t returns the page string key with {Name} placeholders filled.
  function t(key, data) {
    let s = Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : key;
    if (data) {
      for (const k of Object.keys(data)) s = s.split("{" + k + "}").join(String(data[k]));
    }
    return s;
  }

  // el builds an element: attrs are set as attributes (class, id, aria-*,
  // ...), except "text" (textContent) and "on*" functions (listeners).
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "text") e.textContent = String(v);
      else if (k.startsWith("on") && typeof v === "function") e.addEventListener(k.slice(2), v);
      else if (v === true) e.setAttribute(k, "");
      else e.setAttribute(k, String(v));
    }
    for (const c of children) {
      if (c === undefined || c === null || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  // api calls a JSON endpoint with the page's CSRF token (and, on a staff
  // page, the mark of its session) and resolves to
  // {ok, status, data}; a network failure resolves with status 0.
  async function api(method, url, body) {
    const opts = {
      method: method,
      credentials: "same-origin",
      headers: { "X-CSRF-Token": meta("liaison-csrf"), "X-Liaison-Lang": lang, "Accept": "application/json" },
    };
    // A staff page names the session it was served under: once another
    // sign-in on this browser has ended it, the server says so (401)
    // instead of taking the page's requests for the new person's.
    const session = meta("liaison-session");
    if (session) opts.headers["X-Liaison-Session"] = session;
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    try {
      const res = await fetch(url, opts);
      let data = {};
      try { data = await res.json(); } catch (e) { data = {}; }
      if (!res.ok && !data.error) data.error = t("error");
      return { ok: res.ok, status: res.status, data: data };
    } catch (e) {
      return { ok: false, status: 0, data: { error: t("error") } };
    }
  }

  function errorText(data) {
    return data.detail ? data.error + " " + data.detail : data.error;
  }

  // signedOut says, in target, that the staff session has ended, with what
  // else the page has to say then (target's data-ended: the desk keeps
  // what was being typed) and a link to sign in again and come back to
  // next.
  function signedOut(target, next) {
    if (!target || target.dataset.signedOut) return;
    target.dataset.signedOut = "1";
    target.setAttribute("role", "alert");
    const said = t("session.ended") + (target.dataset.ended ? " " + target.dataset.ended : "");
    target.replaceChildren(document.createTextNode(said + " "),
      el("a", { href: "/login?next=" + encodeURIComponent(next), text: t("session.signin") }));
  }

  // ended reports whether res (from api) says the staff session has ended
  // (401: signed out, expired, or another sign-in on this browser since
  // the page was served); then nothing was done, and the page says so in
  // target (signedOut), moving the focus there when it answers the
  // person's own action (focus).
  function ended(res, target, next, focus) {
    if (res.status !== 401) return false;
    signedOut(target, next);
    if (focus && target) target.focus();
    return true;
  }

  // stream opens a server-sent events stream; handlers maps event types to
  // functions of the parsed data. conn (an element) shows lost connections.
  // With probe (an API address) and next (a page), a stream that fails
  // because the staff session ended (EventSource cannot see the status)
  // says so with a sign-in link instead of reconnecting for ever.
  function stream(url, handlers, conn, onOpen, probe, next) {
    let es;
    let retry = null;
    let ended = false;
    function open() {
      es = new EventSource(url);
      es.onopen = function () {
        if (conn) conn.textContent = "";
        if (onOpen) onOpen();
      };
      es.onerror = async function () {
        if (ended) return;
        if (conn) conn.textContent = t("connlost");
        if (probe) {
          const res = await api("GET", probe);
          if (res.status === 401) {
            ended = true;
            es.close();
            if (retry !== null) { clearTimeout(retry); retry = null; }
            signedOut(conn, next);
            return;
          }
        }
        if (es.readyState === EventSource.CLOSED && retry === null) {
          retry = setTimeout(function () { retry = null; open(); }, 3000);
        }
      };
      for (const [type, fn] of Object.entries(handlers)) {
        es.addEventListener(type, function (ev) {
          let data;
          try { data = JSON.parse(ev.data); } catch (e) { return; }
          fn(data);
        });
      }
    }
    open();
  }

  function time(iso) {
    const d = new Date(iso);
    if (isNaN(d)) return "";
    return d.toLocaleTimeString(locale, { hour: "numeric", minute: "2-digit" });
  }
  function dateTime(iso) {
    const d = new Date(iso);
    if (isNaN(d) || d.getFullYear() < 2000) return "";
    return d.toLocaleString(locale, { dateStyle: "medium", timeStyle: "short" });
  }
  // duration writes seconds rounded, each number kept with its unit; 0 is
  // a real 0 s (whether there was anything to measure is the caller's).
  function duration(seconds) {
    const s = Math.max(0, Math.round(seconds || 0));
    if (s < 60) return s + "\u00a0s";
    const m = Math.floor(s / 60);
    if (m < 60) return m + "\u00a0min " + (s % 60) + "\u00a0s";
    return Math.floor(m / 60) + "\u00a0h " + (m % 60) + "\u00a0min";
  }

  function uid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.from(b, function (x) { return x.toString(16).padStart(2, "0"); }).join("");
  }

  // linkify appends text to parent, with http(s) addresses as links.
  function linkify(parent, text) {
    const re = /https?:\/\/[^\s<>"')]+[^\s<>"').,;:!?]/g;
    let last = 0;
    let m;
    while ((m = re.exec(text)) !== null) {
      parent.append(document.createTextNode(text.slice(last, m.index)));
      parent.append(el("a", { href: m[0], rel: "noopener noreferrer", text: m[0] }));
      last = m.index + m[0].length;
    }
    parent.append(document.createTextNode(text.slice(last)));
  }

  function store(key, value) {
    try {
      if (value === undefined) return localStorage.getItem(key) || "";
      localStorage.setItem(key, value);
    } catch (e) { /* private mode: not remembered */ }
    return "";
  }

  // roster fills a "who are you" select from the desk roster. Under
  // personal sign-in the page names who is signed in instead (a hidden
  // field, not a select), and there is nothing to choose.
  async function roster(select) {
    const res = await api("GET", "/api/desk/roster");
    if (!res.ok) return [];
    if (select.tagName !== "SELECT") return res.data;
    const saved = store("liaison.staff");
    for (const s of res.data) {
      const title = lang === "fr" ? (s.title_fr || s.title_en) : (s.title_en || s.title_fr);
      let label = s.name + (title ? " — " + title : "");
      if (s.comms_lead) label += " (" + t("commslead") + ")";
      select.append(el("option", { value: s.id, selected: s.id === saved, text: label }));
    }
    select.addEventListener("change", function () { store("liaison.staff", select.value); });
    return res.data;
  }

  // drafts keeps what is typed in a staff page's fields, by field id, in
  // this tab (sessionStorage, never sent anywhere), so that it survives a
  // redraw, a reload and signing in again after the session ended; signing
  // out clears it (below, and the server's Clear-Site-Data), so it is not
  // tied to one session. Under personal sign-in (the page names who is
  // signed in: who is not a select) it is kept for that person only:
  // whoever signs in next in this tab, on a shared computer, neither reads
  // it nor sends it under their own name, and it is forgotten then. The
  // desk and the comms page keep theirs together (their fields' ids
  // differ), one page at a time in a tab.
  function drafts(who) {
    const owner = who.tagName === "SELECT" ? "" : who.value;
    const fields = new Map();
    try {
      const kept = JSON.parse(sessionStorage.getItem("liaison.drafts") || "{}");
      if ((kept.owner || "") === owner && kept.fields) for (const [id, v] of Object.entries(kept.fields)) fields.set(id, v);
      else sessionStorage.removeItem("liaison.drafts");
    } catch (e) { /* nothing kept */ }
    function save() {
      try { sessionStorage.setItem("liaison.drafts", JSON.stringify({ owner: owner, fields: Object.fromEntries(fields) })); } catch (e) { /* not kept */ }
    }
    function checkable(f) { return f.type === "checkbox" || f.type === "radio"; }
    return {
      // keep puts back what was kept for field (a choice only if the
      // select offers it) and keeps what is typed or chosen in it from
      // now on. A radio button keeps its whole group.
      keep: function (field) {
        if (fields.has(field.id)) {
          const v = fields.get(field.id);
          if (checkable(field)) field.checked = v === true;
          else if (field.tagName !== "SELECT" || Array.from(field.options).some(function (o) { return o.value === v; })) field.value = v;
        }
        function changed() {
          const group = field.type === "radio" && field.form ? Array.from(field.form.querySelectorAll("input[type=radio]")).filter(function (r) { return r.name === field.name; }) : [field];
          for (const f of group) fields.set(f.id, checkable(f) ? f.checked : f.value);
          save();
        }
        field.addEventListener(checkable(field) || field.tagName === "SELECT" ? "change" : "input", changed);
      },
      // forget drops what was kept for these field ids: the server has
      // accepted what was typed in them.
      forget: function (...ids) {
        for (const id of ids) fields.delete(id);
        save();
      },
    };
  }

  // Signing out forgets, in this browser, what was being typed on the
  // desk and the comms page and who was picked as "who are you", so that
  // the next person on a shared computer does not find them. (The server's Clear-Site-Data
  // header does the same where browsers honour it: https, this computer.)
  const logout = document.querySelector("form.logout");
  if (logout) {
    logout.addEventListener("submit", function () {
      try { sessionStorage.removeItem("liaison.drafts"); } catch (e) { /* nothing kept */ }
      try { localStorage.removeItem("liaison.staff"); } catch (e) { /* nothing kept */ }
    });
  }

  // chars counts the characters of s as the server keeps and counts them
  // (cleanText, then Go's rune count): control characters other than tabs
  // and line breaks, and the Unicode line and paragraph separators, are
  // dropped, the rest is trimmed of white space (not of U+FEFF, which Go
  // keeps), and code points are counted, so that an emoji is one
  // character, not the two UTF-16 units that String.length and maxlength
  // count.
  function chars(s) {
    const kept = s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, "")
      .replace(/^[\t\n \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+|[\t\n \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+$/g, "");
    let n = 0;
    for (let i = 0; i < kept.length; i++) {
      const c = kept.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < kept.length) {
        const d = kept.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) i++;
      }
      n++;
    }
    return n;
  }
  // plural is "one" or "other": which form of a counted phrase n takes in
  // the page's language (in French, 0 and 1 take the singular).
  const plurals = new Intl.PluralRules(locale);
  function plural(n) { return plurals.select(n) === "one" ? "one" : "other"; }
  function number(n) { return n.toLocaleString(locale); }

  return { t, el, api, chars, plural, number, errorText, stream, signedOut, ended, time, dateTime, duration, uid, linkify, store, roster, drafts, lang, meta };
})();
