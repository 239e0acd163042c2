// Package i18n holds everything about language that Liaison does itself:
// the catalogue of the bot's own words in English and French (go-i18n,
// embedded TOML files, one per language) and the detection of the language
// of short citizen text.
//
// Both languages are first-class: the catalogue refuses to load when an id
// exists in one language and not the other, so the bot can never publish
// something in one official language only.
package i18n
