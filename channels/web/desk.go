package web

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/phases"
)

// Desk is the local staff desk as a bot.Desk named "web": escalations and
// notices are pushed live to open desk pages, and staff actions on the page
// go to the engine's DeskHandler.
type Desk struct{ s *Server }

var _ bot.Desk = (*Desk)(nil)

// Name returns "web".
func (d *Desk) Name() string { return Platform }

// Run serves staff actions with h until ctx ends, then returns nil. Until
// Run is called the desk and comms pages answer 503 (starting).
func (d *Desk) Run(ctx context.Context, h bot.DeskHandler) error {
	d.s.mu.Lock()
	d.s.deskH = h
	d.s.mu.Unlock()
	<-ctx.Done()
	d.s.mu.Lock()
	if d.s.deskH == h {
		d.s.deskH = nil
	}
	d.s.mu.Unlock()
	return nil
}

// deskRef is the web desk's post id of an escalation.
func deskRef(id int64) string { return "web-" + strconv.FormatInt(id, 10) }

// PostEscalation shows e on open desk pages and returns its ref.
func (d *Desk) PostEscalation(ctx context.Context, e bot.Escalation) (string, error) {
	ref := deskRef(e.ID)
	e.DeskRef = ref
	d.s.pushEscalation(e)
	return ref, nil
}

// UpdateEscalation refreshes e on open desk pages.
func (d *Desk) UpdateEscalation(ctx context.Context, ref string, e bot.Escalation) error {
	if e.DeskRef == "" {
		e.DeskRef = ref
	}
	d.s.pushEscalation(e)
	return nil
}

// maxNotices is how many recent notices desk pages are given.
const maxNotices = 200

// Notify shows n on open desk pages (kept in memory for pages opened later)
// and returns its ref.
func (d *Desk) Notify(ctx context.Context, n bot.Notice) (string, error) {
	s := d.s
	s.mu.Lock()
	s.noticeID++
	dn := deskNotice{ID: s.noticeID, Notice: n, Time: s.now().UTC(), Parts: noticeParts(n)}
	dn.ref = "web-notice-" + strconv.FormatInt(dn.ID, 10)
	if how, ok := s.resolved[n.AnswerID]; n.Kind == bot.NoticeMismatch && ok {
		dn.Resolved, dn.Choice = true, how
	}
	s.notices = append(s.notices, dn)
	if len(s.notices) > maxNotices {
		s.notices = slices.Clone(s.notices[len(s.notices)-maxNotices:])
	}
	s.mu.Unlock()
	s.deskHub.publish("notice", dn)
	return dn.ref, nil
}

// Restore shows the desk's last notices again after a restart, as the
// store kept them when they were delivered: a held answer's notice keeps
// its buttons until the answer is settled, whoever settled it. Call it
// before Run, when the web desk is the staff desk.
func (d *Desk) Restore(ctx context.Context, h bot.Historian) error {
	said, err := h.Conversation(ctx, bot.DeskPlatform, "", maxNotices)
	if err != nil {
		return fmt.Errorf("web: restore desk notices: %w", err)
	}
	var notices []deskNotice
	for _, x := range said {
		if x.Sent == nil || x.Sent.Notice == nil {
			continue
		}
		dn := deskNotice{Notice: *x.Sent.Notice, Time: x.At.UTC(), Parts: noticeParts(*x.Sent.Notice), ref: x.Sent.Ref.ID}
		if dn.Kind == bot.NoticeMismatch && dn.AnswerID != 0 {
			status, err := answerStatus(ctx, h, dn.EscalationID, dn.AnswerID)
			if err != nil {
				return fmt.Errorf("web: restore desk notices: %w", err)
			}
			dn.Resolved, dn.Choice = status != bot.AnswerHeld, choice(status)
		}
		notices = append(notices, dn)
	}
	s := d.s
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, dn := range notices {
		s.noticeID++
		dn.ID = s.noticeID
		if dn.Resolved {
			s.resolved[dn.AnswerID] = dn.Choice
		}
		s.notices = append(s.notices, dn)
	}
	if len(s.notices) > maxNotices {
		s.notices = slices.Clone(s.notices[len(s.notices)-maxNotices:])
	}
	return nil
}

// forgetPurgedNotices shows the desk's notices as the store now keeps them, on
// open desk pages and on those opened later: a notice the retention purge
// rewrote, one naming a citizen (bot.NoticeUndelivered) or quoting them,
// takes the store's text without them. The store's notice is told by its
// ref, which names one notice across restarts (noticeID).
func (s *Server) forgetPurgedNotices(ctx context.Context, h bot.Historian) error {
	s.mu.Lock()
	none := len(s.notices) == 0
	s.mu.Unlock()
	if none { // the desk is not the staff desk, or has said nothing yet
		return nil
	}
	said, err := h.Conversation(ctx, bot.DeskPlatform, "", maxNotices)
	if err != nil {
		return fmt.Errorf("web: forget purged desk notices: %w", err)
	}
	kept := map[string]bot.Notice{}
	for _, x := range said {
		if x.Sent != nil && x.Sent.Notice != nil && x.Sent.Ref.ID != "" {
			kept[x.Sent.Ref.ID] = *x.Sent.Notice
		}
	}
	changed := map[int64]deskNotice{}
	var order []int64
	s.mu.Lock()
	for i := range s.notices {
		dn := &s.notices[i]
		n, ok := kept[dn.ref]
		if !ok || n.Text == dn.Text && slices.Equal(n.Parts, dn.Notice.Parts) {
			continue
		}
		dn.Text, dn.Notice.Parts, dn.Redacted = n.Text, n.Parts, nil
		dn.Parts = noticeParts(dn.Notice)
		changed[dn.ID] = *dn
		order = append(order, dn.ID)
	}
	s.mu.Unlock()
	if len(order) == 0 {
		return nil
	}
	// The events kept for pages that reconnect say it without them too.
	edits := map[int64][]byte{}
	for _, ev := range s.deskHub.snapshot() {
		var old deskNotice
		if ev.Type != "notice" || json.Unmarshal(ev.Data, &old) != nil {
			continue
		}
		if dn, ok := changed[old.ID]; ok {
			old.Text, old.Notice.Parts, old.Redacted, old.Parts = dn.Text, dn.Notice.Parts, nil, dn.Parts
			if data, err := json.Marshal(old); err == nil {
				edits[ev.ID] = data
			}
		}
	}
	s.deskHub.rewrite(nil, edits)
	for _, id := range order {
		s.deskHub.publish("notice", changed[id])
	}
	return nil
}

// answerStatus is the status of a staff answer: bot.AnswerHeld while it
// waits for its author's choice (send anyway or translate); "" when the
// store has no such answer.
func answerStatus(ctx context.Context, h bot.Historian, escalationID, answerID int64) (bot.AnswerStatus, error) {
	as, err := h.Answers(ctx, escalationID)
	if err != nil {
		return "", err
	}
	for _, a := range as {
		if a.ID == answerID {
			return a.Status, nil
		}
	}
	return "", nil
}

// choice names how a held answer was settled, as desk pages say it:
// "sent" as written, "dropped" to be translated, "" otherwise.
func choice(st bot.AnswerStatus) string {
	switch st {
	case bot.AnswerQueued:
		return "sent"
	case bot.AnswerDropped:
		return "dropped"
	}
	return ""
}

// deskNotice is a notice as desk pages show it.
type deskNotice struct {
	bot.Notice
	ID       int64      `json:"id"`
	Time     time.Time  `json:"time"`
	Resolved bool       `json:"resolved,omitempty"` // a held answer was settled
	Choice   string     `json:"choice,omitempty"`   // and how (see choice), as Slack shows it on the notice
	Parts    []bot.Part `json:"parts,omitempty"`    // a notice in both languages, split (see noticeParts): shown instead of Notice.Parts
	ref      string     // the desk's ref of the notice, as the store keeps it
}

// noticeParts is a notice written in both languages, split: as the engine
// wrote it, or guessed for a notice stored before the engine kept its parts.
func noticeParts(n bot.Notice) []bot.Part {
	if n.Lang != "" {
		return nil
	}
	if n.Parts != nil {
		return n.Parts
	}
	return bilingualParts(n.Text)
}

// escView is an escalation as desk pages show it.
type escView struct {
	ID          int64     `json:"id"`
	Ref         string    `json:"ref"`
	Version     int       `json:"version"`
	State       string    `json:"state"`
	Waiting     bool      `json:"waiting"`
	Lang        string    `json:"lang"`
	Topic       string    `json:"topic"`
	Question    string    `json:"question"`
	Channel     string    `json:"channel"`              // its key ("web:help")
	ChannelEN   string    `json:"channel_en,omitempty"` // a room's name for English pages
	ChannelFR   string    `json:"channel_fr,omitempty"` // and for French pages
	Suggestions []sugView `json:"suggestions"`
	RoutedTo    string    `json:"routed_to"`
	ClaimedBy   string    `json:"claimed_by,omitempty"`
	AnsweredBy  string    `json:"answered_by,omitempty"`
	ClosedBy    string    `json:"closed_by,omitempty"`
	CloseReason string    `json:"close_reason,omitempty"`
	// Askers is how many people asked, counted as the engine relays to them
	// (bot.Citizens): one who asked twice in the same place counts once.
	Askers int `json:"askers"`
	// Undelivered is how many of the Citizens who asked an answer did not
	// reach, for good, while the escalation waits again (bot.Escalation's
	// Undelivered); 0 otherwise.
	Undelivered int       `json:"undelivered,omitempty"`
	Citizens    int       `json:"citizens,omitempty"`
	Reminders   int       `json:"reminders,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

type sugView struct {
	EntryID    string  `json:"entry_id"`
	Lang       string  `json:"lang"`
	Question   string  `json:"question"`
	Confidence float64 `json:"confidence"`
}

// staffName is a roster id shown as "Name (id)".
func staffName(roster bot.Roster, id string) string {
	if id == "" {
		return ""
	}
	if st, ok := roster.ByID(id); ok && st.Name != "" {
		return st.Name
	}
	return id
}

func (s *Server) view(e bot.Escalation) escView {
	_, dh := s.handlers()
	var roster bot.Roster
	if dh != nil {
		roster = dh.Roster()
	}
	v := escView{
		ID: e.ID, Ref: e.DeskRef, Version: e.Version, State: string(e.State), Waiting: e.State.Waiting(),
		Lang: string(e.Lang), Topic: e.Topic, Question: e.Question, Channel: string(e.Channel),
		RoutedTo: staffName(roster, e.RoutedTo), ClaimedBy: staffName(roster, e.ClaimedBy),
		AnsweredBy: staffName(roster, e.AnsweredBy), ClosedBy: staffName(roster, e.ClosedBy),
		CloseReason: e.CloseReason, Askers: bot.Citizens(e.Askers), Reminders: e.Reminders, CreatedAt: e.CreatedAt.UTC(),
		Suggestions: []sugView{},
	}
	if v.Ref == "" {
		v.Ref = deskRef(e.ID)
	}
	if missing := e.Undelivered(); len(missing) > 0 {
		v.Undelivered, v.Citizens = bot.Citizens(missing), bot.Citizens(e.Askers)
	}
	if r, ok := s.cfg.room(e.Channel.ID()); ok && e.Channel.Platform() == Platform {
		v.ChannelEN, v.ChannelFR = r.Name(bot.English), r.Name(bot.French)
	}
	for _, h := range e.Suggestions {
		v.Suggestions = append(v.Suggestions, sugView{EntryID: h.EntryID, Lang: string(h.Lang), Question: h.Question, Confidence: h.Confidence})
	}
	return v
}

func (s *Server) pushEscalation(e bot.Escalation) {
	v := s.view(e)
	s.mu.Lock()
	s.escs[e.ID] = v
	s.mu.Unlock()
	s.deskHub.publish("escalation", v)
}

// deskEvents streams the desk's escalations and notices. Under a desk
// session (not a bearer token, not a loopback desk without a token) the
// stream ends with the session: when it is signed out, when it expires,
// and a day after signing in at the latest.
func (s *Server) deskEvents(w http.ResponseWriter, r *http.Request) {
	if !s.guarded() || s.bearerOK(r) {
		s.stream(w, r, s.deskHub, false, nil)
		return
	}
	ds, ok := s.session(r)
	if !ok { // signed out since staffOnly let it through
		s.apiError(w, r, http.StatusUnauthorized, "err.login", "")
		return
	}
	// The cookie staffOnly has just renewed expires then; other requests
	// may renew it again, which this stream cannot see: it then ends
	// early, and the browser reconnects with the newer cookie.
	ds.exp = sessionEnd(ds, s.now())
	s.stream(w, r, s.deskHub, false, &ds)
}

// staffView is one roster entry for the "who are you" picker.
type staffView struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	TitleEN   string   `json:"title_en"`
	TitleFR   string   `json:"title_fr"`
	Languages []string `json:"languages"`
	CommsLead bool     `json:"comms_lead"`
}

func (s *Server) roster(w http.ResponseWriter, r *http.Request) {
	_, dh := s.handlers()
	if dh == nil {
		s.apiError(w, r, http.StatusServiceUnavailable, "err.starting", "")
		return
	}
	out := []staffView{}
	for _, st := range dh.Roster() {
		v := staffView{ID: st.ID, Name: st.Name, TitleEN: st.TitleEN, TitleFR: st.TitleFR, CommsLead: st.CommsLead, Languages: []string{}}
		for _, l := range st.Languages {
			v.Languages = append(v.Languages, string(l))
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, out)
}

// maxFinishedShown is how many answered and closed questions the desk shows
// at most, the most recent, next to every waiting one.
const maxFinishedShown = 200

func (s *Server) listEscalations(w http.ResponseWriter, r *http.Request) {
	_, dh := s.handlers()
	if dh == nil {
		s.apiError(w, r, http.StatusServiceUnavailable, "err.starting", "")
		return
	}
	list, err := dh.Escalations(r.Context(), bot.EscalationFilter{States: []bot.EscalationState{bot.StateOpen, bot.StateClaimed}})
	if err == nil && r.URL.Query().Get("all") == "1" {
		// Every waiting question, and the most recent finished ones.
		var done []bot.Escalation
		done, err = dh.Escalations(r.Context(), bot.EscalationFilter{
			States: []bot.EscalationState{bot.StateAnswered, bot.StateRelayed, bot.StateClosed},
			Limit:  maxFinishedShown, Newest: true,
		})
		list = append(list, done...)
		slices.SortFunc(list, func(a, b bot.Escalation) int {
			return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
		})
	}
	if err != nil {
		s.engineError(w, r, err)
		return
	}
	out := make([]escView, 0, len(list))
	for _, e := range list {
		out = append(out, s.view(e))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) listNotices(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	out := slices.Clone(s.notices)
	s.mu.Unlock()
	if out == nil {
		out = []deskNotice{}
	}
	writeJSON(w, http.StatusOK, out)
}

// deskRequest is the body of every desk action.
type deskRequest struct {
	As         string `json:"as"` // roster id of the person acting
	ID         int64  `json:"id"` // escalation id
	Text       string `json:"text"`
	Reason     string `json:"reason"`
	Entry      string `json:"entry"`
	EventID    string `json:"event_id"` // client-made id: a resent answer is applied once
	AnswerID   int64  `json:"answer_id"`
	SendAnyway bool   `json:"send_anyway"`
}

// actor resolves the roster id the page says it acts as, for action on
// target (as the audit log names them). On the desk the person picks who
// they are: without a token on loopback that is trusted, with the shared
// token the token holder is. Under personal sign-in the request acts as
// the person signed in ("" as means them): claiming to be anyone else is
// refused. Someone not on the roster, or without a desk user id, is
// refused too; every refusal is audited.
func (s *Server) actor(w http.ResponseWriter, r *http.Request, dh bot.DeskHandler, as, action, target string) (bot.Staff, bool) {
	if who, ok := signedIn(r); ok {
		if as == "" {
			as = who
		}
		if as != who {
			s.log.Warn("desk request refused: acting as someone else", "staff", who, "claimed", as, "action", action)
			e := bot.AuditEntry{Actor: who, Via: Platform, Action: action, Target: target,
				Detail: fmt.Sprintf("signed in as %q, claimed to act as %q", who, as)}
			if err := s.audit(r.Context(), e); err != nil {
				s.log.Error("audit desk request", "action", action, "err", err)
			}
			s.apiErrorf(w, r, http.StatusForbidden, "err.notyou", map[string]any{"Name": staffName(dh.Roster(), who)})
			return bot.Staff{}, false
		}
	} else if len(s.personal) > 0 { // staffOnly lets none through unsigned
		s.apiError(w, r, http.StatusUnauthorized, "err.login", "")
		return bot.Staff{}, false
	}
	st, ok := dh.Roster().ByID(as)
	if !ok {
		why := "not on the staff roster"
		if as == "" {
			why = "chose no one from the staff list"
		}
		s.refused(w, r, http.StatusForbidden, "err.whoami", "", bot.AuditEntry{Actor: as, Action: action, Target: target, Detail: why})
		return bot.Staff{}, false
	}
	if st.DeskUserID == "" {
		s.refused(w, r, http.StatusForbidden, "err.nodeskuser", fmt.Sprintf("staff %q: desk_user", st.ID),
			bot.AuditEntry{Actor: st.ID, Action: action, Target: target, Detail: "no desk user id on the staff roster"})
		return bot.Staff{}, false
	}
	return st, true
}

// refused answers a request the web desk refuses before it reaches the
// engine, with the message of key and detail (as apiError), and audits it
// as the engine audits the refusals it makes: e names who asked, the
// action, its target and why, never what they typed. A failure to audit is
// logged; the refusal stands.
func (s *Server) refused(w http.ResponseWriter, r *http.Request, code int, key, detail string, e bot.AuditEntry) {
	e.Via, e.Allowed = Platform, false
	if err := s.audit(r.Context(), e); err != nil {
		s.log.Error("audit desk request", "action", e.Action, "err", err)
	}
	s.apiError(w, r, code, key, detail)
}

// deskAudit names the desk's actions as the audit log does.
var deskAudit = map[string]string{
	"claim": "escalation.claim", "answer": "escalation.answer", "close": "escalation.close",
	"draft": "draft.save", "suggest": "escalation.answer", "mismatch": "escalation.mismatch",
}

func (s *Server) deskAction(action string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, dh := s.handlers()
		if dh == nil {
			s.apiError(w, r, http.StatusServiceUnavailable, "err.starting", "")
			return
		}
		var req deskRequest
		if !s.decode(w, r, &req, 64<<10) {
			return
		}
		target := "escalation:" + strconv.FormatInt(req.ID, 10)
		if action == "mismatch" {
			target = "answer:" + strconv.FormatInt(req.AnswerID, 10)
		}
		st, ok := s.actor(w, r, dh, req.As, deskAudit[action], target)
		if !ok {
			return
		}
		ctx, cancel := workContext(r)
		defer cancel()
		var (
			res any
			err error
		)
		switch action {
		case "claim":
			var e bot.Escalation
			e, err = dh.Claim(ctx, req.ID, st.DeskUserID)
			res = s.view(e)
		case "answer":
			// The engine refuses an empty answer, and audits it.
			if req.EventID == "" {
				req.EventID = newID("a")
			}
			var ar bot.AnswerResult
			ar, err = dh.Answer(ctx, bot.DeskAnswer{
				EscalationID: req.ID, DeskRef: deskRef(req.ID), DeskUserID: st.DeskUserID,
				EventID: "web:" + req.EventID, Text: cleanText(req.Text),
			})
			res = answerView(ar)
		case "close":
			// The engine refuses a close without a reason, and audits it.
			var e bot.Escalation
			e, err = dh.Close(ctx, req.ID, st.DeskUserID, cleanText(req.Reason))
			res = s.view(e)
		case "draft":
			var d bot.Draft
			d, err = dh.SaveDraft(ctx, req.ID, st.DeskUserID)
			res = map[string]any{"draft_id": d.ID, "entry_id": d.EntryID, "complete": d.Complete()}
		case "suggest":
			if req.EventID == "" {
				req.EventID = newID("s")
			}
			var ar bot.AnswerResult
			ar, err = dh.SendSuggestion(ctx, req.ID, req.Entry, st.DeskUserID, "web:"+req.EventID)
			res = answerView(ar)
		case "mismatch":
			var ar bot.AnswerResult
			ar, err = dh.ResolveMismatch(ctx, req.AnswerID, st.DeskUserID, req.SendAnyway)
			if err == nil {
				s.resolveNotices(req.AnswerID, ar.Answer.Status)
			}
			res = answerView(ar)
		}
		if err != nil {
			if why := bot.Explain(err, s.reqLang(r)); action == "draft" && errors.Is(err, bot.ErrConflict) && why != "" {
				// The question has no answer sent yet to save, as the
				// engine says: nothing changed under the clicker, so
				// the headline of a conflict (no longer possible, the
				// list refreshed) does not fit.
				writeJSON(w, http.StatusConflict, map[string]string{"error": why})
				return
			}
			s.engineError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, res)
	})
}

// resolveNotices marks the mismatch notices of a settled answer, with
// how it was settled (its status now).
func (s *Server) resolveNotices(answerID int64, status bot.AnswerStatus) {
	s.mu.Lock()
	how := choice(status)
	s.resolved[answerID] = how
	var changed []deskNotice
	for i := range s.notices {
		n := &s.notices[i]
		if n.Kind == bot.NoticeMismatch && n.AnswerID == answerID && !n.Resolved {
			n.Resolved, n.Choice = true, how
			changed = append(changed, *n)
		}
	}
	s.mu.Unlock()
	for _, n := range changed {
		s.deskHub.publish("notice", n)
	}
}

func answerView(ar bot.AnswerResult) map[string]any {
	return map[string]any{
		"answer_id": ar.Answer.ID, "status": string(ar.Answer.Status), "lang": string(ar.Answer.Lang),
		"relays": ar.Relays, "mismatch": ar.Mismatch, "duplicate": ar.Duplicate,
		"escalation": ar.Escalation.ID,
	}
}

// Comms page API.

type channelView struct {
	Key      string `json:"key"`
	Name     string `json:"name"`
	Phase    string `json:"phase"`
	Override bool   `json:"override"`
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	_, dh := s.handlers()
	if dh == nil {
		s.apiError(w, r, http.StatusServiceUnavailable, "err.starting", "")
		return
	}
	st, err := dh.Status(r.Context())
	if err != nil {
		s.engineError(w, r, err)
		return
	}
	l := s.reqLang(r)
	chans := []channelView{}
	for _, k := range st.Channels {
		name := string(k)
		if room, ok := s.cfg.room(k.ID()); ok && k.Platform() == Platform {
			name = room.Name(l)
		}
		_, over := st.Phase.Overrides[string(k)]
		chans = append(chans, channelView{Key: string(k), Name: name, Phase: st.Phase.For(string(k)).String(), Override: over})
	}
	sum := st.Summary
	q := map[string]int{}
	for lang, n := range sum.Questions {
		key := string(lang)
		if key == "" {
			key = "unknown"
		}
		q[key] = n
	}
	gaps := []map[string]any{}
	for _, g := range sum.TopGaps {
		gaps = append(gaps, map[string]any{"topic": g.Topic, "count": g.Count})
	}
	out := map[string]any{
		"phase":    st.Phase.Global.String(),
		"channels": chans,
		"summary": map[string]any{
			"since": sum.Since.UTC(), "questions": q, "answered": sum.Answered,
			"withheld": sum.Withheld, "undelivered": sum.Undelivered, "escalated": sum.Escalated, "language_requests": sum.LanguageRequests,
			"shadow": sum.Shadow, "shadow_would_answer": sum.ShadowWouldAnswer,
			"open_escalations": sum.OpenEscalations,
			// Each median with how many questions or escalations it is
			// taken over: with 0, the median (then 0) means nothing.
			"median_first_response_s": sum.MedianFirstResponse.Seconds(), "first_responses": sum.FirstResponses,
			"median_staff_answer_s": sum.MedianStaffAnswer.Seconds(), "staff_answers": sum.StaffAnswers, "helpful": sum.Helpful,
			"not_helpful": sum.NotHelpful, "gaps": gaps,
		},
	}
	if st.Oldest != nil {
		out["oldest"] = s.view(*st.Oldest)
	}
	if len(st.Followers) > 0 {
		out["followers"] = st.Followers
	}
	writeJSON(w, http.StatusOK, out)
}

type phaseRequest struct {
	As      string `json:"as"`
	Channel string `json:"channel"` // "" for the global phase
	Phase   string `json:"phase"`   // broadcast, replies, outreach; "inherit" removes a channel's override
	Reason  string `json:"reason"`
}

func (s *Server) setPhase(w http.ResponseWriter, r *http.Request) {
	_, dh := s.handlers()
	if dh == nil {
		s.apiError(w, r, http.StatusServiceUnavailable, "err.starting", "")
		return
	}
	var req phaseRequest
	if !s.decode(w, r, &req, 16<<10) {
		return
	}
	target := "global"
	if req.Channel != "" {
		target = req.Channel
	}
	st, ok := s.actor(w, r, dh, req.As, "phase.set", target)
	if !ok {
		return
	}
	pr := bot.PhaseRequest{
		Actor:   bot.Actor{Via: Platform, DeskUserID: st.DeskUserID},
		Channel: bot.ChannelKey(req.Channel), Reason: cleanText(req.Reason),
	}
	// "inherit" is phase 0: a channel follows the global phase again. The
	// engine checks who asks first, then refuses inherit without a channel
	// and a change without a reason, auditing each. A phase it cannot be
	// given is refused here, to a comms lead, and audited as it would be;
	// anyone else's request goes to the engine to be refused as theirs.
	if req.Phase != "inherit" {
		p, err := phases.Parse(req.Phase)
		if err != nil && st.CommsLead {
			s.refused(w, r, http.StatusBadRequest, "err.phase", "", bot.AuditEntry{Actor: st.ID, Action: "phase.set", Target: target,
				Detail: bot.ErrInvalid.Error() + ": " + uiText(bot.English, "err.phase")})
			return
		}
		pr.Phase = p
	}
	ctx, cancel := workContext(r)
	defer cancel()
	c, err := dh.SetPhase(ctx, pr)
	if err != nil {
		s.engineError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"channel": c.Channel, "from": c.From.String(), "to": c.To.String()})
}

type broadcastRequest struct {
	As       string   `json:"as"`
	EN       string   `json:"en"`
	FR       string   `json:"fr"`
	At       string   `json:"at"` // RFC 3339, "" for now
	Channels []string `json:"channels"`
}

func (s *Server) broadcast(w http.ResponseWriter, r *http.Request) {
	_, dh := s.handlers()
	if dh == nil {
		s.apiError(w, r, http.StatusServiceUnavailable, "err.starting", "")
		return
	}
	var req broadcastRequest
	if !s.decode(w, r, &req, 64<<10) {
		return
	}
	st, ok := s.actor(w, r, dh, req.As, "broadcast.create", "broadcast")
	if !ok {
		return
	}
	br := bot.BroadcastRequest{
		Actor: bot.Actor{Via: Platform, DeskUserID: st.DeskUserID},
		EN:    cleanText(req.EN), FR: cleanText(req.FR),
	}
	// A time that does not read is refused here, to a comms lead, and
	// audited as the engine audits its refusals (a time past among them);
	// anyone else's request goes to the engine to be refused as theirs.
	if strings.TrimSpace(req.At) != "" {
		at, err := time.Parse(time.RFC3339, req.At)
		if err != nil && st.CommsLead {
			s.refused(w, r, http.StatusBadRequest, "err.when", "", bot.AuditEntry{Actor: st.ID, Action: "broadcast.create", Target: "broadcast",
				Detail: bot.ErrInvalid.Error() + ": " + uiText(bot.English, "err.when")})
			return
		}
		br.At = at
	}
	for _, c := range req.Channels {
		br.Channels = append(br.Channels, bot.ChannelKey(c))
	}
	// Both languages are checked by the engine, which refuses with
	// ErrInvalid: its explanation is shown as is.
	ctx, cancel := workContext(r)
	defer cancel()
	b, err := dh.Broadcast(ctx, br)
	if err != nil {
		s.engineError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": b.ID, "state": string(b.State), "at": b.At.UTC()})
}
