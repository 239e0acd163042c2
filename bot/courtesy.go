package bot

import (
	"regexp"
	"strings"
	"unicode"
)

// thanksWords say thank you, in English and French, as citizens type it.
var thanksWords = map[string]bool{
	"thanks": true, "thank": true, "thx": true, "thnx": true, "thanx": true, "tks": true, "ty": true, "tyvm": true,
	"appreciate": true, "appreciated": true,
	"merci": true, "mrc": true, "remercie": true,
}

// courtesyWords may surround a thank-you without making it a question:
// "thank you so much for your help", « ok merci beaucoup pour l'info ».
var courtesyWords = map[string]bool{
	// English
	"you": true, "u": true, "so": true, "very": true, "much": true, "a": true, "lot": true, "lots": true,
	"many": true, "ok": true, "okay": true, "k": true, "great": true, "perfect": true, "awesome": true,
	"cool": true, "nice": true, "good": true, "got": true, "it": true, "all": true, "that": true,
	"this": true, "helps": true, "helped": true, "helpful": true, "really": true, "again": true,
	"for": true, "the": true, "your": true, "help": true, "info": true, "information": true,
	"answer": true, "reply": true, "quick": true, "i": true, "we": true, "oh": true, "ah": true,
	"and": true, "in": true, "advance": true, "kind": true, "kindly": true, "sir": true, "madam": true,
	"hi": true, "hello": true, "bye": true, "have": true, "day": true, "everyone": true, "guys": true,
	"team": true, "alright": true, "yes": true, "yep": true, "cheers": true, "lol": true, "wow": true,
	// French
	"beaucoup": true, "bcp": true, "mille": true, "fois": true, "infiniment": true, "encore": true,
	"vraiment": true, "d": true, "accord": true, "daccord": true, "dac": true, "parfait": true,
	"super": true, "genial": true, "top": true, "bien": true, "tres": true, "c": true, "est": true,
	"cest": true, "ca": true, "gentil": true, "gentille": true, "pour": true, "l": true, "la": true,
	"le": true, "les": true, "votre": true, "vos": true, "ton": true, "ta": true, "aide": true,
	"infos": true, "informations": true, "reponse": true, "rapide": true, "je": true, "vous": true,
	"j": true, "oui": true, "avance": true, "bonne": true, "journee": true, "bonjour": true, "salut": true,
	"allo": true, "madame": true, "monsieur": true, "tous": true, "toute": true,
	"equipe": true, "de": true, "du": true, "ben": true, "full": true,
}

// courtesy reports whether text only says thank you ("thanks!", « merci
// beaucoup », "Thank you so much 🙏"): it asks nothing, so it is neither
// searched (its words would match an entry: "so much" finds what a
// passport costs) nor passed to staff as a question. A thank-you with
// anything else in it ("thanks, but my cheque is late") is a question.
func courtesy(text string) bool {
	words := foldedWords(withoutShortcodes(text))
	thanked := false
	for _, w := range words {
		switch {
		case thanksWords[w]:
			thanked = true
		case !courtesyWords[w]:
			return false
		}
	}
	return thanked
}

// wordless reports whether text has no letter and no digit, only emoji or
// punctuation ("???", "👍", "😡😡😡", a server's own emoji ":blobheart:"):
// there is no question in it for the knowledge base or for staff, so, like
// a thank-you, it is recorded and left. A letter or a digit anywhere
// else ("??? passport", "T4?", "123") makes it a question.
func wordless(text string) bool {
	for _, r := range withoutShortcodes(text) {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			return false
		}
	}
	return true
}

// shortcode is an emoji written by its name between colons, as adapters
// write a server's own emoji (Discord's <:blobheart:123…> becomes
// ":blobheart:") and as Mastodon and Slack write theirs: Discord allows 2
// to 32 letters, digits and underscores.
var shortcode = regexp.MustCompile(`:[A-Za-z0-9_]{2,32}:`)

// withoutShortcodes is text with its emoji shortcodes taken out: an emoji
// is no word, whether drawn by Unicode or named.
func withoutShortcodes(text string) string {
	if !strings.Contains(text, ":") {
		return text
	}
	return shortcode.ReplaceAllString(text, " ")
}
