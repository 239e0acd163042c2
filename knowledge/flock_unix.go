//go:build unix

package knowledge

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
)

// inUse reports whether a process (this one included) has the persisted
// index in dir open, or is building it: Bolt holds an flock on each
// language's root.bolt while the index is open, and a build holds one on
// its directory (lockDir). Taking each without waiting, and releasing it at
// once, tells whether someone holds it. When in doubt it answers true, so
// that nothing another process uses is ever deleted.
func inUse(dir string) bool {
	for _, p := range []string{dir, filepath.Join(dir, "en", "store", "root.bolt"), filepath.Join(dir, "fr", "store", "root.bolt")} {
		f, err := os.Open(p)
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

// lockDir marks the directory dir as in use by a build until unlock is
// called: it holds a shared flock on it, which a rename keeps.
func lockDir(dir string) (unlock func()) {
	f, err := os.Open(dir)
	if err != nil {
		return func() {}
	}
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_SH)
	return func() { _ = f.Close() }
}
