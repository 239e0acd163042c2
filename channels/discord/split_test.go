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

// FuzzSplit checks that parts fit, are never empty, and lose no word.
func FuzzSplit(f *testing.F) {
	f.Add("Hello there. General Kenobi!\n\nYou are a bold one.", 10)
	f.Add("😀 é ü ç «Bonjour.» Fin", 3)
	f.Fuzz(func(t *testing.T, text string, limit int) {
		if !utf8.ValidString(text) || limit < 2 || limit > 5000 {
			return
		}
		parts := split(text, limit)
		for _, p := range parts {
			if textLen(p) > limit {
				t.Fatalf("part %q is %d units over %d", p, textLen(p), limit)
			}
			if p == "" && len(parts) > 1 {
				t.Fatalf("empty part in %q", parts)
			}
		}
		if strings.Join(strings.Fields(strings.Join(parts, "")), "") != strings.Join(strings.Fields(text), "") {
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
