package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"

	"github.com/longtail/longtail/engine/gen"
)

func init() {
	commands["gen"] = command{run: cmdGen}
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
	k, ok := gen.Kind{}, len(rest) == 1
	if ok {
		k, ok = gen.KindNamed(rest[0])
	}
	if !ok {
		return fmt.Errorf("gen: usage: longtail gen %s --lines N [--seed S] [--format csv|zeek|tcpdump|pcap]", gen.KindNames("|"))
	}
	w := bufio.NewWriterSize(e.stdout, 1<<20)
	events, err := k.Write(w, gen.Options{Lines: *lines, Seed: *seed, Format: *format, Days: *days})
	if err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if events > *lines {
		fmt.Fprintf(e.stderr, "gen %s: wrote %d events, not %d: the planted anomalies need at least %d\n", k.Name, events, *lines, events)
	}
	return nil
}
