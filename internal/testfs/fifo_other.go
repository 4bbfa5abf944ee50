//go:build !unix

package testfs

import "testing"

// Mkfifo skips the test: there are no named pipes here.
func Mkfifo(t testing.TB, path string) {
	t.Skip("no named pipes on this system")
}
