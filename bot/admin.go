package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/liaison-gc/liaison/phases"
)

// Admin applies privileged changes — phase switches and broadcasts — with
// their checks, audit entries and announcements. The Engine uses it for
// desk commands; the CLI uses it directly for host operators, without a
// running engine (a running engine picks the changes up from the store).
type Admin struct {
	Store        Store
	Messages     Messages
	Staff        Roster
	InitialPhase phases.Phase // Replies when 0
	Channels     []ChannelConfig
	Now          func() time.Time
}

func (a Admin) now() time.Time {
	if a.Now == nil {
		return time.Now()
	}
	return a.Now()
}

// actor resolves who asks. Host operators (Via "cli") are trusted under the
// name they give; desk users must be rostered comms leads.
func (a Admin) actor(ctx context.Context, r Actor, action, target string) (string, error) {
	if r.Via == "cli" {
		if strings.TrimSpace(r.Name) == "" {
			return "", refuse(ErrInvalid, "The name of who is making the change is required (--by).", "Le nom de la personne qui fait le changement est requis (--by).")
		}
		return r.Name, nil
	}
	s, ok := a.Staff.ByDeskUser(r.DeskUserID)
	if ok && s.CommsLead {
		return s.ID, nil
	}
	refusal := refuse(ErrForbidden, "You are not on the staff roster.", "Vous ne figurez pas dans la liste du personnel.")
	if ok {
		refusal = refuse(ErrForbidden, "You are not a communications lead.", "Vous n’êtes pas responsable des communications.")
	}
	who := r.DeskUserID
	if ok {
		who = s.ID
	}
	if err := a.Store.Audit(ctx, AuditEntry{At: a.now(), Actor: who, Via: r.Via, Action: action, Target: target, Detail: refusal.EN, Allowed: false}); err != nil {
		return "", err
	}
	return "", refusal
}

// refused audits a request refused after its actor (by) was authorised,
// with err as the reason, and returns err (joined with the audit's own
// error when that fails).
func (a Admin) refused(ctx context.Context, r Actor, by, action, target string, err error) error {
	if aerr := a.Store.Audit(ctx, AuditEntry{At: a.now(), Actor: by, Via: r.Via, Action: action, Target: target, Detail: err.Error(), Allowed: false}); aerr != nil {
		return errors.Join(err, aerr)
	}
	return err
}

// SetPhase switches the phase globally or in one channel, stores the change
// with who and why, audits it and announces it to the desk in both
// languages. Who asks is checked first (ErrForbidden); a refused request
// (ErrInvalid: an unknown channel, no reason) is audited as well.
func (a Admin) SetPhase(ctx context.Context, r PhaseRequest) (phases.Change, error) {
	initial := a.InitialPhase
	if initial == 0 {
		initial = phases.Replies
	}
	target := "global"
	if r.Channel != "" {
		target = string(r.Channel)
	}
	by, err := a.actor(ctx, r.Actor, "phase.set", target)
	if err != nil {
		return phases.Change{}, err
	}
	state, err := a.Store.PhaseState(ctx, initial)
	if err != nil {
		return phases.Change{}, err
	}
	// A channel removed from the configuration may keep an override: it can
	// still be ended, or it would apply again, unseen, if the channel came back.
	_, stale := state.Overrides[string(r.Channel)]
	if r.Channel != "" && len(a.Channels) > 0 && !slices.ContainsFunc(a.Channels, func(c ChannelConfig) bool { return c.Key == r.Channel }) &&
		(r.Phase != 0 || !stale) {
		return phases.Change{}, a.refused(ctx, r.Actor, by, "phase.set", target,
			a.unknownChannel(r.Channel))
	}
	now := a.now()
	next, c, err := state.Apply(phases.Change{Channel: string(r.Channel), To: r.Phase, By: by, Via: r.Actor.Via, Reason: strings.TrimSpace(r.Reason), At: now})
	if err != nil {
		return phases.Change{}, a.refused(ctx, r.Actor, by, "phase.set", target, a.phaseRefusal(r, err))
	}
	byName := by
	if s, ok := a.Staff.ByID(by); ok {
		byName = s.Name
	}
	// An override ended is announced with the global phase the channel
	// now follows, in a sentence of its own.
	id, to := MsgDeskPhaseGlobal, c.To
	switch {
	case c.Channel != "" && c.To == 0:
		id, to = MsgDeskPhaseInherit, next.Global
	case c.Channel != "":
		id = MsgDeskPhaseChannel
	case len(next.Overrides) > 0:
		// "Everywhere" would be untrue: a channel piloting a phase keeps it.
		id = MsgDeskPhaseGlobalKept
	}
	note := func(Lang) string { return "" }
	if to == phases.Outreach {
		// Staff must not expect proactive help that is not built.
		note = func(l Lang) string { return " " + a.Messages.Text(l, MsgPhaseOutreachNote, nil) }
	}
	parts := bilingual(a.Messages, id, func(l Lang) map[string]any {
		return map[string]any{"Phase": phaseName(a.Messages, l, int(to)), "From": phaseName(a.Messages, l, int(c.From)),
			"By": byName, "Reason": c.Reason, "Channel": a.channelLabel(ChannelKey(c.Channel), l), "Kept": a.overrideList(next, l),
			"Note": note(l)}
	})
	// No key: the announcement is written with the change, in one
	// transaction, so there is one per change. A key made from the clock
	// dropped the announcement of a second change made at the same instant.
	text := whole(parts)
	n := Outgoing{To: Address{Platform: DeskPlatform}, Reply: Reply{Kind: KindDesk, Text: text, Parts: parts},
		Notice: &Notice{Kind: NoticePhase, Text: text, Parts: parts}, State: OutPending, CreatedAt: now}
	audit := AuditEntry{At: now, Actor: by, Via: r.Actor.Via, Action: "phase.set", Target: target,
		Detail: fmt.Sprintf("%s → %s: %s", c.From, c.To, c.Reason), Allowed: true}
	if err := a.Store.SavePhaseChange(ctx, c, audit, []Outgoing{n}); err != nil {
		return phases.Change{}, err
	}
	return c, nil
}

// overrideList names the channels with an override in s and their phase,
// for staff reading l.
func (a Admin) overrideList(s phases.State, l Lang) string {
	var items []string
	for _, k := range s.Channels() {
		items = append(items, a.Messages.Text(l, MsgPhaseKeptItem, map[string]any{
			"Channel": a.channelLabel(ChannelKey(k), l), "Phase": phaseName(a.Messages, l, int(s.Overrides[k]))}))
	}
	return strings.Join(items, "; ")
}

// phaseRefusal explains a change phases.State.Apply refused (err), keeping
// err in the chain for errors.Is and the logs.
func (a Admin) phaseRefusal(r PhaseRequest, err error) *Refusal {
	kind := fmt.Errorf("%w: %w", ErrInvalid, err)
	switch {
	case errors.Is(err, phases.ErrInvalidChange): // who asks is always known: the reason is missing
		return refuse(kind, "A reason is required.", "Un motif est requis.")
	case errors.Is(err, phases.ErrUnknownPhase) && r.Channel == "" && r.Phase == 0:
		return refuse(kind, "Only a channel can follow the global phase: name the channel.",
			"Seul un canal peut suivre la phase globale\u00a0: nommez le canal.")
	case errors.Is(err, phases.ErrNoChange):
		return a.unchanged(kind, r)
	case errors.Is(err, phases.ErrUnknownPhase):
		return refuse(kind, fmt.Sprintf("Unknown phase %d. Use broadcast (1), replies (2) or outreach (3).", int(r.Phase)),
			fmt.Sprintf("Phase %d inconnue. Utilisez diffusion (1), réponses (2) ou proactif (3).", int(r.Phase)))
	}
	return refuse(kind, "This phase change is not valid.", "Ce changement de phase n’est pas valide.")
}

// unchanged refuses a change that would change nothing (kind wraps
// phases.ErrNoChange), naming the phase or channel as staff know them.
func (a Admin) unchanged(kind error, r PhaseRequest) *Refusal {
	say := func(l Lang) string {
		ch, ph := a.channelLabel(r.Channel, l), phaseName(a.Messages, l, int(r.Phase))
		switch {
		case r.Channel != "" && r.Phase == 0 && l == French:
			return fmt.Sprintf("Rien à changer\u00a0: %s suit déjà la phase globale.", ch)
		case r.Channel != "" && r.Phase == 0:
			return fmt.Sprintf("Nothing to change: %s already follows the global phase.", ch)
		case r.Channel != "" && l == French:
			return fmt.Sprintf("Rien à changer\u00a0: %s est déjà en phase «\u00a0%s\u00a0».", ch, ph)
		case r.Channel != "":
			return fmt.Sprintf("Nothing to change: %s is already in phase %q.", ch, ph)
		case l == French:
			return fmt.Sprintf("Rien à changer\u00a0: la phase globale est déjà «\u00a0%s\u00a0».", ph)
		}
		return fmt.Sprintf("Nothing to change: the global phase is already %q.", ph)
	}
	return refuse(kind, say(English), say(French))
}

// unknownChannel refuses a channel that is not configured.
func (a Admin) unknownChannel(k ChannelKey) *Refusal {
	return refuse(ErrInvalid, fmt.Sprintf("Unknown channel %q. Possible channels: %s.", k, a.channelList()),
		fmt.Sprintf("Canal «\u00a0%s\u00a0» inconnu. Canaux possibles\u00a0: %s.", k, a.channelList()))
}

// channelLabel names channel k for staff reading l: its configured name in
// l, with the key after it when they differ ("#help (discord:123…)"), or the
// key alone for a channel no longer configured.
func (a Admin) channelLabel(k ChannelKey, l Lang) string {
	i := slices.IndexFunc(a.Channels, func(c ChannelConfig) bool { return c.Key == k })
	if i < 0 {
		return string(k)
	}
	name := strings.TrimSpace(a.Channels[i].NameIn(l))
	if name == "" || name == string(k) {
		return string(k)
	}
	return name + " (" + string(k) + ")"
}

func (a Admin) channelList() string {
	var keys []string
	for _, c := range a.Channels {
		keys = append(keys, string(c.Key))
	}
	return strings.Join(keys, ", ")
}

// MaxBroadcastRunes bounds each language of a broadcast.
const MaxBroadcastRunes = 1800

// BroadcastGrace is how long ago a broadcast's time may be and still be
// taken as now: a time picked in the current minute, or "+0s", has passed
// by the time it is submitted.
const BroadcastGrace = time.Minute

// BroadcastPast reports whether at, when a broadcast is to go out, has
// passed at now, beyond BroadcastGrace. A past time would publish at once,
// which a mistyped date (last year, yesterday) does not mean. The zero
// time means now, and is never past.
func BroadcastPast(at, now time.Time) bool {
	return !at.IsZero() && at.Before(now.Add(-BroadcastGrace))
}

// errNoBroadcastChannel says why a broadcast naming no channel cannot go
// out when none is configured for broadcasts.
var errNoBroadcastChannel = errors.New("no channel is configured for broadcasts")

// Broadcast stores a bilingual announcement to be sent at r.At (now when
// zero) by the running engine. Both languages are required, a time that
// has not passed (see BroadcastPast), and a channel to post to: named in
// r.Channels, or configured for broadcasts. Who asks
// is checked first (ErrForbidden); a refused request (ErrInvalid) is
// audited as well.
func (a Admin) Broadcast(ctx context.Context, r BroadcastRequest) (Broadcast, error) {
	by, err := a.actor(ctx, r.Actor, "broadcast.create", "broadcast")
	if err != nil {
		return Broadcast{}, err
	}
	en, fr := strings.TrimSpace(r.EN), strings.TrimSpace(r.FR)
	var errs []error
	if en == "" {
		errs = append(errs, refuse(ErrInvalid, "The English text is missing: every broadcast goes out in both official languages.",
			"Le texte anglais est manquant\u00a0: chaque annonce est publiée dans les deux langues officielles."))
	}
	if fr == "" {
		errs = append(errs, refuse(ErrInvalid, "The French text is missing: every broadcast goes out in both official languages.",
			"Le texte français est manquant\u00a0: chaque annonce est publiée dans les deux langues officielles."))
	}
	for _, t := range []struct{ text, en, fr string }{{en, "English", "anglais"}, {fr, "French", "français"}} {
		if n := len([]rune(t.text)); n > MaxBroadcastRunes {
			errs = append(errs, refuse(ErrInvalid, fmt.Sprintf("The %s text has %d characters; the limit is %d.", t.en, n, MaxBroadcastRunes),
				fmt.Sprintf("Le texte %s compte %d caractères; la limite est de %d.", t.fr, n, MaxBroadcastRunes)))
		}
	}
	for _, k := range r.Channels {
		if len(a.Channels) > 0 && !slices.ContainsFunc(a.Channels, func(c ChannelConfig) bool { return c.Key == k }) {
			errs = append(errs, a.unknownChannel(k))
		}
	}
	now := a.now()
	if BroadcastPast(r.At, now) {
		errs = append(errs, refuse(ErrInvalid, "The time given to send it has passed: leave it out to send now, or give a time to come.",
			"Le moment d’envoi indiqué est déjà passé\u00a0: omettez-le pour envoyer maintenant, ou choisissez un moment à venir."))
	}
	if len(r.Channels) == 0 && !slices.ContainsFunc(a.Channels, func(c ChannelConfig) bool { return c.Broadcast }) {
		errs = append(errs, refuse(ErrInvalid, "No channel is configured for broadcasts: name the channels to post to, or set broadcast = true on a channel in the configuration.",
			"Aucun canal n’est configuré pour les annonces\u00a0: nommez les canaux où publier, ou réglez broadcast = true sur un canal dans la configuration."))
	}
	if err := errors.Join(errs...); err != nil {
		return Broadcast{}, a.refused(ctx, r.Actor, by, "broadcast.create", "broadcast", err)
	}
	at := r.At
	if at.IsZero() {
		at = now
	}
	b := Broadcast{EN: en, FR: fr, At: at, Channels: r.Channels, By: by, Via: r.Actor.Via, State: BroadcastScheduled, CreatedAt: now}
	detail := "at " + at.UTC().Format(time.RFC3339)
	if len(r.Channels) > 0 {
		var ks []string
		for _, k := range r.Channels {
			ks = append(ks, string(k))
		}
		detail += " to " + strings.Join(ks, ", ")
	}
	if err := a.Store.SaveBroadcast(ctx, &b, AuditEntry{At: now, Actor: by, Via: r.Actor.Via, Action: "broadcast.create", Target: "broadcast", Detail: detail, Allowed: true}); err != nil {
		return Broadcast{}, err
	}
	return b, nil
}

func (e *Engine) admin() Admin {
	return Admin{Store: e.st, Messages: e.msgs, Staff: e.cfg.Staff, InitialPhase: e.cfg.InitialPhase, Channels: e.cfg.Channels, Now: e.now}
}

// SetPhase switches the phase for a comms lead (see Admin.SetPhase); the
// engine applies it at once.
func (e *Engine) SetPhase(ctx context.Context, r PhaseRequest) (phases.Change, error) {
	if r.Actor.Via == "" {
		r.Actor.Via = e.deskName()
	}
	c, err := e.admin().SetPhase(ctx, r)
	if err != nil {
		return c, err
	}
	e.refreshPhase(ctx)
	e.poke(DeskPlatform)
	return c, nil
}

// Broadcast schedules an announcement for a comms lead (see
// Admin.Broadcast).
func (e *Engine) Broadcast(ctx context.Context, r BroadcastRequest) (Broadcast, error) {
	if r.Actor.Via == "" {
		r.Actor.Via = e.deskName()
	}
	b, err := e.admin().Broadcast(ctx, r)
	if err != nil {
		return b, err
	}
	e.poke("broadcasts")
	return b, nil
}

// Audit records an action a desk handled itself (a status request, a
// command refused before reaching the engine). It implements Auditor.
func (e *Engine) Audit(ctx context.Context, a AuditEntry) error {
	if a.At.IsZero() {
		a.At = e.now()
	}
	if a.Via == "" {
		a.Via = e.deskName()
	}
	return e.st.Audit(ctx, a)
}

// Status returns the phase in force, the channels, today's summary and the
// oldest waiting escalation.
func (e *Engine) Status(ctx context.Context) (Status, error) {
	now := e.now()
	y, m, d := now.Date()
	sum, err := e.st.Summary(ctx, time.Date(y, m, d, 0, 0, 0, 0, now.Location()), time.Time{})
	if err != nil {
		return Status{}, err
	}
	st := Status{Phase: e.PhaseState(ctx), Summary: sum}
	for _, c := range e.cfg.Channels {
		st.Channels = append(st.Channels, c.Key)
	}
	waiting, err := e.st.Escalations(ctx, EscalationFilter{States: []EscalationState{StateOpen, StateClaimed}, Limit: 1})
	if err != nil {
		return Status{}, err
	}
	if len(waiting) > 0 {
		st.Oldest = &waiting[0]
	}
	for name, c := range e.channels {
		mc, ok := c.(MemberCounter)
		if !ok {
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		n, err := mc.MemberCount(cctx)
		cancel()
		if err != nil {
			e.log.Warn("member count", "platform", name, "err", err)
			continue
		}
		if st.Followers == nil {
			st.Followers = map[string]int{}
		}
		st.Followers[name] = n
	}
	return st, nil
}
