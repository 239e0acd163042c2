package web

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
)

// A personal token that is long enough but easy to guess is refused,
// naming the variable and how to make one, never the value; random tokens
// of the usual kinds are not.
func TestCheckStaffTokensRefusesGuessableTokens(t *testing.T) {
	for _, tc := range []struct{ name, tok string }{
		{"one character", "aaaaaaaaaaaaaaaa"},
		{"digits in order", "1234567890123456"},
		{"digits backwards", "9876543210987654"},
		{"alphabet", "abcdefghijklmnop"},
		{"alphabet by twos, upper case", "ACEGIKMOQSUWYACE"},
		{"keyboard row", "qwertyuiopasdfgh"},
		{"repeated word", "passpasspasspass"},
		{"pairs", "aabbccddeeffgghh"},
		{"word and run", "password12345678"},
		{"few characters", "abcabcabcabcabca"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckStaffTokens(map[string]string{"LIAISON_WEB_TOKEN_ALEX": tc.tok}, "")
			if err == nil {
				t.Fatalf("%q accepted", tc.tok)
			}
			if !strings.Contains(err.Error(), "LIAISON_WEB_TOKEN_ALEX is too easy to guess") || !strings.Contains(err.Error(), "openssl rand -hex 24") {
				t.Errorf("error: %v, want the variable named and how to make a token", err)
			}
			if strings.Contains(err.Error(), tc.tok) {
				t.Errorf("the error shows the token: %v", err)
			}
		})
	}
	for _, tok := range []string{
		"c957cc24e2961ec71530d5be210a01be", // openssl rand -hex 16
		"89165860feec5f6011e459de936ba7c9",
		"3f90a25e9e430f238ccf180238eeadc0",
		"6wnCHlrS3wKXygeU9AVVFzlOjeodQnVL", // openssl rand -base64 24
		"3ZwhN6TGZz8lA/oWGebI5BhNorqCTxFL",
		"Fhr/wxkJjiZk88xN21iYRiaIijYK3PJx",
		"8dc217c7023dd935af16503380661a82c851fbd4bec36226", // openssl rand -hex 24
		"ce49d2904fe9c0dc",                                 // openssl rand -hex 8
		alexToken, samToken, nadiaToken,
	} {
		if err := CheckStaffTokens(map[string]string{"LIAISON_WEB_TOKEN_ALEX": tok}, ""); err != nil {
			t.Errorf("%q refused: %v", tok, err)
		}
	}
	// What openssl rand -hex 16 and -base64 24 make, a thousand times.
	for range 1000 {
		b := make([]byte, 24)
		_, _ = rand.Read(b)
		for _, tok := range []string{hex.EncodeToString(b[:16]), base64.StdEncoding.EncodeToString(b)} {
			if err := CheckStaffTokens(map[string]string{"LIAISON_WEB_TOKEN_ALEX": tok}, ""); err != nil {
				t.Fatalf("a random token refused: %v", err)
			}
		}
	}
}
