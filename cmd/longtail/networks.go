package main

// Networks and owners of addresses:
//
//	longtail import-asn FILE...
//	longtail asn [list|lookup ADDR...|clear [ORIGIN]]
//
// What the tables hold and how an address is looked up is in
// engine/networks; here are the flags and the printing.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"time"

	"github.com/longtail/longtail/engine/networks"
	"github.com/longtail/longtail/engine/output"
	"github.com/longtail/longtail/engine/textsafe"
)

func init() {
	commands["import-asn"] = command{run: cmdImportASN}
	commands["asn"] = command{run: cmdASN}
}

func cmdImportASN(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("import-asn", flag.ContinueOnError)
	files, err := flags(fs, e, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return errors.New("import-asn: usage: longtail import-asn FILE... (iptoasn TSV, pyasn IPASN dumps and AS names, gzip or not; MaxMind DB ASN files)")
	}
	d, err := e.open(false)
	if err != nil {
		return err
	}
	defer d.Close()
	for _, f := range files {
		s, err := networks.Import(ctx, d, f, time.Now().UTC())
		if err != nil {
			return fmt.Errorf("import-asn %s: %w", textsafe.String(f), err)
		}
		fmt.Fprintf(e.stdout, "%s: %s, %d ranges, %d AS names, %d lines skipped\n",
			textsafe.String(s.Origin), s.Format, s.Ranges, s.Names, s.Skipped)
	}
	return nil
}

func cmdASN(ctx context.Context, e *env, args []string) error {
	sub, rest, format, d, err := lookupCommand(e, "asn", args)
	if err != nil {
		return err
	}
	defer d.Close()
	switch sub {
	case "list":
		srcs, err := d.NetSources(ctx)
		if err != nil {
			return err
		}
		t := &output.Table{Columns: []string{"origin", "format", "dated", "imported", "ranges", "as_names", "skipped"}}
		for _, s := range srcs {
			t.Add(s.Origin, s.Format, s.Dated, s.Imported, s.Ranges, s.Names, s.Skipped)
		}
		return t.Write(e.stdout, *format)
	case "lookup":
		addrs := make([]netip.Addr, len(rest))
		for i, a := range rest {
			if addrs[i], err = netip.ParseAddr(a); err != nil {
				return fmt.Errorf("asn lookup: %q is not an IP address", a)
			}
		}
		found, err := d.NetworksOf(ctx, addrs)
		if err != nil {
			return err
		}
		t := &output.Table{Columns: []string{"address", "asn", "owner", "as_name", "country"}}
		for i, n := range found {
			cells := append([]any{addrs[i].String()}, networkCells(n)...)
			if n.ASN == 0 {
				t.Add(append(cells, nil, nil)...)
				continue
			}
			t.Add(append(cells, n.Name, n.Country)...)
		}
		return t.Write(e.stdout, *format)
	case "clear":
		return clearSub(e, "asn clear", "imported file", "network tables", rest, func(one string) (int64, error) {
			n, err := d.ClearNetworks(ctx, one)
			return int64(n), err
		})
	}
	return nil
}

// networkCells is an address's AS number and owner ("AS15169 GOOGLE
// US") in a table: empty (JSON null) when no imported table knows it.
func networkCells(n networks.Network) []any {
	if n.ASN == 0 {
		return []any{nil, nil}
	}
	return []any{int64(n.ASN), networks.Short(n)}
}
