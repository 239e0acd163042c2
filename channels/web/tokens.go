package web

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// CheckStaffTokens reports every personal desk token that cannot be used,
// by the environment variable that holds it (byVar: variable → token):
// one shorter than MinTokenLength or easy to guess (see guessable), one
// that another variable also holds, or one that is the shared token
// (shared; "" when none). The errors name the variables and what to do,
// never a value. serve's configuration check and New both call it.
func CheckStaffTokens(byVar map[string]string, shared string) error {
	var errs []error
	held := map[string]string{} // token → the first variable that holds it
	for _, k := range slices.Sorted(maps.Keys(byVar)) {
		v := byVar[k]
		if err := weakToken(k, v); err != nil {
			errs = append(errs, err)
		}
		if other, dup := held[v]; dup {
			errs = append(errs, fmt.Errorf("%s and %s hold the same token: give each person their own", other, k))
		} else {
			held[v] = k
		}
		if shared != "" && subtle.ConstantTimeCompare([]byte(v), []byte(shared)) == 1 {
			errs = append(errs, fmt.Errorf("%s holds the same token as LIAISON_WEB_TOKEN, which everyone given the shared token knows: give that person a token of their own", k))
		}
	}
	return errors.Join(errs...)
}

// CheckSharedToken reports whether the shared desk token tok (the value of
// LIAISON_WEB_TOKEN; "" when none) cannot be used: shorter than
// MinTokenLength or easy to guess (see guessable). It acts as anyone on the
// roster, comms leads included, so it may be no easier to guess than a
// personal one. The error names the variable, never the value. serve's
// configuration check and New both call it.
func CheckSharedToken(tok string) error {
	if tok == "" {
		return nil
	}
	return weakToken("LIAISON_WEB_TOKEN", tok)
}

// weakToken reports whether tok, held by the environment variable name,
// is shorter than MinTokenLength or easy to guess (see guessable), naming
// the variable, never the value.
func weakToken(name, tok string) error {
	switch {
	case len(tok) < MinTokenLength:
		return fmt.Errorf("%s is too short: use at least %d random characters, such as the output of `openssl rand -hex 24`", name, MinTokenLength)
	case guessable(tok):
		return fmt.Errorf("%s is too easy to guess: it has too few different characters, or runs such as aaaa, abcd, 1234 or qwerty: use random characters, such as the output of `openssl rand -hex 24`", name)
	}
	return nil
}

// Easy tokens: one with fewer than minDistinct different characters, or
// fewer than minFresh that neither repeat the character before nor
// continue, by a step of one or two, the run of the two before (in the
// alphabet, the digits or a row of the keyboard, upper or lower case).
// Random tokens of 16 characters or more almost never fall short:
// `openssl rand -hex 16` and `-base64 24` never do (16 different
// characters and 30 fresh ones, as a rule).
const (
	minDistinct = 7
	minFresh    = 10
)

// runOrders are the orders in which a run of characters is easy to type:
// each is read around (z, then a).
var runOrders = []string{"abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiop", "asdfghjkl", "zxcvbnm"}

// guessable reports whether tok is easy to guess: too few different
// characters, or mostly repeats and runs (see minDistinct).
func guessable(tok string) bool {
	b := []byte(strings.ToLower(tok))
	distinct := map[byte]bool{}
	fresh := 0
	for i, c := range b {
		distinct[c] = true
		if i > 0 && c == b[i-1] || i > 1 && continuesRun(b[i-2], b[i-1], c) {
			continue
		}
		fresh++
	}
	return len(distinct) < minDistinct || fresh < minFresh
}

// continuesRun reports whether c follows a and b by the same step of one
// or two, forwards or backwards, in one of runOrders.
func continuesRun(a, b, c byte) bool {
	for _, o := range runOrders {
		i, j, k := strings.IndexByte(o, a), strings.IndexByte(o, b), strings.IndexByte(o, c)
		if i < 0 || j < 0 || k < 0 {
			continue
		}
		if d := step(i, j, len(o)); d != 0 && d >= -2 && d <= 2 && step(j, k, len(o)) == d {
			return true
		}
	}
	return false
}

// step is the shortest way from position i to j around an order of n.
func step(i, j, n int) int {
	d := (j - i + n) % n
	if d > n/2 {
		d -= n
	}
	return d
}
