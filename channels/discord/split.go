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
//
// Code blocks stay whole where they can: a part that would end inside a
// ``` block ends before the block instead, when that leaves the part at
// least half full; otherwise the part closes the block ("\n```") and the
// next part opens it again ("```\n"), both counted within limit. So every
// part has as many fences as Discord needs to show it right (an even
// number when text has), given a limit of at least minFenceLimit.
func split(text string, limit int) []string {
	text = strings.TrimSpace(text)
	fences := limit >= minFenceLimit
	var parts []string
	for textLen(text) > limit {
		cut := cutWithin(text, limit, fences)
		if fences && oddFences(text[:cut]) {
			cut = cutOutsideBlock(text, limit, cut)
		}
		part, rest := strings.TrimSpace(text[:cut]), strings.TrimSpace(text[cut:])
		if fences && oddFences(part) {
			if strings.HasPrefix(rest, fence) {
				// The block's own closing fence comes next: it ends the
				// part, rather than an empty block opening the next.
				part, rest = part+closeFence, strings.TrimSpace(rest[len(fence):])
			} else {
				part, rest = part+closeFence, openFence+rest
			}
		}
		if part != "" {
			parts = append(parts, part)
		}
		text = rest
	}
	if text != "" || len(parts) == 0 {
		parts = append(parts, text)
	}
	return parts
}

// Code fences, and the ones split adds to close a block at the end of a
// part and open it again at the start of the next.
const (
	fence      = "```"
	closeFence = "\n" + fence
	openFence  = fence + "\n"
)

// minFenceLimit is the smallest limit at which split keeps code blocks
// whole: a part must hold both added fences and some of the block.
const minFenceLimit = 16

// oddFences reports whether s leaves a code block open. Fences are counted
// as strings.Count does, left to right without overlap.
func oddFences(s string) bool { return strings.Count(s, fence)%2 == 1 }

// lastFence returns the byte offset of the last fence in s, counted as
// oddFences counts them; -1 when there is none.
func lastFence(s string) int {
	last := -1
	for i := 0; ; {
		j := strings.Index(s[i:], fence)
		if j < 0 {
			return last
		}
		last = i + j
		i = last + len(fence)
	}
}

// cutWithin returns the byte offset in text where a part of at most limit
// units should end: at the best boundary, else inside a word (but, when
// fences counts, never inside a fence, which would change how the fences
// of both parts are counted).
func cutWithin(text string, limit int, fences bool) int {
	head := prefixWithin(text, limit) // the longest prefix that fits
	if head == "" {                   // limit below one character: take one anyway
		_, size := utf8.DecodeRuneInString(text)
		return size
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
	if cut > 0 {
		return cut // white space: never inside a fence
	}
	if fences {
		return outsideFence(text, len(head))
	}
	return len(head)
}

// outsideFence moves cut back to the start of the fence it lies inside, if
// any and if that is not the start of text.
func outsideFence(text string, cut int) int {
	if f := lastFence(text[:min(len(text), cut+len(fence)-1)]); f > 0 && cut < f+len(fence) {
		return f
	}
	return cut
}

// cutOutsideBlock moves cut, which would end a part inside a code block,
// so that the part ends before the block when that leaves it at least half
// full, or else ends where closing the block still fits in limit.
func cutOutsideBlock(text string, limit, cut int) int {
	if open := lastFence(text[:cut]); open >= len(prefixWithin(text, limit))/2 {
		return open
	}
	cut = cutWithin(text, limit-len(closeFence), true)
	if !oddFences(text[:cut]) {
		return cut
	}
	// The part would hold the block's opening fence and nothing of the
	// block: end it before the block, or, when the block starts the part,
	// take as much of the block as fits.
	open := lastFence(text[:cut])
	if strings.TrimSpace(text[open+len(fence):cut]) != "" {
		return cut
	}
	if strings.TrimSpace(text[:open]) != "" {
		return open
	}
	return outsideFence(text, len(prefixWithin(text, limit-len(closeFence))))
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
