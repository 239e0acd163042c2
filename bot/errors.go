package bot

import (
	"cmp"
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors that callers branch on. Implementations wrap them with %w.
var (
	// ErrNotFound: the thing asked for does not exist. Store maps sql.ErrNoRows to it.
	ErrNotFound = errors.New("not found")
	// ErrDuplicate: an idempotent operation was already applied (a redelivered
	// message, a staff answer event seen before). Nothing was changed.
	ErrDuplicate = errors.New("already recorded")
	// ErrConflict: the state changed under the caller (an escalation already
	// answered or closed, claimed by someone else).
	ErrConflict = errors.New("conflicting state")
	// ErrForbidden: the actor is not allowed to do this (not on the staff
	// roster, not a comms lead).
	ErrForbidden = errors.New("not allowed")
	// ErrInvalid: the request itself is malformed (a broadcast missing a
	// language, an empty answer).
	ErrInvalid = errors.New("invalid request")
)

// Refusal explains a refused request to the person who made it, in both
// official languages. It wraps one of the sentinels above (Kind), so that
// callers branch with errors.Is as before; Error is the English text, for
// logs and audits.
type Refusal struct {
	Kind   error
	EN, FR string
}

// refuse returns a refusal of kind, explained in English and French.
func refuse(kind error, en, fr string) *Refusal { return &Refusal{Kind: kind, EN: en, FR: fr} }

func (r *Refusal) Error() string { return r.Kind.Error() + ": " + r.EN }

func (r *Refusal) Unwrap() error { return r.Kind }

// In returns the explanation in l (English unless l is French).
func (r *Refusal) In(l Lang) string {
	if l == French {
		return r.FR
	}
	return r.EN
}

// Explain returns the explanation of every refusal err holds, in l, one per
// line (a joined error holds every problem at once); "" when it holds none.
func Explain(err error, l Lang) string {
	var lines []string
	var walk func(error)
	walk = func(err error) {
		switch x := err.(type) {
		case *Refusal:
			lines = append(lines, x.In(l))
		case interface{ Unwrap() []error }:
			for _, e := range x.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			walk(x.Unwrap())
		}
	}
	if err != nil {
		walk(err)
	}
	return strings.Join(lines, "\n")
}

// stateFR names an escalation state in French, as the desk pages do.
var stateFR = map[EscalationState]string{
	StateOpen: "ouverte", StateClaimed: "prise en charge", StateAnswered: "répondue",
	StateRelayed: "transmise", StateClosed: "fermée",
}

// notWaiting refuses an action on escalation id, which is in state.
func notWaiting(id int64, state EscalationState) *Refusal {
	return refuse(ErrConflict, fmt.Sprintf("escalation %d is %s", id, state),
		fmt.Sprintf("la question %d est %s", id, cmp.Or(stateFR[state], string(state))))
}

// notOnRoster refuses a desk user who is not on the staff roster.
func notOnRoster(deskUserID string) *Refusal {
	return refuse(ErrForbidden, fmt.Sprintf("desk user %q is not on the staff roster", deskUserID),
		fmt.Sprintf("l’utilisateur %q ne figure pas dans la liste du personnel", deskUserID))
}
