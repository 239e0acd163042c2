package bot

import "errors"

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
