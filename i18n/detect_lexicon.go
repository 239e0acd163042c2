package i18n

import "strings"

// Lexicons of accent-folded words. Function words weigh most: they occur in
// almost every sentence and rarely in the other language. Service words
// decide one- or two-word messages ("passeport", "benefits"). Words spelled
// the same in both languages (taxes, question, public, on, as, residence,
// photo) are marked shared, left out or weigh little, and so are chat words
// both use (ok, bye) and place names written with accents in English too
// (Montréal).
// Programme acronyms count only where one language uses them: NAS, REER and
// PSV are French, SIN, RRSP and OAS English.
const (
	frFunction = `je j tu il elle nous vous ils elles le la les un une des du de au aux ce cet cette ces
mon ma mes ton ta tes son sa ses notre nos votre vos leur leurs qui que quoi quand comment pourquoi combien
ou est sont suis sommes etes etait etaient avez avons ont ai fait faire fais peut peux puis pouvez pouvons
doit dois devez devons doivent faut veux veut voulez voudrais aimerais vais va vas allez aller vont dans pour par avec
sans sur sous chez entre vers depuis pendant avant apres mais et donc car ni ne pas plus moins tres trop aussi
encore deja toujours jamais rien quelque quelqu chaque tout tous toute toutes autre autres meme oui non
merci bonjour bonsoir salut allo svp stp quel quelle quels quelles lequel laquelle ca cela ceci voici voila
moi toi lui eux aujourd'hui sera seront serait serais pourrait pourrais devrait devrais peuvent ya y'a
chu chus jsuis chui pis ben faque pcq parce tse icitte astheure pantoute genre mettons jvais jveux jpeux jsais
ouin ouais mtn bcp jsp cest quest estce avoir etre aussi quoi dont ici la-bas lorsque puisque sinon alors
beaucoup peu assez vraiment encore comme selon contre
koi pkoi pk pq tkt kesse kosse tabarnak calisse criss ostie asteure astheur coudonc ayoye tantot tanne
kekun kelkun qqn qqch kekchose sait sais
jai jarrive jattends jme jte jcomprends jcomprend jpense jdois jvois daide lautre lheure`
	frService = `gouvernement demande demandes formulaire passeport passeports renouveler renouvellement impot impots
revenu revenus prestation prestations assurance emploi chomage retraite enfants enfant
famille heures heure ouvert ouverte ouverts fermes fermee fermees bureau bureaux aide aider besoin savoir parler
quelqu'un personne courriel numero adresse rendez-vous attente delai delais mois semaine semaines jour jours
annee annees ans argent paiement paiements payer frais carte acces accessibilite confidentialite renseignements
personnels donnees vie privee travail travailler travaille ecole ecoles garderie garderies malade maladie symptomes
masque masques epicerie epiceries fermeture voyage voyager pays retour quarantaine isolement maison gens nouveau
nouvelle obligatoire oblige obligee parents mere pere grands soins sante medecin hopital infirmiere
professeur professeurs etudiants etudiant employeur salaire conge conges entreprise entreprises
magasin magasins lieu lieux publique publiques fermer ouvrir rester venir sortir voir visiter porter
acheter nourriture mains laver deux temps longtemps maintenant demain hier citoyen citoyennete
remboursement dette compte banque vieillesse securite ministere service-canada renseignement plainte
aines enseignant enseignants garde essentiels mesures gouvernements quebecois canadien canadienne
fauteuil roulant sourd aveugle langue francais anglais perdu vole urgence statut ligne poste
pandemie cas chsld proches aidants vacances loyer locataire proprietaire epargne pret prets etudes
garderie virtuel enligne jusqu quoi sante lavage distanciation consignes toux fievre grippe rhume
pharmacie pharmacies depistage deplacement deplacements region regions frontiere frontieres avion
parfait accord daccord dac bon bonne journee soiree genial cotisation cotisations rente rentes
envoyer envoye recevoir recu lettre reponse repondre probleme bloque connecter connexion reconnecter
mot passe oublie appeler rappeler appel matin soir nuit desole
reer celi rrq rpc nas pcu tps tvh ae psv srg rqap pcre pcue ssuc`
	enFunction = `the an and of to in is are was were be been being am i you he she it we they me my your his her its
our their them us this that these those there here what which who whom whose when where why how if then than but so
not no yes do does did done doing have has had having will would shall should can could may might must get got
getting going gonna wanna want need know think about with without from by for at into onto over under after before
during between through because while until also just only very too more most much many some any every each all both
few other another such same own please thanks thank hello anyone anybody someone somebody something
anything nothing everything let lets im ive id youre dont cant wont isnt arent doesnt didnt wasnt whats hows u ur pls
plz thx yeah yep nope gotta kinda wanna whether whats there's it's i'm i've i'll don't can't won't doesn't isn't
nvm tbh asap lmk np omg imo tmrw`
	enService = `passport passports renew renewal apply application applications form forms tax refund benefit
benefits payment payments office offices open opening closed hours hour today tomorrow week weeks month months day
days year years money pay paid help speak talk person phone call email number address wait waiting time long
people children child kids kid school schools daycare work working job jobs employer sick symptoms mask masks grocery
store stores travel travelling traveling country home house new mandatory allowed required parents mother father
elderly seniors health doctor hospital nurse teacher teachers students business businesses places close stay go come
visit see buy food hands wash two three feet meters now still government personal privacy accessibility disability
disabilities wheelchair deaf blind sign language french english check online mail fee fees photos lost stolen
urgent emergency appointment citizen citizenship family income deadline file filing owe debt account bank deposit
direct old age security employment insurance unemployment leave loan loans student rent landlord worker workers
essential outside inside weather spring summer wear wearing tested testing quarantine self order rules measures
should allowed anymore right safe safety cough fever flu cold pharmacy screening region regions border borders
plane flight flights trip abroad outbreak pandemic caregivers caregiver daycares childcare nursing homes care
laid off layoff fired boss company staff meeting meetings event events gathering gatherings friends neighbour
neighbor sanitizer gloves groceries delivery deliveries take out takeout restaurant restaurants hairdresser
shop shops shopping park parks walk outdoor outdoors indoor sick leave symptoms catch spread infected infection
claim claims status room card cards permit customs period login
near nearest next last late again sent send receive soon yet problem told tell said says website find found
give gave made good great bad afternoon night guys retirement retired program programs
gst hst cra cpp oas ei sin cerb ccb rrsp tfsa qpp qpip gis cwb crb cesb cews`
)

// sharedWords are spelled the same in English and in French without its
// accents. Alone ("taxes?", "cheque") they say nothing, where their endings
// would lean French; with an accent ("chèque", "téléphone") they read French.
const sharedWords = `taxes question questions cheque cheques telephone date dates service services info information
document documents message messages site page pages code correct pardon confirmation signature important
possible minute minutes note notes option options province provinces centre urgent photo photos restaurant
restaurants direct`

var shared = func() map[string]bool {
	m := map[string]bool{}
	for _, x := range strings.Fields(sharedWords) {
		m[x] = true
	}
	return m
}()

// lexicon maps a folded word to its log-odds of being French.
var lexicon = buildLexicon()

func buildLexicon() map[string]float64 {
	m := map[string]float64{}
	both := map[string]bool{}
	add := func(list string, w float64) {
		for _, x := range strings.Fields(list) {
			if v, ok := m[x]; ok && (v > 0) != (w > 0) {
				both[x] = true
			}
			if _, ok := m[x]; !ok || abs(w) > abs(m[x]) {
				m[x] = w
			}
		}
	}
	add(frFunction, 2.5)
	add(frService, 1.5)
	add(enFunction, -2.5)
	add(enService, -1.5)
	for x := range both {
		delete(m, x)
	}
	// Words of chat in both languages: French speakers say ok and bye too.
	m["ok"] = 0
	m["okay"] = 0
	m["hi"] = -0.8
	m["hey"] = -0.8
	m["bye"] = -0.8
	// Names of places whose accents are kept in English text, and of
	// Québec towns whose French spelling would lean French when they begin
	// a message ("Gatineau office?").
	for _, x := range []string{"montreal", "quebec", "levis", "gaspe", "gatineau", "longueuil", "laval",
		"terrebonne", "joliette", "repentigny", "rimouski", "saguenay", "chicoutimi", "drummondville",
		"victoriaville", "blainville", "boucherville", "chateauguay", "beloeil", "mirabel", "sherbrooke",
		"outaouais", "mauricie", "estrie", "beauce"} {
		m[x] = 0
	}
	// French words English writes with their accents: "fiancé visa",
	// "my résumé".
	for _, x := range []string{"fiance", "fiancee", "resume", "cafe", "naive", "decor", "entree", "cliche", "protege"} {
		m[x] = 0
	}
	// Short words shared by both languages with a lean.
	m["car"] = 0.2     // French "because", English "car"
	m["comment"] = 1.0 // French "how", English "comment"
	m["long"] = -0.3   // "how long", "c'est long"
	m["c"] = 1.0       // SMS for "c'est": "c long", "c koi"
	m["a"] = -0.2      // English article, French "has"
	m["on"] = 0.3      // French "we" in speech, English preposition
	m["as"] = -0.3
	m["est"] = 2.5
	m["en"] = 1.5
	m["y"] = 1.0
	return m
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
