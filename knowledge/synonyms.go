package knowledge

import (
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/liaison-gc/liaison/bot"
)

// synonyms are groups of everyday words that citizens and a department use
// for the same thing ("vacation" and "travel", "fire" and "dismiss"). A
// query term is also searched as the other words of its groups, at a lower
// weight (rankParams.Syn), the way a typo is searched as its corrections.
// Single words only, written plainly: each is analyzed like the knowledge
// base's text (folded, stemmed).
var synonyms = map[bot.Lang][][]string{
	bot.English: {
		// Asking, getting, giving.
		{"get", "obtain", "receive"}, {"ask", "request", "inquire", "enquire"}, {"inquiry", "enquiry", "question"},
		{"send", "submit", "mail"}, {"fill", "complete"}, {"find", "locate"}, {"check", "verify", "confirm"},
		{"cancel", "annul", "revoke"}, {"replace", "replacement"}, {"renew", "extend"},
		{"change", "modify", "amend", "update", "alter"}, {"start", "begin", "commence"},
		{"end", "finish", "cease", "terminate"}, {"stop", "halt", "suspend"}, {"continue", "resume"},
		{"help", "assist", "assistance", "support", "aid"}, {"buy", "purchase"}, {"fix", "repair"},
		{"leave", "quit", "exit"}, {"return", "reopen"}, {"move", "relocate"}, {"live", "reside", "dwell"},
		{"need", "require", "must"}, {"want", "wish"}, {"choose", "select", "pick"}, {"show", "display"},
		{"use", "utilize"}, {"keep", "retain", "maintain"}, {"give", "provide", "grant"},
		{"allow", "permit", "authorize", "let"}, {"forbid", "prohibit", "ban", "bar"},
		{"mandatory", "obligatory", "compulsory", "obligate", "oblige", "required"},
		{"possible", "able", "can"}, {"eligible", "qualify", "entitle"}, {"apply", "register", "enrol", "enroll", "sign"},
		{"postpone", "delay", "defer", "reschedule"}, {"close", "shut"},
		{"wait", "await"}, {"meet", "gather"}, {"visit", "see"}, {"talk", "speak", "chat"},
		{"contact", "reach"}, {"call", "phone", "telephone", "ring"}, {"email", "mail"},
		{"tell", "inform", "notify"}, {"explain", "describe", "clarify"},
		{"worry", "concern", "anxiety", "stress", "fear", "afraid", "scared", "nervous"},
		{"prevent", "avoid"}, {"decide", "determine"},
		{"cover", "include"}, {"pay", "reimburse", "compensate"}, {"refund", "reimbursement", "repayment"},
		{"lose", "misplace"}, {"steal", "rob", "theft"}, {"damage", "harm", "injure"},
		// Time.
		{"deadline", "cutoff", "due"}, {"late", "overdue", "delayed"}, {"soon", "shortly"},
		{"quick", "fast", "rapid", "speedy"}, {"now", "currently", "presently"}, {"daily", "everyday"},
		{"hours", "schedule", "timetable"}, {"week", "weekly"}, {"month", "monthly"},
		{"temporary", "provisional", "interim"}, {"permanent", "lasting"},
		// People.
		{"person", "individual", "someone"}, {"citizen", "resident", "inhabitant"},
		{"kid", "child"}, {"baby", "infant", "newborn"},
		{"teen", "teenager", "adolescent", "youth"}, {"parent", "mother", "father", "mom", "dad"},
		{"spouse", "partner", "husband", "wife"}, {"relative", "family"},
		{"grandparent", "grandmother", "grandfather", "grandma", "grandpa"},
		{"elderly", "senior", "aged", "older"}, {"worker", "employee", "staff", "personnel"},
		{"employer", "boss", "manager", "supervisor"}, {"owner", "proprietor"},
		{"doctor", "physician"}, {"nurse", "caregiver"}, {"teacher", "instructor"},
		{"student", "pupil"}, {"agent", "representative", "officer", "clerk"},
		{"tenant", "renter"}, {"landlord", "lessor"}, {"customer", "client"},
		{"volunteer", "helper"}, {"neighbour", "neighbor"},
		// Money.
		{"money", "funds", "cash"}, {"fee", "cost", "price", "charge", "rate"},
		{"wage", "salary", "paycheque", "paycheck", "earnings", "income"},
		{"benefit", "allowance", "payment"}, {"pension", "retirement"}, {"loan", "credit"},
		{"debt", "owe", "arrears"}, {"tax", "taxation"}, {"bill", "invoice"},
		{"free", "complimentary"}, {"grant", "subsidy"}, {"unemployed", "jobless"},
		{"bank", "account"}, {"deposit", "transfer"}, {"cheque", "payment"},
		// Work and business.
		{"job", "employment", "occupation"}, {"fire", "dismiss", "lay", "layoff"},
		{"business", "company", "firm", "enterprise", "employer"}, {"shop", "store", "retailer", "boutique"},
		{"grocery", "supermarket"}, {"restaurant", "eatery", "bar"}, {"office", "branch"},
		{"telework", "telecommute", "remote"}, {"leave", "absence"}, {"shift", "schedule"},
		// Health.
		{"sick", "ill", "unwell"}, {"illness", "sickness", "disease", "condition"},
		{"medication", "medicine", "drug", "prescription", "treatment"}, {"symptom", "sign"},
		{"spread", "transmit", "propagate"}, {"catch", "contract", "infect"},
		{"fever", "temperature"}, {"die", "death", "dead", "dying"}, {"risk", "danger", "hazard", "threat"},
		{"safe", "secure", "safety"}, {"test", "screening", "testing"},
		{"quarantine", "isolate", "isolation", "confinement"}, {"disinfect", "sanitize"},
		{"vaccine", "vaccination", "shot", "immunization"},
		{"hospital", "clinic"}, {"pregnant", "pregnancy", "expecting"}, {"pandemic", "epidemic", "outbreak"},
		{"emergency", "crisis"}, {"injury", "wound"}, {"pain", "ache"},
		// Places, travel, home.
		{"vacation", "holiday", "trip", "travel", "journey"}, {"abroad", "overseas", "foreign"},
		{"border", "frontier"}, {"home", "house", "residence", "dwelling", "household"},
		{"apartment", "flat", "unit"}, {"rent", "lease"}, {"car", "vehicle", "automobile"},
		{"transit", "bus", "subway", "metro", "train"}, {"plane", "flight", "airplane", "aircraft"},
		{"municipality", "city", "town"}, {"region", "area", "territory"},
		{"country", "nation"}, {"park", "playground"}, {"street", "road"},
		// Life events and gatherings.
		{"gathering", "assembly", "meeting", "event"}, {"party", "celebration", "festivity"},
		{"wedding", "marriage"}, {"funeral", "burial"}, {"birth", "born"}, {"divorce", "separation"},
		{"worship", "church", "mosque", "synagogue", "temple"}, {"food", "meal", "groceries"},
		{"daycare", "childcare"}, {"school", "classroom"}, {"exam", "examination"},
		{"babysit", "babysitter", "nanny"}, {"sport", "exercise", "workout"},
		// Government and records.
		{"law", "legislation", "statute", "act"}, {"rule", "regulation", "requirement", "guideline", "directive", "instruction"},
		{"department", "ministry", "agency"},
		{"document", "paperwork", "papers", "record"}, {"form", "application"}, {"identification", "id", "identity"},
		{"information", "info", "details"}, {"privacy", "confidentiality"}, {"complaint", "grievance", "appeal"},
		{"website", "site", "web", "online", "internet"}, {"status", "progress"}, {"proof", "evidence"},
		{"address", "location"}, {"number", "code"}, {"signature", "sign"},
		{"disability", "handicap", "impairment"}, {"accessible", "accessibility"},
		{"deaf", "hearing"}, {"blind", "visually"}, {"wheelchair", "mobility"},
	},
	bot.French: {
		// Demander, obtenir, donner.
		{"obtenir", "recevoir", "avoir"}, {"demander", "requete", "demande"}, {"envoyer", "soumettre", "poster", "transmettre"},
		{"remplir", "completer"}, {"trouver", "localiser"}, {"verifier", "confirmer"},
		{"annuler", "revoquer"}, {"remplacer", "remplacement"}, {"renouveler", "prolonger"},
		{"changer", "modifier", "corriger", "mettre"}, {"commencer", "debuter", "entamer"},
		{"finir", "terminer", "cesser"}, {"arreter", "suspendre", "interrompre"}, {"continuer", "reprendre", "poursuivre"},
		{"aider", "aide", "assistance", "soutien", "appui"}, {"acheter", "achat"}, {"reparer", "reparation"},
		{"quitter", "partir"}, {"revenir", "retourner", "rentrer"}, {"demenager", "demenagement"},
		{"habiter", "vivre", "resider"}, {"besoin", "falloir", "devoir", "exiger"},
		{"vouloir", "souhaiter", "desirer"}, {"choisir", "selectionner"}, {"utiliser", "employer", "servir"},
		{"garder", "conserver", "maintenir"}, {"donner", "fournir", "accorder", "offrir"},
		{"permettre", "autoriser", "permis"}, {"interdire", "defendre", "prohiber", "bannir"},
		{"obligatoire", "requis", "obliger", "exige"}, {"possible", "pouvoir"},
		{"admissible", "eligible", "droit"}, {"inscrire", "enregistrer", "adherer"},
		{"reporter", "differer", "retarder"}, {"fermer", "fermeture"},
		{"attendre", "patienter"}, {"rencontrer", "reunir"}, {"visiter", "voir", "visite"},
		{"parler", "discuter", "jaser"}, {"contacter", "joindre", "rejoindre"},
		{"telephone", "appeler", "telephoner"}, {"courriel", "email", "mail"},
		{"informer", "aviser", "avertir", "prevenir"}, {"expliquer", "decrire", "preciser"},
		{"inquiet", "inquietude", "anxieux", "stress", "peur", "crainte"},
		{"eviter", "empecher"}, {"decider", "determiner"},
		{"couvrir", "inclure"}, {"payer", "rembourser", "indemniser"}, {"remboursement", "indemnisation"},
		{"perdre", "egarer"}, {"voler", "vol"}, {"dommage", "blessure"},
		// Le temps.
		{"echeance", "delai"}, {"retard", "tardif"}, {"bientot", "prochainement"},
		{"rapide", "vite", "rapidement"}, {"maintenant", "actuellement", "presentement"},
		{"horaire", "heures"}, {"temporaire", "provisoire", "interimaire"}, {"permanent", "definitif"},
		// Les personnes.
		{"personne", "individu", "quelqu"}, {"citoyen", "resident", "habitant"},
		{"enfant", "flo"}, {"bebe", "nourrisson", "poupon"},
		{"adolescent", "ado"}, {"parent", "mere", "pere", "maman", "papa"},
		{"conjoint", "epoux", "mari", "femme", "partenaire"}, {"proche", "famille"},
		{"mamie", "memere", "mamy"}, {"papi", "pepere", "papy"},
		{"aine", "senior", "age", "vieux"}, {"employe", "travailleur", "salarie", "personnel"},
		{"employeur", "patron", "gestionnaire", "superviseur"}, {"proprietaire", "proprio"},
		{"medecin", "docteur"}, {"infirmier", "infirmiere", "soignant"}, {"enseignant", "professeur", "prof"},
		{"eleve", "etudiant"}, {"agent", "representant", "prepose", "fonctionnaire"},
		{"locataire", "locateur"}, {"client", "clientele"}, {"benevole", "aidant"}, {"voisin", "voisinage"},
		// L'argent.
		{"argent", "fonds", "comptant"}, {"frais", "cout", "prix", "tarif"},
		{"salaire", "remuneration", "paie", "revenu"}, {"prestation", "allocation", "versement"},
		{"pension", "retraite"}, {"pret", "credit"}, {"dette", "devoir", "arrerage"},
		{"impot", "taxe"}, {"facture", "compte"}, {"gratuit", "gratuitement"},
		{"subvention", "aide"}, {"chomage", "chomeur"}, {"banque", "bancaire"}, {"depot", "virement"},
		{"cheque", "paiement"},
		// Le travail.
		{"emploi", "boulot", "job"}, {"congedier", "congediement", "licencier", "licenciement", "renvoyer", "renvoi", "mise"},
		{"entreprise", "compagnie", "societe", "commerce"}, {"magasin", "boutique", "commerce"},
		{"epicerie", "supermarche", "marche"}, {"restaurant", "resto", "bar"}, {"bureau", "succursale"},
		{"teletravail", "distance"}, {"conge", "absence"}, {"quart", "horaire"},
		// La santé.
		{"malade", "souffrant", "maladie"}, {"medicament", "remede", "ordonnance", "traitement"},
		{"symptome", "signe"}, {"transmettre", "transmission", "propager", "propagation"},
		{"attraper", "contracter", "infecter"}, {"fievre", "temperature"}, {"mourir", "deces", "mort", "mourant"},
		{"risque", "danger", "menace"}, {"securitaire", "securite"}, {"test", "depistage"},
		{"quarantaine", "isolement", "isoler", "confinement"}, {"desinfecter", "assainir"},
		{"vaccin", "vaccination", "piqure"},
		{"hopital", "clinique"}, {"enceinte", "grossesse"}, {"pandemie", "epidemie", "eclosion"},
		{"urgence", "crise"}, {"blessure", "plaie"}, {"douleur", "mal"},
		// Lieux, voyages, maison.
		{"vacances", "voyage", "sejour", "voyager"}, {"etranger", "exterieur"}, {"frontiere", "douane"},
		{"maison", "domicile", "residence", "logement", "foyer"}, {"appartement", "logis"},
		{"loyer", "bail"}, {"voiture", "auto", "vehicule", "char"}, {"autobus", "bus", "metro", "train"},
		{"avion", "vol"}, {"municipalite", "ville"}, {"region", "territoire", "secteur"},
		{"pays", "nation"}, {"parc", "terrain"}, {"rue", "route", "chemin"},
		// Événements.
		{"rassemblement", "reunion", "assemblee", "evenement"}, {"fete", "party", "celebration"},
		{"mariage", "noces"}, {"funerailles", "enterrement", "obseques"}, {"naissance", "naitre"},
		{"divorce", "separation"}, {"culte", "eglise", "mosquee", "synagogue", "temple"},
		{"nourriture", "aliment", "repas", "epicerie"}, {"garderie", "cpe"}, {"ecole", "classe"},
		{"examen", "epreuve"}, {"gardienne", "gardiennage"}, {"sport", "exercice", "entrainement"},
		// Gouvernement et dossiers.
		{"loi", "legislation", "reglement"}, {"regle", "reglement", "directive", "consigne", "norme", "exigence"},
		{"ministere", "agence"},
		{"document", "papier", "dossier"}, {"formulaire", "demande"}, {"identite", "identification", "piece"},
		{"renseignement", "information", "info"}, {"confidentialite", "vie"}, {"plainte", "contestation", "appel"},
		{"site", "web", "internet", "ligne"}, {"statut", "etat"}, {"preuve", "justificatif"},
		{"adresse", "emplacement"}, {"numero", "code"}, {"handicap", "incapacite", "deficience"},
		{"sourd", "malentendant"}, {"aveugle", "malvoyant"}, {"fauteuil", "mobilite"},
	},
}

var (
	synOnce sync.Once
	synTerm map[bot.Lang]map[string][]string
)

// synonymTerms returns, for an analyzed term of lang, the analyzed terms of
// the other words of its synonym groups.
func synonymTerms(lang bot.Lang, term string) []string {
	synOnce.Do(func() {
		synTerm = map[bot.Lang]map[string][]string{}
		for _, l := range bot.Langs {
			a, err := newAnalyzer(l)
			if err != nil {
				continue
			}
			out := map[string][]string{}
			for _, g := range synonyms[l] {
				var ts []string
				for _, w := range g {
					if toks := a.Analyze([]byte(w)); len(toks) == 1 && !slices.Contains(ts, string(toks[0].Term)) {
						ts = append(ts, string(toks[0].Term))
					}
				}
				for _, t := range ts {
					for _, o := range ts {
						if o != t && !slices.Contains(out[t], o) {
							out[t] = append(out[t], o)
						}
					}
				}
			}
			synTerm[l] = out
		}
	})
	return synTerm[lang][term]
}

// phrases are expressions whose words say something else together ("laid
// off", "mettre à la porte"): a query holding one is also searched as the
// single word after it. Written folded and lower-case; matched on whole
// words.
var phrases = map[bot.Lang][][2]string{
	bot.English: {
		{"lay off", "dismiss"}, {"laid off", "dismiss"}, {"let go", "dismiss"},
		{"find out", "know"}, {"sign up", "register"}, {"fill out", "complete"}, {"fill in", "complete"},
		{"get sick", "ill"}, {"got sick", "ill"}, {"fall ill", "ill"},
		{"work from home", "telework"}, {"working from home", "telework"}, {"work at home", "telework"},
		{"day care", "daycare"}, {"child care", "childcare"}, {"call off", "cancel"}, {"called off", "cancel"},
		{"put off", "postpone"}, {"pass away", "die"}, {"passed away", "die"},
		{"come back", "return"}, {"came back", "return"}, {"go back", "return"}, {"get back", "return"},
		{"old people", "elderly"}, {"older people", "elderly"}, {"older adults", "elderly"},
		{"pay back", "repay"}, {"paid back", "repay"}, {"sick leave", "sickness"},
	},
	bot.French: {
		{"mettre a la porte", "congedier"}, {"mis a la porte", "congedier"}, {"mise a pied", "licenciement"},
		{"travailler de la maison", "teletravail"}, {"travailler chez moi", "teletravail"},
		{"travailler a la maison", "teletravail"}, {"travail a domicile", "teletravail"},
		{"travailler a domicile", "teletravail"}, {"personnes agees", "aines"}, {"personne agee", "aine"},
		{"chez moi", "domicile"}, {"chez nous", "domicile"}, {"tomber malade", "malade"},
		{"rendre visite", "visiter"}, {"faire l'epicerie", "epicerie"}, {"en ligne", "internet"},
		{"prendre conge", "conge"}, {"conge de maladie", "maladie"}, {"journees de maladie", "maladie"},
	},
}

// phraseKeys are the phrases padded with a space each side, to be found
// as whole words in a query folded the same way.
var phraseKeys = func() map[bot.Lang][][2]string {
	out := map[bot.Lang][][2]string{}
	for l, ps := range phrases {
		for _, p := range ps {
			out[l] = append(out[l], [2]string{" " + p[0] + " ", p[1]})
		}
	}
	return out
}()

// withPhrases returns text followed by the word of each expression it
// holds.
func withPhrases(lang bot.Lang, text string) string {
	ps := phraseKeys[lang]
	if len(ps) == 0 {
		return text
	}
	words := strings.FieldsFunc(strings.Map(foldRune, strings.ToLower(text)), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	})
	folded := " " + strings.Join(words, " ") + " "
	out := text
	for _, p := range ps {
		if strings.Contains(folded, p[0]) {
			out += " " + p[1]
		}
	}
	return out
}
