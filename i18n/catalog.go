package i18n

import (
	"embed"
	"errors"
	"fmt"
	"maps"
	"slices"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/pelletier/go-toml/v2"
	"golang.org/x/text/language"

	"github.com/liaison-gc/liaison/bot"
)

//go:embed messages/active.en.toml messages/active.fr.toml
var messageFiles embed.FS

// Catalog renders the bot's own words. It is safe for concurrent use and
// implements bot.Messages.
type Catalog struct {
	local map[bot.Lang]*goi18n.Localizer
	ids   map[bot.Lang][]string
}

var _ bot.Messages = (*Catalog)(nil)

// NewCatalog loads the embedded English and French messages. It fails when
// a file does not parse or when an id exists in one language only, naming
// the ids.
func NewCatalog() (*Catalog, error) {
	b := goi18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	c := &Catalog{local: map[bot.Lang]*goi18n.Localizer{}, ids: map[bot.Lang][]string{}}
	for _, l := range bot.Langs {
		path := "messages/active." + string(l) + ".toml"
		mf, err := b.LoadMessageFileFS(messageFiles, path)
		if err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", path, err)
		}
		for _, m := range mf.Messages {
			c.ids[l] = append(c.ids[l], m.ID)
		}
		slices.Sort(c.ids[l])
		c.local[l] = goi18n.NewLocalizer(b, string(l))
	}
	if err := c.parity(); err != nil {
		return nil, err
	}
	return c, nil
}

// parity reports ids present in one language only.
func (c *Catalog) parity() error {
	var errs []error
	for _, l := range bot.Langs {
		have := map[string]bool{}
		for _, id := range c.ids[l.Other()] {
			have[id] = true
		}
		for _, id := range c.ids[l] {
			if !have[id] {
				errs = append(errs, fmt.Errorf("i18n: message %q is in messages/active.%s.toml but missing from messages/active.%s.toml: add it", id, l, l.Other()))
			}
		}
	}
	return errors.Join(errs...)
}

// IDs lists the message ids defined in lang, sorted.
func (c *Catalog) IDs(lang bot.Lang) []string { return slices.Clone(c.ids[lang]) }

// Text renders message id in lang (English when lang is not French). A
// "Count" entry in data selects the plural form. A missing id renders as
// the id itself; tests make sure none is missing.
func (c *Catalog) Text(lang bot.Lang, id string, data map[string]any) string {
	l, ok := c.local[lang]
	if !ok {
		l = c.local[bot.English]
	}
	cfg := &goi18n.LocalizeConfig{MessageID: id, TemplateData: maps.Clone(data)}
	if n, ok := data["Count"]; ok {
		cfg.PluralCount = n
	}
	s, err := l.Localize(cfg)
	if err != nil {
		return id
	}
	return s
}
