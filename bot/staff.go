package bot

import (
	"slices"
	"strings"
)

// Staff is one person on the desk roster (config `[[staff]]`).
type Staff struct {
	ID         string // stable roster key, used in records
	Name       string // shown to citizens when they sign an answer
	TitleEN    string
	TitleFR    string
	Languages  []Lang   // languages they answer in, preferred first
	Topics     []string // knowledge-base topics they own; "*" for any
	DeskUserID string   // their user id on the desk (Slack user id, web desk login)
	CommsLead  bool     // may switch phases and send broadcasts
}

// Title returns the staff member's title in l, falling back to the other
// language when one is missing.
func (s Staff) Title(l Lang) string {
	if l == French && s.TitleFR != "" || s.TitleEN == "" {
		return s.TitleFR
	}
	return s.TitleEN
}

// Speaks reports whether s answers in l.
func (s Staff) Speaks(l Lang) bool { return slices.Contains(s.Languages, l) }

// Owns reports whether s owns topic (case-insensitive; "*" owns all).
func (s Staff) Owns(topic string) bool {
	for _, t := range s.Topics {
		if t == "*" || strings.EqualFold(t, topic) {
			return true
		}
	}
	return false
}

// PreferredLang is the language desk notices to s are written in.
func (s Staff) PreferredLang() Lang {
	if len(s.Languages) > 0 {
		return s.Languages[0]
	}
	return English
}

// Roster is the staff list, in configuration order.
type Roster []Staff

// ByID finds a staff member by roster id.
func (r Roster) ByID(id string) (Staff, bool) {
	for _, s := range r {
		if s.ID == id {
			return s, true
		}
	}
	return Staff{}, false
}

// ByDeskUser finds a staff member by desk user id.
func (r Roster) ByDeskUser(id string) (Staff, bool) {
	if id == "" {
		return Staff{}, false
	}
	for _, s := range r {
		if s.DeskUserID == id {
			return s, true
		}
	}
	return Staff{}, false
}

// Route picks who should answer a question on topic in lang, skipping the
// ids in exclude: first someone who owns the topic and speaks the language,
// then anyone with "*" who speaks it, then anyone who speaks it, then anyone.
// ok is false only for an empty roster.
func (r Roster) Route(topic string, lang Lang, exclude ...string) (Staff, bool) {
	tiers := []func(Staff) bool{
		func(s Staff) bool { return s.Speaks(lang) && s.Owns(topic) && !slices.Contains(s.Topics, "*") },
		func(s Staff) bool { return s.Speaks(lang) && s.Owns(topic) },
		func(s Staff) bool { return s.Speaks(lang) },
		func(s Staff) bool { return true },
	}
	for _, fits := range tiers {
		for _, s := range r {
			if fits(s) && !slices.Contains(exclude, s.ID) {
				return s, true
			}
		}
	}
	if len(exclude) > 0 { // everyone was excluded: start again from the top
		return r.Route(topic, lang)
	}
	return Staff{}, false
}
