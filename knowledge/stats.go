package knowledge

import (
	"unicode/utf8"

	"github.com/liaison-gc/liaison/bot"
)

// Stats counts what a knowledge base holds.
type Stats struct {
	Path          string               `json:"path"`
	Entries       int                  `json:"entries"`
	Unpaired      int                  `json:"unpaired"` // entries in one language only
	ByLang        map[string]LangStats `json:"by_lang"`
	Topics        map[string]int       `json:"topics"`
	UnknownFields int                  `json:"unknown_fields"`
	Notes         []string             `json:"notes,omitempty"` // see Base.Notes
	// Collections are the knowledge bases a JSON Lines file holds (its
	// rows' kb field), with their entries.
	Collections map[string]int `json:"collections,omitempty"`
}

// LangStats counts one language.
type LangStats struct {
	Entries   int `json:"entries"`
	Variants  int `json:"variants"`
	Linked    int `json:"linked"` // entries with at least one link
	AvgAnswer int `json:"avg_answer_chars"`
	MaxAnswer int `json:"max_answer_chars"`
}

// StatsOf counts b.
func StatsOf(b *Base) Stats {
	st := Stats{Path: b.Path, Entries: len(b.Entries), ByLang: map[string]LangStats{}, Topics: map[string]int{}, UnknownFields: b.Unknown, Notes: b.Notes}
	for _, e := range b.Entries {
		if e.Collection != "" {
			if st.Collections == nil {
				st.Collections = map[string]int{}
			}
			st.Collections[e.Collection]++
		}
	}
	for _, l := range bot.Langs {
		var ls LangStats
		total := 0
		for i := range b.Entries {
			e := &b.Entries[i]
			if !e.Has(l) {
				continue
			}
			t := e.In(l)
			ls.Entries++
			ls.Variants += len(t.Variants)
			if len(t.Links) > 0 {
				ls.Linked++
			}
			n := utf8.RuneCountInString(t.Answer)
			total += n
			ls.MaxAnswer = max(ls.MaxAnswer, n)
		}
		if ls.Entries > 0 {
			ls.AvgAnswer = total / ls.Entries
		}
		st.ByLang[string(l)] = ls
	}
	for i := range b.Entries {
		e := &b.Entries[i]
		st.Topics[e.Topic]++
		if e.Has(bot.English) != e.Has(bot.French) {
			st.Unpaired++
		}
	}
	return st
}
