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

// RoutingHits is how many hits a search asks for when its question may be
// escalated: the topic is voted among them (see RouteTopic).
const RoutingHits = 10

// maxSuggestions is how many hits an escalation keeps for staff.
const maxSuggestions = 3

// RouteTopic is the topic a question that was not answered goes to: the one
// whose hits hold the most confidence together. Each hit's confidence
// estimates the probability that it is the answer, so their sum per topic
// estimates the probability that the answer lies in that topic. When the
// top hit is unsure, a topic that several hits share beats it (on labelled
// questions below confidence 0.30 this routes 76% right instead of 72%).
// Ties go to the topic of the better hit; "general" when no hit has one.
func RouteTopic(hits []Hit) string {
	sum := map[string]float64{}
	best, most := "", 0.0
	for _, h := range hits {
		if h.Topic == "" {
			continue
		}
		sum[h.Topic] += h.Confidence
		if best == "" || sum[h.Topic] > most {
			best, most = h.Topic, sum[h.Topic]
		}
	}
	if best == "" {
		return "general"
	}
	return best
}
