package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// gen refuses a format the kind does not have, naming those it has, where
// it wrote the kind's one format instead.
func TestGenRefusesAnotherKindsFormat(t *testing.T) {
	for _, c := range []struct{ kind, format, has string }{
		{"http", "pcap", "vhost_combined"}, {"http", "zeek", "vhost_combined"}, {"logon", "csv", "json"},
		{"dns", "json", "csv, zeek, tcpdump, pcap"},
	} {
		var out bytes.Buffer
		err := run(context.Background(), []string{"gen", c.kind, "--lines", "10", "--format", c.format}, &out, &out)
		if err == nil || !strings.Contains(err.Error(), c.has) || strings.Count(out.String(), "\n") > 1 {
			t.Errorf("gen %s --format %s: %v, %d lines written", c.kind, c.format, err, strings.Count(out.String(), "\n"))
		}
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"gen", "logon", "--lines", "500", "--format", "json"}, &out, &out); err != nil || strings.Count(out.String(), "\n") != 500 {
		t.Errorf("gen logon --format json: %v", err)
	}
}

// A log shorter than its planted anomalies holds them all, and stderr says
// so, rather than writing more lines than asked without a word.
func TestGenSaysWhenLinesAreAFloor(t *testing.T) {
	for _, kind := range []string{"dns", "http", "logon"} {
		var out, errOut bytes.Buffer
		if err := run(context.Background(), []string{"gen", kind, "--lines", "1"}, &out, &errOut); err != nil {
			t.Fatal(err)
		}
		n := strings.Count(out.String(), "\n")
		if want := "not 1: the planted anomalies need at least"; n <= 1 || !strings.Contains(errOut.String(), want) {
			t.Errorf("gen %s --lines 1: %d lines, stderr %q", kind, n, errOut.String())
		}
	}
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"gen", "http", "--lines", "3000"}, &out, &errOut); err != nil || errOut.Len() > 0 {
		t.Errorf("gen http --lines 3000: %v, stderr %q", err, errOut.String())
	}
}
