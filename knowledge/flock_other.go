//go:build !unix

package knowledge

// inUse cannot tell without flock: every persisted index counts as in use,
// so that nothing another process uses is ever deleted.
func inUse(dir string) bool { return true }

// lockDir does nothing without flock (inUse answers true anyway).
func lockDir(dir string) (unlock func()) { return func() {} }
