package bot

import "context"

// Hit is one knowledge-base entry matched by a search, in one language.
type Hit struct {
	EntryID  string
	Lang     Lang
	Topic    string
	Question string // the entry's canonical question in Lang
	Answer   string
	Link     string // first link of the entry in Lang, "" when none
	// Score is the raw ranking score; only its order means anything.
	Score float64
	// Confidence estimates the probability that this hit answers the
	// question, calibrated on labelled questions (see package knowledge).
	Confidence float64
}

// Knowledge answers questions from the bilingual knowledge base.
// Implementations are safe for concurrent use and may reload their content
// while searches run.
type Knowledge interface {
	// Search returns up to n hits for text, best first. With lang Unknown it
	// searches both languages and each hit's Lang says which one matched.
	// Text longer than the implementation's limit is truncated, not refused.
	Search(ctx context.Context, text string, lang Lang, n int) ([]Hit, error)
	// Entry returns entry id in lang, or an error wrapping ErrNotFound.
	Entry(ctx context.Context, id string, lang Lang) (Hit, error)
}
