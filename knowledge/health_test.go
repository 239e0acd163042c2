package knowledge

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/liaison-gc/liaison/bot"
)

// Health reports the entries served in each language and the hash; a
// reload that fails leaves the base served and its error, until a reload
// succeeds.
func TestHealthThroughABrokenEditAndItsFix(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	kbDir := filepath.Dir(writeFile(t, dir, "kb/a.toml", goodTOML))
	x := openSample(t, Options{Path: kbDir, AllowUnpaired: false})
	h := x.Health()
	if h.Entries[bot.English] != 1 || h.Entries[bot.French] != 1 || h.Hash != x.Hash() || h.Hash == "" || h.LoadedAt.IsZero() || h.Failed != nil {
		t.Fatalf("at open: %+v", h)
	}
	loaded := h.LoadedAt

	writeFile(t, dir, "kb/b.toml", brokenTOML)
	if err := x.Reload(ctx); err == nil {
		t.Fatal("the broken edit was loaded")
	}
	h = x.Health()
	if h.Failed == nil || !strings.Contains(h.Failed.Err, "b.toml") || h.Failed.At.IsZero() ||
		h.Entries[bot.English] != 1 || !h.LoadedAt.Equal(loaded) {
		t.Errorf("after a broken edit: %+v (failed %+v)", h, h.Failed)
	}

	writeFile(t, dir, "kb/b.toml", "")
	if err := x.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if h = x.Health(); h.Failed != nil || h.LoadedAt.Before(loaded) {
		t.Errorf("after the fix: %+v (failed %+v)", h, h.Failed)
	}
}
