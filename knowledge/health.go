package knowledge

import (
	"context"
	"errors"
	"time"

	"github.com/liaison-gc/liaison/bot"
)

// Failure is a reload that failed: the base loaded before it is still
// served.
type Failure struct {
	At  time.Time
	Err string // every problem, with its file and line
}

// Health is what the index serves and whether its last reload failed.
type Health struct {
	Entries  map[bot.Lang]int // entries served in each language
	Hash     string           // content hash of the generation searched
	LoadedAt time.Time        // when the base served was loaded
	// Failed is the last reload that failed since, nil when none: the
	// base served is then older than the files (or approved drafts).
	Failed *Failure
}

// Health reports what the index serves. It is safe for concurrent use.
func (x *Index) Health() Health {
	h := Health{Entries: map[bot.Lang]int{bot.English: 0, bot.French: 0}, Hash: x.Hash()}
	if b := x.Base(); b != nil {
		for _, e := range b.Entries {
			for l := range h.Entries {
				if e.Has(l) {
					h.Entries[l]++
				}
			}
		}
	}
	if t := x.loaded.Load(); t != nil {
		h.LoadedAt = *t
	}
	if f := x.failure.Load(); f != nil {
		c := *f
		h.Failed = &c
	}
	return h
}

// noteReload records the outcome of a load: a success clears the last
// failure, a failure other than closing or stopping is kept.
func (x *Index) noteReload(err error) {
	now := time.Now()
	switch {
	case err == nil:
		x.loaded.Store(&now)
		x.failure.Store(nil)
	case errors.Is(err, ErrClosed), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
	default:
		x.failure.Store(&Failure{At: now, Err: err.Error()})
	}
}
