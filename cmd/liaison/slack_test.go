package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"strings"
	"testing"
)

func TestSlackManifest(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    string // in stdout
		usage   bool   // a usage error (exit 2)
		wantErr error
	}{
		{"default", []string{"slack", "manifest"}, "- command: /liaison\n", false, nil},
		{"custom command", []string{"slack", "manifest", "--command", "/liaison-dev"}, "- command: /liaison-dev\n", false, nil},
		{"bad command", []string{"slack", "manifest", "--command", "liaison"}, "", true, nil},
		{"no subcommand", []string{"slack"}, "", true, nil},
		{"unknown subcommand", []string{"slack", "install"}, "", true, nil},
		{"extra argument", []string{"slack", "manifest", "now"}, "", true, nil},
		{"help", []string{"slack", "manifest", "-h"}, "", false, flag.ErrHelp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errw bytes.Buffer
			err := run(context.Background(), tt.args, &out, &errw)
			switch {
			case tt.usage:
				if err == nil || exitCode(err) != 2 {
					t.Fatalf("err = %v (exit %d), want a usage error", err, exitCode(err))
				}
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
			case err != nil:
				t.Fatalf("err = %v (stderr %s)", err, errw.String())
			}
			if !strings.Contains(out.String(), tt.want) {
				t.Errorf("stdout lacks %q:\n%s", tt.want, out.String())
			}
			if tt.want != "" && !strings.Contains(out.String(), "socket_mode_enabled: true") {
				t.Errorf("stdout is not the manifest:\n%s", out.String())
			}
		})
	}
}
