package knowledge

import (
	"cmp"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/liaison-gc/liaison/bot"
)

// Entry is one knowledge-base entry in both official languages. The zero
// value of a language's Text means the entry does not exist in it.
type Entry struct {
	ID    string   // stable; lowercase letters, digits and dashes
	Topic string   // routing topic for staff (see Topics)
	Tags  []string // free labels, not searched
	EN    Text
	FR    Text
	// Source says where the entry was defined ("" for entries appended
	// through Options.Extra). It is used in error messages, and to tell
	// the files' entries from extra ones.
	Source Pos
	// Collection is the knowledge base a JSON Lines row names in its "kb"
	// field, when one export holds several ("" otherwise). See
	// Options.Collection.
	Collection string
}

// Text is an entry in one language.
type Text struct {
	Question string
	Variants []string // other phrasings of Question
	Answer   string
	Links    []string // absolute http(s) links; the first is shown with the answer
	Pos      Pos      // where this language's table or line is, when known
}

// Pos is a place in a knowledge-base file.
type Pos struct {
	File string
	Line int // 1-based; 0 when unknown
}

func (p Pos) String() string {
	switch {
	case p.File == "":
		return "(extra)"
	case p.Line == 0:
		return p.File
	}
	return fmt.Sprintf("%s:%d", p.File, p.Line)
}

// In returns the entry's text in lang (the zero Text for Unknown).
func (e *Entry) In(lang bot.Lang) *Text {
	switch lang {
	case bot.English:
		return &e.EN
	case bot.French:
		return &e.FR
	}
	return &Text{}
}

// Has reports whether the entry exists in lang: it has a question or an
// answer there.
func (e Entry) Has(lang bot.Lang) bool {
	t := e.In(lang)
	return t.Question != "" || t.Answer != ""
}

// Link returns the first link of the text, "" when none.
func (t Text) Link() string {
	if len(t.Links) == 0 {
		return ""
	}
	return t.Links[0]
}

// Topics is the routing vocabulary of the bundled sample. A deployment may use
// its own topics; each must be a lowercase slug (see Problem messages).
var Topics = []string{"passports", "benefits", "taxes", "accessibility", "offices", "contact", "privacy", "general"}

var (
	idPattern    = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	topicPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
)

// Limits on entry text. Longer text is refused by validation: it would not
// fit in one chat message.
const (
	MaxIDLen       = 64
	MaxQuestionLen = 500  // runes, question or variant
	MaxAnswerLen   = 8000 // runes; adapters split long replies
)

// Problem is one thing wrong with a knowledge base, located precisely enough
// for its author to fix it.
type Problem struct {
	Pos  Pos
	ID   string   // entry id, "" when the problem is not about one entry
	Lang bot.Lang // "" when not about one language
	Msg  string
}

func (p Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.Pos.String())
	b.WriteString(": ")
	if p.ID != "" {
		b.WriteString("entry ")
		b.WriteString(p.ID)
		if p.Lang != "" {
			b.WriteString(" [" + string(p.Lang) + "]")
		}
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Problems is every problem found in a knowledge base. Loading and
// validation report all of them at once, in file order.
type Problems []Problem

func (ps Problems) Error() string {
	if len(ps) == 1 {
		return "knowledge base: " + ps[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "knowledge base: %d problems:", len(ps))
	for _, p := range ps {
		b.WriteString("\n  ")
		b.WriteString(p.Error())
	}
	return b.String()
}

// Unwrap lets errors.As find each Problem.
func (ps Problems) Unwrap() []error {
	errs := make([]error, len(ps))
	for i, p := range ps {
		errs[i] = p
	}
	return errs
}

// Validate checks entries and returns every problem found: malformed or
// duplicate ids, a missing language (unless allowUnpaired), empty or
// oversized questions, answers and variants, malformed links, bad topics.
func Validate(entries []Entry, allowUnpaired bool) Problems {
	var ps Problems
	seen := make(map[string]*Entry, len(entries))
	for i := range entries {
		e := &entries[i]
		add := func(pos Pos, lang bot.Lang, format string, a ...any) {
			if pos == (Pos{}) {
				pos = e.Source
			}
			ps = append(ps, Problem{Pos: pos, ID: e.ID, Lang: lang, Msg: fmt.Sprintf(format, a...)})
		}
		switch {
		case e.ID == "":
			add(Pos{}, "", "missing id: give the entry a stable id of lowercase letters, digits and dashes")
		case len(e.ID) > MaxIDLen || !idPattern.MatchString(e.ID):
			add(Pos{}, "", "malformed id %q: use at most %d lowercase letters, digits and single dashes (like passport-renewal)", e.ID, MaxIDLen)
		}
		if e.ID != "" {
			switch first, dup := seen[e.ID]; {
			case !dup:
				seen[e.ID] = e
			case first.Collection == e.Collection:
				add(Pos{}, "", "duplicate id: already defined at %s", first.Source)
			default:
				// Two knowledge bases of one export may share ids, but
				// one index cannot serve both.
				add(Pos{}, "", "id also used by the knowledge base %q at %s: this file holds several knowledge bases (kb field); pick one with --collection", cmp.Or(first.Collection, e.Collection), first.Source)
			}
		}
		switch {
		case e.Topic == "":
			add(Pos{}, "", "missing topic: staff routing needs one (for example %s)", strings.Join(Topics, ", "))
		case !topicPattern.MatchString(e.Topic):
			add(Pos{}, "", "malformed topic %q: use lowercase letters, digits and dashes", e.Topic)
		}
		for _, lang := range bot.Langs {
			t := e.In(lang)
			if !e.Has(lang) {
				if !allowUnpaired && (e.Has(lang.Other())) {
					add(e.In(lang.Other()).Pos, lang, "missing its %s half: every entry needs a question and an answer in both languages (or serve entries in one language: --allow-unpaired on the command line, knowledge.allow_unpaired = true in the configuration)", langName(lang))
				} else if !e.Has(lang.Other()) && lang == bot.English {
					add(Pos{}, "", "has neither an English nor a French question and answer")
				}
				if len(t.Variants) > 0 {
					add(t.Pos, lang, "has %s variants but no %s question or answer", langName(lang), langName(lang))
				}
				continue
			}
			if strings.TrimSpace(t.Question) == "" {
				add(t.Pos, lang, "empty question")
			} else if n := utf8.RuneCountInString(t.Question); n > MaxQuestionLen {
				add(t.Pos, lang, "question is %d characters long: keep it under %d", n, MaxQuestionLen)
			}
			if strings.TrimSpace(t.Answer) == "" {
				add(t.Pos, lang, "empty answer")
			} else if n := utf8.RuneCountInString(t.Answer); n > MaxAnswerLen {
				add(t.Pos, lang, "answer is %d characters long: keep it under %d", n, MaxAnswerLen)
			}
			for j, v := range t.Variants {
				if strings.TrimSpace(v) == "" {
					add(t.Pos, lang, "variant %d is empty", j+1)
				} else if n := utf8.RuneCountInString(v); n > MaxQuestionLen {
					add(t.Pos, lang, "variant %d is %d characters long: keep it under %d", j+1, n, MaxQuestionLen)
				}
			}
			for _, l := range t.Links {
				if err := checkLink(l); err != nil {
					add(t.Pos, lang, "%v", err)
				}
			}
		}
	}
	return ps
}

// checkLink accepts absolute http and https URLs with a host.
func checkLink(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.ContainsAny(s, " \t\n") {
		return fmt.Errorf("malformed link %q: use an absolute https:// address", s)
	}
	return nil
}

func langName(l bot.Lang) string {
	if l == bot.French {
		return "French"
	}
	return "English"
}
