package i18n

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/liaison-gc/liaison/bot"
)

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bot.Lang
	}{
		{"How do I renew my passport?", bot.English},
		{"Comment renouveler mon passeport?", bot.French},
		{"j'vais tu perdre mon chomage", bot.French},
		{"je peux-tu aller porter de la nourriture a ma mere", bot.French},
		{"a quelle heure vous fermez", bot.French},
		{"chu pas capable de trouver le formulaire", bot.French},
		{"pk mon paiement est pas rentrer", bot.French},
		{"wheres my refund", bot.English},
		{"my pasport expired wat do i do", bot.English},
		{"passeport", bot.French},
		{"passport", bot.English},
		{"heures d'ouverture", bot.French},
		{"office hours", bot.English},
		{"merci beaucoup", bot.French},
		{"thanks a lot", bot.English},
		{"Bonjour, I need help with my taxes please", bot.English},
		{"Hi, est-ce que vous etes ouverts demain pour les passeports?", bot.French},
		{"impôts", bot.French},
		{"", bot.Unknown},
		{"12345 !!!", bot.Unknown},
		{"https://example.com/x 🙂", bot.Unknown},
	} {
		got, conf := Detect(tc.text)
		if got != tc.want {
			t.Errorf("Detect(%q) = %s (%.2f), want %s", tc.text, got, conf, tc.want)
		}
		if conf < 0 || conf > 1 || (got == bot.Unknown) != (conf == 0) {
			t.Errorf("Detect(%q) confidence %.2f out of range", tc.text, conf)
		}
	}
}

// TestDetectShortChat covers the short, informal messages a department gets
// in a chat room, which full FAQ questions under-represent. A wrong guess
// answers the citizen in the wrong language, while Unknown gets a bilingual
// acknowledgement, so a message without evidence must stay Unknown.
func TestDetectShortChat(t *testing.T) {
	en, fr, unk := bot.English, bot.French, bot.Unknown
	for _, tc := range []struct {
		text string
		want bot.Lang
	}{
		// French speakers say ok, hi and bye too: the French words decide.
		{"ok d'accord", fr},
		{"ok parfait", fr},
		{"ok bonne journée", fr},
		{"ok génial", fr},
		{"ok merci", fr},
		{"ok super merci", fr},
		{"ok merci bye", fr},
		{"oui ok", fr},
		{"Hi, passeport?", fr},
		{"Hey! NAS perdu", fr},
		{"Hi! paiement PCU?", fr},
		{"ok", unk},

		// Words spelled alike in both languages say nothing alone: French
		// writes "urgent", "photos", "restaurant" and "dépôt direct" too.
		{"Urgent!", unk},
		{"photos", unk},
		{"restaurant", unk},
		{"restaurants?", unk},
		{"direct", unk},
		{"c'est urgent", fr},
		{"urgent please", en},
		{"mes photos", fr},
		{"my photos", en},
		{"dépôt direct", fr},
		{"direct deposit", en},

		// A French infinitive the lexicon lacks (-ler, -rer, -ser, -uer,
		// -ger, -ner, -per) no longer leans English: alone it says
		// nothing, as an English noun of the same ending ("traveller",
		// "passenger") says nothing either; the words around it decide.
		{"postuler", unk},
		{"utiliser", unk},
		{"declarer", unk},
		{"traveller", unk},
		{"passenger", unk},
		{"comment postuler", fr},
		{"annuler mon rdv", fr},
		{"the passenger", en},

		// Words spelled the same in English: residence, declaration, photo,
		// comment, car.
		{"permanent residence card", en},
		{"residence permit", en},
		{"customs declaration", en},
		{"passport photo requirements", en},
		{"public comment period", en},
		{"car seat rules", en},

		// English compounds and abbreviations that contain French words:
		// "non-", "Mon-Fri", "EST"; the French ones read French.
		{"non-resident tax return", en},
		{"non-refundable tax credit", en},
		{"Open Mon-Fri?", en},
		{"5pm EST?", en},
		{"déclaration des non-résidents", fr},
		{"ouvert lun-ven de 9h à 17h?", fr},

		// Names of people and places: their accents are not evidence.
		{"Thanks Hélène!", en},
		{"thanks Jérémie", en},
		{"Merci Hélène!", fr},
		{"Service Canada Trois-Rivières hours?", en},
		{"passport office Trois-Rivières", en},
		{"office on René-Lévesque?", en},
		{"Trois-Rivières office hours", en},
		{"Saint-Jérôme passport office", en},
		{"j'habite à Trois-Rivières", fr},
		{"Jean Tremblay", unk},
		{"vitamin C", unk},

		// Place names that English writes with their accents.
		{"Montréal office?", en},
		{"Montréal", unk},
		{"Gatineau", unk},
		{"Gatineau office?", en},
		{"Longueuil passport office", en},
		{"bureau de Gatineau", fr},

		// Agencies named in French in English text: the first word of the
		// name is not evidence, unless it is a word of the sentence.
		{"Revenu Québec login", en},
		{"Emploi Québec hours", en},
		{"Revenu Québec?", unk},
		{"Retraite Québec", unk},
		{"Revenu Québec m'a écrit", fr},
		{"Au Québec?", fr},
		{"In Canada?", en},
		{"Bonjour Québec", fr},

		// French words English writes with accents: the accent alone does
		// not decide.
		{"fiancé visa", unk},
		{"sponsoring my fiancée", en},
		{"résumé help", en},
		{"mon fiancé", fr},

		// E-mail addresses, domains and postal codes are not words.
		{"mike.smith@sympatico.ca", unk},
		{"servicecanada.gc.ca", unk},
		{"canada.ca/en/revenue-agency.html", unk},
		{"canada.ca down?", en},
		{"GCKey login canada.ca?", en},
		{"H2Y 1C6", unk},
		{"K1A 0A9", unk},

		// Québec chat and SMS spellings, and French programme acronyms.
		{"koi", fr},
		{"c koi", fr},
		{"pkoi", fr},
		{"tkt", fr},
		{"c long!!", fr},
		{"tabarnak", fr},
		{"cotisation REER?", fr},
		{"asteure", fr},
		{"ayoye", fr},
		{"tantot", fr},
		{"kekun sait?", fr},
		{"jarrive pas a me connecter", fr},
		{"jai pas recu la lettre", fr},
		{"faut tu rappeler", fr},
		{"mot de passe oublie", fr},
		{"se connecter", fr},
		{"office on 17 Ave SE", en},
		{"Dun & Bradstreet number", en},

		// English programme acronyms and service words.
		{"GST credit?", en},
		{"EI claim status?", en},
		{"TFSA contribution room?", en},
		{"QPP", en},
		{"GIS?", en},
		{"PSV", fr},
		{"SRG?", fr},
		{"RQAP", fr},
		{"Bonjour, question about EI", en},
		{"nvm", en},
		{"near Université Laval", en},
		{"Revenu Québec sent me a letter", en},
		{"good afternoon", en},
		{"retirement", en},
		{"Emploi Québec program", en},

		// Accents typed as combining marks (NFD) count as accents.
		{"e\u0301te\u0301", fr},

		// Words spelled alike in both languages say nothing alone, whatever
		// their ending; their accented French spelling reads French.
		{"taxes", unk},
		{"question?", unk},
		{"cheque", unk},
		{"telephone", unk},
		{"chèque?", fr},
		{"téléphone", fr},
		{"my cheque is late", en},
		{"mon cheque est pas arrivé", fr},
	} {
		got, conf := Detect(tc.text)
		if got != tc.want {
			t.Errorf("Detect(%q) = %s (%.2f), want %s", tc.text, got, conf, tc.want)
		}
	}
}

// TestDetectDevAccuracy measures accuracy on the shared development
// questions when they are present (../../shared/eval or LIAISON_EVAL_DIR).
// It reads them in place; nothing is copied into the repository.
func TestDetectDevAccuracy(t *testing.T) {
	dir := os.Getenv("LIAISON_EVAL_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "eval")
	}
	f, err := os.Open(filepath.Join(dir, "queries-dev.jsonl"))
	if err != nil {
		t.Skipf("no evaluation data: %v", err)
	}
	defer f.Close()
	n, right := map[bot.Lang]int{}, map[bot.Lang]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 1<<24)
	for sc.Scan() {
		var q struct {
			Query string   `json:"query"`
			Lang  bot.Lang `json:"lang"`
		}
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			t.Fatal(err)
		}
		n[q.Lang]++
		if got, _ := Detect(q.Query); got == q.Lang {
			right[q.Lang]++
		}
	}
	total, ok := 0, 0
	for l := range n {
		total += n[l]
		ok += right[l]
		t.Logf("%s: %d/%d = %.4f", l, right[l], n[l], float64(right[l])/float64(n[l]))
	}
	acc := float64(ok) / float64(total)
	t.Logf("overall: %d/%d = %.4f", ok, total, acc)
	if acc < 0.97 {
		t.Errorf("accuracy %.4f below 0.97", acc)
	}
}

func BenchmarkDetect(b *testing.B) {
	for b.Loop() {
		Detect("j'vais tu pouvoir renouveler mon passeport en ligne?")
	}
}

// Detection takes any text: it names English, French or neither, with a
// confidence in [0,1], and the same text always gets the same answer.
func FuzzDetect(f *testing.F) {
	for _, s := range []string{"", "ok", "j'vais tu", "passport", "\xff\xfe", "🙂", "L'été", "ÉTÉ", "d'l'j'", "1234 5678"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, c := Detect(s)
		if l != bot.English && l != bot.French && l != bot.Unknown {
			t.Fatalf("Detect(%q) = %q", s, l)
		}
		if !(c >= 0 && c <= 1) {
			t.Fatalf("Detect(%q) confidence %v", s, c)
		}
		if l2, c2 := Detect(s); l2 != l || c2 != c {
			t.Fatalf("Detect(%q) is not deterministic: %q %v then %q %v", s, l, c, l2, c2)
		}
	})
}
