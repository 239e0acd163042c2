package knowledge

import (
	"fmt"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/stop"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/analysis/tokenmap"
	"github.com/blevesearch/bleve/v2/mapping"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/liaison-gc/liaison/bot"
)

// Field names in each language's Bleve index. Every document has exactly
// one of them:
//   - fieldPhrase: one question or one variant (each phrasing can win alone);
//   - fieldAnswer: the entry's answer, with its question (weighted lower).
const (
	fieldPhrase = "p"
	fieldAnswer = "a"
	analyzerKB  = "kb"
)

// extraStops are informal words that carry no topic: Québec French particles
// and English chat filler. They are folded like the rest.
var extraStops = map[bot.Lang][]string{
	bot.French:  {"tu", "ti", "ca", "pis", "ben", "faque", "chu", "jvais", "vais", "svp", "stp", "bonjour", "allo", "merci", "est-ce", "estce", "quoi", "quel", "quelle", "quels", "quelles", "comment", "peux", "peut", "puis", "dois", "doit", "pantoute"},
	bot.English: {"please", "pls", "hi", "hello", "thanks", "thank", "u", "ur", "im"},
}

// informal maps informal and Québec French words, folded and lower-cased,
// to the standard word a knowledge base would use, before stemming
// ("mon boss" finds "employeur", "pogner la covid" finds "attraper").
var informal = map[bot.Lang]map[string]string{
	bot.French: {
		"boss": "employeur", "patron": "employeur", "patronne": "employeur",
		"pogner": "attraper", "pogne": "attrape", "pognes": "attrapes", "pognent": "attrapent",
		"job": "emploi", "jobs": "emplois", "char": "voiture", "chars": "voitures",
		"cell": "cellulaire", "chum": "conjoint", "blonde": "conjointe", "linge": "vetements",
		"icitte": "ici", "asteure": "maintenant", "astheure": "maintenant",
		"resto": "restaurant", "restos": "restaurants", "dep": "depanneur",
	},
	bot.English: {
		"doc": "doctor", "meds": "medication", "bday": "birthday", "govt": "government", "gov": "government",
	},
}

// families maps inflected forms the stemmers leave apart, folded and
// lower-cased, to one word of their family. The French light stemmer keeps
// verb forms apart from each other and from their nouns ("le bureau ouvre"
// would not find "heures d'ouverture"); English irregular past forms are
// not stemmed ("I lost my card" would not find "lose").
var families = map[bot.Lang]map[string][]string{
	bot.French: {
		"ouvert":     {"ouvre", "ouvres", "ouvrent", "ouvrez", "ouvrons", "ouvrira", "ouvriront", "ouvrait", "ouvraient", "ouvrir", "ouverture", "ouvertures", "ouverte", "ouvertes", "ouverts"},
		"ferme":      {"fermeture", "fermetures", "fermez", "ferment", "fermera", "fermeront", "fermait", "fermaient", "fermee", "fermees"},
		"payer":      {"paie", "paies", "paient", "paye", "payes", "payent", "payez", "payons", "paiera", "paieront", "payera", "paiement", "paiements", "payee", "payees"},
		"recevoir":   {"recois", "recoit", "recoivent", "recevez", "recevons", "recevra", "recevrai", "recevront", "recu", "recue", "recus", "recues"},
		"envoyer":    {"envoie", "envoies", "envoient", "envoyez", "envoyons", "enverra", "enverrai", "enverront", "envoi", "envois", "envoye", "envoyee", "envoyes", "envoyees"},
		"obtenir":    {"obtiens", "obtient", "obtiennent", "obtenez", "obtenons", "obtiendra", "obtiendrai", "obtenu", "obtenue", "obtenus", "obtenues", "obtention"},
		"perdre":     {"perds", "perd", "perdent", "perdez", "perdu", "perdue", "perdus", "perdues", "perte", "pertes"},
		"prendre":    {"prends", "prend", "prennent", "prenez", "prenons", "prendra", "prendrai", "pris", "prise", "prises"},
		"inscrire":   {"inscris", "inscrit", "inscrite", "inscrits", "inscrites", "inscrivent", "inscrivez", "inscription", "inscriptions"},
		"joindre":    {"joins", "joint", "joignent", "joignez", "rejoindre", "rejoins", "rejoint"},
		"appeler":    {"appelle", "appelles", "appellent", "appelez", "appelons", "appellera", "appel", "appels", "appele"},
		"remplir":    {"remplis", "remplit", "remplissent", "remplissez", "rempli", "remplie"},
		"attendre":   {"attends", "attend", "attendent", "attendez", "attente", "attentes"},
		"ecrire":     {"ecris", "ecrit", "ecrivent", "ecrivez"},
		"repondre":   {"reponds", "repond", "repondent", "repondez", "reponse", "reponses"},
		"renouveler": {"renouvelle", "renouvelles", "renouvellent", "renouvelez", "renouvellera"},
		"restaurant": {"restaurateur", "restaurateurs", "restauratrice", "restauratrices", "restauration"},
		"sortir":     {"sors", "sort", "sortons", "sortez", "sortent", "sortira", "sortirai", "sortiront", "sorti", "sortie", "sorties", "sortis"},
		"partir":     {"pars", "partons", "partez", "partent", "partira", "partirai", "partiront", "parti", "partis", "depart", "departs"},
		"revenir":    {"reviens", "revient", "revenons", "revenez", "reviennent", "reviendra", "reviendrai", "reviendront"},
		"venir":      {"viens", "vient", "venons", "venez", "viennent", "viendra", "viendrai", "viendront", "venu", "venue", "venus", "venues"},
		"voir":       {"vois", "voit", "voyons", "voyez", "voient", "verra", "verrai", "verront"},
		"mettre":     {"mets", "met", "mettons", "mettez", "mettent", "mettra", "mettrai", "mis", "mise", "mises"},
		"savoir":     {"sais", "sait", "savons", "savez", "savent", "saura", "saurai", "sauront"},
		"vivre":      {"vivons", "vivez", "vivent", "vivra", "vecu", "vecue", "vecus"},
		"connaitre":  {"connais", "connait", "connaissons", "connaissez", "connaissent", "connu", "connue", "connus"},
		"couvrir":    {"couvre", "couvres", "couvrent", "couvert", "couverte", "couverts", "couvertes", "couverture"},
		"offrir":     {"offre", "offres", "offrent", "offert", "offerte", "offerts", "offertes"},
		"conduire":   {"conduis", "conduit", "conduisent", "conduite", "conduira"},
		"mourir":     {"meurt", "meurs", "meurent", "mourra", "mourant", "mourante"},
		"naitre":     {"nait", "naissent", "nee", "nees", "naissance", "naissances"},
		"atteindre":  {"atteint", "atteinte", "atteints", "atteintes"},
	},
	bot.English: {
		"lose": {"lost"}, "pay": {"paid", "payment", "payments"}, "send": {"sent"}, "get": {"got", "gotten"},
		"take": {"took", "taken"}, "go": {"went", "gone"}, "speak": {"spoke", "spoken"},
		"write": {"wrote", "written"}, "keep": {"kept"}, "come": {"came"}, "give": {"gave", "given"},
		"tell": {"told"}, "buy": {"bought"}, "bring": {"brought"}, "leave": {"left"},
		"find": {"found"}, "hold": {"held"}, "think": {"thought"}, "see": {"saw", "seen"},
		"make": {"made"}, "know": {"knew", "known"}, "choose": {"chose", "chosen"},
		"feel": {"felt"}, "spend": {"spent"}, "hear": {"heard"}, "begin": {"began", "begun"},
		"fall": {"fell", "fallen"}, "drive": {"drove", "driven"}, "fly": {"flew", "flown"},
		"forget": {"forgot", "forgotten"}, "understand": {"understood"}, "catch": {"caught"},
		"break": {"broke", "broken"}, "steal": {"stole", "stolen"}, "sell": {"sold"},
		"win": {"won"}, "lend": {"lent"}, "mean": {"meant"}, "teach": {"taught"},
		// Irregular plurals and nouns whose stem differs from their verb's.
		"child": {"children"}, "person": {"people", "persons"}, "woman": {"women"}, "man": {"men"},
		"transmit": {"transmission", "transmissions", "transmissible"},
		"infect":   {"infectious", "infection", "infections"}, "contagion": {"contagious"},
		"apply":  {"application", "applications", "applicant", "applicants"},
		"decide": {"decision", "decisions"}, "conclude": {"conclusion", "conclusions"},
		"permit": {"permission", "permissions"}, "admit": {"admission", "admissions"},
		"submit": {"submission", "submissions"}, "suspend": {"suspension", "suspensions"},
		"extend": {"extension", "extensions"}, "respond": {"response", "responses"},
		"describe": {"description", "descriptions"}, "close": {"closure", "closures"},
		"fail":  {"failure", "failures"},
		"renew": {"renewal", "renewals"}, "arrive": {"arrival", "arrivals"},
		"approve": {"approval", "approvals"}, "refuse": {"refusal", "refusals"},
		"visit": {"visitor", "visitors"}, "deliver": {"delivery", "deliveries"},
		"prescription": {"prescribe", "prescribes", "prescribed"}, "diagnose": {"diagnosis", "diagnoses"},
		"recover": {"recovery"}, "maintain": {"maintenance"}, "expire": {"expiry", "expiration"},
		"absent": {"absence", "absences"}, "marry": {"marriage", "marriages", "married"},
		"election": {"elector", "electors", "electoral"},
		// American spellings of the Canadian words a department writes.
		"centre": {"center", "centers"}, "licence": {"license", "licenses", "licensed"},
		"labour": {"labor"}, "neighbour": {"neighbor", "neighbors", "neighborhood"},
		"behaviour": {"behavior", "behaviors"}, "defence": {"defense"}, "colour": {"color", "colors"},
		"organisation": {"organization", "organizations"}, "programme": {"program", "programs"},
	},
}

// wordForms is what informalFilter rewrites: informal words and families.
var wordForms = func() map[bot.Lang]map[string]string {
	out := map[bot.Lang]map[string]string{}
	for _, l := range bot.Langs {
		m := map[string]string{}
		for to, forms := range families[l] {
			for _, f := range forms {
				m[f] = to
			}
		}
		for from, to := range informal[l] {
			m[from] = to
		}
		out[l] = m
	}
	return out
}()

// informalFilter rewrites informal words (see informal).
type informalFilter map[string]string

func (f informalFilter) Filter(ts analysis.TokenStream) analysis.TokenStream {
	for _, t := range ts {
		if w, ok := f[string(t.Term)]; ok {
			t.Term = []byte(w)
		}
	}
	return ts
}

// newMapping returns the index mapping of one language: accent folding
// before tokenizing (citizens type "permis peche"), elision (French),
// lower-casing, stop words folded the same way, then a stemmer. BM25 scoring
// (which Bleve applies on scorch indexes only).
func newMapping(lang bot.Lang) (*mapping.IndexMappingImpl, error) {
	m := mapping.NewIndexMapping()
	m.ScoringModel = bindex.BM25Scoring
	var stopWords []byte
	var filters []string
	switch lang {
	case bot.English:
		stopWords = en.EnglishStopWords
		filters = []string{en.PossessiveName, lowercase.Name, "kb_stop", en.SnowballStemmerName}
	case bot.French:
		stopWords = fr.FrenchStopWords
		filters = []string{lowercase.Name, fr.ElisionName, "kb_stop", fr.LightStemmerName}
	default:
		return nil, fmt.Errorf("kb: no analyzer for language %q", lang)
	}
	if err := m.AddCustomTokenMap("kb_stop_words", map[string]any{
		"type":   tokenmap.Name,
		"tokens": foldedStopWords(stopWords, extraStops[lang]),
	}); err != nil {
		return nil, fmt.Errorf("kb: stop words: %w", err)
	}
	if err := m.AddCustomTokenFilter("kb_stop", map[string]any{
		"type":           stop.Name,
		"stop_token_map": "kb_stop_words",
	}); err != nil {
		return nil, fmt.Errorf("kb: stop filter: %w", err)
	}
	if err := m.AddCustomAnalyzer(analyzerKB, map[string]any{
		"type":          custom.Name,
		"char_filters":  []any{asciifolding.Name},
		"tokenizer":     unicode.Name,
		"token_filters": toAny(filters),
	}); err != nil {
		return nil, fmt.Errorf("kb: analyzer: %w", err)
	}
	doc := mapping.NewDocumentStaticMapping()
	for _, f := range []string{fieldPhrase, fieldAnswer} {
		// Only term queries are run and ranking features come from Go
		// structures: no stored text, doc values or term vectors.
		fm := mapping.NewTextFieldMapping()
		fm.Analyzer = analyzerKB
		fm.Store = false
		fm.IncludeInAll = false
		fm.DocValues = false
		fm.IncludeTermVectors = false
		doc.AddFieldMappingsAt(f, fm)
	}
	m.DefaultMapping = doc
	m.DefaultAnalyzer = analyzerKB
	m.IndexDynamic = false
	m.StoreDynamic = false
	m.DocValuesDynamic = false
	return m, nil
}

// foldedStopWords parses a Snowball stop-word list, folds each word the way
// the char filter folds text ("à" becomes "a") and adds extra words.
func foldedStopWords(list []byte, extra []string) []any {
	tm := analysis.NewTokenMap()
	if err := tm.LoadBytes(list); err != nil {
		return nil
	}
	folder := asciifolding.New()
	seen := map[string]bool{}
	var out []any
	add := func(w string) {
		w = strings.ToLower(string(folder.Filter([]byte(w))))
		if w != "" && !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	for w := range tm {
		add(w)
	}
	for _, w := range extra {
		add(w)
	}
	return out
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
