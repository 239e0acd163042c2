package phases

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Phase
		err  bool
	}{
		{"1", Broadcast, false}, {"broadcast", Broadcast, false}, {" Diffusion ", Broadcast, false},
		{"2", Replies, false}, {"replies", Replies, false}, {"réponses", Replies, false}, {"reponses", Replies, false},
		{"3", Outreach, false}, {"OUTREACH", Outreach, false}, {"proactif", Outreach, false},
		{"0", 0, true}, {"4", 0, true}, {"launch", 0, true}, {"", 0, true},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("Parse(%q) = %v, %v", tt.in, got, err)
		}
		if tt.err && !errors.Is(err, ErrUnknownPhase) {
			t.Errorf("Parse(%q) error %v is not ErrUnknownPhase", tt.in, err)
		}
	}
}

func TestWhatEachPhasePermits(t *testing.T) {
	tests := []struct {
		p                          Phase
		broadcast, reply, reachOut bool
	}{
		{Broadcast, true, false, false},
		{Replies, true, true, false},
		{Outreach, true, true, true},
		{0, false, false, false},
		{7, false, false, false},
	}
	for _, tt := range tests {
		if tt.p.CanBroadcast() != tt.broadcast || tt.p.CanReply() != tt.reply || tt.p.CanReachOut() != tt.reachOut {
			t.Errorf("%v: broadcast %v reply %v reach out %v", tt.p, tt.p.CanBroadcast(), tt.p.CanReply(), tt.p.CanReachOut())
		}
	}
}

func TestTextRoundTrip(t *testing.T) {
	for _, p := range []Phase{Broadcast, Replies, Outreach} {
		b, _ := p.MarshalText()
		var q Phase
		if err := q.UnmarshalText(b); err != nil || q != p {
			t.Errorf("%v → %s → %v, %v", p, b, q, err)
		}
	}
	var q Phase
	if err := q.UnmarshalText([]byte("nope")); err == nil {
		t.Error("accepted nope")
	}
	if Phase(0).String() != "inherit" || Phase(9).String() != "phase(9)" {
		t.Errorf("names: %s %s", Phase(0), Phase(9))
	}
}

func TestApplyGlobalAndOverrides(t *testing.T) {
	at := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	s := State{Global: Replies}
	s1, c, err := s.Apply(Change{To: Broadcast, By: "sam", Reason: "launch", At: at})
	if err != nil || s1.Global != Broadcast || c.From != Replies {
		t.Fatalf("global: %+v %+v %v", s1, c, err)
	}
	if s.Global != Replies {
		t.Error("Apply changed the receiver")
	}
	s2, c, err := s1.Apply(Change{Channel: "discord:1", To: Replies, By: "sam", Reason: "pilot"})
	if err != nil || c.From != Broadcast || s2.For("discord:1") != Replies || s2.For("discord:2") != Broadcast {
		t.Fatalf("override: %+v %+v %v", s2, c, err)
	}
	if len(s1.Overrides) != 0 {
		t.Error("Apply shared the overrides map")
	}
	s3, c, err := s2.Apply(Change{Channel: "discord:1", To: 0, By: "sam", Reason: "pilot over"})
	if err != nil || c.From != Replies || s3.For("discord:1") != Broadcast || len(s3.Channels()) != 0 {
		t.Fatalf("clear: %+v %+v %v", s3, c, err)
	}
}

// A change that changes nothing is refused: recorded, it would be
// announced as a switch that never happened. Pinning a channel to the
// global phase is a change (it stays there when the global phase moves).
func TestApplyRefusesAChangeThatChangesNothing(t *testing.T) {
	s := State{Global: Replies, Overrides: map[string]Phase{"discord:1": Broadcast}}
	for name, c := range map[string]Change{
		"global to itself":              {To: Replies, By: "sam", Reason: "x"},
		"override to itself":            {Channel: "discord:1", To: Broadcast, By: "sam", Reason: "x"},
		"ending an override never made": {Channel: "discord:2", To: 0, By: "sam", Reason: "x"},
	} {
		got, _, err := s.Apply(c)
		if !errors.Is(err, ErrNoChange) || !reflect.DeepEqual(got, s) {
			t.Errorf("%s: %v, state %+v", name, err, got)
		}
	}
	if _, c, err := s.Apply(Change{Channel: "discord:2", To: Replies, By: "sam", Reason: "pin"}); err != nil || c.From != Replies {
		t.Errorf("pinning a channel to the global phase: %+v, %v", c, err)
	}
	if err := (Change{Channel: "discord:2", By: "sam", Reason: "x"}).Validate(); err != nil {
		t.Errorf("Validate judges a change alone, whatever the state: %v", err)
	}
}

func TestApplyRefusesChangesWithoutAuthorOrReason(t *testing.T) {
	s := State{Global: Replies}
	tests := []struct {
		name string
		c    Change
		is   error
	}{
		{"no author", Change{To: Broadcast, Reason: "x"}, ErrInvalidChange},
		{"no reason", Change{To: Broadcast, By: "sam", Reason: "  "}, ErrInvalidChange},
		{"global inherit", Change{To: 0, By: "sam", Reason: "x"}, ErrUnknownPhase},
		{"bad channel phase", Change{Channel: "c", To: 5, By: "sam", Reason: "x"}, ErrUnknownPhase},
	}
	for _, tt := range tests {
		got, _, err := s.Apply(tt.c)
		if !errors.Is(err, tt.is) || got.Global != Replies {
			t.Errorf("%s: %v, state %+v", tt.name, err, got)
		}
	}
	_, _, err := s.Apply(Change{})
	if !errors.Is(err, ErrInvalidChange) || !errors.Is(err, ErrUnknownPhase) {
		t.Errorf("every problem is reported: %v", err)
	}
}

func TestReplay(t *testing.T) {
	s := Replay(Replies, []Change{
		{To: Broadcast},
		{Channel: "a", To: Replies},
		{Channel: "b", To: Outreach},
		{Channel: "a", To: 0},
		{To: 9}, // ignored: not a phase
	})
	if s.Global != Broadcast || s.For("a") != Broadcast || s.For("b") != Outreach || len(s.Channels()) != 1 {
		t.Errorf("replay = %+v", s)
	}
	if Replay(Outreach, nil).Global != Outreach {
		t.Error("initial phase lost")
	}
}
