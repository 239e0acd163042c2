package slack

import (
	_ "embed"
	"fmt"
	"strings"
)

//go:embed manifest.yaml
var manifest string

// Manifest returns the Slack app manifest (YAML) for the desk, declaring
// command as its slash command (DefaultCommand when empty).
func Manifest(command string) (string, error) {
	if command == "" || command == DefaultCommand {
		return manifest, nil
	}
	if !commandRe.MatchString(command) {
		return "", fmt.Errorf("slack command %q: use a slash, then up to 31 lowercase letters, digits, - or _", command)
	}
	const line = "    - command: " + DefaultCommand + "\n"
	if strings.Count(manifest, line) != 1 {
		return "", fmt.Errorf("slack manifest: the command line %q is not found once", strings.TrimSpace(line))
	}
	return strings.Replace(manifest, line, "    - command: "+command+"\n", 1), nil
}
