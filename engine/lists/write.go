package lists

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/longtail/longtail/engine/rules"
)

// ExportMeta describes an export in the header comment of the formats that
// have one.
type ExportMeta struct {
	Generated time.Time // when; also the RPZ serial unless Serial is set
	Source    string    // what was exported, e.g. "workspace x.db, verdict bad"
	Serial    uint32    // RPZ SOA serial; 0: derived from Generated
}

func (m ExportMeta) describe(n int) string {
	d := fmt.Sprintf("rules: %d", n)
	if !m.Generated.IsZero() {
		d = m.Generated.UTC().Format(time.RFC3339) + ", " + d
	}
	if m.Source != "" {
		d += ", " + oneLine(m.Source)
	}
	return d
}

func (m ExportMeta) serial() uint32 {
	switch {
	case m.Serial != 0:
		return m.Serial
	case m.Generated.Unix() > 0:
		return uint32(m.Generated.Unix()) // seconds fit until 2106
	}
	return 1
}

type writer func(w io.Writer, rs []rules.Rule, meta ExportMeta) error

var writers = map[Format]writer{
	Plain:           writePlain,
	Hosts:           writeHosts,
	Adblock:         writeAdblock,
	ZeekIntel:       writeZeekIntel,
	SuricataDataset: writeSuricata,
	RPZ:             writeRPZ,
	CSV:             writeCSV,
	JSON:            writeJSON,
}

// ExportFormats lists the formats Write knows, in the order to offer them.
var ExportFormats = []Format{Plain, Hosts, Adblock, ZeekIntel, SuricataDataset, RPZ, CSV, JSON}

// Write writes rs to w in format (one of ExportFormats). It writes the
// rules it is given: choosing them (by verdict, say) is the caller's job,
// with one exception: hosts leaves out known-good rules, since every hosts
// entry diverts its name.
func Write(w io.Writer, format string, rs []rules.Rule, meta ExportMeta) error {
	wr, ok := writers[Format(format)]
	if !ok {
		names := make([]string, len(ExportFormats))
		for i, f := range ExportFormats {
			names[i] = string(f)
		}
		return fmt.Errorf("unknown export format %q (want %s)", format, strings.Join(names, ", "))
	}
	bw := bufio.NewWriter(w)
	if err := wr(bw, rs, meta); err != nil {
		return err
	}
	return bw.Flush()
}

// eachName calls fn once per distinct pattern (formats without scope or
// verdict would otherwise repeat a name), skipping rules keep rejects.
func eachName(rs []rules.Rule, keep func(*rules.Rule) bool, fn func(name string)) {
	seen := make(map[string]bool, len(rs))
	for i := range rs {
		if keep != nil && !keep(&rs[i]) || seen[rs[i].Pattern] {
			continue
		}
		seen[rs[i].Pattern] = true
		fn(rs[i].Pattern)
	}
}

func writePlain(w io.Writer, rs []rules.Rule, meta ExportMeta) error {
	fmt.Fprintf(w, "# longtail name list, %s\n# One name per line; a domain-scope rule is listed by its bare name.\n", meta.describe(len(rs)))
	eachName(rs, nil, func(name string) { fmt.Fprintln(w, name) })
	return nil
}

func notGood(r *rules.Rule) bool { return r.Verdict != rules.Good }

func writeHosts(w io.Writer, rs []rules.Rule, meta ExportMeta) error {
	good := 0
	for i := range rs {
		if !notGood(&rs[i]) {
			good++
		}
	}
	fmt.Fprintf(w, "# longtail hosts file, %s\n", meta.describe(len(rs)-good))
	fmt.Fprintln(w, "# A hosts entry matches one exact name: a domain-scope rule lists only its")
	fmt.Fprintln(w, "# bare name here, not its subdomains (use the adblock or rpz export for those).")
	if good > 0 {
		fmt.Fprintf(w, "# %d known-good rules left out: every hosts entry blocks its name.\n", good)
	}
	eachName(rs, notGood, func(name string) { fmt.Fprintf(w, "0.0.0.0 %s\n", name) })
	return nil
}

// writeAdblock writes the syntax AdGuard Home and Pi-hole (v6) share:
// "||name^" blocks name and its subdomains, "@@" allows. An exact-name rule
// is "|name^", which AdGuard reads as that name alone (the form it
// generates for hosts entries); Pi-hole understands only "||name^" and
// ignores such lines.
func writeAdblock(w io.Writer, rs []rules.Rule, meta ExportMeta) error {
	fmt.Fprintf(w, "! Title: longtail export\n! %s\n", meta.describe(len(rs)))
	for i := range rs {
		r := &rs[i]
		prefix := "|"
		if r.Scope == rules.Domain {
			prefix = "||"
		}
		if r.Verdict == rules.Good {
			prefix = "@@" + prefix
		}
		fmt.Fprintf(w, "%s%s^\n", prefix, r.Pattern)
	}
	return nil
}

// writeSuricata writes a dataset of type string as Suricata loads it: one
// base64-encoded value per line and nothing else (Suricata has no comment
// syntax there: any other line stops it from loading the set). A rule uses
// it as
//
//	alert dns any any -> any any (msg:"longtail bad name"; dns.query; \
//	    dataset:isset,longtail-bad,type string,load longtail-bad.lst; sid:1000001; rev:1;)
//
// with "isnotset" for an allowlist; load is relative to the rule file.
// Matching is on the exact query name, so a domain-scope rule catches only
// its bare name.
func writeSuricata(w io.Writer, rs []rules.Rule, _ ExportMeta) error {
	eachName(rs, nil, func(name string) {
		fmt.Fprintln(w, base64.StdEncoding.EncodeToString([]byte(name)))
	})
	return nil
}
