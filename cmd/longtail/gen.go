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
	lines := fs.Int64("lines", 1_000_000, "how many `lines`")
	seed := fs.Int64("seed", 1, "random `seed` (the same seed gives the same log)")
	format := fs.String("format", "csv", "DNS log `format`: csv (OpenDNS 5-field), zeek, tcpdump or pcap (a capture of the queries and responses; HTTP is always Apache vhost_combined, logons NXLog's JSON lines)")
	days := fs.Int("days", 7, "span in `days`")
	rest, err := flags(fs, e, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 || (rest[0] != "dns" && rest[0] != "http" && rest[0] != "logon") {
		return fmt.Errorf("gen: usage: longtail gen dns|http|logon --lines N [--seed S] [--format csv|zeek|tcpdump|pcap]")
	}
	w := bufio.NewWriterSize(e.stdout, 1<<20)
	switch rest[0] {
	case "http":
		_, err = gen.WriteHTTP(w, gen.Options{Lines: *lines, Seed: *seed, Days: *days})
	case "logon":
		_, err = gen.WriteLogon(w, gen.Options{Lines: *lines, Seed: *seed, Days: *days})
	default:
		_, err = gen.Write(w, gen.Options{Lines: *lines, Seed: *seed, Format: *format, Days: *days})
	}
	if err != nil {
		return err
	}
	return w.Flush()
}
