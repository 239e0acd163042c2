package bot

import (
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

func TestEarlyReactionsExpireAndAreBounded(t *testing.T) {
	var q earlyReactions
	t0 := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	q.add(Reaction{MessageID: "a", Time: t0}, t0)
	q.add(Reaction{MessageID: "b"}, t0.Add(time.Minute))
	got := q.take(t0.Add(earlyTTL + time.Second))
	if len(got) != 1 || got[0].MessageID != "b" {
		t.Errorf("take = %+v, want only the reaction still within the TTL", got)
	}
	if len(q.take(t0)) != 0 {
		t.Error("take did not empty the queue")
	}
	for i := 0; i < earlyMax+10; i++ {
		q.add(Reaction{MessageID: "x"}, t0)
	}
	if n := len(q.take(t0)); n != earlyMax {
		t.Errorf("kept %d, want the bound %d", n, earlyMax)
	}
}

func TestFloodLimiter(t *testing.T) {
	f := newFloodLimiter(3, time.Minute)
	t0 := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	want := []floodVerdict{floodOK, floodOK, floodOK, floodNotify, floodSilent, floodSilent}
	for i, w := range want {
		if got := f.hit("u", t0.Add(time.Duration(i)*time.Second)).verdict; got != w {
			t.Errorf("message %d: %v, want %v", i, got, w)
		}
	}
	if got := f.hit("other", t0).verdict; got != floodOK {
		t.Errorf("another user: %v", got)
	}
	if got := f.hit("u", t0.Add(2*time.Minute)).verdict; got != floodOK {
		t.Errorf("after the window: %v", got)
	}
	f.sweep(t0.Add(10 * time.Minute))
	if len(f.users) != 0 {
		t.Errorf("sweep kept %d idle users", len(f.users))
	}
}

// A message counted but not recorded is taken back: tried again any
// number of times, it counts once, and a notice it was to carry goes with
// the next message over the limit.
func TestFloodLimiterUndo(t *testing.T) {
	f := newFloodLimiter(2, time.Minute)
	t0 := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	for range 5 {
		f.undo(f.hit("u", t0))
	}
	want := []floodVerdict{floodOK, floodOK, floodNotify}
	var last floodHit
	for i, w := range want {
		if last = f.hit("u", t0.Add(time.Duration(i)*time.Second)); last.verdict != w {
			t.Errorf("message %d: %v, want %v", i, last.verdict, w)
		}
	}
	f.undo(last)
	if got := f.hit("u", last.at).verdict; got != floodNotify {
		t.Errorf("tried again after the notice was taken back: %v, want the notice", got)
	}
	f.undo(floodHit{}) // nothing counted
}

// Messages handled late, all at once, count from when they were posted:
// ten questions posted ten minutes apart are no flood, in whatever order
// they come, while more than the limit posted within a minute still are.
func TestFloodLimiterCountsFromWhenPosted(t *testing.T) {
	f := newFloodLimiter(3, time.Minute)
	t0 := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	for _, i := range []int{1, 0, 3, 2, 5, 4, 9, 8, 7, 6} {
		if got := f.hit("u", t0.Add(time.Duration(i)*10*time.Minute)).verdict; got != floodOK {
			t.Errorf("message posted at +%dm: %v, want ok", i*10, got)
		}
	}
	late := t0.Add(2 * time.Hour)
	want := []floodVerdict{floodOK, floodOK, floodOK, floodNotify, floodSilent}
	for i, w := range want {
		if got := f.hit("u", late.Add(time.Duration(i)*time.Second)).verdict; got != w {
			t.Errorf("message %d of a burst: %v, want %v", i, got, w)
		}
	}
}

func TestPolicy(t *testing.T) {
	tests := []struct {
		text string
		want Reason
	}{
		{"How do I renew my passport?", ""},
		{"why is the fucking passport office closed", ""},
		{"you are useless idiots", ReasonAbuse},
		{"vous êtes des cons", ReasonAbuse},
		{"t'es un cretin", ReasonAbuse},
		{"t’es con ou quoi", ReasonAbuse},
		{"cons que vous êtes", ReasonAbuse},
		{"Why can't I renew my passport online, this is bullshit", ""},
		{"I don't understand the pros and cons of renewing early", ""},
		{"What are your pros and cons for renewing early?", ""},
		{"Is this email a con? Can you tell me if it is from you", ""},
		{"can't you read, idiot", ReasonAbuse},
		// Abuse is swearing or an insult aimed at a person: the one addressed,
		// staff, anyone. The fixed aimed forms are abuse wherever they stand.
		{"you're a fucking idiot", ReasonAbuse},
		{"you’re a fucking idiot", ReasonAbuse},
		{"Fuck you", ReasonAbuse},
		{"fuck off", ReasonAbuse},
		{"go to hell", ReasonAbuse},
		{"screw you guys", ReasonAbuse},
		{"Shut up and answer me", ReasonAbuse},
		{"I hope you die", ReasonAbuse},
		{"you idiot", ReasonAbuse},
		{"you people are useless morons", ReasonAbuse},
		{"u r an idiot", ReasonAbuse},
		{"ur an idiot", ReasonAbuse},
		{"you are full of shit", ReasonAbuse},
		{"you guys are fucking useless", ReasonAbuse},
		{"you piece of shit", ReasonAbuse},
		{"your a piece of shit", ReasonAbuse},
		{"I think you are an idiot", ReasonAbuse},
		{"The agent at the counter was a total moron", ReasonAbuse},
		{"Sam Tremblay is an asshole", ReasonAbuse},
		{"t'es un crisse de cave", ReasonAbuse},
		{"t’es un crisse de cave", ReasonAbuse},
		{"T'ES UN CRISSE DE CAVE", ReasonAbuse},
		{"mange donc un char de marde", ReasonAbuse},
		{"Mangez de la marde", ReasonAbuse},
		{"vous êtes des incompétents de merde", ReasonAbuse},
		{"vous etes des incompetents de merde", ReasonAbuse},
		{"Vous autres, vous êtes de la marde", ReasonAbuse},
		{"ta gueule", ReasonAbuse},
		{"Ferme ta gueule!", ReasonAbuse},
		{"va chier", ReasonAbuse},
		{"Allez vous faire foutre", ReasonAbuse},
		{"L'agente au comptoir est une conne", ReasonAbuse},
		{"Êtes-vous cons?", ReasonAbuse},
		// Swearing at things, the service or the bot spoken of is frustration,
		// and the question in it is answered.
		{"Can you tell me why my fucking passport is late?", ""},
		{"Can you tell me why my fucking passport is late", ""},
		{"why the hell is the office closed", ""},
		{"this damn form won't submit, can you help", ""},
		{"Can you fix this fucking form?", ""},
		{"Are you fucking kidding me? My passport is three months late", ""},
		{"Can you fucking help me already, my passport expired", ""},
		{"this bot is a piece of shit, I need a human", ""},
		{"This stupid bot never answers, can you get me a person?", ""},
		{"you're my last hope, my damn passport expired", ""},
		{"I'm such an idiot, I forgot to renew my passport, can you help?", ""},
		{"Someone at the office called me an idiot, how do I complain?", ""},
		{"Pouvez-vous me dire pourquoi mon crisse de passeport est en retard?", ""},
		{"c'est quoi ce crisse de formulaire, pouvez-vous m'aider", ""},
		{"c’est quoi ce crisse de formulaire pouvez-vous m’aider", ""},
		{"mon tabarnak de chèque est pas arrivé, vous pouvez vérifier?", ""},
		{"mon tabarnak de cheque est pas arrive vous pouvez verifier", ""},
		{"Vous êtes ouverts samedi? C'est de la marde d'attendre", ""},
		{"Je suis con, j'ai oublié mon passeport, tu peux m'aider?", ""},
		{"J'ai un passeport mongol, vous pouvez m'aider?", ""},
		{"What happens to my pension if you die abroad?", ""},
		{"ur fucking website is down, can u help", ""},
		{"Vous êtes en retard sur mon dossier, c'est quoi le problème?", ""},
		// The writer's own insult reaches back to the start of the clause;
		// a target or someone else's "to be" between throws it.
		{"I feel like an idiot, I can't find the form", ""},
		{"I'm probably being an idiot but where is the form?", ""},
		{"I was such an idiot, where do I send the form?", ""},
		{"Je me sens vraiment comme un idiot, je ne trouve pas le formulaire", ""},
		{"J'étais vraiment un imbécile, où dois-je envoyer le formulaire?", ""},
		{"I think the agent is an idiot", ReasonAbuse},
		{"Je pense que l'agent est un idiot", ReasonAbuse},
		// An insult that names a third person in an account of what happened
		// is a complaint about the service, for a human to read; one said of
		// someone ("is an idiot", "you're the idiot") or at the one addressed
		// stays abuse.
		{"I called and that idiot hung up on me", ""},
		{"The idiot at the counter refused my form, who do I complain to?", ""},
		{"That stupid idiot on the phone hung up on me twice", ""},
		{"There was this moron at the counter who refused my form", ""},
		{"It was that idiot who hung up on me", ""},
		{"I told you that idiot hung up on me", ""},
		{"J'ai appelé et ce cave-là m'a raccroché au nez", ""},
		{"J'ai appelé et cet imbécile m'a raccroché au nez", ""},
		{"L'imbécile au comptoir a refusé mon formulaire, à qui je me plains?", ""},
		{"Ces crétins ont perdu mon dossier", ""},
		{"C'est l'imbécile au comptoir qui m'a raccroché au nez", ""},
		// An indefinite article or "some" names someone as the subject of
		// a clause of its own; elsewhere it says what someone is.
		{"I called and some idiot hung up on me", ""},
		{"some a$$hole hung up on me, how do I complain?", ""},
		{"I called and an idiot hung up on me", ""},
		{"There was an idiot at the counter who refused my form", ""},
		{"J'ai appelé et un imbécile m'a raccroché au nez", ""},
		{"Un imbécile m'a raccroché au nez, à qui je me plains?", ""},
		{"y'avait un imbecile au comptoir pis il a refuse mon formulaire", ""},
		{"what an idiot", ReasonAbuse},
		{"you're such an idiot", ReasonAbuse},
		{"you're some idiot", ReasonAbuse},
		{"an idiot like you", ReasonAbuse},
		{"you called and an idiot answered", ReasonAbuse},
		{"un imbécile comme toi", ReasonAbuse},
		{"c'est un imbécile", ReasonAbuse},
		{"quel imbécile", ReasonAbuse},
		{"vous êtes des idiots", ReasonAbuse},
		{"you're the idiot here", ReasonAbuse},
		{"You're that idiot who hung up on me", ReasonAbuse},
		{"The agent is the biggest idiot", ReasonAbuse},
		{"C'est toi l'idiot", ReasonAbuse},
		{"Vous les imbéciles, répondez", ReasonAbuse},
		{"T'es le plus gros idiot", ReasonAbuse},
		{"hey idiot", ReasonAbuse},
		// "Dick" is a name unless aimed.
		{"My father Dick passed away, what do I do with his pension?", ""},
		{"Mon père Dick est décédé, que faire de sa pension?", ""},
		{"you dick", ReasonAbuse},
		// What is said of "you" is one noun group after "to be": "you a" is
		// not "ur a", "vous a" is "has", and a later article starts a thing.
		{"Do I need to send you a fucking copy of my birth certificate again?", ""},
		{"Est-ce que mon comptable vous a envoyé le tabarnak de formulaire?", ""},
		{"You were supposed to mail the fucking card last week", ""},
		{"You were supposed to mail fucking cards last week", ""},
		{"Vous êtes supposés m'envoyer le tabarnak de chèque", ""},
		{"Vous êtes ouverts le crisse de samedi?", ""},
		{"vous êtes ouverts le calvaire de lundi?", ""},
		{"you're just a fucking joke", ReasonAbuse},
		{"t'es ben un crisse de cave", ReasonAbuse},
		{"vous êtes juste des osties de voleurs", ReasonAbuse},
		{"you are such a fucking disgrace", ReasonAbuse},
		{"t'es vraiment un crisse de cave", ReasonAbuse},
		// "Nothing but", « rien que » and « ne ... que » keep what follows
		// one noun group said of the target.
		{"t'es rien qu'un crisse de cave", ReasonAbuse},
		{"T’es rien qu’un cave", ReasonAbuse},
		{"tu n'es qu'un ostie de cave", ReasonAbuse},
		{"vous êtes rien que des osties de caves", ReasonAbuse},
		{"you're nothing but a fucking disgrace", ReasonAbuse},
		{"you are nothing but a piece of shit", ReasonAbuse},
		// ... also as chat types them, and "nothing more than", « rien
		// d'autre que ».
		{"tes un cave", ReasonAbuse},
		{"t un cave", ReasonAbuse},
		{"tes rien quun crisse de cave", ReasonAbuse},
		{"tu nes quun cave", ReasonAbuse},
		{"vous netes que des osties de caves", ReasonAbuse},
		{"t'es rien d'autre qu'un crisse de cave", ReasonAbuse},
		{"you are nothing more than a f***ing joke", ReasonAbuse},
		{"tes formulaires sont de la marde, ou est mon cheque", ""},
		{"tes un bot ou un humain?", ""},
		{"tu nes quun robot, je veux parler a un agent", ""},
		{"I can't un-fucking-believe my cheque is late", ""},
		{"tes enfants nes au canada ont besoin de quel formulaire", ""},
		{"T'es rien qu'un bot, peux-tu me passer un agent?", ""},
		{"Je suis rien qu'un citoyen, vous êtes supposés m'envoyer le tabarnak de chèque", ""},
		{"You're nothing but helpful, but my fucking cheque is late", ""},
		{"Vous n'êtes que des humains, mais mon crisse de chèque est en retard", ""},
		// Aimed abuse in its vous form, plural swear words, and an adjective
		// before "piece of shit".
		{"Allez chier avec vos formulaires", ReasonAbuse},
		{"allez donc chier", ReasonAbuse},
		{"You useless piece of shit", ReasonAbuse},
		{"you stupid fucking piece of shit", ReasonAbuse},
		{"Can you fix this piece of shit form?", ""},
		{"Vous êtes des osties de voleurs", ReasonAbuse},
		{"Vous êtes des tabarnaks d'incompétents", ReasonAbuse},
		{"vous êtes des calisses de menteurs", ReasonAbuse},
		{"Mes osties de formulaires sont pas arrivés, vous pouvez vérifier?", ""},
		{"vous êtes des câlices d'incompétents", ReasonAbuse},
		{"vous etes des esti d'incompetents", ReasonAbuse},
		{"t'es un estie de voleur", ReasonAbuse},
		{"vous êtes des ciboires de menteurs", ReasonAbuse},
		{"mon esti de cheque est pas arrive, vous pouvez verifier", ""},
		{"câlice, mon passeport est encore en retard, vous pouvez vérifier?", ""},
		{"c'est quoi ce ciboire de formulaire, pouvez-vous m'aider", ""},
		{"Can I get my tax slips by mail? Allez, merci", ""},
		// Censored spellings read as the words they hide, under the same
		// rules; signs in ordinary text read as nothing.
		{"f**k you", ReasonAbuse},
		{"F*CK YOU!!!", ReasonAbuse},
		{"f*ck off", ReasonAbuse},
		{"fu*k off", ReasonAbuse},
		{"f#ck off", ReasonAbuse},
		{"go to h*ll", ReasonAbuse},
		{"sh*t up and answer me", ReasonAbuse},
		{"you're full of sh!t", ReasonAbuse},
		{"you're full of $h1t", ReasonAbuse},
		{"you piece of sh*t", ReasonAbuse},
		{"you're an a$$hole", ReasonAbuse},
		{"you id10t", ReasonAbuse},
		{"fck off", ReasonAbuse},
		{"fuk u", ReasonAbuse},
		{"gtfo", ReasonAbuse},
		{"fck, my passport expired, can you help?", ""},
		{"va te faire f***", ReasonAbuse},
		{"Allez vous faire f*****", ReasonAbuse},
		{"va ch*er", ReasonAbuse},
		{"ta g*eule", ReasonAbuse},
		{"Ferme ta g***le!", ReasonAbuse},
		{"t'es un crisse de c@ve", ReasonAbuse},
		{"vous êtes des incompétents de m*rde", ReasonAbuse},
		{"I need form T4*", ""},
		{"J'ai besoin du formulaire T4*", ""},
		{"What is 2*3?", ""},
		{"Combien font 2*3?", ""},
		{"I use C# and F# at work, does that count as a skilled trade?", ""},
		{"My e-mail is f*ck.off@example.com", ""},
		{"Mon courriel est ta.g*eule@exemple.ca", ""},
		{"I forgot my P@ssw0rd, can you reset it?", ""},
		{"Is the fee $50 or $60?", ""},
		{"Help!!! Where is my cheque?!", ""},
		{"form* must be signed", ""},
		{"what the f***, my passport is late", ""},
		{"this f*cking form won't submit, can you help", ""},
		{"Sh*t, I forgot my passport, can you help?", ""},
		{"c'est quoi ce cr*sse de formulaire, pouvez-vous m'aider", ""},
		{"mon t@b@rn@k de chèque est pas arrivé, vous pouvez vérifier?", ""},
		{"I called and that id10t hung up on me", ""},
		{"Should I vote for the Liberals or the Conservatives?", ReasonPartisan},
		{"Pour qui voter? Le NPD?", ReasonPartisan},
		{"Where do I vote on election day?", ""},
		{"I have a liberal arts degree, can I get a student loan?", ""},
		{"J'ai un diplôme en arts libéraux, suis-je admissible au prêt étudiant?", ""},
		{"What's a conservative estimate for processing time?", ""},
		{"I'm Conservative Mennonite, do I need a photo in my passport?", ""},
		{"Are the Conservatives going to cut the dental plan?", ReasonPartisan},
		{"La ministre libérale a-t-elle raison?", ReasonPartisan},
		{"I have a liberal arts degree, should I vote Conservative?", ReasonPartisan},
		{"Hi, I'm Harpreet Singh. How do I renew my passport?", ""},
		{"My name is Raj Singh and I think my passport expired", ""},
		{"Can I renew my passport at Trudeau airport?", ""},
		{"Is Jagmeet Singh right about dental care?", ReasonPartisan},
		{"What do you think of Carney?", ReasonPartisan},
		{"Que pensez-vous de Poilievre?", ReasonPartisan},
		{"Will Singh win the election?", ReasonPartisan},
		{"Trudeau should resign", ReasonPartisan},
		// A title makes the surname a clerk's; a political word across
		// "near" or "à" speaks of a place.
		{"I think Mr Singh handled my file, can you check?", ""},
		{"Je pense que Mme Blanchet s'occupe de mon dossier", ""},
		{"I trust Dr Carney with my appointment, when is it?", ""},
		{"Is there an advance voting station near Trudeau airport?", ""},
		{"Le bureau de vote près de Trudeau est-il ouvert dimanche?", ""},
		{"Can I vote at Trudeau airport?", ""},
		{"What are your thoughts on Singh?", ReasonPartisan},
		{"Quel est ton avis sur Carney?", ReasonPartisan},
		{"Je n'aime pas Poilievre", ReasonPartisan},
		{"Did Singh's campaign break the rules?", ReasonPartisan},
		{"Le parti de Blanchet va-t-il gagner?", ReasonPartisan},
		// The citizen's own "I think" opens an account of their file: the
		// surname after it is who the clause speaks of. It is partisan when
		// the clause judges the person, asks the bot's opinion, or is about
		// the person ("think of").
		{"I think Singh handled my file", ""},
		{"I think Singh handled my file, can you check?", ""},
		{"I thought Carney was supposed to call me back about my claim", ""},
		{"Je pense que Singh s'occupe de mon dossier", ""},
		{"Je pense Blanchet a reçu mes documents", ""},
		{"Je crois que Poilievre a traité ma demande, pouvez-vous vérifier?", ""},
		// A judgement is of the person only when a "to be" (or « a
		// raison ») links it to the surname; after another verb it is of a
		// thing in the citizen's file.
		{"I think Singh sent the wrong form, can you check?", ""},
		{"I think Carney has the wrong address for me", ""},
		{"I think Singh put the wrong date on my form", ""},
		{"Je pense que Singh a le mauvais dossier", ""},
		{"I think Singh's right", ReasonPartisan},
		{"I think Singh is really bad", ReasonPartisan},
		{"Je pense que Singh est vraiment bon", ReasonPartisan},
		{"Je pense que Carney a tort", ReasonPartisan},
		{"I think Poilievre is right about housing", ReasonPartisan},
		{"I think that Singh is the best", ReasonPartisan},
		{"Je pense que Carney a raison", ReasonPartisan},
		{"Je crois que Trudeau est le meilleur", ReasonPartisan},
		{"Je trouve que Poilievre a raison", ReasonPartisan},
		{"Trouvez-vous que Carney est bon?", ReasonPartisan},
		{"I believe Singh is right", ReasonPartisan},
		{"I believe Singh handled my file, can you check?", ""},
		{"Je trouve que Singh a bien traité mon dossier", ""},
		{"Trouvez-vous Singh dans l'annuaire?", ""},
		{"Do you think Singh will win?", ReasonPartisan},
		{"Pensez-vous que Poilievre va gagner?", ReasonPartisan},
		{"Tu penses quoi de Carney?", ReasonPartisan},
		{"I often think about Singh", ReasonPartisan},
		{"I support Singh", ReasonPartisan},
		{"J'appuie Blanchet", ReasonPartisan},
		// Two leaders compared is partisan with no word of opinion: "vs",
		// "or", « ou », « contre » right between them, "and", « et » after
		// "between", « entre ». A title names people at the office, a
		// surname further off or the citizen's own business ("my") a clerk.
		{"Carney vs Poilievre?", ReasonPartisan},
		{"Carney vs. Poilievre?", ReasonPartisan},
		{"Who is better, Carney or Poilievre?", ReasonPartisan},
		{"Singh or Carney", ReasonPartisan},
		{"Which is better between Singh and Blanchet?", ReasonPartisan},
		{"Liberals vs Conservatives", ReasonPartisan},
		{"Poilievre ou Carney?", ReasonPartisan},
		{"Qui est mieux entre Carney et Poilievre?", ReasonPartisan},
		{"Carney contre Poilievre, t'en penses quoi?", ReasonPartisan},
		{"Libéraux ou conservateurs?", ReasonPartisan},
		{"Can I see Mr. Singh or Ms. Carney at the office?", ""},
		{"Can I see Mr. Singh or Carney at the office?", ""},
		{"Puis-je voir M. Singh ou Mme Carney au bureau?", ""},
		{"My case officer is Singh or maybe Carney, I forget", ""},
		{"My case officer is Singh or Carney, I forget", ""},
		{"Mon agente est Singh ou peut-être Carney, je ne sais plus", ""},
		{"Mon dossier est chez Singh ou Carney, je ne sais plus", ""},
		{"Trudeau airport or Montréal-Trudeau?", ""},
		{"L'aéroport Trudeau ou Montréal-Trudeau?", ""},
		{"passport vs travel document", ""},
		{"Passport vs. travel document: which do I need?", ""},
		{"Passeport ou carte?", ""},
		{"Passeport vs carte de citoyenneté?", ""},
		// A judgement or an opinion of a leader's budget, plan, policies or
		// government is of the leader, "I think" or not; another thing of
		// theirs is a clerk's, and what a budget holds is answered.
		{"I think Poilievre's plan is bad", ReasonPartisan},
		{"Carney's budget is a disaster", ReasonPartisan},
		{"Carney’s policies are terrible", ReasonPartisan},
		{"The Carney government is the worst", ReasonPartisan},
		{"Je trouve que le plan de Poilievre est mauvais", ReasonPartisan},
		{"Le budget de Carney est un désastre", ReasonPartisan},
		{"Les promesses de Singh sont mauvaises", ReasonPartisan},
		{"Le plan de Poilievre est-il bon?", ReasonPartisan},
		{"Le gouvernement Carney est le pire", ReasonPartisan},
		{"Que pensez-vous du budget de Carney?", ReasonPartisan},
		{"J'aime le plan de Poilievre", ReasonPartisan},
		{"Singh's office sent me a letter", ""},
		{"I think Singh's office has the wrong address for me", ""},
		{"What does Carney's budget change for seniors?", ""},
		{"Le bureau de Singh m'a envoyé une lettre", ""},
		{"Je trouve que le dossier de Singh est mauvais, pouvez-vous vérifier?", ""},
		{"Qu'est-ce que le budget de Carney change pour les aînés?", ""},
		{"Le plan de M. Singh pour mon dossier est bon, merci", ""},
		{"Which form do I need for my taxes?", ""},
	}
	for _, tt := range tests {
		if got := policyCheck(tt.text); got != tt.want {
			t.Errorf("policyCheck(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestJoinScore(t *testing.T) {
	goat := "Can my neighbour's goat attend the citizenship ceremony on Thursday?"
	unknown := func(entry, topic string) subject { return subject{topEntry: entry, topic: topic} }
	known := func(entry, topic string) subject { return subject{topEntry: entry, topic: topic, known: true} }
	tests := []struct {
		name       string
		open, q    string
		openS, qS  subject
		wantJoined bool
	}{
		{"same words, both unknown to the knowledge base", goat, "Is my neighbour's goat allowed at the citizenship ceremony?",
			unknown("taxes-payment-plan", "passports"), unknown("benefits-child", "benefits"), true},
		{"shared words, one question known to the knowledge base", goat, "Is there parking at the citizenship ceremony on Thursday?",
			unknown("taxes-payment-plan", "passports"), known("accessibility-office-access", "accessibility"), false},
		{"shared words, known on other topics", "Where do I apply for a child benefit for my son?", "Where do I apply for a passport for my son?",
			known("benefits-child", "benefits"), known("passport-child", "passports"), false},
		{"same topic, similar words", "How long does a passport renewal take by mail?", "How long does a passport renewal by mail take now?",
			known("passport-renew", "passports"), known("passport-processing-times", "Passports"), true},
		{"same entry, words of a different question", "passport renewal fee", "passport renewal time",
			known("passport-renew", "passports"), known("passport-renew", "passports"), false},
		{"a short question within a long one", "I lost my passport in Mexico and need to fly home from Cancun on Friday", "passport Mexico",
			unknown("passport-lost", "passports"), unknown("passport-lost", "passports"), false},
	}
	for _, tt := range tests {
		w := waitingEsc{subject: tt.openS, words: tokens(tt.open)}
		s := w.joinScore(tokens(tt.q), tt.qS)
		if got := s >= joinThreshold; got != tt.wantJoined {
			t.Errorf("%s: score %.2f, joined %v, want %v", tt.name, s, got, tt.wantJoined)
		}
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"write to ana.b@example.com please", "write to [email] please"},
		{"my SIN is 123-456-789", "my SIN is [number]"},
		{"call me at (613) 555-0199", "call me at [phone]"},
		{"I live at K1A 0B1", "I live at [postal code]"},
		{"passport AB123456 expired", "passport [document] expired"},
		{"card 4111 1111 1111 1111", "card [number]"},
		{"How do I renew my passport?", "How do I renew my passport?"},
	}
	for _, tt := range tests {
		if got := Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestRedactCanadianForms holds personal data the way citizens type it, in
// English and French, and numbers that carry the meaning of a question and
// must reach staff intact (amounts, dates, times, years, form names).
func TestRedactCanadianForms(t *testing.T) {
	tests := []struct{ name, in, want string }{
		// Phone numbers.
		{"phone with +1 and parentheses", "call me at +1 (613) 555-0123", "call me at [phone]"},
		{"phone with dots", "my number is 613.555.0123", "my number is [phone]"},
		{"phone in E.164", "text +16135550123 please", "text [phone] please"},
		{"phone toll free with French extension", "appelez le 1-800-622-6232 poste 123 svp", "appelez le [phone] svp"},
		{"phone with English extension", "613-555-0123, ext. 45 after 5", "[phone] after 5"},
		{"phone with x extension", "reach me at 613 555-0123 x45", "reach me at [phone]"},
		{"phone parentheses no space", "(819)555 0123 est mon numéro", "[phone] est mon numéro"},
		{"phone digits only", "6135550123", "[phone]"},
		{"phone in French quotes", "mon numéro « 613 555-0123 »", "mon numéro « [phone] »"},
		// Social insurance numbers.
		{"SIN with spaces", "my SIN is 046 454 286", "my SIN is [number]"},
		{"SIN with dashes", "SIN 046-454-286.", "SIN [number]."},
		{"SIN unbroken", "SIN:046454286", "SIN:[number]"},
		{"NAS in French quotes", "« NAS 046 454 286 »", "« NAS [number] »"},
		{"NAS with no-break spaces from a letter", "mon NAS est 046\u00a0454\u00a0286", "mon NAS est [number]"},
		{"NAS with narrow no-break spaces", "NAS 046\u202f454\u202f286", "NAS [number]"},
		// Card numbers.
		{"card 16 digits with dashes", "card 4111-1111-1111-1111 was charged", "card [number] was charged"},
		{"card 16 digits unbroken", "carte 5500000000000004", "carte [number]"},
		{"card 15 digits Amex spaced", "Amex 3782 822463 10005", "Amex [number]"},
		{"card 15 digits Amex dashed", "Amex 3782-822463-10005", "Amex [number]"},
		// Passport numbers.
		{"passport lower case", "passeport ab123456 perdu", "passeport [document] perdu"},
		{"passport with a space", "passeport GA 123456 expiré", "passeport [document] expiré"},
		// Postal codes.
		{"postal code lower case no space", "I moved to k1a0b1", "I moved to [postal code]"},
		{"postal code with a dash", "code postal K1A-0B1", "code postal [postal code]"},
		{"postal code in French quotes", "« h2y 1c6 »", "« [postal code] »"},
		{"postal code with a no-break space", "K1A\u00a00B1", "[postal code]"},
		// E-mail addresses.
		{"email with plus and subdomains", "Ana.B+tax@Mail.Service.GC.CA wrote", "[email] wrote"},
		{"email upper case", "JOHN@EXAMPLE.COM", "[email]"},
		{"email with accents in the name", "écrivez à josée.tremblay@exemple.ca", "écrivez à [email]"},
		{"email with an accented domain", "ana@québec.ca", "[email]"},
		{"email with an accent typed as a combining mark", "jose\u0301e@exemple.ca", "[email]"},

		// Must not mask: the meaning of the question.
		{"amount in dollars", "I owe $1,200.50 for 2023", "I owe $1,200.50 for 2023"},
		{"amount the French way", "je dois 1 200,50 $ pour 2023", "je dois 1 200,50 $ pour 2023"},
		{"large amount the French way", "un revenu de 1 200 300 $", "un revenu de 1 200 300 $"},
		{"ISO date", "filed on 2024-03-15", "filed on 2024-03-15"},
		{"two ISO dates", "2024-03-15 2024-04-15", "2024-03-15 2024-04-15"},
		{"dates the French way", "le 15/03/2024 à 9h30", "le 15/03/2024 à 9h30"},
		{"time", "open until 17:00?", "open until 17:00?"},
		{"tax years listed", "tax years 2021 2022 2023", "tax years 2021 2022 2023"},
		{"four tax years listed", "années 2021 2022 2023 2024", "années 2021 2022 2023 2024"},
		{"form names", "T4, NR4, IMM 5257 or formulaire T2125?", "T4, NR4, IMM 5257 or formulaire T2125?"},
		{"form name without space", "IMM5257 for 2024", "IMM5257 for 2024"},
		{"ordinary numbers", "3 children, see page 12", "3 children, see page 12"},
		{"income", "my income is 250000 in 2023", "my income is 250000 in 2023"},
		{"two-letter word before an amount", "it is 250000 dollars", "it is 250000 dollars"},
	}
	for _, tt := range tests {
		if got := Redact(tt.in); got != tt.want {
			t.Errorf("%s: Redact(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestDefang(t *testing.T) {
	for _, s := range []string{"@everyone", "@here", "<!channel>", "<!here>", "<!everyone>", "<@&123>", "@channel",
		"<!here|here>", "<!channel|channel>", "<!subteam^S1>", "<!subteam^S1|@staff>"} {
		if got := Defang("hi " + s); got == "hi "+s {
			t.Errorf("Defang left %q", s)
		}
	}
	if got := Defang("write to ana@example.com"); got != "write to ana@example.com" {
		t.Errorf("Defang changed an address: %q", got)
	}
}

func TestSanitizeAndTruncate(t *testing.T) {
	if got := sanitize("  a\x00b\x07c\nd\xff  "); got != "abc\nd\uFFFD" {
		t.Errorf("sanitize = %q", got)
	}
	if got := truncateRunes("éééé", 2); got != "éé" {
		t.Errorf("truncate = %q", got)
	}
	if got := slug("How do I bring my pet iguana to the ceremony?"); got != "bring-pet-iguana-ceremony" {
		t.Errorf("slug = %q", got)
	}
	if got := DraftEntryID("How do I?"); got != "" || !strings.HasPrefix(slug("How do I?"), "draft-") {
		t.Errorf("no word to make an id from: DraftEntryID = %q, slug = %q", got, slug("How do I?"))
	}
}

// Whatever a citizen writes, what the bot publishes of it holds no mass or
// role mention on any platform, and sanitized text is valid UTF-8 without
// control characters, within the stored bound.
func FuzzDefangAndSanitize(f *testing.F) {
	for _, s := range []string{"@everyone", "@@here", "<!channel>", "<<!here>>", "<!here|here>", "<!subteam^S1>", "<@&123>", "@every\x00one", "@ever\u200byone", "a\rb\x1b[31m", "\xff\xfe@here"} {
		f.Add(s)
	}
	pings := []string{"@everyone", "@here", "@channel", "<!", "<@&"}
	f.Fuzz(func(t *testing.T, s string) {
		for _, out := range []string{Defang(s), Defang(sanitize(s))} {
			for _, p := range pings {
				if strings.Contains(out, p) {
					t.Fatalf("Defang(%q) = %q still holds %q", s, out, p)
				}
			}
		}
		c := sanitize(s)
		if !utf8.ValidString(c) || utf8.RuneCountInString(c) > maxStoredRunes {
			t.Fatalf("sanitize(%q) = %q", s, c)
		}
		for _, r := range c {
			if unicode.IsControl(r) && r != '\n' && r != '\t' {
				t.Fatalf("sanitize(%q) kept control %U", s, r)
			}
		}
	})
}

// The back-off of refused desk posts is kept for at most refusedMax posts:
// one more refused drops the one whose try comes first.
func TestRefusedPostsAreBounded(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	e := &Engine{refusedPosts: map[int64]postRetry{}, now: func() time.Time { return now }}
	for id := int64(1); id <= refusedMax; id++ {
		e.postRefused(Escalation{ID: id, Version: 1})
	}
	now = now.Add(time.Second)
	e.postRefused(Escalation{ID: 2, Version: 1}) // again: its try comes later
	e.postRefused(Escalation{ID: refusedMax + 1, Version: 1})
	if n := len(e.refusedPosts); n != refusedMax {
		t.Errorf("%d refused posts kept, want the bound %d", n, refusedMax)
	}
	if _, ok := e.refusedPosts[refusedMax+1]; !ok {
		t.Error("the post refused last was not kept")
	}
	if _, ok := e.refusedPosts[2]; !ok {
		t.Error("the post whose try comes later was dropped")
	}
	dropped := 0
	for id := int64(1); id <= refusedMax; id++ {
		if _, ok := e.refusedPosts[id]; !ok {
			dropped++
		}
	}
	if dropped != 1 {
		t.Errorf("%d of the earlier posts dropped, want one", dropped)
	}
}
