package knowledge

import (
	"context"
	"log/slog"
	"testing"
)

func BenchmarkSearchSample(b *testing.B) {
	x, err := Open(context.Background(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	qs := []Query{{Query: "how do i renew my pasport online", Lang: "en"}, {Query: "j'vais tu recevoir mon remboursement d'impot", Lang: "fr"}}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		q := qs[i%len(qs)]
		if _, err := x.Search(context.Background(), q.Query, q.Lang, 5); err != nil {
			b.Fatal(err)
		}
	}
}

func benchIndex(b *testing.B, n int) (*Index, []Query) {
	b.Helper()
	es := Generate(n, 1)
	x, err := Open(context.Background(), Options{Extra: es, Path: "", AllowUnpaired: false})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { x.Close() })
	return x, GenerateQueries(es, 500, 2)
}

func BenchmarkSearchGenerated2000(b *testing.B) {
	x, qs := benchIndex(b, 2000)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		q := qs[i%len(qs)]
		if _, err := x.Search(context.Background(), q.Query, q.Lang, 5); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBuild1000(b *testing.B) {
	es := Generate(1000, 1)
	for b.Loop() {
		s, err := openOrBuild(es, "", slog.New(slog.DiscardHandler))
		if err != nil {
			b.Fatal(err)
		}
		s.close()
	}
}

func BenchmarkReopen1000(b *testing.B) {
	es := Generate(1000, 1)
	dir := b.TempDir()
	s, err := openOrBuild(es, dir, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	s.close()
	b.ResetTimer()
	for b.Loop() {
		s, err := openOrBuild(es, dir, slog.New(slog.DiscardHandler))
		if err != nil {
			b.Fatal(err)
		}
		s.close()
	}
}
