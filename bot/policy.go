package bot

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The comment policy: the bot does not answer abuse, makes no partisan
// statements and never pings crowds. These checks are deliberately simple
// word lists, tuned to miss rather than to silence a real question: an
// abusive message that slips through is answered like any other, a partisan
// question gets a fixed neutral notice. What counts as abuse is written on
// abusive. The lists are accent-folded and lowercase.

// abusiveAlways are slurs: abusive whatever they are aimed at.
var abusiveAlways = wordSet(`cunt cunts retarded salope salopes encule encules connasse connasses`)

// insultWords call a person something: by what they mean they are aimed at
// a person, the one addressed or anyone else ("the agent is an idiot").
var insultWords = wordSet(`
	idiot idiots moron morons imbecile imbeciles dumbass dumbasses asshole assholes bastard bastards
	fucker fuckers motherfucker motherfuckers bitch bitches dickhead dickheads wanker wankers
	scum scumbag scumbags shithead shitheads
	connard connards conne connes salaud salauds enfoire enfoires cretin cretins abruti abrutis tarla tarlas
`)

// ownWords before an insult show that the writer calls themself that, or
// reports what someone else said ("I'm such an idiot", "I feel like an
// idiot", "he called me an idiot", "il m'a traité d'imbécile"): the insult
// is not thrown.
var ownWords = wordSet(`i im am me myself m je j moi suis called calling traite traitee traites`)

// othersBe are forms of "to be" whose subject is usually someone else ("I
// think the agent is an idiot", "je pense qu'il est con"): an own word
// before one makes an insult after it the writer's only as its subject,
// right before it ("I was such an idiot", "j'étais un idiot").
var othersBe = wordSet(`is s was are were be est etait sont etaient`)

// clauseJoins start another clause within one: an own word before one says
// nothing of an insult after it ("I called and I think the agent is an
// idiot").
var clauseJoins = wordSet(`and but because so or that et mais car parce donc ou que qu`)

// referents open a noun group that points at someone: an insult at its head
// names a third person in an account of what happened ("I called and that
// idiot hung up on me", "the idiot at the counter refused my form", « cet
// imbécile m'a raccroché au nez », « l'imbécile au comptoir »), and the
// message is a complaint about the service, which a human must read: it is
// escalated, not ignored. An insult said of someone ("the agent is an
// idiot", "you're the idiot", « c'est toi l'idiot ») or at the one
// addressed ("you idiot", "vous êtes des idiots") stays abuse (see
// referredTo).
var referents = wordSet(`the that this those these some ce cet cette ces le la les l`)

// indefinites open a noun group that names someone only where it is the
// subject of a clause of its own: at the start, after a conjunction ("I
// called and an idiot hung up on me", « j'ai appelé et un imbécile m'a
// raccroché au nez ») or after "there was", « il y a » ("there was an idiot
// at the counter"). Elsewhere they say what someone is ("what an idiot",
// "you're such an idiot", « c'est un imbécile »), and an insult after one
// stays abuse, as it does with the one addressed in the clause ("you
// called and an idiot answered") or right after it ("an idiot like you",
// « un imbécile comme toi »).
var indefinites = wordSet(`a an un une`)

// subjectJoins join clauses: an indefinite right after one opens a subject.
var subjectJoins = wordSet(`and but then so et mais pis puis`)

// presentatives are the subjects of a "to be" that presents someone instead
// of saying what they are: "it was that idiot who hung up", "there was this
// idiot at the counter", « c'est l'imbécile au comptoir qui m'a raccroché ».
var presentatives = wordSet(`it there that this c ce ca`)

// swearWords are profanity and contempt: said of a thing ("my fucking
// passport", "ce crisse de formulaire") they are frustration; they are
// aimed only in what a message says of a target (see swornAt).
var swearWords = wordSet(`
	fuck fucking shit bullshit stupid
	merde marde tabarnak tabarnaks tabarnac tabarnacs calisse calisses ostie osties osti ostis crisse crisses criss
	esti estie estis esties hostie hosties calice calices caliss ciboire ciboires calvaire viarge
	putain debile debiles niaiseux
	cave caves mongol mongols
`)

// targetWords aim a message at someone. French "t'es" and "t'as" (you
// are, you have) are read as "tu es", "tu as" before the text is split at
// apostrophes; a lone "t" is not a target, as English contractions
// ("can't", "don't") leave one behind. "u" (texting "you") aims only as
// the others do, close by: "u r an idiot".
var targetWords = wordSet(`you your youre u ur vous tu tes toi votre vos`)

// elidedTarget matches the elided "tu" of informal French: "t'es", "t'as",
// with a straight or a typographic apostrophe.
var elidedTarget = regexp.MustCompile(`\bt['’‘ʼ](es|as|etais|avais)\b`)

// chatTargetNext, after "tes" or a lone "t", show them to be "t'es" typed
// as chat types it (see chatTargets): words that cannot follow "tes"
// (your), such as an article or « rien ».
var chatTargetNext = wordSet(`un une des rien juste vraiment tellement`)

// ambiguousWords are insults only when aimed at someone close by, in the
// same clause ("vous êtes des cons", "t'es con", "you dick"): otherwise
// they are ordinary words ("a con", "the pros and cons") or names ("my
// father Dick passed away").
var ambiguousWords = wordSet(`con cons dick dicks`)

// prosAndCons is the English phrase, rewritten to one harmless word.
var prosAndCons = regexp.MustCompile(`\bpros?\s*(and|&|/|n|'n'|et)\s*cons?\b`)

// aimedWithin is how many words from a target an ambiguous word may stand
// and still be aimed at it.
const aimedWithin = 3

// predicateOpeners, right after a target, open what the message says of
// it: "to be" ("you are", "you're", "u r", "t'es", "vous êtes"); so does
// "piece of", right after or up to two words after ("you piece of shit",
// "you useless piece of shit", see pieceOf). An article opens it only after "ur" or "your" written for
// "you're" ("ur a"): after "you" or "vous" it is the start of a thing
// ("send you a copy") or French "has" ("vous a envoyé").
var predicateOpeners = wordSet(`are re r were es etes etais etiez nes netes`)

// youreArticles open what is said of "ur" or "your" written for "you're".
var youreArticles = wordSet(`a an`)

// determiners open a noun group. What is said of a target is one group: a
// determiner at its start is its own ("you're a", "t'es un", "vous êtes de
// la", "you are such a"), a later one starts a thing spoken of ("you were
// supposed to mail the fucking card", "vous êtes supposés m'envoyer le
// tabarnak de chèque"). French "de" joins words within a group ("un crisse
// de cave", "des incompétents de merde") and is not one. The start may be
// after a word of degree (groupDegree): "you are such a", « t'es vraiment
// un »; after another word it is a thing ("vous êtes ouverts le crisse de
// samedi?").
var determiners = wordSet(`the a an le la les l un une des du`)

// groupDegree may stand before the determiner that starts what is said of
// a target; so may the « de » of a partitive (« vous êtes de la marde »).
var groupDegree = wordSet(`
	such so just really only truly totally literally definitely clearly officially
	vraiment juste tellement ben bien tout toute tous seulement carrement de d
`)

// targetCompany may stand between a target and its opener: "you people
// are", "you guys are", "vous autres êtes".
var targetCompany = wordSet(`people guys all lot two really autres deux`)

// predicateEnds end what is said of a target: a conjunction, another
// subject, a thing spoken of ("you're my last hope, my damn passport"), or
// an English infinitive ("you were supposed to mail fucking cards").
var predicateEnds = wordSet(`
	and but because this that these those my our his her their its it i to
	et mais car parce ce cet cette ces mon ma mes notre nos son sa ses leur leurs c ca cela je j
`)

// aimedForms are abuse wherever they stand: their form aims them at the
// one addressed ("fuck you", "fuck off", "ta gueule", "va chier", "allez
// chier", "mange donc un char de marde", « bande de caves »: a crowd of
// people, always staff or those spoken to), or threatens. Chat writes « va »
// as « vas » (« vas chier »).
var aimedForms = phrases(
	`(fuck|fck|fuk|fk|phuck|screw|damn) (you|u|ya|y['’‘ʼ]?all|yourself|yourselves|off)`, // "fck off": chat drops the vowel
	`go to hell`, `piss off`, `eat shit`, `shut (the fuck )?up`, `stfu`, `gtfo`,
	`(kill|murder|shoot|stab) (you|u|ya|y['’‘ʼ]?all|yourself|yourselves)`, `kys`,
	`(hope|wish) (you|u)( all| guys| people)? (die|dies)`, `(you|u) should (just )?die`, `go die`, `drop dead`,
	`(you|u|ur|a|of|fucking) retards?`, // French "retard" is a delay: "mon passeport est en retard"
	`ta (gueule|yeule)`, `(va|vas|allez) (donc )?chier`,
	`(va|vas|allez) (te|vous) faire (foutre|enculer|voir|fuck)`, // "fuck" is how "va te faire f***" reads (see unmasked)
	`mange[rsz]?( \S+){0,4} (marde|merde)`, `crisse ton camp`, `decrisse`,
	`(bande|gang|gagne) de (caves|mongols|niaiseux|debiles|cons|tarlas)`,
)

// phrases compiles whole-word alternatives in which a space stands for any
// run of white space.
func phrases(ps ...string) *regexp.Regexp {
	return regexp.MustCompile(`\b(?:` + strings.ReplaceAll(strings.Join(ps, "|"), " ", `\s+`) + `)\b`)
}

// partyMentions name a party or the Prime Minister, also by the names
// citizens give them ("the libs", « les bloquistes »). Such a mention is
// partisan, unless the message is a service request of a kind that names
// them in the ordinary course and gives no opinion (see served). The Bloc
// québécois is named so in full only: a « bloc » is also a block of flats;
// cheered, it is partisan (see partyCheered).
var partyMentions = regexp.MustCompile(`\b(liberals?|liberaux|liberales?|libs|conservatives?|conservateurs?|conservatrices?|ndp|npd|bloc quebecois|bloquistes?|green party|parti vert|ppc|tories|tory|grits|neo-democrates?|prime minister|premier ministre)\b`)

// partisanPatterns are opinions asked about parties, leaders and
// elections. Practical election questions ("where do I vote") are not
// partisan and are answered.
var partisanPatterns = []*regexp.Regexp{
	regexp.MustCompile(`\b(vote for|voter pour|who should i vote|which party|quel parti)\b`),
	// Who to vote for in French, asked by the citizen or of the one
	// addressed: « pour qui voter », « pour qui je devrais voter », « pour
	// qui votez-vous », « pour qui devrais-je voter », « pour qui est-ce que
	// je vote », not who may vote some way (« pour qui le vote par la poste
	// est-il offert? »).
	regexp.MustCompile(`\bpour\s+qui(\s+est[\s-]+ce\s+qu?e?)?(\s+(je|j|tu|t|on|nous|vous|il|elle))?` +
		`(\s+(dois|doit|devons|devez|devrais|devrait|devrions|devriez|vais|vas|va|allons|allez|veux|veut|voulez)` +
		`([\s-]+(je|tu|on|nous|vous|il|elle))?)?` +
		`\s+vot(e|es|ez|er|ons|ent|erais|erait|eriez)\b`),
}

// partyCheered is a party whose name is also an ordinary word cheered or
// voted for: the Bloc (« vive le Bloc », « votez Bloc », "go Bloc"), the
// Greens ("vote Green", « votez vert », « vive les verts »; "go green" is
// of the environment, « la carte verte » a card). It is read only in a
// message that holds "bloc", "green" or "vert", so that the longest
// messages do not pay for it.
var partyCheered = regexp.MustCompile(`\b(vive|vote|votez|votons|go)\s+(le\s+)?bloc\b|` +
	`\b(vive|vote|votez|votons)\s+(les\s+)?(greens?|verts?)\b`)

// nonPartisan are the phrases in which a party's name is an ordinary word,
// left out before partisanPatterns and partyMentions are matched: a degree
// ("a liberal arts degree", « un diplôme en arts libéraux »), a trade
// (« profession libérale »), an estimate, a treatment, a faith
// ("Conservative Mennonite", "Conservative Judaism", who ask about passport
// photos).
var nonPartisan = phrases(
	`liberal arts`, `arts liberaux`, `professions? liberales?`, `professionnels liberaux`,
	`conservative (estimates?|guess|treatment|management|mennonites?|judaism|jews?|jewish|synagogues?)`,
)

// leaders are party leaders' surnames, each with a first name. A surname
// alone is as often a citizen's own (Singh is among the commonest in
// Canada), a clerk's ("Mr Singh handled my file") or a place's (Trudeau
// airport): it is partisan after the first name, or next to a word of
// elections or opinion (see partisanName).
var leaders = map[string]string{
	"trudeau": "justin", "poilievre": "pierre", "carney": "mark", "singh": "jagmeet", "blanchet": "francois",
}

// politicalWords make a leader's surname partisan when they stand on
// either side of it, within nearLeader words of the same clause and with
// no placeBreaks between: "Singh's campaign", "will Singh win the
// election", not "a voting station near Trudeau airport".
var politicalWords = wordSet(`
	vote votes voted voting voter votez elect elected election elections electoral elu elus elue
	campaign campagne debate debat debats poll polls sondage sondages party parti partis leader
	politics political politique politiques corrupt corrompu resign demission demissionner liar menteur
`)

// conductWords are the politicalWords that judge how a person behaves,
// which a citizen also says of a clerk: after a title the surname is one
// ("agent Singh is corrupt, he asked me for money", « M. Carney est un
// menteur, il m'a dit que mon dossier était réglé »), and the message is a
// complaint about the service, which a human must read.
var conductWords = wordSet(`corrupt corrompu resign demission demissionner liar menteur`)

// removalWords, after a leader's surname, demand that the person leave
// their post: "Mr. Carney should resign", "Singh should be fired", « Mme
// Blanchet devrait démissionner », « M. Poilievre devrait être renvoyé ».
// Title or not, that is partisan, unless the message speaks of the
// citizen's own business (see ownBusiness): then it is a complaint about a
// clerk ("Mr Singh should resign, he lost my file twice") or an account
// ("my boss Singh fired me, can I get EI?"), which is served. Resigning is
// also a word of elections (politicalWords): with no title before the
// surname it is partisan whatever else the message says.
var removalWords = wordSet(`
	resign resigns fired sacked demission demissionne demissionner
	renvoye renvoyee renvoyer congedie congediee congedier destitue destituee destituer
`)

// removalCalls demand as a slogan that a leader leave: right after the
// surname that opens the clause and ending it, "now" after them if at all
// ("Poilievre out!", "Carney out now", "Carney must go", « Trudeau dehors
// », « Poilievre doit partir », « Trudeau, dégage! »), or removalLeads
// right before the surname that ends it (« Dehors Trudeau! », "Out with
// Carney"). Elsewhere they are a clerk's day ("Is Singh out today?",
// "Singh out of office until Monday?", "Singh must go over my file", «
// Singh est dehors »). As with removalWords, the citizen's own business in
// the message makes the surname a clerk's ("Singh out? she has my file").
// See slogan.
var (
	removalCalls = [][]string{
		{"out"}, {"must", "go"}, {"has", "to", "go"}, {"needs", "to", "go"}, {"gotta", "go"},
		{"dehors"}, {"degage"}, {"doit", "partir"}, {"doit", "degager"}, {"doit", "s", "en", "aller"},
	}
	removalLeads = [][]string{{"out", "with"}, {"dehors"}, {"degage"}}
	sloganNow    = wordSet(`now maintenant`)
)

// cheers cheer the surname right after them as a slogan, the whole clause,
// repeated after it if at all: "go Poilievre go", "Go Carney!", "let's go
// Singh", « Allez Blanchet! ». Elsewhere they send someone somewhere ("go
// see Singh at the counter", « allez voir Singh »); « vive » cheers
// wherever it stands (see opinionWords). See slogan.
var cheers = wordSet(`go allez`)

// letsGo may open a cheer: "let's go Carney".
var letsGo = wordSet(`let lets s`)

// slogan reports whether the clause words is a slogan on the leader's
// surname words[i], with no title: a call for removal (removalCalls,
// removalLeads) or a cheer (cheers). The caller leaves out a message of the
// citizen's own business (see ownBusiness).
func slogan(words []string, i int) bool {
	before, rest := words[:i], words[i+1:]
	for len(rest) > 0 && sloganNow[rest[len(rest)-1]] {
		rest = rest[:len(rest)-1]
	}
	if len(before) == 0 {
		return slices.ContainsFunc(removalCalls, func(c []string) bool { return slices.Equal(rest, c) })
	}
	if len(rest) == 0 && slices.ContainsFunc(removalLeads, func(c []string) bool { return slices.Equal(before, c) }) {
		return true
	}
	cheer := before[len(before)-1]
	if !cheers[cheer] || len(rest) > 1 || len(rest) == 1 && rest[0] != cheer {
		return false
	}
	for _, w := range before[:len(before)-1] {
		if !letsGo[w] {
			return false
		}
	}
	return true
}

// sloganAcross reports whether the clause words and the one before it,
// prev, make a slogan on a leader's surname across the comma or the mark
// between ("Trudeau, dehors!", "Go Poilievre, go!", « Dehors, Trudeau »);
// see slogan.
func sloganAcross(prev, words []string) bool {
	if len(prev) == 0 || len(words) == 0 || len(prev)+len(words) > 5 {
		return false
	}
	joined := slices.Concat(prev, words)
	for _, k := range []int{len(prev) - 1, len(prev)} {
		if _, ok := leaders[joined[k]]; ok && slogan(joined, k) {
			return true
		}
	}
	return false
}

// candidacies put the leader's surname right before them forward for
// prime minister ("PM"): "Poilievre for PM!", "Singh as PM", « Carney
// comme PM », « Poilievre pour PM ». "Prime minister" and « premier
// ministre » are partyMentions whatever stands before them.
var candidacies = wordSet(`for as pour comme`)

// putForward reports whether the leader's surname words[i] of the clause c
// is put forward for prime minister (see candidacies): "for PM" right after
// it, no hour between ("an appointment with Singh for 3 pm": the clause's
// words hold no digits, the text does).
func putForward(c string, words []string, i int) bool {
	if i+2 >= len(words) || !candidacies[words[i+1]] || words[i+2] != "pm" {
		return false
	}
	all := textWords(c)
	for k := range len(all) - 2 {
		if all[k] == words[i] && all[k+1] == words[i+1] && all[k+2] == "pm" {
			return true
		}
	}
	return false
}

// ownBusiness reports whether folded text speaks of the citizen's own
// business: an own object or possessive (ownObjects: "me", "my file", « il
// m'a dit »), not the « M » that titles a surname (« M Carney »).
func ownBusiness(folded string) bool {
	words := textWords(folded)
	for k, w := range words {
		if !ownObjects[w] {
			continue
		}
		if w == "m" && k+1 < len(words) {
			if _, titled := leaders[words[k+1]]; titled {
				continue
			}
		}
		return true
	}
	return false
}

// opinionWords take a person as their object: they make a leader's surname
// partisan when they come right before it, at most one word between, or
// across "of", "on" or "de" ("I support Singh", "your thoughts on Carney",
// "quel est ton avis sur Poilievre"), and no title (see titles). Further
// off, or after it, they are usually the citizen's own business ("I'm Raj
// Singh and I think my passport expired"). French ones are also typed as
// chat types them, the elided « je » stuck to the verb: « jaime pas
// Poilievre », « jhais Carney ». « Vive » cheers: « vive Poilievre ».
var opinionWords = wordSet(`
	thoughts opinion opinions avis
	support supports appuie appuies appuyez trust hate deteste love aime
	hais hait haissez adore adores adorez jaime jhais jadore jdeteste jappuie vive
`)

// likeWords are opinion words only after a subject or a negation (likers):
// "I like Carney", "do you like Poilievre", "I don't like Carney's budget",
// not "I'd like Singh to call me back", "would like", "someone like Singh".
var likeWords = wordSet(`like likes liked`)

// likers may stand right before a likeWord that gives an opinion.
var likers = wordSet(`i we you u they he she really also just t not dont didnt doesnt never`)

// liked reports whether words[k] is a likeWord that gives an opinion.
func liked(words []string, k int) bool {
	return likeWords[words[k]] && k > 0 && likers[words[k-1]]
}

// thinkWords are opinion words that open a clause: a surname right after
// one (or after "that", "que") is who the clause speaks of, not what the
// opinion is about. The citizen's own thought is usually an account of
// their file ("I think Singh handled my file", "je pense que Singh
// s'occupe de mon dossier"), and is partisan only when the clause judges
// the person (judgements: "I think Poilievre is right", "je pense que
// Carney a raison"). An opinion asked of the one addressed is partisan
// whatever follows ("do you think Singh will win", "pensez-vous que
// Poilievre va gagner"), as is one about the person ("what do you think of
// Carney", see opinionOf).
var thinkWords = wordSet(`think thinks thought feel feels believe believes pense penses pensez pensent crois croyez`)

// findThat are thinkWords only before « que » (« je trouve que Poilievre a
// raison »): without it they find ("Trouvez-vous Singh dans l'annuaire?").
var findThat = wordSet(`trouve trouves trouvez`)

// judgements, said of a surname within nearLeader words after it, make a
// thought about it partisan (see thinkWords and judged), as they make the
// surname itself partisan when "to be" links them to it (see saidOf).
var judgements = wordSet(`
	right wrong good bad better best worse worst great terrible awful honest dishonest disaster joke
	useless worthless incompetent clown clowns
	raison tort bon bonne bons bonnes meilleur meilleure meilleurs meilleures mieux pire pires mauvais mauvaise mauvaises
	honnete honnetes desastre desastreux desastreuse catastrophe catastrophique blague
	nul nulle nuls nulles poche poches inutile inutiles incompetente cave caves
`)

// thinkThat may stand between a thinkWord and the surname it opens a clause
// on, with the one addressed before it: "pensez-vous que Poilievre".
var thinkThat = wordSet(`that que qu`)

const nearLeader = 3

// titles before a surname make it someone the citizen deals with ("I
// think Mr Singh handled my file", "je pense que Mme Blanchet s'occupe de
// mon dossier"): an opinion word before a title says nothing of a leader.
var titles = wordSet(`mr mrs ms miss mme mlle m monsieur madame dr agent agente`)

// opinionOf may stand between an opinion word and the surname it is about,
// one word further off than otherwise: "think of", "pensez-vous de".
var opinionOf = wordSet(`of about on de d sur`)

// placeBreaks end a leader's noun group: a political word across one
// speaks of a place or a thing named after the leader ("a voting station
// near Trudeau airport", "voter à l'aéroport Trudeau"). Folded « à » is
// "a", which after the surname is the English article or French "has"
// ("Is Carney a liar?", "Singh a gagné le débat"): a place named after a
// leader follows « à », so "a" ends the group only before the surname.
var placeBreaks = wordSet(`near at by pres a au aux`)

// comparedBy join two leaders' surnames into a comparison that asks which
// is better: "Carney vs Poilievre", "Singh or Carney", « Poilievre ou
// Carney », « Carney contre Poilievre ».
var comparedBy = wordSet(`vs v versus or ou contre`)

// comparedAnd join them so after a word of comparison: "between Carney and
// Poilievre", « entre Carney et Poilievre », "compare Singh and Blanchet".
var comparedAnd = wordSet(`and et`)

// comparing opens a comparison joined by comparedAnd.
var comparing = wordSet(`between entre compare compared comparing comparer comparez`)

// ownPossessives before a comparison make it part of the citizen's own
// business: "my case officer is Singh or Carney, I forget".
var ownPossessives = wordSet(`my our mon ma mes notre nos`)

// compared reports whether the surname words[i] is compared with another
// leader's right after it (see comparedBy and comparedAnd). A title before
// it names someone at the office ("Can I see Mr. Singh or Carney?"), as
// does a title before the other, which then does not follow right after
// ("Mr. Singh or Ms. Carney"); so does a surname further off ("Singh or
// maybe Carney, I forget"). Which of them dealt with the citizen is not a
// comparison either ("was it Singh or Carney who called me", see
// ownRelative).
func compared(words []string, i int) bool {
	if i+2 >= len(words) || words[i+2] == words[i] {
		return false
	}
	if _, ok := leaders[words[i+2]]; !ok {
		return false
	}
	if i > 0 && titles[words[i-1]] {
		return false
	}
	if c := words[i+1]; !comparedBy[c] && !(comparedAnd[c] && i > 0 && comparing[words[i-1]]) {
		return false
	}
	for _, w := range words[:i] {
		if ownPossessives[w] {
			return false
		}
	}
	return !ownRelative(words, i+3)
}

// relatives open a clause that says what the one of two surnames did: "was
// it Singh or Carney who called me", « est-ce Singh ou Carney qui m'a
// appelé ».
var relatives = wordSet(`who whom that qui qu`)

// ownObjects name the citizen as the object of a relative clause, or what
// is theirs: "who called me", "who has my file", « qui m'a appelé », « qui
// a mon dossier ».
var ownObjects = wordSet(`me us m moi nous my our mon ma mes notre nos`)

// ownRelative reports whether a relative at words[k] asks which of two
// surnames before it dealt with the citizen's own business: an own object
// (ownObjects) within four words after it, and no word of elections or
// judgement up to the word after that ("who should get my vote", « qui est
// meilleur pour ma famille » compare leaders).
func ownRelative(words []string, k int) bool {
	if k >= len(words) || !relatives[words[k]] {
		return false
	}
	for j := k + 1; j < min(len(words), k+5); j++ {
		w := words[j]
		if politicalWords[w] || judgements[w] {
			return false
		}
		if ownObjects[w] {
			return j+1 == len(words) || !politicalWords[words[j+1]] && !judgements[words[j+1]]
		}
	}
	return false
}

// comparedAcross reports whether the clause words goes on comparing the
// leader's surname that ends the clause before it, prev, with another's
// ("Carney, or Poilievre?", « Poilievre, ou Carney? »): a comma or a
// question mark between changes nothing of the comparison (see compared).
func comparedAcross(prev, words []string) bool {
	if len(prev) == 0 || len(words) < 2 || !comparedBy[words[0]] {
		return false
	}
	if _, ok := leaders[prev[len(prev)-1]]; !ok {
		return false
	}
	return compared(slices.Concat(prev, words), len(prev)-1)
}

// judgedAcross reports whether the clause words, opened by « c'est », takes
// up the leader's surname that ends the clause before it, prev, to judge
// the person: « Carney, c'est le pire » (see saidOf).
func judgedAcross(prev, words []string) bool {
	if len(prev) == 0 || len(words) == 0 || words[0] != "c" && words[0] != "cest" {
		return false
	}
	if _, ok := leaders[prev[len(prev)-1]]; !ok || len(prev) > 1 && titles[prev[len(prev)-2]] {
		return false
	}
	return saidOf(slices.Concat(prev[len(prev)-1:], words), 0)
}

// abbreviations end with a period that does not end a clause: titles
// ("Mr. Singh", « M. Singh ») and "vs." ("Carney vs. Poilievre").
var abbreviations = wordSet(`mr mrs ms dr mme mlle m vs v`)

// withAbbreviations returns folded text with the period after an
// abbreviation read as a space, so that a title stays with its surname and
// "vs." joins what it compares.
func withAbbreviations(folded string) string {
	var b []byte
	for i := strings.IndexByte(folded, '.'); i >= 0; {
		start := i
		for start > 0 && i-start < len("mlle") && isASCIILetter(folded[start-1]) {
			start--
		}
		if start < i && (start == 0 || folded[start-1] < utf8.RuneSelf && !isASCIILetter(folded[start-1])) &&
			abbreviations[folded[start:i]] {
			if b == nil {
				b = []byte(folded)
			}
			b[i] = ' '
		}
		next := strings.IndexByte(folded[i+1:], '.')
		if next < 0 {
			break
		}
		i += next + 1
	}
	if b == nil {
		return folded
	}
	return string(b)
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// partisanName reports whether folded text speaks of a party leader: by
// full name other than in a service request (see servedLeader), compared
// with another leader (see compared), put forward for prime minister (see
// putForward), in a slogan (see slogan), or by surname next to a word of
// elections (politicalWords; not a word of conduct after
// a title, see conductWords), of removal from office (removalWords) or
// opinion (opinionWords, thinkWords).
func partisanName(folded string) bool {
	var prev []string
	for _, c := range strings.FieldsFunc(withAbbreviations(folded), isClauseEnd) {
		words := strings.FieldsFunc(c, func(r rune) bool { return !unicode.IsLetter(r) })
		if comparedAcross(prev, words) || (judgedAcross(prev, words) || sloganAcross(prev, words)) && !ownBusiness(folded) {
			return true
		}
		prev = words
		for i, w := range words {
			first, ok := leaders[w]
			if !ok {
				continue
			}
			titled := i > 0 && titles[words[i-1]]
			if i > 0 && words[i-1] == first && !asked(folded).servedLeader() ||
				compared(words, i) || opinionOn(words, i) || policyJudged(words, i) || putForward(c, words, i) ||
				!titled && (saidOf(words, i) || slogan(words, i)) && !ownBusiness(folded) {
				return true
			}
			for j := i - 1; j >= max(0, i-nearLeader) && !placeBreaks[words[j]]; j-- {
				if w := words[j]; politicalWords[w] && !(titled && conductWords[w]) {
					return true
				}
			}
			for j := i + 1; j < min(len(words), i+nearLeader+1) && (!placeBreaks[words[j]] || words[j] == "a"); j++ {
				if w := words[j]; politicalWords[w] && !(titled && conductWords[w]) || removalWords[w] && !ownBusiness(folded) {
					return true
				}
			}
		}
	}
	return false
}

// opinionOn reports whether an opinion word is about the surname words[i]
// (see opinionWords and thinkWords).
func opinionOn(words []string, i int) bool {
	if i == 0 || titles[words[i-1]] {
		return false
	}
	if opinionOf[words[i-1]] {
		for k := i - 2; k >= max(0, i-3) && !titles[words[k]]; k-- {
			if opinionWords[words[k]] || thinkWords[words[k]] {
				return true
			}
		}
	}
	for k := i - 1; k >= max(0, i-3); k-- {
		w := words[k]
		switch {
		case k >= i-2 && (opinionWords[w] || liked(words, k)):
			return true
		case thinkWords[w] && (k >= i-2 || thinkThat[words[i-1]]), findThat[w] && thinkThat[words[i-1]]:
			return askedOfTarget(words, k) || judged(words, i, false)
		}
	}
	return false
}

// askedOfTarget reports whether the thinkWord words[k] is asked of the one
// addressed: "do you think", "vous pensez", "pensez-vous", "tu penses".
func askedOfTarget(words []string, k int) bool {
	for j := max(0, k-2); j <= min(len(words)-1, k+1); j++ {
		if j != k && targetWords[words[j]] {
			return true
		}
	}
	return false
}

// judgedBe link a surname to a judgement said of the person: "to be"
// ("Poilievre is right", "Singh's the best", « Trudeau est le meilleur »)
// and words of degree; after one of them an article too ("is the best",
// « est le meilleur »). French "a" (has) links only « raison » and « tort »
// (« Carney a raison »): a judgement after another verb or "has" is of a
// thing ("I think Singh sent the wrong form", « je pense que Singh a le
// mauvais dossier »), and the thought is an account of the citizen's file.
// « C'est » takes up the surname or its group (« le budget de Carney c'est
// un désastre »), also typed « cest ».
var judgedBe = wordSet(`
	is s are was were will would be been not really so very always
	est sont etait etaient sera serait pas vraiment tres toujours il elle c cest
`)

// policyNouns are what a leader leads or proposes. Said to be a leader's
// ("Carney's budget", "the Carney government", « le plan de Poilievre », « le
// gouvernement Carney »), a judgement or an opinion of one is of the
// leader's politics, "I think" or not (see policyJudged): "Carney's budget
// is a disaster", « je trouve que le plan de Poilievre est mauvais ». Other
// things are a clerk's ("Singh's office sent me a letter"), and a question
// of what a budget or plan holds is answered ("what does Carney's budget
// change for seniors?").
var policyNouns = wordSet(`
	plan plans budget budgets policy policies platform platforms promise promises program programs
	government governments reform reforms agenda record mandate
	politique politiques plateforme plateformes programme programmes promesse promesses
	gouvernement reforme reformes bilan mandat
`)

// policyDeterminers may open a French policy noun's group: « le plan de
// Poilievre », « son budget », « du budget de Carney ».
var policyDeterminers = wordSet(`le la les l du des un une son sa ses ce cet cette ces`)

// policyJudged reports whether a policy noun is said to be the surname
// words[i]'s, with no title before it (« le plan de M. Singh »), and judged
// (see judged) or the object of an opinion (see opinionOn): after it in
// English ("Carney's budget is a disaster", "the Carney government is
// bad"; an opinion before the surname is one of it already: "I hate
// Carney's budget"), before it in French (« le plan de Poilievre est
// mauvais », « j'aime le budget de Carney », « que pensez-vous du budget de
// Carney »), or judged by an exclamation before it ("what a disaster
// Carney's budget is", « quelle blague le plan de Poilievre », see
// exclaimed).
func policyJudged(words []string, i int) bool {
	if i > 0 && titles[words[i-1]] {
		return false
	}
	switch {
	case i+2 < len(words) && words[i+1] == "s" && policyNouns[words[i+2]]:
		return judged(words, i+2, false) || exclaimed(words, i)
	case i+1 < len(words) && policyNouns[words[i+1]]:
		return judged(words, i+1, false) || exclaimed(words, i)
	}
	g := i - 1
	if g >= 1 && (words[g] == "de" || words[g] == "d") {
		g--
	}
	if g < 0 || !policyNouns[words[g]] {
		return false
	}
	if judged(words, i, false) {
		return true
	}
	if g > 0 && policyDeterminers[words[g-1]] {
		g--
	}
	return opinionOn(words, g) || exclaimed(words, g)
}

// exclaimers open an exclamation that judges what follows it: "what a
// disaster Carney's budget is", « quel désastre le budget de Carney ».
var exclaimers = wordSet(`what quel quelle quels quelles`)

// exclaimed reports whether an exclamation judges the group that starts at
// words[k], or after its determiner there: an exclaimer, an article if any,
// then a judgement right before it.
func exclaimed(words []string, k int) bool {
	if k > 0 && (words[k-1] == "the" || policyDeterminers[words[k-1]]) {
		k--
	}
	j := k - 1
	if j < 1 || !judgements[words[j]] {
		return false
	}
	j--
	if j >= 1 && (youreArticles[words[j]] || words[j] == "un" || words[j] == "une") {
		j--
	}
	return exclaimers[words[j]]
}

// serviceRoles, right after a judgement, make it one of a clerk at work:
// "I think Singh is a good agent", « je pense que Singh est une bonne
// agente ».
var serviceRoles = wordSet(`
	agent agents officer officers clerk clerks employee employees worker workers
	rep reps representative representatives advisor adviser counsellor counselor caseworker
	agente agentes employe employes conseiller conseillers conseillere conseilleres
	fonctionnaire fonctionnaires prepose preposes preposee preposees
`)

// towards, before an own object, make a judgement one of how a clerk
// treated the citizen or their file: "Singh was really good with me", «
// Singh a été bonne avec moi », "Singh did a great job on my file".
var towards = wordSet(`with to on avec envers sur`)

// ofService reports whether the judgement words[j] is one of a clerk at
// work: a service role right after it, or how they treated the citizen.
func ofService(words []string, j int) bool {
	if j+1 >= len(words) {
		return false
	}
	return serviceRoles[words[j+1]] || towards[words[j+1]] && j+2 < len(words) && ownObjects[words[j+2]]
}

// judgedArticles may stand between a "to be" and the judgement it links;
// so may "any" ("Is Carney any good?").
var judgedArticles = wordSet(`the a an any le la l un une des`)

// saidOf reports whether a judgement is said of the surname words[i]
// itself, linked to it (see judgedBe) and not of a clerk at work (see
// judged): "Poilievre is the best", "Trudeau is a great leader", « Carney
// c'est le meilleur », « Singh est nul ». The surname is the subject that
// opens its clause, or one after a conjunction ("and Carney is the
// worst"), or after an auxiliary that opens a question (see
// subjectAuxiliaries: "Is Carney good?", "Does Carney do a good job?"):
// elsewhere it is the complement of what is judged (« le dossier de Singh
// est mauvais »), or a judgement right after it is of something else
// ("tell Singh good morning"). A title before the surname makes it a
// clerk's, as does the citizen's own business in the message ("Singh was
// bad at calling me back", "Singh was terrible, she lost my file, can you
// check?", "Did Singh do a good job? she has my file", see ownBusiness),
// which the caller checks.
func saidOf(words []string, i int) bool {
	if i+1 >= len(words) {
		return false
	}
	if i > 0 && subjectAuxiliaries[words[i-1]] && (i == 1 || clauseJoins[words[i-2]] || subjectJoins[words[i-2]]) {
		return judged(words, i, judgedBe[words[i-1]])
	}
	if i > 0 && !clauseJoins[words[i-1]] && !subjectJoins[words[i-1]] {
		return false
	}
	return !judgements[words[i+1]] && judged(words, i, false)
}

// subjectAuxiliaries, opening a clause, put its subject right after them
// in a question: "Is Carney good?", "Was Trudeau a good PM?", "Does Carney
// do a good job?", "Has Carney done a good job?". A surname there is
// judged as in "Carney is good"; after a "to be" (judgedBe) the link is
// made already, and a judgement may follow the surname right away. French
// puts the subject first and its pronoun after the verb instead (« Carney
// est-il bon? », see invertedSubjects).
var subjectAuxiliaries = wordSet(`is was does did has will would`)

// invertedSubjects are the pronouns French puts after the verb in a
// question, « -t- » before them if any: « Carney est-il bon? », « Trudeau
// a-t-il fait du bon travail? ». They say nothing between the verb and what
// it links.
var invertedSubjects = wordSet(`il elle ils elles`)

// pastInverted returns the index after an inverted subject standing at
// words[k] (see invertedSubjects), or k.
func pastInverted(words []string, k int) int {
	if k+1 < len(words) && words[k] == "t" && invertedSubjects[words[k+1]] {
		return k + 2
	}
	if k < len(words) && invertedSubjects[words[k]] {
		return k + 1
	}
	return k
}

// doneWords link a surname to a judgement of the work the person does,
// only where a jobWord follows the judgement (see doneWell): "Carney is
// doing a great job", "Trudeau did a terrible job", "Blanchet does good
// work", « Carney fait du bon travail », « Poilievre fait une mauvaise
// job ». Before anything else the judgement is of a thing ("I think Singh
// did the wrong form"). "Has", French « a » (« Trudeau a fait du bon
// travail ») may stand right before one, or before "been", « été », which
// link as "to be" does ("Carney has been great", « Trudeau a-t-il été un
// bon PM? »).
var (
	doneWords = wordSet(`do does did done doing fait fais faisait faites`)
	jobWords  = wordSet(`job jobs work travail boulot ouvrage`)
	doneHas   = wordSet(`has had have a avait aurait`)
	hasBeen   = wordSet(`been ete`)
)

// doneHow judge the way work is done, with the office it is done in after
// them ("doing well as leader", "did badly as PM", « fait bien comme chef
// »), or the person's own job next to them ("does his job well", « fait
// bien son travail »): "Singh is doing well" alone is of a clerk's health
// or day.
var doneHow = wordSet(`well badly poorly bien mal`)

// officeRoles, after a candidacy word ("as", « comme »), name the office a
// leader holds or seeks: "as leader", "as PM", « comme chef », « comme
// premier ministre ».
var officeRoles = wordSet(`leader pm prime chef premier`)

// jobHolders are the possessives of the one whose job is judged: "his
// job", « son travail ».
var jobHolders = wordSet(`his her their son sa leur`)

// doneWell reports whether the doneWord words[j] links a judgement of the
// work done: a determiner or words of degree if any (« du », « de la »,
// "a really"), a judgement, a jobWord, and not how a clerk dealt with the
// citizen ("doing a great job with my file", « du bon travail avec mon
// dossier », see ofService); or the way of doing it (see doneHow). A French
// inverted subject may stand right after it (« Carney fait-il du bon
// travail? »).
func doneWell(words []string, j int) bool {
	k := pastInverted(words, j+1)
	ownJob := func(k int) bool { return k+1 < len(words) && jobHolders[words[k]] && jobWords[words[k+1]] }
	switch {
	case k+2 < len(words) && doneHow[words[k]] && candidacies[words[k+1]] && officeRoles[words[k+2]],
		k < len(words) && doneHow[words[k]] && ownJob(k+1),
		k+2 < len(words) && ownJob(k) && doneHow[words[k+2]]:
		return true
	}
	for n := 0; n < 3 && k < len(words) && (determiners[words[k]] || groupDegree[words[k]]); n++ {
		k++
	}
	return k+1 < len(words) && judgements[words[k]] && jobWords[words[k+1]] && !ofService(words, k+1)
}

// judged reports whether a judgement within nearLeader words after the
// surname words[i] is said of the person (see judgedBe) or of the work
// they do (see doneWords), not of a clerk at work (see ofService). linked
// says that a "to be" before the surname links it already ("Is Carney
// good?", see subjectAuxiliaries): then "a" is the English article, not
// French "has".
func judged(words []string, i int, linked bool) bool {
	end := min(len(words), i+nearLeader+1)
	for j := i + 1; j < end; j++ {
		w, next := words[j], j+1
		if j == i+1 {
			next = pastInverted(words, next) // « Carney est-il bon? »
			end = min(len(words), end+next-j-1)
		}
		switch {
		case judgements[w]:
			return !ofService(words, j)
		case doneWords[w]:
			return doneWell(words, j)
		case doneHas[w] && j == i+1 && next < len(words) && doneWords[words[next]]:
		case doneHas[w] && j == i+1 && next < len(words) && hasBeen[words[next]]:
			linked, next, end = true, next+1, min(len(words), end+1) // "has been" is one link
		case (w == "a" || w == "avait" || w == "aurait") && j == i+1 && !linked:
			return next < len(words) && (words[next] == "raison" || words[next] == "tort")
		case judgedBe[w]:
			linked = true
			if w == "c" {
				end = min(len(words), end+1) // « c'est » is one link
			}
		case linked && judgedArticles[w]:
		default:
			return false
		}
		j = next - 1
	}
	return false
}

// Screen is the comment policy's verdict on a citizen's new message before
// the knowledge base is asked, as the engine reaches it: ReasonAbuse (left
// unanswered), ReasonPartisan (the neutral notice), ReasonNoWords or
// ReasonCourtesy (recorded and left), or "" for a question. Flooding and
// replies to the bot's own relays are the engine's to judge.
func Screen(text string) Reason {
	if r := policyCheck(text); r != "" {
		return r
	}
	switch {
	case wordless(text):
		return ReasonNoWords
	case courtesy(text):
		return ReasonCourtesy
	}
	return ""
}

// policyCheck returns ReasonAbuse, ReasonPartisan, or "" for text that the
// bot may answer.
func policyCheck(text string) Reason {
	folded := Fold(asShown(text))
	if abusive(folded) {
		return ReasonAbuse
	}
	if partisanText(folded) || partisanName(folded) {
		return ReasonPartisan
	}
	return ""
}

// partisanText reports whether folded text asks who to vote for
// (partisanPatterns), cheers the Bloc or the Greens (partyCheered), or names a party or the Prime Minister
// (partyMentions) other than in a service request (see served); phrases in
// which a party's name is an ordinary word are left out (nonPartisan).
func partisanText(folded string) bool {
	plain := ""
	kept := func() string {
		if plain == "" {
			plain = nonPartisan.ReplaceAllString(folded, " ")
		}
		return plain
	}
	for _, p := range partisanPatterns {
		if p.MatchString(folded) && p.MatchString(kept()) {
			return true
		}
	}
	if (strings.Contains(folded, "bloc") || strings.Contains(folded, "green") || strings.Contains(folded, "vert")) &&
		partyCheered.MatchString(folded) {
		return true
	}
	if !partyMentions.MatchString(folded) {
		return false
	}
	mentions := partyMentions.FindAllStringIndex(kept(), -1)
	if len(mentions) == 0 {
		return false
	}
	if partiesCompared(kept(), mentions) {
		return true
	}
	ask := asked(kept())
	for _, m := range mentions {
		if !ask.served(kept(), m) {
			return true
		}
	}
	return false
}

// greetingWords and occasionWords together ask for a greeting for a
// milestone (see ordinal for "100th", « 100e »).
var (
	greetingWords = wordSet(`
		greeting greetings letter message card certificate scroll wishes congratulations congratulatory congrats note
		lettre message mot voeux felicitations carte certificat souhaits
	`)
	occasionWords = wordSet(`
		birthday birthdays bday anniversary anniversaries retirement wedding centenary centennial turns turning
		anniversaire anniversaires fete ans noces mariage retraite centenaire centieme
	`)
)

// donationWords and taxWords together ask about the tax credit for a
// political contribution.
var (
	donationWords = wordSet(`
		donate donated donating donation donations contribute contributed contribution contributions gave
		don dons donne donner donateur donatrice contribue contribuer
	`)
	taxWords = wordSet(`
		tax taxes credit credits deductible deduct deduction deductions claim receipt receipts return refund
		assessment impot impots deductibles deduire deduit deductions recu recus declaration reclamer remboursement cotisation
	`)
)

// eligibilityWords ask who may use a program, or when it opens or pays
// ("when does the Liberal grocery rebate come?"); programNouns name one.
var (
	eligibilityWords = wordSet(`
		eligible eligibility qualify qualifies open opened apply applying enroll enrol register sign available
		cover covers covered start starts launch launched come comes arrive arrives paid
		admissible admissibles admissibilite ouvert ouverte ouverts inscrire inscription demande demander
		couvre couvert couverte couverts disponible disponibles commence arrive arriver verse versee
	`)
	programNouns = wordSet(`
		plan plans program programs programme programmes benefit benefits credit credits rebate rebates
		grant grants pharmacare childcare daycare care
		regime regimes prestation prestations allocation allocations subvention subventions soins assurance
	`)
)

// contactWords ask how to reach someone, as hoursWords do of an office
// ("Is the Prime Minister's office open on Monday?", « les heures du
// bureau du premier ministre »); officeWords name an office or an MP, and
// deputies a member in French.
var (
	contactWords = wordSet(`
		contact contacting reach write email mail call phone address number
		joindre rejoindre contacter ecrire appeler courriel adresse ladresse telephone numero
	`)
	hoursWords  = wordSet(`open opens closed hours visit ouvert ouverte ouverts ouvre ferme fermee heures horaire horaires visiter`)
	officeWords = wordSet(`office offices mp mps constituency riding bureau bureaux depute deputee deputes deputees circonscription`)
	deputies    = wordSet(`depute deputee deputes deputees`)
)

// ordinal matches an ordinal number as typed: "100th", "90th", « 100e »,
// « 50ieme ».
var ordinal = regexp.MustCompile(`^\d+(st|nd|rd|th|e|eme|ieme)$`)

// contempt are words of opinion said of a person or a party wherever they
// stand: "liar", « menteur », "crooks", "useless"; "hate" but not "hate
// to" ("I hate to bother you").
var contempt = wordSet(`
	liar liars lying corrupt corruption crook crooks useless incompetent incompetents clown clowns traitor traitors
	menteur menteurs menteuse menteuses corrompu corrompue corrompus corrompues escroc escrocs
	incompetente incompetentes traitre traitres thief thieves voleur voleurs voleuse voleuses
	hate hates hated deteste detestes hais hait jhais jdeteste thoughts opinion opinions
`)

// mannerWords, right after a judgement, make it one of a way of doing
// ("the best way to ask", « la meilleure façon de demander »), not of a
// person.
var mannerWords = wordSet(`way ways time option options method place moyen moyens facon facons maniere temps moment endroit`)

// partiesCompared reports whether two parties named in folded text
// (mentions, see partyMentions) are compared: joined by "or", "vs", « ou »,
// « contre » ("Should I donate to the Liberals or the Conservatives for the
// tax credit?"), which asks which is better whatever the request.
func partiesCompared(folded string, mentions [][]int) bool {
	for k := 1; k < len(mentions); k++ {
		if joinedByComparison(folded[mentions[k-1][1]:mentions[k][0]]) {
			return true
		}
	}
	return false
}

// joinedByComparison reports whether the text between two parties' names
// is a word of comparison, with articles or "to" around it: " or the ",
// " ou aux ".
func joinedByComparison(between string) bool {
	joined := false
	for _, w := range strings.FieldsFunc(between, func(r rune) bool { return !unicode.IsLetter(r) }) {
		switch {
		case comparedBy[w]:
			joined = true
		case !judgedArticles[w] && !policyDeterminers[w] && w != "to" && w != "au" && w != "aux":
			return false
		}
	}
	return joined
}

// service is what a message asks of the service, as far as a request of
// that kind names the Prime Minister, a party or a leader in the ordinary
// course: a greeting from the Prime Minister for a milestone birthday or
// anniversary ("Can I get a greeting from the Prime Minister for my
// grandma's 100th?", « une lettre du premier ministre pour les 100 ans de
// ma grand-mère »); the tax credit for a contribution to a party ("I
// donated to the NDP, can I claim it on my taxes?", « j'ai donné au parti
// vert, c'est-tu déductible? »); who may use a program named after the
// party that brought it in ("Is the Liberal dental plan open to seniors
// yet?", « le régime dentaire des libéraux est-il ouvert aux aînés? »);
// how to reach the Prime Minister, a leader's office or one's MP, or when
// the office is open ("How do I contact the Prime Minister's office?",
// "Is the Prime Minister's office open on Monday?", "How do I contact my
// NDP MP?", « comment joindre mon député conservateur? »). Such a message is
// answered, or goes to a person, unless it also gives an opinion (see opinionated): "Can I get a
// greeting from the Prime Minister? He's the worst PM ever" gets the
// neutral notice.
type service struct {
	greeting     bool // a greeting for a milestone
	contribution bool // a tax credit, deduction or receipt for a donation
	eligibility  bool // who may use a program, when it opens
	contact      bool // how to reach someone, or when an office is open, with no word of elections
	office       bool // an office or an MP
	opinioned    bool // an opinion given or asked (see opinionated)
}

// asked returns what folded text asks of the service.
func asked(folded string) service {
	var s service
	var greeting, occasion, donation, tax, eligible, contact, hours, office, political bool
	words := textWords(folded)
	for _, w := range words {
		greeting = greeting || greetingWords[w]
		occasion = occasion || occasionWords[w] || ordinal.MatchString(w)
		donation = donation || donationWords[w]
		tax = tax || taxWords[w]
		eligible = eligible || eligibilityWords[w]
		contact = contact || contactWords[w]
		hours = hours || hoursWords[w]
		office = office || officeWords[w]
		political = political || politicalWords[w]
	}
	s.greeting = greeting && occasion
	s.contribution = donation && tax
	s.eligibility = eligible
	s.contact = (contact || hours && office) && !political
	s.office = office
	s.opinioned = opinionated(words)
	return s
}

// opinionated reports whether words give or ask an opinion of someone: a
// word of contempt; a judgement linked by "to be" or an exclamation ("he's
// the worst", "is it a disaster", « c'est le meilleur parti », "what a
// joke"; not "good morning", nor "the best way to", see mannerWords); or
// an opinion word after its subject ("do you support", "I like", « vous
// appuyez », « jaime », see opinionSubjects).
func opinionated(words []string) bool {
	for j, w := range words {
		if w == "hate" && j+1 < len(words) && words[j+1] == "to" {
			continue // "I hate to bother you"
		}
		if contempt[w] {
			return true
		}
		if opinionWords[w] || likeWords[w] {
			if j > 0 && opinionSubjects[words[j-1]] || strings.HasPrefix(w, "j") {
				return true
			}
			continue
		}
		if !judgements[w] || j+1 < len(words) && mannerWords[words[j+1]] {
			continue
		}
		for k := j - 1; k >= max(0, j-3); k-- {
			if judgedBe[words[k]] || exclaimers[words[k]] {
				return true
			}
			if !judgedArticles[words[k]] && !groupDegree[words[k]] {
				break
			}
		}
	}
	return false
}

// opinionSubjects, right before an opinion word, give or ask an opinion:
// "I support", "do you like", « vous appuyez », « tu aimes »; French
// opinion words typed with the elided « je » stuck to them (« jaime »)
// hold their own.
var opinionSubjects = wordSet(`i we you u they je tu vous on nous`)

// served reports whether the party or Prime Minister that folded text
// names at mention (a partyMentions match) is named in a service request,
// with no opinion.
func (s service) served(folded string, mention []int) bool {
	if s.opinioned {
		return false
	}
	switch folded[mention[0]:mention[1]] {
	case "prime minister", "premier ministre":
		return s.greeting || s.contact
	}
	return s.contribution && donatedTo(folded, mention) || s.eligibility && programNamed(folded, mention) ||
		s.contact && partyMember(folded, mention)
}

// partyMember reports whether the party that folded text names at mention
// is a member's: right before "MP" or "member" ("my NDP MP", "the Liberal
// member for my riding"), right after « député » (« mon député
// conservateur »).
func partyMember(folded string, mention []int) bool {
	after := wordsAfter(folded, mention)
	if len(after) > 0 && (after[0] == "mp" || after[0] == "member") {
		return true
	}
	before := wordsBefore(folded, mention)
	return len(before) > 0 && deputies[before[len(before)-1]]
}

// programNamed reports whether the party that folded text names at mention
// names a program: in English before the program's noun, three words
// between at most, as an adjective or a possessive ("the Liberal dental
// plan", "the NDP's pharmacare program", "the Liberals' dental plan", "the
// Conservative home renovation tax credit"; a plural is a subject: "the
// Liberals plan to"), with no verb, determiner or body of the party's
// between ("will the Conservative government cover my pharmacare?", "will
// the Liberal party expand child benefit eligibility?" ask what a party
// will do); in French after it, four words between at most (« le régime de
// soins dentaires des libéraux », « le régime dentaire libéral »).
func programNamed(folded string, mention []int) bool {
	if w := folded[mention[0]:mention[1]]; !strings.HasSuffix(w, "s") || strings.HasPrefix(folded[mention[1]:], "'") {
		after := wordsAfter(folded, mention)
		if len(after) > 0 && after[0] == "s" {
			after = after[1:]
		}
		for _, w := range after[:min(len(after), 4)] {
			if programNouns[w] {
				return true
			}
			if eligibilityWords[w] || determiners[w] || ownPossessives[w] || policyNouns[w] || w == "party" {
				break
			}
		}
	}
	before := wordsBefore(folded, mention)
	for k := len(before) - 1; k >= max(0, len(before)-5); k-- {
		if programNouns[before[k]] {
			return true
		}
	}
	return false
}

// nearMention bounds, in bytes, the text read on either side of a party's
// name for the words around it: the words it takes are short.
const nearMention = 80

// wordsBefore returns the words of folded text within nearMention before
// mention; the first may be cut short.
func wordsBefore(folded string, mention []int) []string {
	return textWords(folded[max(0, mention[0]-nearMention):mention[0]])
}

// wordsAfter returns the words of folded text within nearMention after
// mention; the last may be cut short.
func wordsAfter(folded string, mention []int) []string {
	return textWords(folded[mention[1]:min(len(folded), mention[1]+nearMention)])
}

// textWords returns the words of folded text, split at anything that is
// not a letter or a digit (see foldedWords).
func textWords(folded string) []string {
	return strings.FieldsFunc(folded, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// donatedTo reports whether the party that folded text names at mention
// is the one given to: within four words after a donation word ("I
// donated to the NDP", "I gave $200 to the Liberals", « un don aux
// conservateurs », « un reçu de don du NPD »), or right before one, "party"
// between if any ("my NDP donation", "my Liberal party contribution
// receipt"). A party that does something to a credit is not ("Will the
// Conservatives cut the tax credit for donations?").
func donatedTo(folded string, mention []int) bool {
	before := wordsBefore(folded, mention)
	if mention[0] > nearMention && len(before) > 0 {
		before = before[1:] // maybe cut short
	}
	for k := len(before) - 1; k >= max(0, len(before)-4); k-- {
		if donationWords[before[k]] {
			return true
		}
	}
	after := wordsAfter(folded, mention)
	if len(after) > 1 && (after[0] == "party" || after[0] == "s") {
		after = after[1:]
	}
	return len(after) > 0 && donationWords[after[0]]
}

// servedLeader reports whether a leader named by full name is named in a
// service request, with no opinion: "Can I get a birthday greeting from
// Mark Carney for my grandma?", "How can I email Jagmeet Singh's office?".
func (s service) servedLeader() bool {
	return !s.opinioned && (s.greeting || s.contact && s.office)
}

// abusive reports whether folded text is abuse: swearing or an insult aimed
// at a person, the one the message speaks to (who may be staff behind the
// bot), a member of staff, anyone. Swearing at a thing (a passport, a form,
// the office, the department, the bot spoken of: "this bot is a piece of
// shit") is frustration, and the question in it is answered. A message is
// abuse when it holds
//   - a slur (abusiveAlways), whatever it is aimed at;
//   - an aimed form ("fuck you", "fuck off", "go to hell", "ta gueule",
//     "va chier", "mange de la marde"), wherever it stands;
//   - an insult (insultWords: "idiot", "connard"), unless the writer calls
//     themself that or reports it (ownInsult), or it names a third person
//     in an account, a complaint about the service (referredTo: "that idiot
//     hung up on me", « cet imbécile m'a raccroché au nez »);
//   - an ambiguous word ("con", "dick") within aimedWithin words of a target
//     ("you", "vous", "t'es") in the same clause;
//   - a swear word in what the clause says of a target (swornAt): "you're
//     full of shit", "t'es un crisse de cave", "vous êtes des incompétents
//     de merde".
//
// So "can you tell me why my fucking passport is late", "are you fucking
// kidding me" and "pouvez-vous m'aider avec ce crisse de formulaire" are
// answered. Censored spellings ("f*ck off", « ta g*eule », "you're full of
// sh!t") are read as the words they hide (see unmasked), and the same
// rules apply to them: "what the f***, my passport is late" is answered.
func abusive(folded string) bool {
	if abusiveAsWritten(folded) {
		return true
	}
	for _, r := range unmasked(folded) {
		if abusiveAsWritten(r) {
			return true
		}
	}
	return false
}

// abusiveAsWritten is abusive on the words as they are written.
func abusiveAsWritten(folded string) bool {
	if aimedForms.MatchString(folded) {
		return true
	}
	folded = elidedTarget.ReplaceAllString(folded, "tu $1")
	folded = prosAndCons.ReplaceAllString(folded, "proscons")
	for _, c := range strings.FieldsFunc(folded, isClauseEnd) {
		// Split at hyphens too, so that inverted French ("pouvez-vous",
		// "êtes-vous", "suis-je") shows its pronoun.
		words := chatTargets(strings.FieldsFunc(c, func(r rune) bool { return !unicode.IsLetter(r) }))
		for i, w := range words {
			switch {
			case abusiveAlways[w]:
				return true
			case insultWords[w] && !ownInsult(words, i) && !referredTo(words, i):
				return true
			case ambiguousWords[w] && aimed(words, i):
				return true
			case targetWords[w] && swornAt(words, i):
				return true
			}
		}
	}
	return false
}

// chatTargets returns words with "t'es" typed as chat types it, « tes un
// cave », « t rien qu'un cave », « t'un cave », read as "tu es": "tes" or a
// lone "t" before a chatTargetNext, but not the "t" of an English negation
// after a word ending in "n" ("can't un-", "don't une fois").
func chatTargets(words []string) []string {
	var out []string
	for j, w := range words {
		if (w == "tes" || w == "t" && (j == 0 || !strings.HasSuffix(words[j-1], "n"))) &&
			j+1 < len(words) && chatTargetNext[words[j+1]] {
			if out == nil {
				out = append(make([]string, 0, len(words)+2), words[:j]...)
			}
			out = append(out, "tu", "es")
			continue
		}
		if out != nil {
			out = append(out, w)
		}
	}
	if out == nil {
		return words
	}
	return out
}

// referredTo reports whether the insult words[i] names a third person (see
// referents): a referent stands before it, at most two words between
// ("that stupid idiot", « cet ostie d'imbécile ») and no target, and the
// referent is not what a "to be" says of its subject ("you're the idiot",
// "the agent is the biggest idiot", « t'es le plus gros idiot ») unless that
// subject only presents someone ("it was that idiot", « c'est l'imbécile »),
// nor set beside a target ("you the idiot", « c'est toi l'idiot », « vous
// les imbéciles »; "that" after one is a conjunction: "I told you that
// idiot hung up"); or an indefinite article opens the subject of a clause
// ("some idiot hung up on me", « un imbécile m'a raccroché au nez », see
// indefinites).
func referredTo(words []string, i int) bool {
	for k := i - 1; k >= max(0, i-3); k-- {
		w := words[k]
		switch {
		case indefinites[w]:
			return indefiniteSubject(words, k, i)
		case referents[w]:
			if k == 0 {
				return true
			}
			b := words[k-1]
			if targetWords[b] && w != "that" {
				return false
			}
			if othersBe[b] || predicateOpeners[b] {
				return k >= 2 && presentatives[words[k-2]]
			}
			return true
		case targetWords[w], determiners[w]:
			return false
		}
	}
	return false
}

// indefiniteSubject reports whether the indefinite words[k] opens the
// subject of a clause, naming the someone of the insult words[i] (see
// indefinites).
func indefiniteSubject(words []string, k, i int) bool {
	for _, w := range words[:k] {
		if targetWords[w] {
			return false
		}
	}
	for _, w := range words[i+1 : min(len(words), i+3)] {
		if targetWords[w] {
			return false
		}
	}
	if k == 0 || subjectJoins[words[k-1]] {
		return true
	}
	if k < 2 {
		return false
	}
	b, bb := words[k-1], words[k-2]
	return bb == "there" && othersBe[b] || bb == "y" && (b == "a" || b == "avait")
}

// aimed reports whether a target word stands within aimedWithin words of
// words[i].
func aimed(words []string, i int) bool {
	for j := max(0, i-aimedWithin); j < min(len(words), i+aimedWithin+1); j++ {
		if targetWords[words[j]] {
			return true
		}
	}
	return false
}

// ownInsult reports whether the insult words[i] is the writer's own or
// reported: an own word stands before it in the clause ("I feel like an
// idiot", "I'm probably being an idiot"), with no target ("I think you are
// an idiot" is thrown) or start of another clause between. Across someone
// else's "to be" the own word must be its subject, within two words before
// it: "I was such an idiot" is the writer's, "I think the agent is an
// idiot" is thrown.
func ownInsult(words []string, i int) bool {
	for j := i - 1; j >= 0; j-- {
		switch w := words[j]; {
		case targetWords[w], clauseJoins[w]:
			return false
		case ownWords[w]:
			return true
		case othersBe[w]:
			for k := j - 1; k >= max(0, j-2); k-- {
				if ownWords[words[k]] {
					return true
				}
			}
			return false
		}
	}
	return false
}

// swornAt reports whether a swear word stands in what the clause says of
// the target words[i]: after an opener that follows it ("you are", "u r",
// "vous autres êtes", "tu n'es", "ur a", "you useless piece of"; "youre"
// holds its own) and a restriction if any ("nothing but", "rien qu'", see
// pastOnly), up to the end of the clause, a predicate end or a determiner
// past the start (see determiners). A swear word elsewhere near a target
// is frustration at the thing it qualifies: "can you fix this fucking
// form", "are you fucking kidding me", "do I need to send you a fucking
// copy", "you were supposed to mail the fucking card".
func swornAt(words []string, i int) bool {
	j := i + 1
	if words[i] != "youre" {
		for j < len(words) && j <= i+2 && targetCompany[words[j]] {
			j++
		}
		if j+1 < len(words) && words[j] == "n" && predicateOpeners[words[j+1]] {
			j++ // French "ne": "tu n'es qu'un", "vous n'êtes que des"
		}
		if j == len(words) {
			return false
		}
		if k := pieceOf(words, j); k > 0 {
			j = k
		} else if predicateOpeners[words[j]] ||
			youreArticles[words[j]] && j == i+1 && (words[i] == "ur" || words[i] == "your") {
			j++
		} else {
			return false
		}
	}
	j = pastOnly(words, j)
	for start := j; j < len(words) && !predicateEnds[words[j]]; j++ {
		if determiners[words[j]] && j > start && (j > start+1 || !groupDegree[words[start]]) {
			return false
		}
		if swearWords[words[j]] {
			return true
		}
	}
	return false
}

// pastOnly returns the index after a restriction standing at words[j]
// ("nothing but", "nothing more than", « rien que », « rien d'autre que »,
// or the « que » of « ne ... que », also typed « quun »), or j: what is
// said of a target after one is still one noun group, its determiner its
// own ("you're nothing but a fucking disgrace", « t'es rien qu'un crisse de
// cave », « tu n'es qu'un ostie de cave », « tes rien quun cave »).
func pastOnly(words []string, j int) int {
	for _, r := range onlyEnglish {
		if startsWith(words[j:], r) {
			return j + len(r)
		}
	}
	for _, r := range onlyFrench {
		if k := j + len(r); k < len(words) && startsWith(words[j:], r) && onlyQue[words[k]] {
			return k + 1
		}
	}
	return j
}

// The restrictions of pastOnly: English ones whole, French ones before a
// form of « que ».
var (
	onlyEnglish = [][]string{{"nothing", "but"}, {"nothing", "more", "than"}, {"no", "more", "than"}}
	onlyFrench  = [][]string{{"rien", "d", "autre"}, {"rien", "de", "plus"}, {"rien"}, {}}
	onlyQue     = wordSet(`que qu quun quune`)
)

// startsWith reports whether words begins with the words of prefix.
func startsWith(words, prefix []string) bool {
	return len(words) >= len(prefix) && slices.Equal(words[:len(prefix)], prefix)
}

// pieceOf returns the index after "piece" when "piece of" stands at
// words[j] or up to two words after it, with nothing between that starts
// a thing or another subject ("you useless piece of shit", not "can you
// fix this piece of shit"); otherwise 0.
func pieceOf(words []string, j int) int {
	for k := j; k < len(words)-1 && k <= j+2; k++ {
		w := words[k]
		if w == "piece" && words[k+1] == "of" {
			return k + 1
		}
		if determiners[w] || predicateEnds[w] || targetWords[w] {
			return 0
		}
	}
	return 0
}

// Censored spellings hide letters of a word behind signs: "f*ck", "f**k",
// "sh!t", « ta g*eule », "id10t", "a$$hole". A word written with signs is
// read as a word of the policy (maskedWords) that it spells letter for
// letter, and only so: "*", "#", "@" and "!" stand for any one letter, "1"
// for i or l, "0" for o, "$" for s. Ordinary text keeps its signs: a word
// to read has three characters at least, a letter and a sign ("C#", "2*3"
// and "T4*" are none), e-mail addresses are left out, a "!" that starts or
// ends a word is punctuation, and a word that spells none of the policy's
// words ("p@ssw0rd", "form*") is left as it is.
const maskSigns = "*#@!10$"

// maxReadings bounds the readings of a message whose censored words spell
// more than one word each ("sh*t": shit or shut; "c***").
const maxReadings = 8

// maskedWords are the words a censored spelling may be read as, by length:
// the policy's lists and the words of its aimed forms ("off", "hell",
// "gueule", "foutre").
var maskedWords = func() map[int][]string {
	all := wordSet(`fuck screw damn off hell piss shut stfu kill die dead retard retards gueule yeule chier foutre enculer decrisse`)
	for _, set := range []map[string]bool{abusiveAlways, insultWords, swearWords, ambiguousWords, targetWords} {
		maps.Copy(all, set)
	}
	byLen := map[int][]string{}
	for _, w := range slices.Sorted(maps.Keys(all)) { // one order, so readings do not vary between runs
		byLen[len(w)] = append(byLen[len(w)], w)
	}
	return byLen
}()

// emailAddress is left out of censored spellings: "@" is part of it.
var emailAddress = regexp.MustCompile(`[^\s@]+@[^\s@]+\.\pL{2,}`)

// unmasked returns folded text with its censored words read as the words
// they spell (see maskSigns), one text per reading, at most maxReadings;
// none when it holds no censored word.
func unmasked(folded string) []string {
	if !strings.ContainsAny(folded, maskSigns) {
		return nil
	}
	if strings.IndexByte(folded, '@') >= 0 {
		folded = emailAddress.ReplaceAllStringFunc(folded, func(a string) string { return strings.Repeat(" ", len(a)) })
	}
	type censored struct {
		start, end int
		words      []string
	}
	var found []censored
	inWord := func(r rune) bool { return unicode.IsLetter(r) || strings.ContainsRune(maskSigns, r) }
	for i := 0; i < len(folded); {
		r, n := utf8.DecodeRuneInString(folded[i:])
		if !inWord(r) {
			i += n
			continue
		}
		start := i
		for i < len(folded) {
			r, n := utf8.DecodeRuneInString(folded[i:])
			if !inWord(r) {
				break
			}
			i += n
		}
		end := i
		for start < end && folded[start] == '!' {
			start++
		}
		for end > start && folded[end-1] == '!' {
			end--
		}
		if ws := spelled(folded[start:end]); len(ws) > 0 {
			found = append(found, censored{start, end, ws})
		}
	}
	if len(found) == 0 {
		return nil
	}
	var readings []string
	pick := make([]int, len(found))
	for len(readings) < maxReadings {
		var b strings.Builder
		b.Grow(len(folded))
		last := 0
		for k, c := range found {
			b.WriteString(folded[last:c.start])
			b.WriteString(c.words[pick[k]])
			last = c.end
		}
		b.WriteString(folded[last:])
		readings = append(readings, b.String())
		k := 0
		for ; k < len(pick); k++ {
			if pick[k]++; pick[k] < len(found[k].words) {
				break
			}
			pick[k] = 0
		}
		if k == len(pick) {
			break
		}
	}
	return readings
}

// spelled returns the maskedWords that the word w, written with signs,
// spells letter for letter; none when w has no sign, no letter, or fewer
// than three characters.
func spelled(w string) []string {
	rs := []rune(w)
	if len(rs) < 3 || !strings.ContainsAny(w, maskSigns) || strings.IndexFunc(w, unicode.IsLetter) < 0 {
		return nil
	}
	var out []string
	for _, cand := range maskedWords[len(rs)] {
		if spells(rs, cand) {
			out = append(out, cand)
		}
	}
	return out
}

// spells reports whether the runes rs, letters and signs, spell the word w
// (lowercase ASCII, as long as rs).
func spells(rs []rune, w string) bool {
	for k, r := range rs {
		c := rune(w[k])
		switch r {
		case '*', '#', '@', '!':
		case '1':
			if c != 'i' && c != 'l' {
				return false
			}
		case '0':
			if c != 'o' {
				return false
			}
		case '$':
			if c != 's' {
				return false
			}
		default:
			if r != c {
				return false
			}
		}
	}
	return true
}

func isClauseEnd(r rune) bool {
	switch r {
	case '.', ',', ';', ':', '!', '?', '\n':
		return true
	}
	return false
}

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// Fold lowercases s and removes accents: "Élève" → "eleve". It keeps no
// state between calls (a shared transform.Chain is not safe for concurrent
// use).
func Fold(s string) string {
	d := norm.NFD.String(strings.ToLower(s))
	var b strings.Builder
	b.Grow(len(d))
	for _, r := range d {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// asShown is s as it reads on screen, for the comment policy: characters
// drawn as nothing go (zero-width spaces and joiners, soft hyphens,
// direction marks and overrides, Hangul fillers), compatibility forms
// become the letters they show (full-width, mathematical bold, ligatures),
// and in a word that reads as Latin ("іdiot" with a Cyrillic і) the
// letters of other alphabets drawn like Latin ones become those letters.
// So "you idi\u200bot" and "you іdiot" are the insult they show. A word
// written in another alphabet keeps its letters. The message itself is
// stored as written.
func asShown(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.In(r, unicode.Cf, unicode.Other_Default_Ignorable_Code_Point) {
			return -1
		}
		return r
	}, norm.NFKC.String(s))
	if !strings.ContainsFunc(s, func(r rune) bool { _, ok := latinLookalikes[r]; return ok }) {
		return s
	}
	rs := []rune(s)
	for i := 0; i < len(rs); {
		if !unicode.In(rs[i], unicode.L, unicode.M) {
			i++
			continue
		}
		j, latin := i, true
		for ; j < len(rs) && unicode.In(rs[j], unicode.L, unicode.M); j++ {
			if _, ok := latinLookalikes[rs[j]]; !ok && unicode.IsLetter(rs[j]) && !unicode.Is(unicode.Latin, rs[j]) {
				latin = false // a letter of another alphabet, not drawn as Latin: a word of that alphabet
			}
		}
		if latin {
			for k := i; k < j; k++ {
				if l, ok := latinLookalikes[rs[k]]; ok {
					rs[k] = l
				}
			}
		}
		i = j
	}
	return string(rs)
}

// LatinLookalike is the Latin letter that most fonts draw r like, for a
// letter of another alphabet (Cyrillic а, Greek Ν, Cherokee capitals, Lisu,
// Latin small capitals, IPA letters) or a bar drawn like l: the comment
// policy reads disguised words through it (asShown), and the web chat
// tells names apart by it.
func LatinLookalike(r rune) (rune, bool) {
	l, ok := latinLookalikes[r]
	return l, ok
}

// latinLookalikes maps the letters of other alphabets that most fonts draw
// like a Latin letter to that letter, before case is folded (Greek capital
// Ν looks like N, its lower case ν like v). Accented forms need no entry:
// Fold takes the accent off the base letter afterwards.
var latinLookalikes = map[rune]rune{
	// Cyrillic
	'А': 'A', 'В': 'B', 'С': 'C', 'Е': 'E', 'Н': 'H', 'І': 'I', 'Ј': 'J', 'К': 'K',
	'М': 'M', 'О': 'O', 'Р': 'P', 'Ѕ': 'S', 'Т': 'T', 'У': 'Y', 'Х': 'X', 'Ү': 'Y',
	'Ԛ': 'Q', 'Ԝ': 'W', 'Ӏ': 'I', 'Ѵ': 'V', 'Ԍ': 'G',
	'а': 'a', 'с': 'c', 'ԁ': 'd', 'е': 'e', 'һ': 'h', 'і': 'i', 'ј': 'j', 'к': 'k',
	'ӏ': 'l', 'о': 'o', 'р': 'p', 'ԛ': 'q', 'ѕ': 's', 'ԝ': 'w', 'х': 'x', 'у': 'y',
	'ү': 'y', 'ѵ': 'v',
	// Greek
	'Α': 'A', 'Β': 'B', 'Ε': 'E', 'Ζ': 'Z', 'Η': 'H', 'Ι': 'I', 'Κ': 'K', 'Μ': 'M',
	'Ν': 'N', 'Ο': 'O', 'Ρ': 'P', 'Τ': 'T', 'Υ': 'Y', 'Χ': 'X', 'Ϲ': 'C', 'Ϳ': 'J', 'ϒ': 'Y',
	'α': 'a', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'ο': 'o', 'ρ': 'p', 'υ': 'u', 'χ': 'x', 'γ': 'y',
	'ϳ': 'j',
	// Armenian
	'Լ': 'L', 'Ս': 'U', 'Տ': 'S', 'Օ': 'O',
	'հ': 'h', 'ո': 'n', 'ս': 'u', 'ց': 'g', 'օ': 'o', 'զ': 'q',
	// Cherokee (capitals; nameKey reads its small letters through them)
	'Ꭰ': 'D', 'Ꭱ': 'R', 'Ꭲ': 'T', 'Ꭵ': 'i', 'Ꭹ': 'Y', 'Ꭺ': 'A', 'Ꭻ': 'J', 'Ꭼ': 'E',
	'Ꮃ': 'W', 'Ꮇ': 'M', 'Ꮋ': 'H', 'Ꮍ': 'Y', 'Ꮐ': 'G', 'Ꮒ': 'h', 'Ꮓ': 'Z', 'Ꮟ': 'b',
	'Ꮢ': 'R', 'Ꮤ': 'W', 'Ꮥ': 'S', 'Ꮩ': 'V', 'Ꮪ': 'S', 'Ꮮ': 'L', 'Ꮯ': 'C', 'Ꮲ': 'P',
	'Ꮶ': 'K', 'Ᏼ': 'B',
	// Lisu, whose letters are drawn as Latin capitals
	'ꓐ': 'B', 'ꓑ': 'P', 'ꓓ': 'D', 'ꓔ': 'T', 'ꓖ': 'G', 'ꓗ': 'K', 'ꓙ': 'J', 'ꓚ': 'C',
	'ꓜ': 'Z', 'ꓝ': 'F', 'ꓟ': 'M', 'ꓠ': 'N', 'ꓡ': 'L', 'ꓢ': 'S', 'ꓣ': 'R', 'ꓦ': 'V',
	'ꓧ': 'H', 'ꓪ': 'W', 'ꓫ': 'X', 'ꓬ': 'Y', 'ꓮ': 'A', 'ꓰ': 'E', 'ꓲ': 'I', 'ꓳ': 'O',
	'ꓴ': 'U',
	// Latin small capitals, read as the letters they show
	'ᴀ': 'a', 'ʙ': 'b', 'ᴄ': 'c', 'ᴅ': 'd', 'ᴇ': 'e', 'ꜰ': 'f', 'ɢ': 'g', 'ʜ': 'h',
	'ɪ': 'i', 'Ɪ': 'I', 'ᴊ': 'j', 'ᴋ': 'k', 'ʟ': 'l', 'ᴍ': 'm', 'ɴ': 'n', 'ᴏ': 'o',
	'ᴘ': 'p', 'ꞯ': 'q', 'ʀ': 'r', 'Ʀ': 'R', 'ꜱ': 's', 'ᴛ': 't', 'ᴜ': 'u', 'ᴠ': 'v',
	'ᴡ': 'w', 'ʏ': 'y', 'ᴢ': 'z',
	// Latin letters of other alphabets (IPA, click letters) and a bar
	// drawn like plain ones
	'ı': 'i', 'ɑ': 'a', 'ɡ': 'g', 'ȷ': 'j', 'ɩ': 'i', 'ǀ': 'l', '|': 'l',
}

// foldedWords returns the words of s, folded (Fold), split at anything
// that is not a letter or a digit.
func foldedWords(s string) []string { return textWords(Fold(s)) }

// Personal data masked before a question is shown to staff or written to
// logs. The raw text is kept in the message record only (access to
// information), under the retention policy.
var redactions = []struct {
	re   *regexp.Regexp
	mask string
}{
	// Letters and marks of any script: French names and domains are written
	// with accents, sometimes typed as combining marks.
	{regexp.MustCompile(`[\pL\pM\pN._%+\-]+@[\pL\pM\pN.\-]+\.\pL{2,}`), "[email]"},
	// Card numbers: 4-4-4-4(-3) from the networks' prefixes (Mastercard
	// 2221-2720, 3-6 for the others, so a list of years is not a card),
	// Amex 4-6-5, or 12 to 19 digits unbroken. Groups are separated by a
	// space, a no-break space (French letters) or a dash.
	{regexp.MustCompile(`\b(?:(?:2[2-7]|[3-6]\d)\d{2}(?:[ \x{A0}\x{202F}\-]?\d{4}){3}(?:[ \x{A0}\x{202F}\-]?\d{3})?|` +
		`3[47]\d{2}[ \x{A0}\x{202F}\-]?\d{6}[ \x{A0}\x{202F}\-]?\d{5}|\d{12,19})\b`), "[number]"},
	// Social insurance number: 9 digits, optionally grouped 3-3-3.
	{regexp.MustCompile(`\b\d{3}[ \x{A0}\x{202F}\-.]?\d{3}[ \x{A0}\x{202F}\-.]?\d{3}\b`), "[number]"},
	// North American phone numbers (area code and exchange start with 2-9),
	// with +1 or 1 before them and an extension after them (ext., x, poste).
	{regexp.MustCompile(`(?:\+1[ \x{A0}\x{202F}\-.]?\(?|\b1[ \x{A0}\x{202F}\-.]?\(?|\(|\b)[2-9]\d{2}\)?[ \x{A0}\x{202F}\-.]?` +
		`[2-9]\d{2}[ \x{A0}\x{202F}\-.]?\d{4}\b(?i:[ \t]*,?[ \t]*(?:ext(?:ension)?\.?|poste|p\.|x)[ \t]*:?[ \t]*\d{1,6}\b)?`), "[phone]"},
	// Canadian postal codes.
	{regexp.MustCompile(`(?i)\b[abceghj-nprstvxy]\d[abceghj-nprstv-z][ \x{A0}\x{202F}\-]?\d[abceghj-nprstv-z]\d\b`), "[postal code]"},
	// Passport numbers: two letters and six digits; a space between them
	// only in capitals, so "is 250000" stays.
	{regexp.MustCompile(`\b(?:(?i:[a-z]{2})\d{6}|[A-Z]{2}[ \x{A0}]\d{6})\b`), "[document]"},
}

// Redact masks personal data (email addresses, phone, social insurance,
// card, passport numbers, postal codes) in s.
func Redact(s string) string {
	for _, r := range redactions {
		s = r.re.ReplaceAllString(s, r.mask)
	}
	return s
}

// massMentions maps the mass mentions of the platforms Liaison speaks to
// to look-alikes that cannot ping: a zero-width space after the sigil.
// Every Slack special mention starts with "<!" (<!here>, <!here|here>,
// <!channel|channel>, <!subteam^S1>), every Discord role mention with "<@&".
var massMentions = strings.NewReplacer(
	"@everyone", "@\u200beveryone", "@here", "@\u200bhere", "@channel", "@\u200bchannel",
	"<!", "<\u200b!", "<@&", "<\u200b@&",
)

// Defang neutralises mass mentions and role mentions in text the bot
// publishes. Adapters also forbid pings at the platform level; this is the
// second line, so a pasted "@everyone" cannot ping even on a platform whose
// adapter forgot.
func Defang(s string) string { return massMentions.Replace(s) }

// truncateRunes cuts s to at most n runes.
func truncateRunes(s string, n int) string {
	if n <= 0 || utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}

// maxStoredRunes bounds the text kept for one message: platforms cap
// messages far below it, so only hostile input reaches it.
const maxStoredRunes = 16000

// sanitize makes citizen text safe to store and process: valid UTF-8, no
// control characters except newlines and tabs, bounded length.
func sanitize(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || !unicode.IsControl(r) {
			return r
		}
		return -1
	}, s)
	return strings.TrimSpace(truncateRunes(s, maxStoredRunes))
}
