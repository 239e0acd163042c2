package bot

import "unicode"

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
	words := foldedWords(text)
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
// punctuation ("???", "👍", "😡😡😡"): there is no question in it for the
// knowledge base or for staff, so, like a thank-you, it is recorded and
// left. A letter or a digit anywhere ("??? passport", "T4?", "123") makes
// it a question.
func wordless(text string) bool {
	for _, r := range text {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			return false
		}
	}
	return true
}
