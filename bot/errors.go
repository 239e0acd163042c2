package bot

import (
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
	// ErrDeskUnavailable: the staff desk takes no post at all for now (its
	// channel is gone or archived, the app was removed from it or lost its
	// access), as opposed to refusing one post.
	ErrDeskUnavailable = errors.New("staff desk unavailable")
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

// notWaiting refuses an action on escalation id, which is in state, with
// one sentence per state.
func notWaiting(id int64, state EscalationState) *Refusal {
	var en, fr string
	switch state {
	case StateOpen:
		en, fr = "Question %d is still waiting for an answer.", "La question nº\u00a0%d attend encore une réponse."
	case StateClaimed:
		en, fr = "Question %d has already been claimed.", "La question nº\u00a0%d a déjà été prise en charge."
	case StateAnswered:
		en, fr = "Question %d has already been answered.", "La question nº\u00a0%d a déjà reçu une réponse."
	case StateRelayed:
		en, fr = "The answer to question %d has already been sent.", "La réponse à la question nº\u00a0%d a déjà été transmise."
	case StateClosed:
		en, fr = "Question %d is closed.", "La question nº\u00a0%d est fermée."
	default:
		return refuse(ErrConflict, fmt.Sprintf("Question %d is %s.", id, state),
			fmt.Sprintf("La question nº\u00a0%d est dans l’état «\u00a0%s\u00a0».", id, state))
	}
	return refuse(ErrConflict, fmt.Sprintf(en, id), fmt.Sprintf(fr, id))
}

// notOnRoster refuses a desk user who is not on the staff roster.
func notOnRoster(deskUserID string) *Refusal {
	return refuse(ErrForbidden, fmt.Sprintf("Desk user %q is not on the staff roster.", deskUserID),
		fmt.Sprintf("L’utilisateur «\u00a0%s\u00a0» ne figure pas dans la liste du personnel.", deskUserID))
}

// entryGone refuses to send entry id, which the knowledge base no longer
// holds (removed or renamed since the desk showed it as a suggestion).
func entryGone(id string) *Refusal {
	return refuse(ErrConflict, fmt.Sprintf("The entry %q is no longer in the knowledge base: nothing was sent. Write the answer instead.", id),
		fmt.Sprintf("La fiche «\u00a0%s\u00a0» n’est plus dans la base de connaissances\u00a0: rien n’a été envoyé. Rédigez plutôt la réponse.", id))
}

// entryLacks refuses to send entry id, which the knowledge base holds
// only in the other language than l (knowledge.allow_unpaired), to a
// question with askers in l.
func entryLacks(id string, l Lang) *Refusal {
	en, fr := "English", "anglais"
	if l == French {
		en, fr = "French", "français"
	}
	return refuse(ErrConflict, fmt.Sprintf("The entry %q has no %s version, the language of someone who asked this question: nothing was sent. Write the answer instead.", id, en),
		fmt.Sprintf("La fiche «\u00a0%s\u00a0» n’existe pas en %s, la langue d’une personne qui a posé cette question\u00a0: rien n’a été envoyé. Rédigez plutôt la réponse.", id, fr))
}

// unreachable refuses an answer to escalation id whose askers the
// retention purge has all taken: nobody is left to send it to.
func unreachable(id int64) *Refusal {
	return refuse(ErrConflict, fmt.Sprintf("The citizens who asked question %d can no longer be reached: the retention period has removed who they are.", id),
		fmt.Sprintf("Les personnes qui ont posé la question nº\u00a0%d ne peuvent plus être jointes\u00a0: la période de conservation a effacé leur identité.", id))
}

// answeredSince refuses to send a held answer to escalation id, which a
// later answer was sent to since it was held.
func answeredSince(id int64) *Refusal {
	return refuse(ErrConflict, fmt.Sprintf("A later answer to question %d has been sent since: this one was not sent.", id),
		fmt.Sprintf("Une réponse plus récente à la question nº\u00a0%d a été transmise depuis\u00a0: celle-ci n’a pas été transmise.", id))
}
