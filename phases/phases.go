// Package phases says what the bot may do in a channel at each rollout phase
// and how the phase changes. It is pure: no I/O, no clock, no globals.
//
// There is one global phase and optional per-channel overrides, so a comms
// lead can pilot phase 2 in one channel while the rest stays in phase 1.
// Every change names who made it and why; an override can be removed to let
// the channel follow the global phase again.
package phases

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Phase is a rollout phase. The zero value is not a phase: in an override it
// means "follow the global phase".
type Phase int

// The three phases.
const (
	Broadcast Phase = 1 // announcements only; questions are recorded in shadow mode
	Replies   Phase = 2 // answer or escalate questions addressed to the bot
	Outreach  Phase = 3 // also proactive help on watched topics
)

// ErrUnknownPhase is returned for a phase name or number that is not 1, 2 or 3.
var ErrUnknownPhase = errors.New("unknown phase")

// ErrInvalidChange is returned for a change without an author or reason.
var ErrInvalidChange = errors.New("invalid phase change")

// ErrNoChange is returned for a change that would change nothing: the
// global phase set to itself, a channel's override set to its own phase,
// or ended where the channel has none. Recorded, it would be announced to
// staff as a switch that never happened.
var ErrNoChange = errors.New("no phase change")

var names = map[Phase]string{Broadcast: "broadcast", Replies: "replies", Outreach: "outreach"}

// String returns the phase's name ("broadcast", "replies", "outreach").
func (p Phase) String() string {
	if n, ok := names[p]; ok {
		return n
	}
	if p == 0 {
		return "inherit"
	}
	return "phase(" + strconv.Itoa(int(p)) + ")"
}

// Valid reports whether p is one of the three phases.
func (p Phase) Valid() bool { _, ok := names[p]; return ok }

// Parse accepts a phase by number ("1".."3") or name, in English or French
// ("diffusion", "réponses", "proactif").
func Parse(s string) (Phase, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "broadcast", "diffusion":
		return Broadcast, nil
	case "2", "replies", "reply", "réponses", "reponses":
		return Replies, nil
	case "3", "outreach", "proactif", "proactive":
		return Outreach, nil
	}
	return 0, fmt.Errorf("%w %q: use broadcast (1), replies (2) or outreach (3)", ErrUnknownPhase, s)
}

// MarshalText writes the phase name.
func (p Phase) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText parses a phase name or number.
func (p *Phase) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// CanBroadcast: announcements are allowed in every phase.
func (p Phase) CanBroadcast() bool { return p.Valid() }

// CanReply reports whether the bot may answer questions addressed to it
// publicly. In phase 1 it only records what it would have answered.
func (p Phase) CanReply() bool { return p >= Replies && p.Valid() }

// CanReachOut reports whether the bot may reach out to people who did not
// address it.
func (p Phase) CanReachOut() bool { return p == Outreach }

// State is the global phase and the per-channel overrides in force.
type State struct {
	Global    Phase
	Overrides map[string]Phase // channel key → phase
}

// For returns the phase in force in channel.
func (s State) For(channel string) Phase {
	if p, ok := s.Overrides[channel]; ok && p.Valid() {
		return p
	}
	return s.Global
}

// Channels lists the channels with an override, sorted.
func (s State) Channels() []string { return slices.Sorted(maps.Keys(s.Overrides)) }

// Change is one phase switch, globally (Channel "") or for one channel. To
// 0 on a channel removes its override.
type Change struct {
	Channel string
	From    Phase // the phase in force in Channel before
	To      Phase
	By      string // who: an operator name or a staff roster id
	Via     string // "cli", "slack", "web"
	Reason  string
	At      time.Time
}

// Validate checks what a change must hold whatever the state: who makes it,
// why, and a known phase (or 0, ending a channel's override).
func (c Change) Validate() error {
	var errs []error
	if strings.TrimSpace(c.By) == "" {
		errs = append(errs, fmt.Errorf("%w: who is making the change is required", ErrInvalidChange))
	}
	if strings.TrimSpace(c.Reason) == "" {
		errs = append(errs, fmt.Errorf("%w: a reason is required", ErrInvalidChange))
	}
	if c.Channel == "" && !c.To.Valid() {
		errs = append(errs, fmt.Errorf("%w: global phase %d", ErrUnknownPhase, c.To))
	}
	if c.Channel != "" && c.To != 0 && !c.To.Valid() {
		errs = append(errs, fmt.Errorf("%w: channel phase %d", ErrUnknownPhase, c.To))
	}
	return errors.Join(errs...)
}

// Apply validates c against s and returns the new state with c.From filled
// in. The reason and author are required: every switch must be explainable
// later. A change that changes nothing is refused (ErrNoChange).
func (s State) Apply(c Change) (State, Change, error) {
	if err := c.Validate(); err != nil {
		return s, c, err
	}
	next := State{Global: s.Global, Overrides: maps.Clone(s.Overrides)}
	if next.Overrides == nil {
		next.Overrides = map[string]Phase{}
	}
	if c.Channel == "" {
		if c.To == s.Global {
			return s, c, fmt.Errorf("%w: the global phase is already %s", ErrNoChange, c.To)
		}
		c.From = s.Global
		next.Global = c.To
	} else {
		c.From = s.For(c.Channel)
		switch o, ok := s.Overrides[c.Channel]; {
		case c.To == 0 && !ok:
			return s, c, fmt.Errorf("%w: %s already follows the global phase", ErrNoChange, c.Channel)
		case c.To != 0 && ok && o == c.To:
			return s, c, fmt.Errorf("%w: %s is already in %s", ErrNoChange, c.Channel, c.To)
		}
		if c.To == 0 {
			delete(next.Overrides, c.Channel)
		} else {
			next.Overrides[c.Channel] = c.To
		}
	}
	return next, c, nil
}

// Replay rebuilds the state from a starting phase and the changes in the
// order they were made.
func Replay(initial Phase, changes []Change) State {
	s := State{Global: initial, Overrides: map[string]Phase{}}
	for _, c := range changes {
		if c.Channel == "" {
			if c.To.Valid() {
				s.Global = c.To
			}
			continue
		}
		if c.To == 0 {
			delete(s.Overrides, c.Channel)
		} else if c.To.Valid() {
			s.Overrides[c.Channel] = c.To
		}
	}
	return s
}
