package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Without root or CAP_NET_RAW, capture says that it needs them (run as
// root, the test drops CAP_NET_RAW from what the program may have).
func TestCaptureWithoutPrivilegeSaysWhatItNeeds(t *testing.T) {
	cmd := self("--db", filepath.Join(t.TempDir(), "ws.db"), "capture", "-i", "lo")
	if os.Geteuid() == 0 {
		setpriv, err := exec.LookPath("setpriv")
		if err != nil {
			t.Skip("runs as root, and needs setpriv (util-linux) to drop CAP_NET_RAW")
		}
		cmd.Args = append([]string{setpriv, "--bounding-set=-net_raw", "--inh-caps=-net_raw", "--"}, cmd.Args...)
		cmd.Path = setpriv
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if code := waitExit(t, cmd, 30*time.Second); code == 0 {
		t.Fatalf("capture without CAP_NET_RAW exited 0: %s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "capture needs root or CAP_NET_RAW") {
		t.Errorf("stderr %q does not say what capture needs", stderr.String())
	}
}
