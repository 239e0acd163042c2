// Package web is Liaison's local web front: a public citizen chat (a
// bot.Channel named "web"), a staff desk (a bot.Desk named "web", used when
// Slack is not configured) and a page for communications leads (phase and
// broadcasts), all served by one plain net/http server.
//
// Everything the pages need (HTML templates, one style sheet, three small
// scripts) is embedded in the binary: no external script, font or CDN, so the
// pages work offline. Live updates use server-sent events: a stream replays
// what it keeps (or what followed Last-Event-ID), then sends a "ready" event
// without an id, then live events, so that a page announces to screen
// readers only what arrives after it opened, in one short sentence through
// one status region, never whole cards or the history. Citizen text is
// escaped everywhere (html/template on the server, textContent in the
// browser), messages are size-limited and a flood from one browser is
// throttled with HTTP 429. The chat page gives each message a client id,
// kept when it sends the message again after a lost answer: the server
// records it once and answers the retry with the first message's id (for
// ten minutes, and only to the browser that sent it). A request's body
// must arrive within web.body_timeout_seconds of its headers, or the
// connection is closed;
// one network address may keep at most web.streams_per_address live
// streams open, and is refused one more with HTTP 429.
//
// The server binds to 127.0.0.1 by default. On any other address New refuses
// to start without a desk token, and the desk and comms pages (and their
// APIs) then require it: a login form sets an HttpOnly, SameSite=Strict
// cookie (Secure, as every cookie, when the browser came over https:
// directly or through a proxy that says so in X-Forwarded-Proto or
// Forwarded), valid twelve hours from its last use (each request renews it) and
// at most a day from signing in; signing out ends the session in every copy
// of the cookie and shows the sign-in page, and signing in on a browser
// ends the session that browser presented (on a shared computer, the
// person before's). The desk's open event streams end with their session
// (signed out, signed in over or expired), and a staff page sends back a
// mark of the session it was served under: a page left open under a
// session that another sign-in ended is told it ended, rather than taken
// for the new person's. API clients send
// "Authorization: Bearer TOKEN". Sign-ins, and wrong bearer tokens, are
// each limited per network address (five, then ten a minute): past that,
// the address is refused with HTTP 429 and the token it sends is not
// compared. With personal tokens (Options.StaffTokens,
// from LIAISON_WEB_TOKEN_<ID>: see TokenVar) each member of staff signs in
// with their own, the shared token no longer signs in, and the session (or
// bearer token) is that person's: the pages say who is signed in instead
// of asking "who are you", a request that claims to act as anyone else is
// refused and audited, and signing in and out are audited. A desk or
// comms page whose session ended (signed out, signed in over or expired)
// does nothing when used and says so with a sign-in link (the comms page
// also at its next status update); each keeps what was being typed in
// the tab's session storage (under personal sign-in, for the same person
// only; on the comms page until the switch or announcement is accepted);
// signing out clears it (and
// the "who are you" choice) from the browser, so that the next person on
// a shared computer does not find it. Without a token, the staff pages
// answer only requests addressed to localhost or a loopback address, so
// that a site whose name is pointed at 127.0.0.1 (DNS rebinding) cannot act
// on the desk through a staff member's browser, and none that a proxy
// relayed (it carries Forwarded, X-Forwarded-*, X-Real-IP or Via): a proxy
// in front of 127.0.0.1 may pass that address as the host.
// State-changing requests from pages carry a CSRF token bound to the
// browser; the token is read from a header, or from a small URL-encoded
// form (sign out), and no other body is read before the check. A request
// from another origin is refused; "Origin: null", which Chromium sends with
// the pages' own forms (their Referrer-Policy is no-referrer), counts as no
// origin, the tokens still guarding it.
//
// Room history and the desk's notices are kept in memory for the pages and
// read again from the store (through the engine's Conversation) when the
// server starts: rooms without the messages purged under the retention
// policy, and notices of held answers with their buttons until the answer
// is settled. After each retention purge (ForgetPurged) the rooms drop the
// messages it emptied and the quotes of them, and the desk's notices show
// the store's text, without the citizens it named, on open pages too.
// The store is the durable record of every message, answer and decision.
package web
