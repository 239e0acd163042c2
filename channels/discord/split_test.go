package discord

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSplit(t *testing.T) {
	t.Parallel()
	sentence := "Vous pouvez renouveler votre passeport en ligne. "
	cases := []struct {
		name  string
		text  string
		limit int
		want  []string
	}{
		{"fits", "  Short answer.  ", 2000, []string{"Short answer."}},
		{"empty", "", 2000, []string{""}},
		{"sentence boundary", "One two three. Four five six. Seven eight nine.", 32, []string{"One two three. Four five six.", "Seven eight nine."}},
		{"paragraph first", "Alpha beta gamma.\n\nDelta. Epsilon zeta.", 30, []string{"Alpha beta gamma.", "Delta. Epsilon zeta."}},
		{"closing quote after the stop", `He said "go there." Then she left.`, 22, []string{`He said "go there."`, "Then she left."}},
		{"question and exclamation", "Why? Because! And so on and on.", 12, []string{"Why?", "Because!", "And so on", "and on."}},
		{"early stop ignored for a fuller part", "Oui. " + strings.Repeat("mot ", 10), 30, []string{"Oui. mot mot mot mot mot mot", "mot mot mot mot"}},
		{"words when no sentence", "aaa bbb ccc ddd eee", 8, []string{"aaa bbb", "ccc ddd", "eee"}},
		{"hard cut", "abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"emoji count double", "😀😀😀", 4, []string{"😀😀", "😀"}},
		{"limit below one character", "😀😀", 1, []string{"😀", "😀"}},
		{"code block moved whole to the next part", "Fill in the form as shown in the example below, please\n```\nname = Marie\ncity = Ottawa\n```", 70,
			[]string{"Fill in the form as shown in the example below, please", "```\nname = Marie\ncity = Ottawa\n```"}},
		{"long code block closed and opened again", "See:\n```\nline one\nline two\nline three\nline four\n```\nDone.", 30,
			[]string{"See:\n```\nline one\nline two\n```", "```\nline three\nline four\n```", "Done."}},
		{"the block's own fence closes the part", "See:\n```\nline one\nline two\n```\nDone.", 25,
			[]string{"See:\n```\nline one\n```", "```\nline two\n```\nDone."}},
		{"no part made of an empty block", "Intro.\n```\nabcdefghijklmnopqrstuvwxyz\n```", 20,
			[]string{"Intro.", "```\nabcdefghijkl\n```", "```\nmnopqrstuvwx\n```", "```\nyz\n```"}},
		{"inline fences count too", "Use ```inline``` or a block: ```\nx = 1\ny = 2\nz = 3\n``` then stop.", 24,
			[]string{"Use ```inline``` or a", "block: ```\nx = 1\n```", "```\ny = 2\nz = 3\n```", "then stop."}},
		{"a word is not cut inside a fence", "abcdefghijklmno```pqr```", 16, []string{"abcdefghijklmno", "```pqr```"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := split(tc.text, tc.limit)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("split(%q, %d) = %q, want %q", tc.text, tc.limit, got, tc.want)
			}
		})
	}
	long := strings.Repeat(sentence, 100)
	parts := split(long, MaxMessageLen)
	if len(parts) != 3 {
		t.Fatalf("%d parts", len(parts))
	}
	for _, p := range parts {
		if textLen(p) > MaxMessageLen || !strings.HasSuffix(p, ".") {
			t.Errorf("part of %d units ending %q", textLen(p), p[len(p)-5:])
		}
	}
}

// FuzzSplit checks that parts fit, are never empty, leave no code block
// open that text closes, and lose nothing: text is found again in them,
// but for the white space between parts and the fences added to close a
// block at the end of one part and open it again at the start of the next.
func FuzzSplit(f *testing.F) {
	f.Add("Hello there. General Kenobi!\n\nYou are a bold one.", 10)
	f.Add("😀 é ü ç «Bonjour.» Fin", 3)
	f.Add("Here is what to enter.\n\n```\n"+strings.Repeat("passport_form_field = value;\n", 9)+"```\n\nThat is all.", 80)
	f.Add("See:\n```go\nline one\nline two\n```\nDone. ```\nmore\n```", 25)
	f.Add("Use ```inline``` or a block: ```\nx = 1\ny = 2\nz = 3\n``` then stop.", 24)
	f.Add("``````` ```` `` ```\n"+strings.Repeat("abcdefghij", 5)+"\n```", 16)
	f.Add("😀😀😀```😀😀😀😀😀😀```😀", 17)
	f.Fuzz(func(t *testing.T, text string, limit int) {
		if !utf8.ValidString(text) || limit < 2 || limit > 5000 {
			return
		}
		parts := split(text, limit)
		fences := 0
		for _, p := range parts {
			if textLen(p) > limit {
				t.Fatalf("part %q is %d units over %d", p, textLen(p), limit)
			}
			if p == "" && len(parts) > 1 {
				t.Fatalf("empty part in %q", parts)
			}
			n := strings.Count(p, fence)
			if n%2 != 0 && limit >= minFenceLimit && strings.Count(text, fence)%2 == 0 {
				t.Fatalf("part %q leaves a code block open: %q → %q", p, text, parts)
			}
			fences += n
		}
		added := 0 // below minFenceLimit, none, but a cut may fall inside a fence
		if limit >= minFenceLimit {
			added = fences - strings.Count(text, fence)
			if added < 0 || added%2 != 0 {
				t.Fatalf("%d fences added: %q → %q", added, text, parts)
			}
		}
		joined := strings.Join(parts, "")
		if d := strings.Count(joined, "`") - strings.Count(text, "`"); d != 3*added {
			t.Fatalf("%d backticks more, for %d fences added: %q → %q", d, added, text, parts)
		}
		bare := func(s string) string { return strings.ReplaceAll(strings.Join(strings.Fields(s), ""), "`", "") }
		if bare(joined) != bare(text) {
			t.Fatalf("split lost text: %q → %q", text, parts)
		}
	})
}

func BenchmarkSplit(b *testing.B) {
	text := strings.Repeat("Vous pouvez renouveler votre passeport en ligne ou par la poste. ", 150) // ~9,800 characters
	b.ReportAllocs()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		split(text, MaxMessageLen)
	}
}
