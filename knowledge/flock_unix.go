//go:build unix

package knowledge

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"

	"github.com/liaison-gc/liaison/bot"
)

// inUse reports whether a process (this one included) has the persisted
// index in dir open. Bolt holds an flock on each language's root.bolt while
// the index is open; taking it without waiting, and releasing it at once,
// tells whether someone holds it. When in doubt it answers true, so that
// nothing another process serves is ever deleted.
func inUse(dir string) bool {
	for _, l := range bot.Langs {
		f, err := os.Open(filepath.Join(dir, string(l), "store", "root.bolt"))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return true
		}
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		_ = f.Close() // releases the lock
		if err != nil {
			return true
		}
	}
	return false
}
