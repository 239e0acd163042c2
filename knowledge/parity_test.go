package knowledge

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/liaison-gc/liaison/bot"
)

// TestFactForms reads each fact in the forms English and Canadian French
// write it, with the spaces French typography uses, to one key per fact.
func TestFactForms(t *testing.T) {
	const nbsp, nnbsp = "\u00a0", "\u202f"
	for _, c := range []struct {
		name string
		kind factKind
		key  string
		en   []string
		fr   []string
	}{
		{"phone", kindPhone, "8005550199",
			[]string{"1-800-555-0199", "1 800 555-0199", "(800) 555-0199", "800-555-0199", "+1 800 555 0199"},
			[]string{"1 800 555-0199", "1" + nbsp + "800" + nbsp + "555\u20110199", "1-800-555-0199"}},
		{"vanity phone", kindPhone, "800OCANADA", []string{"1-800-O-Canada"}, []string{"1 800 O-Canada"}},
		{"amount with cents", kindAmount, "1234.5",
			[]string{"$1,234.50", "$1234.50", "$ 1,234.50"},
			[]string{"1 234,50 $", "1" + nbsp + "234,50" + nbsp + "$", "1" + nnbsp + "234,50" + nnbsp + "$", "1234,50$"}},
		{"whole amount", kindAmount, "120", []string{"$120", "$120.00", "120 dollars"}, []string{"120 $", "120,00 $", "120 dollars"}},
		{"millions", kindAmount, "1500000", []string{"$1.5 million"}, []string{"1,5 million $", "1,5 million de dollars", "1,5 M$"}},
		{"morning time", kindTime, "09:30", []string{"9:30 a.m.", "9:30 AM", "9:30am", "9:30"}, []string{"9 h 30", "9h30", "9" + nbsp + "h" + nbsp + "30", "9:30"}},
		{"afternoon time", kindTime, "17:00", []string{"5 p.m.", "5:00 p.m.", "5 PM", "17:00"}, []string{"17 h", "17h", "17 h 00"}},
		{"noon", kindTime, "12:00", []string{"12 p.m."}, []string{"12 h"}},
		{"midnight", kindTime, "00:00", []string{"12 a.m."}, []string{"0 h"}},
		{"date", kindDate, "03-03", []string{"March 3, 2025", "March 3", "March 3rd", "3 March 2025"}, []string{"3 mars 2025", "3 mars", "3" + nbsp + "mars"}},
		{"first of the month", kindDate, "07-01", []string{"July 1", "July 1st"}, []string{"1er juillet"}},
		{"ISO date", kindDate, "03-03", []string{"2025-03-03"}, []string{"2025-03-03"}},
		{"days", kindDuration, "30 day", []string{"30 days", "30 business days", "30 calendar days"}, []string{"30 jours", "30 jours ouvrables", "30" + nbsp + "jours"}},
		{"weeks in words", kindDuration, "2 week", []string{"two weeks", "2 weeks"}, []string{"deux semaines", "2 semaines"}},
		{"years", kindDuration, "16 year", []string{"16 years"}, []string{"16 ans", "16 années"}},
		{"hours", kindDuration, "2880 minute", []string{"48 hours"}, []string{"48 heures", "48 h"}},
		{"thousands", kindNumber, "10000", []string{"10,000", "10 000"}, []string{"10 000", "10" + nbsp + "000", "10" + nnbsp + "000"}},
		{"decimal", kindNumber, "1.5", []string{"1.5"}, []string{"1,5"}},
		{"e-mail", kindEmail, "info@example.gc.ca", []string{"Info@Example.gc.ca"}, []string{"info@example.gc.ca"}},
		{"link", kindLink, "example.gc.ca", []string{"https://www.example.gc.ca/en/contact."}, []string{"https://example.gc.ca/fr/joindre"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, l := range bot.Langs {
				forms := c.en
				if l == bot.French {
					forms = c.fr
				}
				for _, form := range forms {
					fs := answerFacts(l, "Voir : "+form+".")
					if len(fs) == 0 || fs[0].kind != c.kind || fs[0].key != c.key {
						t.Errorf("%s %q read as %+v, want %s %q", l, form, fs, kindNames[c.kind][0], c.key)
					}
				}
			}
		})
	}
}

// TestFactsNotRead leaves alone what is no fact to compare: names with
// digits, file sizes, numbers in links and e-mail addresses.
func TestFactsNotRead(t *testing.T) {
	for _, c := range []struct {
		lang bot.Lang
		text string
	}{
		{bot.English, "COVID-19 and H1N1"},
		{bot.French, "la COVID\u201119"},
		{bot.English, "the guide (PDF 166 Kb)"},
		{bot.French, "le guide (PDF 241 Ko)"},
	} {
		if fs := answerFacts(c.lang, c.text); len(fs) != 0 {
			t.Errorf("%s %q read as %+v", c.lang, c.text, fs)
		}
	}
	for _, f := range answerFacts(bot.English, "Write to office2025@example.ca or see https://example.ca/2024/forms-5.") {
		if f.kind != kindEmail && f.kind != kindLink {
			t.Errorf("read %+v inside an address", f)
		}
	}
}

func parityEntry(en, fr string, enLinks, frLinks []string) Entry {
	return Entry{ID: "e", Topic: "general", Source: Pos{"kb.toml", 1},
		EN: Text{Question: "Q?", Answer: en, Links: enLinks, Pos: Pos{"kb.toml", 4}},
		FR: Text{Question: "Q?", Answer: fr, Links: frLinks, Pos: Pos{"kb.toml", 8}}}
}

// TestParityAcceptsEqualFacts finds no drift between halves that state the
// same facts in each language's forms.
func TestParityAcceptsEqualFacts(t *testing.T) {
	for _, c := range []struct{ name, en, fr string }{
		{"phone and hours",
			"Call 1-800-555-0100, Monday to Friday, from 8:30 a.m. to 4:30 p.m.",
			"Composez le 1 800 555-0100, du lundi au vendredi, de 8 h 30 à 16 h 30."},
		{"hours without a.m. or p.m.", "Open from 8:30 to 4:30.", "Ouvert de 8 h 30 à 16 h 30."},
		{"nine to five", "Open 9 to 5.", "Ouvert de 9 h à 17 h."},
		{"around the clock", "Open 24/7.", "Ouvert 24 heures sur 24, 7 jours sur 7."},
		{"fees", "An adult passport costs $120 for 5 years or $1,234.50 in total.", "Un passeport pour adulte coûte 120\u00a0$ pour 5 ans ou 1\u202f234,50\u00a0$ en tout."},
		{"deadline", "File by April 30, 2025; self-employed people have until June 15.", "Produisez au plus tard le 30 avril 2025; les travailleurs autonomes ont jusqu'au 15 juin."},
		{"range of days", "Clinics run March 3 to 5.", "Les comptoirs ont lieu du 3 au 5 mars."},
		{"age", "You can start it at age 60.", "Vous pouvez la recevoir dès 60 ans."},
		{"numbers as words", "Bring two identical photos; both parents sign. One in 5 applications is late.", "Apportez 2 photos identiques; les deux parents signent. Une demande sur cinq est en retard."},
		{"ordinal", "Book your second dose.", "Prenez rendez-vous pour votre 2e dose."},
		{"durations in words", "We answer within five business days.", "Nous répondons dans les 5 jours ouvrables."},
		{"noon", "Closed at noon.", "Fermé à 12 h."},
		{"millions in words", "Up to the $1 million ceiling.", "Jusqu'au plafond d'un million de dollars."},
		{"30-day", "You have a 30-day period.", "Vous avez 30 jours."},
		{"e-mail", "Write to info@example.gc.ca.", "Écrivez à INFO@example.gc.ca."},
		{"hours and a half as a time", "The session lasts 1.5 hours.", "La séance dure 1 h 30."},
		{"minutes and hours and a half", "Allow 90 minutes.", "Prévoyez 1 heure et demie."},
		{"and a half in both", "The wait is 2 hours and a half.", "L'attente est de 2 heures et demie."},
		{"hours as minutes", "Parking is free for 2 hours.", "Le stationnement est gratuit pendant 120 minutes."},
		{"a day in hours", "We reply within 48 hours.", "Nous répondons dans les 48 h."},
	} {
		t.Run(c.name, func(t *testing.T) {
			if ws := Parity([]Entry{parityEntry(c.en, c.fr, nil, nil)}); len(ws) != 0 {
				t.Errorf("warnings for equal facts:\n%v", ws)
			}
		})
	}
	// Each half links to its own page on the same site.
	e := parityEntry("See the page.", "Voir la page.", []string{"https://www.example.gc.ca/en/contact/phone"}, []string{"https://example.gc.ca/fr/contact/telephone"})
	if ws := Parity([]Entry{e}); len(ws) != 0 {
		t.Errorf("warnings for links to the same site:\n%v", ws)
	}
}

// TestParityReportsDrift names, for each drift, the fact one half gives
// and the other lacks, at the half that lacks it.
func TestParityReportsDrift(t *testing.T) {
	for _, c := range []struct {
		name, en, fr     string
		enLinks, frLinks []string
		want             string
	}{
		{name: "phone", en: "Call 1-800-555-0199.", fr: "Composez le 1 800 555-0198.",
			want: "kb.toml:1: entry e: the phone numbers differ: the English answer gives 1-800-555-0199, the French answer 1 800 555-0198"},
		{name: "amount", en: "It costs $1,234.50.", fr: "Il coûte 1 234,00 $.",
			want: "the amounts differ: the English answer gives $1,234.50, the French answer 1 234,00 $"},
		{name: "time", en: "We close at 5 p.m.", fr: "Nous fermons à 16 h.",
			want: "the times differ: the English answer gives 5 p.m., the French answer 16 h"},
		{name: "date", en: "File by March 3, 2025.", fr: "Produisez au plus tard le 4 mars 2025.",
			want: "the dates differ: the English answer gives March 3, 2025, the French answer 4 mars 2025"},
		{name: "half an hour more", en: "The session lasts 1.5 hours.", fr: "La séance dure 2 heures.",
			want: "the durations differ: the English answer gives 1.5 hours, the French answer 2 heures"},
		{name: "duration", en: "Apply within 30 days.", fr: "Présentez votre demande dans les 30 mois.",
			want: "the durations differ: the English answer gives 30 days, the French answer 30 mois"},
		{name: "missing in French", en: "We reply within 10 business days.", fr: "Nous répondons rapidement.",
			want: "kb.toml:8: entry e [fr]: the French answer lacks the duration 10 business days that the English answer gives: check which half is right"},
		{name: "missing in English", en: "Bring photos.", fr: "Apportez 3 photos.",
			want: "kb.toml:4: entry e [en]: the English answer lacks the number 3 that the French answer gives"},
		{name: "e-mail", en: "Write to info@example.gc.ca.", fr: "Écrivez à renseignements@example.gc.ca.",
			want: "the e-mail addresses differ: the English answer gives info@example.gc.ca, the French answer renseignements@example.gc.ca"},
		{name: "site", en: "See the page.", fr: "Voir la page.", enLinks: []string{"https://example.gc.ca/en/x"}, frLinks: []string{"https://example.com/fr/x"},
			want: "the halves link to different sites: the English half to example.gc.ca, the French half to example.com"},
		{name: "link in the answer", en: "See https://example.gc.ca/en/x.", fr: "Voir la page.",
			want: "kb.toml:8: entry e [fr]: the French half lacks the link to example.gc.ca that the English half has"},
		{name: "number of links", en: "See the page.", fr: "Voir la page.", enLinks: []string{"https://example.gc.ca/en/x", "https://example.gc.ca/en/y"}, frLinks: []string{"https://example.gc.ca/fr/x"},
			want: "kb.toml:1: entry e: the English half has 2 links, the French half 1 link"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ws := Parity([]Entry{parityEntry(c.en, c.fr, c.enLinks, c.frLinks)})
			if len(ws) != 1 || !strings.Contains(ws[0].Error(), c.want) {
				t.Errorf("warnings:\n%v\nwant one with %q", ws, c.want)
			}
		})
	}
	// An entry in one language only has nothing to compare.
	e := parityEntry("Call 1-800-555-0199.", "", nil, nil)
	e.FR = Text{}
	if ws := Parity([]Entry{e}); len(ws) != 0 {
		t.Errorf("warnings for an unpaired entry: %v", ws)
	}
}

// TestSampleHasNoDrift keeps the bundled sample free of warnings, and
// shows that a drift never stops a knowledge base from being served.
func TestSampleHasNoDrift(t *testing.T) {
	b, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if ws := Parity(b.Entries); len(ws) != 0 {
		t.Errorf("the sample's halves state different facts:\n%v", ws)
	}

	dir := t.TempDir()
	f := filepath.Join(dir, "kb.toml")
	if err := os.WriteFile(f, []byte(`[[entry]]
id = "hours"
topic = "offices"
[entry.en]
question = "When are you open?"
answer = "From 8:30 a.m. to 4:30 p.m."
[entry.fr]
question = "Quelles sont vos heures?"
answer = "De 8 h 30 à 16 h."
`), 0o644); err != nil {
		t.Fatal(err)
	}
	x, err := Open(context.Background(), Options{Path: f})
	if err != nil {
		t.Fatalf("a drift refused the knowledge base: %v", err)
	}
	defer x.Close()
	b, err = Load(f)
	if err != nil {
		t.Fatal(err)
	}
	if ws := Parity(b.Entries); len(ws) != 1 || !strings.Contains(ws[0].Error(), "4:30 p.m.") {
		t.Errorf("warnings = %v", ws)
	}
}
