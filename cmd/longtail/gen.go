package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/longtail/longtail/engine/gen"
)

func init() {
	commands["gen"] = command{run: cmdGen}
}

// genFormats are the formats each kind of log is written in, its default
// first: a format the kind does not have is refused, not replaced by the
// default.
var genFormats = map[string][]string{
	"dns":   {"csv", "zeek", "tcpdump", "pcap"},
	"http":  {"vhost_combined"},
	"logon": {"json"},
}

func cmdGen(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	lines := fs.Int64("lines", 1_000_000, "how many `lines` (events: tcpdump writes two lines and pcap two packets an event); at least the planted anomalies, which a short log holds all the same")
	seed := fs.Int64("seed", 1, "random `seed` (the same seed gives the same log)")
	format := fs.String("format", "", "log `format`: DNS csv (OpenDNS 5-field, the default), zeek, tcpdump or pcap (a capture of the queries and responses); HTTP only vhost_combined (Apache), logons only json (NXLog's JSON lines)")
	days := fs.Int("days", 7, "span in `days`")
	rest, err := flags(fs, e, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 || genFormats[rest[0]] == nil {
		return fmt.Errorf("gen: usage: longtail gen dns|http|logon --lines N [--seed S] [--format csv|zeek|tcpdump|pcap]")
	}
	kind, have := rest[0], genFormats[rest[0]]
	if *format == "" {
		*format = have[0]
	} else if !slices.Contains(have, *format) {
		return fmt.Errorf("gen %s: no format %q; it writes %s", kind, *format, strings.Join(have, ", "))
	}
	w := bufio.NewWriterSize(e.stdout, 1<<20)
	events, err := writeGen(w, kind, gen.Options{Lines: *lines, Seed: *seed, Format: *format, Days: *days})
	if err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if events > *lines {
		fmt.Fprintf(e.stderr, "gen %s: wrote %d events, not %d: the planted anomalies need at least %d\n", kind, events, *lines, events)
	}
	return nil
}

// writeGen writes a log of the kind and says how many events it holds.
func writeGen(w io.Writer, kind string, o gen.Options) (int64, error) {
	switch kind {
	case "http":
		tr, err := gen.WriteHTTP(w, o)
		return tr.Events, err
	case "logon":
		tr, err := gen.WriteLogon(w, o)
		return tr.Events, err
	}
	tr, err := gen.Write(w, o)
	return tr.Events, err
}
