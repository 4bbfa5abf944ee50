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
	"slices"
	"strconv"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/networks"
	"github.com/longtail/longtail/engine/output"
	"github.com/longtail/longtail/engine/record"
	"github.com/longtail/longtail/engine/review"
	"github.com/longtail/longtail/engine/subject"
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

// answerCells are a DNS name's answer networks in a table: the main one's
// AS number and owner (as networkCells) and every one's, a list.
func answerCells(s networks.Set) []any {
	main := networks.Network{}
	if len(s) > 0 {
		main = s[0].Network
	}
	return append(networkCells(main), s.All())
}

// addAnswerNetworks puts the networks of each DNS event's answers beside
// them (an "answer_networks" list after "answers"), each distinct address
// looked up once; the table is left as it is when no imported table is
// there to ask.
func addAnswerNetworks(ctx context.Context, d *db.DB, t *output.Table, evs []db.EventRow) error {
	at := slices.Index(t.Columns, "answers") + 1
	if at == 0 {
		return nil
	}
	srcs, err := d.NetSources(ctx)
	if err != nil || len(srcs) == 0 {
		return err
	}
	var all []string
	for _, ev := range evs {
		all = append(all, networks.AnswerAddrs(ev.Answers)...)
	}
	slices.Sort(all)
	nets, err := networks.Of(ctx, d, slices.Compact(all))
	if err != nil {
		return err
	}
	t.Columns = slices.Insert(t.Columns, at, "answer_networks")
	for i, ev := range evs {
		t.Rows[i] = slices.Insert(t.Rows[i], at, any(networks.SetOf(networks.AnswerAddrs(ev.Answers), nets).All()))
	}
	return nil
}

// topNetworks is top --by asn|owner|country: the values of a kind's
// addressed subject (DNS: the names, by their answers; http: the clients;
// logon: the sources) counted per network, the busiest first.
func topNetworks(ctx context.Context, e *env, kind string, key review.NetKey, limit int, format string) error {
	k, err := subject.ParseKind(kind)
	if err != nil {
		return fmt.Errorf("top: %w", err)
	}
	sub := map[record.Kind]subject.Code{record.KindDNS: subject.DNSName, record.KindHTTP: subject.HTTPClient,
		record.KindLogon: subject.LogonSource}[k]
	d, err := e.open(true)
	if err != nil {
		return err
	}
	defer d.Close()
	l, err := review.LoadAll(ctx, d, db.Stats{}, subject.Must(sub))
	if err != nil {
		return err
	}
	rows, err := review.ByNetwork(ctx, d, l, key)
	if err != nil {
		return err
	}
	if rows == nil {
		return fmt.Errorf("top --by %s: no network is known: import an AS table first (longtail import-asn)", key)
	}
	values := "addresses"
	if sub == subject.DNSName {
		values = "names"
	}
	t := &output.Table{Columns: []string{key.String(), "as_name", "country", values, "events", "clients", "asns", "top"}}
	if key != review.ByASN {
		t.Columns = slices.Delete(t.Columns, 1, 3)
	}
	for i, r := range rows {
		if limit > 0 && i == limit {
			break
		}
		asns := make([]string, len(r.ASNs))
		for j, a := range r.ASNs {
			asns[j] = strconv.FormatUint(uint64(a), 10)
		}
		cells := []any{r.Key, r.Name, r.Country, r.Values, r.Events, r.Clients, asns, r.Top}
		if key != review.ByASN {
			cells = slices.Delete(cells, 1, 3)
		}
		t.Add(cells...)
	}
	return t.Write(e.stdout, format)
}
