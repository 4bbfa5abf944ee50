package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// --cpuprofile and --memprofile write the profiles of the command they
// stand before, as go tool pprof reads them (gzipped protocol buffers).
func TestProfileFlagsWriteProfiles(t *testing.T) {
	dir := t.TempDir()
	ws, log := filepath.Join(dir, "ws.db"), filepath.Join(dir, "a.csv")
	cpu, mem := filepath.Join(dir, "cpu.prof"), filepath.Join(dir, "mem.prof")
	writeLog(t, log, "www.pirate.sea*3", "mail.pirate.sea")
	ltOK(t, ws, "--cpuprofile", cpu, "--memprofile", mem, "ingest", log)
	for _, p := range []string{cpu, mem} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
			t.Errorf("%s is not a profile: %d bytes %q…", filepath.Base(p), len(b), b[:min(len(b), 8)])
		}
	}
	if _, _, err := lt(t, ws, "--cpuprofile", filepath.Join(dir, "no", "cpu.prof"), "stats"); err == nil {
		t.Error("a CPU profile that cannot be written is not an error")
	}
}
