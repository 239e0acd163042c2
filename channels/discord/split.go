package discord

import (
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxMessageLen is Discord's limit on a message's content. It is counted
// here in UTF-16 code units, which is never fewer than Discord's count, so
// a part that fits here fits there.
const MaxMessageLen = 2000

// split cuts text into parts of at most limit UTF-16 units, preferring to
// cut between paragraphs, then after a sentence, then at a line break, then
// between words, and only as a last resort inside a word. A boundary in the
// second half of the window is preferred, so a stray early full stop does
// not make a tiny part. Parts are trimmed of surrounding
// spaces; text that fits is returned whole, as one part.
func split(text string, limit int) []string {
	text = strings.TrimSpace(text)
	var parts []string
	for textLen(text) > limit {
		head := prefixWithin(text, limit) // the longest prefix that fits
		if head == "" {                   // limit below one character: take one anyway
			_, size := utf8.DecodeRuneInString(text)
			head = text[:size]
		}
		// Look one character further: a space right after head makes its
		// end a clean boundary.
		ext := head
		if r, size := utf8.DecodeRuneInString(text[len(head):]); unicode.IsSpace(r) {
			ext = text[:len(head)+size]
		}
		cut := bestCut(ext, len(head)/2)
		if cut <= 0 { // no boundary in the second half: any boundary beats cutting a word
			cut = bestCut(ext, 1)
		}
		if cut <= 0 {
			cut = len(head)
		}
		if p := strings.TrimSpace(text[:cut]); p != "" {
			parts = append(parts, p)
		}
		text = strings.TrimSpace(text[cut:])
	}
	if text != "" || len(parts) == 0 {
		parts = append(parts, text)
	}
	return parts
}

// textLen is the length of s in UTF-16 code units.
func textLen(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// prefixWithin returns the longest prefix of s (on a rune boundary) whose
// UTF-16 length is at most limit.
func prefixWithin(s string, limit int) string {
	n := 0
	for i, r := range s {
		n += utf16.RuneLen(r)
		if n > limit {
			return s[:i]
		}
	}
	return s
}

// bestCut returns the byte offset in head where the next part should end,
// or 0 when no boundary lies at or after min. Every boundary it returns is
// the offset of a white-space character.
func bestCut(head string, min int) int {
	// Paragraph break.
	if i := strings.LastIndex(head, "\n\n"); i >= min && i > 0 {
		return i
	}
	// End of a sentence: . ! ? … (with closing quotes or brackets) followed
	// by white space.
	best := 0
	for i, r := range head {
		if !unicode.IsSpace(r) || i == 0 {
			continue
		}
		j := i
		for j > 0 {
			q, size := utf8.DecodeLastRuneInString(head[:j])
			if strings.ContainsRune(`"')]»”’`, q) {
				j -= size
				continue
			}
			break
		}
		if q, _ := utf8.DecodeLastRuneInString(head[:j]); strings.ContainsRune(".!?…", q) {
			best = i
		}
	}
	if best >= min && best > 0 {
		return best
	}
	// Line break, then a space between words.
	if i := strings.LastIndex(head, "\n"); i >= min && i > 0 {
		return i
	}
	if i := strings.LastIndexFunc(head, unicode.IsSpace); i >= min && i > 0 {
		return i
	}
	return 0
}
