package slack

import (
	"fmt"
	"testing"
)

func TestSeenSet(t *testing.T) {
	s := newSeenSet(3)
	if s.begin("a") != seenNew || s.begin("a") != seenBusy {
		t.Fatal("a second delivery during handling is not busy")
	}
	s.abort("a")
	if s.begin("a") != seenNew {
		t.Fatal("an aborted key is not handled afresh")
	}
	s.finish("a")
	if s.begin("a") != seenDone {
		t.Fatal("a finished key is not done")
	}
	s.abort("a") // aborting a finished key changes nothing
	if s.begin("a") != seenDone {
		t.Fatal("abort forgot a finished key")
	}
	for _, k := range []string{"b", "c", "d"} {
		s.begin(k)
		s.finish(k)
	}
	if s.begin("a") != seenNew {
		t.Error("the oldest key was not forgotten")
	}
	if s.begin("d") != seenDone {
		t.Error("a recent key was forgotten")
	}
	if n := s.len(); n > 4 {
		t.Errorf("set holds %d keys, bound is 3 finished + in flight", n)
	}
}

func BenchmarkSeenSet(b *testing.B) {
	s := newSeenSet(4096)
	keys := make([]string, 10000)
	for i := range keys {
		keys[i] = fmt.Sprintf("event:Ev%08d", i)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		k := keys[i%len(keys)]
		if s.begin(k) == seenNew {
			s.finish(k)
		}
	}
}
