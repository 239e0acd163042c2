package bot

import (
	"strings"
	"testing"
)

// BenchmarkPolicyCheck measures the comment policy on a mix of questions,
// frustration, abuse and partisan talk in both languages, and on a message
// of the largest size kept (16,000 characters): the policy reads every
// message addressed to the bot.
func BenchmarkPolicyCheck(b *testing.B) {
	mix := []string{
		"How do I renew my passport?",
		"Comment renouveler mon passeport?",
		"Can you tell me why my fucking passport is late?",
		"mon tabarnak de chèque est pas arrivé, vous pouvez vérifier?",
		"you're a fucking idiot",
		"t'es un crisse de cave",
		"I think Mr Singh handled my file, can you check?",
		"Should I vote for the Liberals or the Conservatives?",
		"I need form T4* for 2023, my e-mail is ana.b@example.com",
		"Que pensez-vous de Poilievre?",
	}
	var long strings.Builder
	for long.Len() < 16000 {
		long.WriteString("Bonjour, j'ai appelé le 613-555-0123 et personne ne répond; I need the T4* slip for 2*3 children, ana@example.com. ")
	}
	big := long.String()[:16000]
	b.Run("mix", func(b *testing.B) {
		for b.Loop() {
			for _, s := range mix {
				policyCheck(s)
			}
		}
	})
	b.Run("16000", func(b *testing.B) {
		b.SetBytes(int64(len(big)))
		for b.Loop() {
			policyCheck(big)
		}
	})
	// Censored words that each spell several words ("sh*t", "c***") make
	// the most readings (maxReadings).
	censored := strings.Repeat("sh*t c*** f*ck, what a d*y. ", 16000/28)
	b.Run("16000-censored", func(b *testing.B) {
		b.SetBytes(int64(len(censored)))
		for b.Loop() {
			policyCheck(censored)
		}
	})
}

// TestPolicyAimedForms checks forms of abuse that are abuse wherever they
// stand, as citizens type them.
func TestPolicyAimedForms(t *testing.T) {
	tests := []struct {
		name string
		text string
		want Reason
	}{
		{"death wished on all", "I hope you all die", ReasonAbuse},
		{"death wished on the guys", "hope you guys die", ReasonAbuse},
		{"va chier as chat types it", "vas chier", ReasonAbuse},
		{"va te faire foutre as chat types it", "vas te faire foutre", ReasonAbuse},
		{"a pension after a death", "What happens to our pension if you all die in an accident?", ""},
		{"going somewhere", "Tu vas chez le notaire pour signer?", ""},
		{"a crowd of fools", "bande de caves", ReasonAbuse},
		{"a crowd of fools, gang", "gang de caves, repondez", ReasonAbuse},
		{"a crowd of fools, gagne", "Gagne de niaiseux, ou est mon cheque?", ReasonAbuse},
		{"a band", "La bande de Gaza, ai-je besoin d'un visa?", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := policyCheck(tt.text); got != tt.want {
				t.Errorf("policyCheck(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

// TestPolicyPolitics checks the comment policy on party leaders' surnames,
// which are also the names of clerks, citizens and places, and on
// elections.
func TestPolicyPolitics(t *testing.T) {
	tests := []struct {
		name string
		text string
		want Reason
	}{
		{"comparison across a comma", "Carney, or Poilievre?", ReasonPartisan},
		{"comparison across a comma, reversed", "Poilievre, or Carney?", ReasonPartisan},
		{"comparison across a comma, vs", "Carney, vs Poilievre?", ReasonPartisan},
		{"comparison across a comma, French", "Poilievre, ou Carney?", ReasonPartisan},
		{"comparison across a question mark", "Carney? or Poilievre?", ReasonPartisan},
		{"clerks across a comma", "Can I see Mr. Singh, or Carney?", ""},
		{"own business across a comma", "My case officer is Singh, or Carney, I forget", ""},
		{"one surname across a comma", "Singh, or someone else, I just need a callback", ""},
		{"which of two called", "Was it Singh or Carney who called me?", ""},
		{"which of two has the file", "Was it Carney or Singh that has my file?", ""},
		{"which of two called, French", "Est-ce Singh ou Carney qui m'a appelé?", ""},
		{"which of two has the file, chat", "c tu Singh ou Carney qui a mon dossier?", ""},
		{"which of two for the vote", "Singh or Carney who should get my vote?", ReasonPartisan},
		{"which of two is better for the citizen", "Carney ou Poilievre qui est meilleur pour ma famille?", ReasonPartisan},
		{"which of two will win", "Carney or Poilievre who will win?", ReasonPartisan},
		{"clerk who called", "Was it agent Singh who called me?", ""},
		{"clerk from the office who called", "Was it Mr. Singh from your office who called?", ""},
		{"a good agent", "I think Singh is a good agent", ""},
		{"a really good officer", "I think Carney is a really good officer, can you tell his manager?", ""},
		{"a good agent, French", "je pense que Singh est une bonne agente", ""},
		{"good with the citizen", "I think Singh was really good with me on the phone", ""},
		{"good with the citizen, French", "Je trouve que Singh est bonne avec moi", ""},
		{"a good leader", "I think Singh is a good leader", ReasonPartisan},
		{"good for the citizen", "I think Carney is good for me", ReasonPartisan},
		{"a good person", "Je pense que Poilievre est une bonne personne", ReasonPartisan},
		{"likes a leader", "I like Carney", ReasonPartisan},
		{"likes a leader's plan", "I like Carney's plan", ReasonPartisan},
		{"asked to like a leader", "Do you like Poilievre?", ReasonPartisan},
		{"does not like a leader's budget", "I don't like Carney's budget", ReasonPartisan},
		{"really likes a leader's platform", "I really like Singh's platform", ReasonPartisan},
		{"would like a clerk to call", "I'd like Singh to call me back please", ""},
		{"would like a titled clerk to call", "I would like Mr Carney to call me back", ""},
		{"someone like", "Is there someone like Singh who speaks Punjabi?", ""},
		{"exclaimed budget", "What a disaster Carney's budget is", ReasonPartisan},
		{"exclaimed plan", "What a joke Poilievre's plan is", ReasonPartisan},
		{"exclaimed government", "What a disaster the Carney government is", ReasonPartisan},
		{"exclaimed budget, French", "quel desastre le budget de Carney", ReasonPartisan},
		{"exclaimed plan, French", "Quelle blague le plan de Poilievre", ReasonPartisan},
		{"exclaimed file of a clerk", "What a disaster Singh's office is, nobody answers", ""},
		{"question on a budget", "What good does Carney's budget do for seniors?", ""},
		{"exclamation at the start", "une blague le plan de Poilievre", ""},
		{"does not like a leader, chat", "jaime pas Poilievre", ReasonPartisan},
		{"hates a leader, chat", "jhais Carney", ReasonPartisan},
		{"hates a leader", "je hais Poilievre", ReasonPartisan},
		{"likes a leader's plan, chat", "jaime le plan de Poilievre", ReasonPartisan},
		{"adores a leader, chat", "jadore Carney", ReasonPartisan},
		{"a leader's budget taken up by cest", "Le budget de Carney cest un desastre", ReasonPartisan},
		{"a leader's budget taken up by c'est", "Le budget de Carney c'est mauvais", ReasonPartisan},
		{"would like a clerk to call, chat", "jaimerais que Singh me rappelle", ""},
		{"a clerk's file taken up by cest", "le dossier de Singh cest le mien, pouvez vous verifier", ""},
		{"who to vote for, chat", "pour qui je devrais voter", ReasonPartisan},
		{"who to vote for, asked in French", "Pour qui votez-vous?", ReasonPartisan},
		{"who to vote for, the subject after the verb", "Pour qui devrais-je voter?", ReasonPartisan},
		{"who to vote for, est-ce que", "Pour qui est-ce que je devrais voter?", ReasonPartisan},
		{"who to vote for, asked in French, chat", "pour qui tu votes toi", ReasonPartisan},
		{"who the addressed voted for", "Who did you vote for?", ReasonPartisan},
		{"who to vote for", "Who should I vote for?", ReasonPartisan},
		{"where to vote", "Where do I vote on election day?", ""},
		{"where to vote, French", "ou je vote pour l'election?", ""},
		{"who may vote by mail, French", "Pour qui le vote par la poste est-il offert?", ""},
		{"a titled clerk said to be corrupt", "Agent Singh is corrupt, he asked me for money", ""},
		{"a titled clerk asked to be corrupt", "Is Mr. Singh corrupt? He asked for cash", ""},
		{"a titled clerk said to be corrupt, French", "M. Blanchet est corrompu, il m'a demandé de l'argent", ""},
		{"a titled clerk told to resign", "Mr Singh should resign, he lost my file twice", ""},
		{"a titled leader in an election", "Will Mr. Poilievre win the election?", ReasonPartisan},
		{"a leader said to be corrupt", "Is Singh corrupt?", ReasonPartisan},
		{"a leader asked to be a liar", "Is Carney a liar?", ReasonPartisan},
		{"a leader said to be a liar", "Carney is a liar", ReasonPartisan},
		{"a leader asked to be a good leader", "Is Trudeau a good leader?", ReasonPartisan},
		{"a leader asked to be a corrupt politician", "Is Poilievre a corrupt politician?", ReasonPartisan},
		{"a leader elected, French", "Carney a été élu?", ReasonPartisan},
		{"a titled clerk asked to be a liar", "Is agent Singh a liar? He told me my file was done", ""},
		{"a clerk who has the file, French", "Singh a mon dossier, il est en vacances?", ""},
		{"a voting station at a place", "Is there a voting station at Trudeau airport?", ""},
		{"voting at a place, French", "Peut-on voter a l'aeroport Trudeau?", ""},
		{"a greeting from the Prime Minister for a 100th", "Can I get a greeting from the Prime Minister for my grandma's 100th?", ""},
		{"a letter from the Prime Minister for 100 years, French", "une lettre du premier ministre pour les 100 ans de ma grand-mère?", ""},
		{"a message from the Prime Minister for an anniversary", "How do I request a congratulatory message from the Prime Minister for our 50th wedding anniversary?", ""},
		{"congratulations from the Prime Minister, French", "Comment demander des félicitations du premier ministre pour nos 50 ans de mariage?", ""},
		{"wishes from the Prime Minister, chat", "ma mere a 100 ans la semaine prochaine, on peut avoir des voeux du premier ministre?", ""},
		{"a birthday card from the Prime Minister", "Can the Prime Minister send a birthday card to my dad? He turns 90", ""},
		{"a word from the Prime Minister, chat", "cmt on fait pour avoir un mot du premier ministre pour la fete de mon grand-pere", ""},
		{"a greeting asked politely", "I hate to bother you, but can the Prime Minister send a card for my mom's 90th birthday?", ""},
		{"the best way to a greeting", "What's the best way to get a birthday letter from the Prime Minister?", ""},
		{"a greeting from a leader by full name", "Can I get a birthday greeting from Mark Carney for my grandma?", ""},
		{"a greeting and an opinion", "Can I get a greeting from the Prime Minister? He's the worst PM ever", ReasonPartisan},
		{"a greeting and contempt, French", "des voeux du premier ministre pour les 100 ans de ma mere, meme si cest un menteur", ReasonPartisan},
		{"a greeting from a leader who is a liar", "Can I get a birthday greeting from Mark Carney? Carney is a liar", ReasonPartisan},
		{"the Prime Minister judged", "Is the Prime Minister doing a good job?", ReasonPartisan},
		{"the Prime Minister judged, French", "Le premier ministre est-il un bon chef?", ReasonPartisan},
		{"the Prime Minister hating", "Why does the Prime Minister hate seniors?", ReasonPartisan},
		{"a leader by full name", "What about Mark Carney?", ReasonPartisan},
		{"a donation to a party claimed", "I donated to the NDP, can I claim it on my taxes?", ""},
		{"a donation to a party deducted, chat", "jai donne au parti vert, cest tu deductible?", ""},
		{"a donation to a party deductible", "Is my donation to the Conservative Party tax deductible?", ""},
		{"a donation to a party credited, French", "Mon don au Bloc québécois donne-t-il droit à un crédit d'impôt?", ""},
		{"a party's contribution receipt", "Where do I put my Liberal party contribution receipt on my return?", ""},
		{"a party's donation receipt, French", "J'ai un reçu de don du NPD, je le mets où dans ma déclaration?", ""},
		{"money given to a party", "I gave $200 to the Liberals last year, do I get a tax credit?", ""},
		{"a donation to a party deducted, chat, plural", "jai fait un don aux conservateurs, ca se deduit tu de mes impots", ""},
		{"donations to a party deductible, French", "Est-ce que les dons au NPD sont déductibles d'impôt?", ""},
		{"a donation on the notice of assessment, chat", "jai donne au npd, ca va tu etre sur mon avis de cotisation", ""},
		{"a donation to a party and an opinion", "I donated to the NDP because the Liberals are useless, can I claim it?", ReasonPartisan},
		{"a donation to the best party, French", "J'ai donné au NPD, c'est le meilleur parti, est-ce déductible?", ReasonPartisan},
		{"two parties compared for a donation", "Should I donate to the Liberals or the Conservatives for the tax credit?", ReasonPartisan},
		{"a party's plans for the credit", "Will the Conservatives cut the tax credit for donations?", ReasonPartisan},
		{"a party's plans for the credit, French", "Les libéraux vont-ils couper le crédit d'impôt pour les dons?", ReasonPartisan},
		{"a donation to a party weighed", "Is it worth donating to the NDP?", ReasonPartisan},
		{"which party to donate to", "Which party should I donate to for the biggest tax credit?", ReasonPartisan},
		{"a program named by a party, open", "Is the Liberal dental plan open to seniors yet?", ""},
		{"a program named by a party, open, French", "Le régime de soins dentaires des libéraux est-il ouvert aux aînés?", ""},
		{"a program named by a party, open, chat", "le plan dentaire liberal cest tu ouvert pour les 65 ans et plus", ""},
		{"a program named by a party, eligible", "Am I eligible for the NDP pharmacare program?", ""},
		{"a program named by a party's possessive", "Who qualifies for the Liberals' dental plan?", ""},
		{"a program named by a party, eligible, French", "Suis-je admissible au régime dentaire libéral?", ""},
		{"a program named by a party, judged", "The Liberal dental plan is a disaster", ReasonPartisan},
		{"a program named by a party, judged, French", "Le régime dentaire des libéraux, c'est une blague", ReasonPartisan},
		{"a program named by a party, open, judged", "Is the Liberal dental plan open to seniors, or is it just a Liberal joke?", ReasonPartisan},
		{"a party's plans for a program", "Are the Conservatives going to cut the dental plan? Who is eligible now?", ReasonPartisan},
		{"a party that plans", "Do the Liberals plan to open dental care to seniors?", ReasonPartisan},
		{"parties compared on a program", "Are the Liberals better than the Conservatives on dental care?", ReasonPartisan},
		{"the Prime Minister's office contacted", "How do I contact the Prime Minister's office?", ""},
		{"the Prime Minister's office reached, French", "Comment joindre le bureau du premier ministre?", ""},
		{"the Prime Minister's office address, chat", "c koi ladresse du bureau du premier ministre svp", ""},
		{"the Prime Minister's address", "What's the mailing address for the Prime Minister?", ""},
		{"a party's MP contacted", "How do I contact my NDP MP?", ""},
		{"a party's MP reached, French", "Comment rejoindre mon député conservateur?", ""},
		{"a party's MP written to, chat", "jveux ecrire a mon depute liberal, cest quoi son adresse", ""},
		{"a party's MP phoned, chat", "numero de telephone de mon depute npd svp", ""},
		{"a leader's office by full name", "How can I email Jagmeet Singh's office?", ""},
		{"the Prime Minister contacted to be told off", "How do I contact the Prime Minister's office? I want to tell him he's a liar", ReasonPartisan},
		{"a party's MP judged", "My Liberal MP is useless, how do I contact someone else?", ReasonPartisan},
		{"the Prime Minister written to about a party", "How do I write to the Prime Minister to complain about the Liberals?", ReasonPartisan},
		{"the Prime Minister and an election", "Why doesn't the Prime Minister call an election?", ReasonPartisan},
		{"the Prime Minister and an election, French", "Le premier ministre va-t-il appeler des élections?", ReasonPartisan},
		{"a party phoned", "What's the phone number of the Conservative party?", ReasonPartisan},
		{"a greeting and an exclamation", "The Prime Minister sent my mom a birthday letter, what a joke of a PM", ReasonPartisan},
		{"a greeting and an exclamation, French", "Le premier ministre a envoyé une carte pour les 100 ans de ma mère, quelle blague", ReasonPartisan},
		{"a program and support asked", "Do you support the Liberal dental plan? Who is eligible?", ReasonPartisan},
		{"a program and a liking, French", "Jaime le regime dentaire des liberaux, qui est admissible?", ReasonPartisan},
		{"a donation and support given", "I support the NDP, can I claim my donation to them?", ReasonPartisan},
		{"a donation and support asked, French", "Vous appuyez le NPD? Mon don est-il déductible?", ReasonPartisan},
		{"a greeting liked", "I would like a greeting from the Prime Minister for my mom's 90th birthday", ""},
		{"a leader said to be the best", "Poilievre is the best", ReasonPartisan},
		{"a leader said to be useless", "Singh is useless", ReasonPartisan},
		{"a leader said to be a great leader", "Trudeau is a great leader", ReasonPartisan},
		{"a leader said to be the best, French", "Carney c'est le meilleur", ReasonPartisan},
		{"a leader said to be the best, chat", "poilievre cest le meilleur", ReasonPartisan},
		{"a leader taken up by c'est across a comma", "Carney, c'est le pire", ReasonPartisan},
		{"a leader said to be worthless, French", "Singh est nul", ReasonPartisan},
		{"a leader said to be bad, Québec", "poilievre est poche", ReasonPartisan},
		{"a leader said to be the worst", "Trudeau was the worst PM ever", ReasonPartisan},
		{"a leader said to be a clown", "Carney is a clown", ReasonPartisan},
		{"a leader said to be a fool, chat", "poilievre c un cave", ReasonPartisan},
		{"a clerk with a flooded basement, chat", "Singh a une cave inondee, est-ce couvert?", ""},
		{"a clerk good with the citizen on the phone", "Singh was great with me on the phone", ""},
		{"a clerk said to be the best agent", "Singh is the best agent, please thank her", ""},
		{"a titled clerk said to be the best", "Mr. Singh is the best, can you tell his manager?", ""},
		{"a clerk's file said to be bad, French", "le dossier de Singh est nul, pouvez-vous verifier?", ""},
		{"a clerk greeted", "Tell Singh good morning from me", ""},
		{"a clerk judged in an account of the citizen's call", "Singh was bad at calling me back", ""},
		{"a clerk judged in an account of the citizen's file", "Singh was terrible, she lost my file, can you check?", ""},
		{"a clerk taken up by c'est in an account, chat", "Singh, cest la pire, elle a perdu mon dossier", ""},
		{"the Bloc cheered", "vive le Bloc!", ReasonPartisan},
		{"the Bloc voted for", "Votez Bloc!", ReasonPartisan},
		{"a party by its nickname judged, French", "les libs sont des voleurs", ReasonPartisan},
		{"a party by its nickname cheered", "vive les libs", ReasonPartisan},
		{"a party's members judged, French", "les bloquistes sont les meilleurs", ReasonPartisan},
		{"a leader cheered", "vive Poilievre", ReasonPartisan},
		{"a party's future said", "the Conservatives will fix this", ReasonPartisan},
		{"a party voted for", "vote NDP!", ReasonPartisan},
		{"a party voted for by its name", "vote Liberal!", ReasonPartisan},
		{"a party voted for, French", "Votez NPD", ReasonPartisan},
		{"the Greens voted for", "vote Green", ReasonPartisan},
		{"the Greens voted for, French", "votez vert!", ReasonPartisan},
		{"the Greens cheered, French", "vive les verts", ReasonPartisan},
		{"going green", "Is there a rebate to go green with a heat pump?", ""},
		{"a green card, French", "je vote, j'ai la carte verte", ""},
		{"an open office, French", "le bureau vert est ouvert?", ""},
		{"a donation to a party called thieves, French", "J'ai donné aux libéraux, des voleurs, est-ce déductible?", ReasonPartisan},
		{"a block of flats, chat", "le bloc appartement ou j'habite a pas de chauffage, y a tu une aide?", ""},
		{"a donation to the Bloc deductible, French", "J'ai fait un don au Bloc, c'est déductible?", ""},
		{"a program by a party's nickname, chat", "le plan dentaire des libs cest tu ouvert aux aines", ""},
		{"the Prime Minister's office open", "Is the Prime Minister's office open on Monday?", ""},
		{"the Prime Minister's office open, French", "Est-ce que le bureau du premier ministre est ouvert lundi?", ""},
		{"the Prime Minister's office open, chat", "le bureau du premier ministre cest tu ouvert samedi", ""},
		{"the Prime Minister's office hours, French", "Quelles sont les heures du bureau du premier ministre?", ""},
		{"a leader's office by full name open", "Is Mark Carney's office open on Saturday?", ""},
		{"the Prime Minister opening the border", "Will the Prime Minister open the border?", ReasonPartisan},
		{"the Prime Minister's office closed and an opinion", "Why is the Prime Minister's office closed? He is a liar", ReasonPartisan},
		{"a program named by a party, three words between", "When does the Conservative home renovation tax credit start?", ""},
		{"a program named by a party, two words between", "Am I eligible for the Conservative home renovation credit?", ""},
		{"a program named by a party, French, starting", "Quand commence le credit d'impot conservateur pour la renovation?", ""},
		{"a program named by a party, paid, chat", "when does the liberal grocery rebate come", ""},
		{"a program named by a party, paid", "When will the Liberal grocery rebate be paid?", ""},
		{"a program named by a party, paid, French", "Quand la prestation dentaire des libéraux va-t-elle être versée?", ""},
		{"a party's government and a program", "Will the Conservative government cover my pharmacare?", ReasonPartisan},
		{"a party and a program's eligibility", "Will the Liberal party expand child benefit eligibility?", ReasonPartisan},
		{"a titled leader told to resign", "Mr. Carney should resign", ReasonPartisan},
		{"a titled leader told to resign, French", "M. Carney devrait démissionner", ReasonPartisan},
		{"a titled leader told to resign, French, Mme", "Mme Blanchet devrait démissionner", ReasonPartisan},
		{"a titled leader told to be fired, chat", "M Poilievre devrait etre renvoye", ReasonPartisan},
		{"a titled leader told to be fired", "Mr Trudeau should be fired", ReasonPartisan},
		{"a leader told to be fired", "Singh should be fired", ReasonPartisan},
		{"a titled leader told to be voted out", "Mr. Carney should be voted out", ReasonPartisan},
		{"a titled clerk at an office judged", "Mr. Singh at the passport office was rude", ""},
		{"a titled clerk told to be fired", "Mr. Singh at the passport office should be fired, he was rude to me", ""},
		{"a titled clerk told to be fired, French", "Mme Singh au bureau des passeports devrait etre congediee, elle m'a crie apres", ""},
		{"a boss who fired the citizen", "My boss Singh fired me, can I get EI?", ""},
		{"a clerk asked about resigning from a job", "Mr. Carney, should I resign from my job before applying for EI?", ""},
		{"a leader doing a great job", "Carney is doing a great job", ReasonPartisan},
		{"a leader doing a terrible job", "Poilievre is doing a terrible job", ReasonPartisan},
		{"a leader doing a really awful job", "Singh is doing a really awful job", ReasonPartisan},
		{"a leader who has done a good job", "Carney has done a good job", ReasonPartisan},
		{"a leader thought to have done a good job", "I think Trudeau did a good job", ReasonPartisan},
		{"a leader's government doing a bad job", "Carney's government is doing a bad job", ReasonPartisan},
		{"a leader doing good work", "Blanchet does good work", ReasonPartisan},
		{"a leader doing a good job, French", "Carney fait du bon travail", ReasonPartisan},
		{"a leader doing a bad job, French", "Poilievre fait du mauvais travail", ReasonPartisan},
		{"a leader who did a good job, French", "Trudeau a fait du bon travail", ReasonPartisan},
		{"a leader doing a good job, Québec", "Carney fait une bonne job", ReasonPartisan},
		{"a leader doing a bad job, Québec", "poilievre fait une ben mauvaise job", ReasonPartisan},
		{"a leader doing a good job, Québec, de la", "Blanchet fait de la bonne job", ReasonPartisan},
		{"a clerk doing a great job with the file", "Singh is doing a great job with my file", ""},
		{"a clerk thought to do a great job on the file", "I think Singh did a great job on my file", ""},
		{"a clerk doing a good job with the file, French", "Singh fait du bon travail avec mon dossier, merci", ""},
		{"a clerk doing a good job on the file, Québec", "je trouve que Singh fait une bonne job sur mon dossier", ""},
		{"a titled clerk doing a great job", "Mr. Singh is doing a great job, tell his manager", ""},
		{"a clerk thought to have done the wrong form", "I think Singh did the wrong form", ""},
		{"the office doing a good job", "does the office do a good job of processing passports", ""},
		{"the office doing a good job, French", "est-ce que le bureau fait du bon travail pour les passeports?", ""},
		{"a leader for PM", "Poilievre for PM!", ReasonPartisan},
		{"a leader as PM", "Singh as PM would fix this", ReasonPartisan},
		{"a leader for prime minister", "Carney for prime minister", ReasonPartisan},
		{"a leader for PM, French", "poilievre pour PM", ReasonPartisan},
		{"a leader as PM, French", "Carney comme PM?", ReasonPartisan},
		{"a leader prime minister, French", "Poilievre premier ministre!", ReasonPartisan},
		{"a leader as prime minister, French", "Carney comme premier ministre", ReasonPartisan},
		{"a clerk at an hour PM", "I have an appointment with Singh for 3 pm", ""},
		{"a clerk at an hour PM, chat", "Singh for 2pm please", ""},
		{"a clerk's form for an hour PM", "Can Singh send the form for 5 pm?", ""},
		{"the Prime Minister's office open until an hour PM", "Is the Prime Minister's office open until 5 pm?", ""},
		{"a leader cheered, go", "go Poilievre go", ReasonPartisan},
		{"a leader cheered, go, once", "Go Carney!", ReasonPartisan},
		{"a leader cheered, let's go", "Let's go Singh!", ReasonPartisan},
		{"a leader cheered, go, across a comma", "Go Poilievre, go!", ReasonPartisan},
		{"a leader cheered, go, French", "go Blanchet go!", ReasonPartisan},
		{"a leader cheered, allez", "Allez Carney!", ReasonPartisan},
		{"a clerk cheered for the file", "Go Singh! She fixed my file in a day", ""},
		{"going to the office", "I want to go to the passport office", ""},
		{"going to which office", "Go to which office for my passport?", ""},
		{"going to see a clerk", "Go see Singh at the counter?", ""},
		{"going to see a clerk, French", "Allez voir Singh au comptoir", ""},
		{"a leader out", "Poilievre out!", ReasonPartisan},
		{"a leader out now", "Carney out now", ReasonPartisan},
		{"out with a leader", "Out with Trudeau!", ReasonPartisan},
		{"a leader must go", "Carney must go", ReasonPartisan},
		{"a leader has to go", "Singh has to go!", ReasonPartisan},
		{"a leader out, French", "trudeau dehors", ReasonPartisan},
		{"out with a leader, French", "Dehors Trudeau!", ReasonPartisan},
		{"a leader out across a comma, French", "Trudeau, dehors!", ReasonPartisan},
		{"a leader told to clear off, Québec", "Poilievre dégage!", ReasonPartisan},
		{"a leader must go, French", "Poilievre doit partir", ReasonPartisan},
		{"a leader must go, French, s'en aller", "Carney doit s'en aller maintenant", ReasonPartisan},
		{"a leader's resignation, French", "Trudeau démission!", ReasonPartisan},
		{"a leader's resignation demanded, French", "Démission Carney", ReasonPartisan},
		{"a clerk out today", "Is Singh out today?", ""},
		{"a clerk out sick", "Singh out sick today, who handles it?", ""},
		{"a clerk out, with the file", "Singh out? she has my file", ""},
		{"a clerk out of office", "Singh out of office until Monday?", ""},
		{"going out with a clerk", "I went out with Singh to the office", ""},
		{"a clerk who must go over the file", "Singh must go over my file again", ""},
		{"a clerk who must go, with the passport", "Carney must go, he lost my passport", ""},
		{"a program out", "is the Carney benefit out yet?", ""},
		{"an office out of forms", "when is the passport office out of the old forms", ""},
		{"a passport taken out, French", "est-ce que je dois sortir mon passeport", ""},
		{"an office open outside hours, French", "le bureau est-il ouvert dehors des heures?", ""},
		{"a clerk outside, French", "Singh est dehors, qui a mon dossier?", ""},
		{"a clerk who must leave, French", "Singh doit partir à quelle heure? j'ai rendez-vous", ""},
		{"a clerk out, with the file, French", "Singh dehors? elle a mon dossier", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := policyCheck(tt.text); got != tt.want {
				t.Errorf("policyCheck(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}
