package i18n

import (
	"testing"

	"github.com/liaison-gc/liaison/bot"
)

// TestDetectChatProbes measures detection on messages written the way
// citizens type in a chat room, which the development questions (long,
// well-formed) leave out: one or two words, Québec French, French without
// accents or apostrophes, English texting, code-switching, and names of
// places and agencies that look like the other language. The right answer
// is the one a bilingual public servant would give; where a message has no
// language of its own ("ok", "Gatineau"), Unknown, which the engine answers
// in the channel's language. A few cases accept Unknown besides a language
// ("hi", "yo"): either is an acceptable reply. Detection must stay at or
// above 97 percent of these; each miss is logged.
func TestDetectChatProbes(t *testing.T) {
	type answer struct {
		lang      bot.Lang
		orUnknown bool
	}
	var (
		en, fr, unk = answer{lang: bot.English}, answer{lang: bot.French}, answer{lang: bot.Unknown}
		enOrUnk     = answer{bot.English, true}
		frOrUnk     = answer{bot.French, true}
	)
	probes := []struct {
		text string
		want answer
	}{
		// One or two words, greetings and programme acronyms. Alone, a word both
		// languages use (ok, taxes, lol, a place) is Unknown.
		{"passport", en}, {"passeport", fr}, {"allo", fr}, {"allô", fr}, {"Allo?", fr}, {"bonjour", fr},
		{"Bonjour!", fr}, {"hi", enOrUnk}, {"Hi!", enOrUnk}, {"hello", en}, {"merci", fr}, {"Merci!", fr},
		{"thanks", en}, {"thx", en}, {"ok", unk}, {"okay", unk}, {"svp", fr}, {"stp", fr}, {"pls", en},
		{"plz", en}, {"info?", unk}, {"T4", unk}, {"T4?", unk}, {"SIN", en}, {"NAS", fr}, {"RPC", fr}, {"CPP", en},
		{"SIN?", en}, {"NAS?", fr}, {"my SIN", en}, {"mon NAS", fr}, {"help", en}, {"help!", en}, {"aide", fr},
		{"aide svp", fr}, {"help pls", en}, {"salut", fr}, {"bonsoir", fr}, {"good morning", en}, {"refund?", en},
		{"remboursement?", fr}, {"impots", fr}, {"taxes", unk}, {"question", unk}, {"yes", en}, {"oui", fr},
		{"nope", en}, {"ouin", fr}, {"thank you", en}, {"merci beaucoup", fr}, {"lol", unk},
		{"Service Canada", unk}, {"Revenu Québec", unk}, {"Montréal", unk}, {"Trois-Rivières", unk}, {"GST", en},
		{"TPS", fr}, {"EI", en}, {"CERB", en}, {"PCU", fr}, {"OAS", en}, {"RRQ", fr}, {"CCB", en},
		{"renouvellement passeport", fr}, {"passport renewal", en}, {"👍", unk}, {"???", unk}, {"merci 🙏", fr},
		{"thanks 👍", en}, {"HELP", en}, {"AIDE", fr}, {"QPP", en}, {"PSV", fr}, {"bye", enOrUnk}, {"hey", enOrUnk},

		// Québec French as typed in chat.
		{"chu pu capable", fr}, {"jsais pas", fr}, {"c tu ouvert", fr}, {"kossé", fr}, {"pkoi", fr}, {"tsé", fr},
		{"ben là", fr}, {"icitte", fr}, {"asteure", fr}, {"chu pu capable de me connecter", fr},
		{"jsais pas quoi faire avec mon formulaire", fr}, {"c tu ouvert demain?", fr},
		{"kossé qui faut faire pour le passeport", fr}, {"pkoi jai pas recu mon cheque", fr},
		{"tsé le formulaire là", fr}, {"ben là ça fait 3 semaines", fr}, {"y'a tu quelqu'un icitte", fr},
		{"asteure je fais quoi", fr}, {"jpeux tu avoir de l'aide", fr}, {"chui tanné d'attendre", fr},
		{"ça marche pas pantoute", fr}, {"coudonc vous répondez jamais", fr}, {"faque je fais quoi", fr},
		{"mettons que je perds mon NAS", fr}, {"cé quoi le numéro", fr}, {"kekun sait?", fr},
		{"jveux parler à qqn", fr}, {"yé où mon chèque", fr}, {"ayoye", fr},
		{"j'capote, mon passeport est expiré", fr}, {"jsuis pas sur", fr}, {"t'sais", fr},
		{"y'é tu trop tard", fr}, {"pis là?", fr}, {"ouin pis?", fr}, {"jme demandais si", fr},
		{"ça prend combien de temps", fr}, {"kestu veux dire", fr}, {"chu tanné", fr}, {"pantoute", fr},
		{"tantôt", fr}, {"tantot", fr}, {"à matin", fr}, {"ste fois là", fr}, {"c'est plate", fr}, {"jsp", fr},
		{"pcq jai pas le temps", fr}, {"mtn", fr}, {"ya tu moyen", fr}, {"kessé ça", fr}, {"c quand", fr},
		{"c ou", fr}, {"jai pas compris", fr}, {"chuis perdu", fr}, {"jpense pas", fr},

		// French typed without accents or apostrophes.
		{"ou est mon cheque", fr}, {"jai perdu mon passeport", fr}, {"cest quand la date limite", fr},
		{"je nai pas recu mon remboursement", fr}, {"quest ce que je dois faire", fr},
		{"a quelle heure ca ferme", fr}, {"est ce que vous etes ouvert", fr},
		{"jaimerais renouveler mon passeport", fr}, {"mon cheque est pas arrive", fr},
		{"comment faire une demande de prestation", fr}, {"ca fait deux semaines que jattends", fr},
		{"ou envoyer le formulaire", fr}, {"jai besoin daide", fr}, {"quel est le numero de telephone", fr},
		{"jarrive pas a me connecter", fr}, {"mon nas a ete vole", fr}, {"ya personne qui repond", fr},
		{"cest urgent", fr}, {"je comprend pas", fr}, {"lettre recue hier", fr},
		{"pourquoi mon compte est bloque", fr}, {"combien de temps pour le passeport", fr},
		{"cest ou le bureau le plus proche", fr}, {"je veux annuler mon rendez vous", fr},
		{"delai de traitement", fr}, {"date limite impot", fr}, {"mot de passe oublie", fr},
		{"code dacces perdu", fr}, {"jpeux pas ouvrir le lien", fr}, {"mise a jour adresse", fr},
		{"OU EST MON CHEQUE", fr}, {"jai recu une lettre", fr}, {"cheque pas recu", fr}, {"telephone", unk},
		{"formulaire", fr}, {"cheque", unk}, {"mot de passe", fr},

		// English with typos and texting spellings.
		{"whr is my refund", en}, {"cant login", en}, {"u guys open 2day?", en}, {"wen will i get my cheque", en},
		{"my chq didnt come", en}, {"how 2 apply 4 EI", en}, {"pls help asap", en}, {"idk what to do", en},
		{"wat time u close", en}, {"r u open sat", en}, {"lost my passprt", en}, {"were is the office", en},
		{"cant find my T4", en}, {"hw long does it take", en}, {"thnx", en}, {"ty", enOrUnk},
		{"need hlp w my taxes", en}, {"any1 know about CPP", en}, {"is ther a phone #", en},
		{"y is my account locked", en}, {"k thx", en}, {"ok cool", enOrUnk}, {"nvm", en},
		{"my benifits stopped", en}, {"recieved a letter", en}, {"applyed last week", en},
		{"dont have a SIN yet", en}, {"havent got my gst", en}, {"im so confused", en}, {"ur website is down", en},
		{"gonna be late for my appt", en}, {"whats the deadline", en}, {"pasport renwal form?", en},
		{"can u call me back", en}, {"login not working", en}, {"WHERE IS MY REFUND", en},
		{"my cheque is late", en}, {"cheque not received", en}, {"password reset", en}, {"forgot password", en},
		{"wheres the form", en}, {"hows it going", en}, {"when do u close", en}, {"tmrw open?", en},
		{"whn is it due", en}, {"ne1 there?", en}, {"is it 2 late", en}, {"lemme know", en}, {"omg finally", en},
		{"yo", enOrUnk},

		// Code-switching: the language of most of the words wins.
		{"est-ce que le passport renewal est online?", fr}, {"my NAS est perdu", fr},
		{"j'ai besoin d'un appointment", fr}, {"c'est quoi le deadline", fr}, {"le site web est down", fr},
		{"je peux pas login", fr}, {"mon refund est pas rentré", fr}, {"where do I send le formulaire", en},
		{"my cheque from Revenu Québec is late", en}, {"I filed my impôts already", en},
		{"Hi, je voudrais renouveler mon passeport", fr}, {"Hello, j'ai une question", fr},
		{"Bonjour, I lost my passport", en}, {"Salut, where is the office?", en},
		{"Hey, c'est quoi les heures?", fr}, {"Allo, do you guys speak English", en},
		{"Bonjour! Is the office open today?", en}, {"Hi! est-ce que c'est ouvert?", fr},
		{"good morning, jai une question sur mon NAS", fr}, {"merci, but I still need help", en},
		{"le passport office est où?", fr}, {"my mom a perdu sa carte", fr}, {"is the bureau open", en},
		{"Hi, mon chèque est pas arrivé", fr}, {"Hello, ou est le bureau?", fr}, {"hey jai besoin daide", fr},
		{"Bonjour, can someone help me", en}, {"allo I need help", en}, {"salut, my SIN is lost", en},
		{"c'est cool", fr}, {"le weekend", fr}, {"mon email marche pas", fr}, {"ma job", fr},
		{"j'ai pas de wifi", fr}, {"je suis full stressé", fr},

		// Names of places, people, agencies and businesses, in either language.
		{"Is the Montréal office open?", en}, {"passport office in Trois-Rivières", en},
		{"I live on rue Saint-Denis", en}, {"Service Canada office on rue Sainte-Catherine hours", en},
		{"Revenu Québec sent me a letter", en}, {"I got a letter from Revenu Québec about my taxes", en},
		{"j'habite à Montréal", fr}, {"bureau de Service Canada à Gatineau", fr},
		{"Is there an office in Saint-Jean-sur-Richelieu?", en}, {"I moved to Québec City", en},
		{"office near Place Ville Marie?", en}, {"Guy-Favreau building hours", en},
		{"Service Canada Longueuil", enOrUnk}, {"I'm in Rivière-du-Loup", en},
		{"The office on boulevard René-Lévesque", en}, {"I live in Lévis", en}, {"near Université Laval", en},
		{"Is the Sherbrooke office open Saturday?", en}, {"Can I go to the Service Canada in Chicoutimi", en},
		{"Je vis à Toronto", fr}, {"le bureau de Vancouver", fr}, {"je suis à Ottawa", fr},
		{"I live in Saint-Lazare", en}, {"my address is 123 rue Principale", en},
		{"my address is 45 chemin du Lac", en}, {"Desjardins deposit didn't arrive", en},
		{"Ma banque c'est TD", fr}, {"Dr. Lévesque said I need a form", en}, {"my name is François Bélanger", en},
		{"je m'appelle John Smith", fr}, {"Hi I'm Geneviève, question about EI", en},
		{"Mont-Tremblant office", en}, {"I'm on Île-Perrot, where's the nearest office", en},
		{"I need help with my résumé", en}, {"My fiancée needs a passport", en}, {"fiancé visa", enOrUnk},
		{"I work at Hydro-Québec", en}, {"my employer is Bombardier", en}, {"bureau de poste à Sherbrooke", fr},
		{"I'm at the Complexe Desjardins", en}, {"Is the office on rue Sherbrooke open", en},
		{"I live near rue St-Denis", en}, {"the RAMQ card", en}, {"ma carte RAMQ", fr},
		{"je travaille chez Walmart", fr}, {"I shop at Provigo", en}, {"anyone from Laval?", en}, {"Québec", unk},
		{"Gatineau", unk}, {"Sainte-Foy", unk}, {"Ottawa office", en}, {"I'm from Québec, can I apply here?", en},
		{"je viens de Toronto", fr},

		// A greeting in one language, the question in the other.
		{"Bonjour, j'aimerais savoir quand je vais recevoir mon remboursement", fr},
		{"Hi there, when will I get my refund?", en},
		{"Salut! Je me demandais si le bureau est ouvert samedi", fr},
		{"Hey guys, quick question about my T4", en}, {"allo, j'ai pas reçu mon T4", fr},
		{"Hello, my SIN card is lost, what should I do", en},

		// More of every kind.
		{"y'a tu un delai pour le formulaire", fr}, {"jveux juste savoir si c correct", fr}, {"chu mélangé", fr},
		{"mon chum a perdu son NAS", fr}, {"ma blonde attend son cheque depuis un mois", fr},
		{"le site plante", fr}, {"ca bug", fr}, {"jai essayé 3 fois", fr},
		{"vous ouvrez a quelle heure demain", fr}, {"faque c'est non?", fr}, {"ok pis mon dossier?", fr},
		{"envoyez moi le lien svp", fr}, {"jcomprends rien", fr}, {"tabarouette", fr},
		{"c'est quoi l'affaire avec le NAS", fr}, {"chez nous on a pas internet", fr},
		{"ma mere a besoin daide", fr}, {"je sais pas comment faire", fr}, {"quelle adresse pour envoyer", fr},
		{"retraite", fr}, {"chomage?", fr}, {"assurance emploi", fr}, {"allocation pour enfants", fr},
		{"mon dossier est bloqué", fr}, {"bonne fin de semaine", fr}, {"ty so much", en}, {"k thanks", en},
		{"whens the next payment", en}, {"my dad lost his wallet w his SIN card", en}, {"site keeps crashing", en},
		{"still waiting on my EI", en}, {"any update?", en}, {"r u guys hiring", en},
		{"cant get thru on the phone", en}, {"who do i call", en}, {"do i need an appt", en},
		{"how much is it", en}, {"is it free", en}, {"where do i mail it", en}, {"got a weird letter", en},
		{"sry wrong channel", en}, {"whats ur number", en}, {"pension", unk}, {"retirement", en},
		{"old age pension", en}, {"child benefit", en}, {"Bonjour, do you have french service?", en},
		{"hi, ma question concerne mon NAS", fr}, {"Hello, je veux savoir pour le passeport", fr},
		{"salut, is anyone there", en}, {"Is the Laval office open", en}, {"office in Longueuil?", en},
		{"my landlord in Montréal", en}, {"I'm calling from Rimouski", en}, {"j'habite sur la rue Principale", fr},
		{"je suis à Gatineau", fr}, {"Revenu Québec owes me money", en}, {"Service Canada never called back", en},
		{"Emploi Québec program", en}, {"c'est Revenu Québec qui m'a écrit", fr}, {"passport photo", en},
		{"photo passeport", fr}, {"Passport?", enOrUnk}, {"Merci!!", frOrUnk},
	}
	right := 0
	for _, p := range probes {
		got, conf := Detect(p.text)
		if got == p.want.lang || p.want.orUnknown && got == bot.Unknown {
			right++
			continue
		}
		t.Logf("Detect(%q) = %q (%.2f), want %q", p.text, got, conf, p.want.lang)
	}
	acc := float64(right) / float64(len(probes))
	t.Logf("chat probes: %d/%d = %.4f", right, len(probes), acc)
	if acc < 0.97 {
		t.Errorf("accuracy on chat probes %.4f below 0.97", acc)
	}
}
