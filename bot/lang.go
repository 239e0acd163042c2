package bot

import (
	"fmt"
	"strings"
)

// Lang is an official language: English or French. The zero value means the
// language is not known.
type Lang string

// The two official languages.
const (
	English Lang = "en"
	French  Lang = "fr"
	Unknown Lang = ""
)

// Langs lists the official languages in the order bilingual text shows them.
var Langs = [2]Lang{English, French}

// Other returns the other official language (English for Unknown).
func (l Lang) Other() Lang {
	if l == English {
		return French
	}
	return English
}

// Valid reports whether l is English or French.
func (l Lang) Valid() bool { return l == English || l == French }

// ParseLang accepts "en", "fr" and their long names in either language.
func ParseLang(s string) (Lang, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "en", "eng", "english", "anglais":
		return English, nil
	case "fr", "fra", "fre", "french", "français", "francais":
		return French, nil
	}
	return Unknown, fmt.Errorf("unknown language %q: use en or fr", s)
}

// Detector guesses the language of short citizen text. It returns Unknown
// when the text carries no evidence (digits, emoji, a URL), with a confidence
// in [0,1].
type Detector func(text string) (Lang, float64)
