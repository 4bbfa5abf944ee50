package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// helps is each command's usage with an example, for `longtail help CMD`
// and `CMD --help`; the options follow it, from the command's flags.
var helps = map[string]string{
	"open": `longtail open [--sort score|count] PATH
  Open the review screen on the workspace PATH. Opened for the first time,
  it shows the registered domains, worst score first (o: by count); with
  --sort count, the names by count. After that, where it was left.
Example:
  longtail open ~/cases/acme.db`,
	"ingest": `longtail ingest [--force] [--batch N] [--no-score] [--year YYYY] FILE|DIR...|-
  Read logs or captures into the workspace, then score it: DNS, web and
  logon logs, packet captures, your own CSV/JSON logs (formats lists them),
  each format and kind found from the content. A directory is read whole:
  the files under it in name order, hidden ones left out, those that are
  no log passed over. A file read
  before is recognised and only what it gained is read; standard input (-)
  is never recognised: piping the same data again stores it again.
Example:
  longtail --db acme.db ingest dns.log.gz capture.pcap`,
	"follow": `longtail follow [--batch N] [--no-score] FILE...
  Read log files on as they grow, until Ctrl-C or SIGTERM: what is written
  is in the workspace within seconds, a rotated log (renamed or
  copied and truncated) is read to its end and the new one from its start,
  and queries keep waiting for their answers across reads; the scores are
  kept up in the background. Stopped, all it read is committed and the
  workspace is scored (a kill loses at most the last second; the next
  follow or ingest carries on). longtail --follow FILE... does the same
  while the review screen is open.
Example:
  longtail --db live.db follow /var/log/named/query.log`,
	"capture": `longtail capture -i IFACE [--filter EXPR] [-w DIR [--rotate MiB]] [--no-score] [--screen]
  Read DNS queries and HTTP requests from a network interface until Ctrl-C
  or SIGTERM, committed every second as the source capture:IFACE, the
  scores kept up in the background. With --screen, the review screen is
  open meanwhile and moves with what comes; quitting it stops the
  capture. The filter is longtail's own,
  not BPF: port N, host ADDR, net CIDR, udp, tcp, ip, ip6, each after an
  optional not, joined with and / or. With -w, the packets kept are also
  written to pcapng files in DIR (readable by you only), a new one every
  --rotate MiB. Needs root or CAP_NET_RAW (setcap cap_net_raw+ep
  longtail); Linux only.
Example:
  sudo longtail --db live.db capture -i eth0 --filter "port 53 or port 80" -w /var/tmp/pcaps
  sudo longtail --db live.db capture -i eth0 --screen`,
	"formats": `longtail formats [--check FILE [--limit N]] [--format-file F]
  The input formats longtail recognises, with the format files of your own
  logs (~/.config/longtail/formats/*.toml and --format-file) and where each
  comes from. With --check, how FILE would be read: the format that takes
  it and why, its first records and the lines skipped among them, and why
  each format file did not take it.
Example:
  longtail formats --check resolver.csv --format-file resolver.toml`,
	"gen": `longtail gen dns|http|logon [--lines N] [--seed S] [--format F] [--days N]
  A synthetic log on stdout: DNS with planted tunnels and beacons, HTTP
  with a scanner and a webshell, or a Windows Security log (JSON lines)
  with a password spray, a brute force and an admin on a new workstation.
  --format: DNS csv (the default), zeek, tcpdump or pcap; HTTP writes
  vhost_combined, logons json. --lines is a floor: the planted anomalies
  are always written.
Example:
  longtail gen dns --lines 100000 > demo.csv
  longtail gen logon --lines 300000 > security.json`,
	"top": `longtail top [--kind dns|http|logon] [--by SUBJECT] [--limit N] [--hide good[,suspicious,bad]] [--unreviewed] [--sort KEY]
  The review screen's list, headless: the values of a subject (DNS names,
  HTTP hosts, user agents, logon accounts, pairs…) or the groups they roll
  up to (--by domain), with their verdict, score, popularity rank and
  newness, and a host name's categories (--hide-category, --only-category;
  --by category tallies names and events by category).
Example:
  longtail top --by domain --hide good --sort score --format json
  longtail top --kind http --by ua --sort count --limit 20
  longtail top --by category --hide good`,
	"stats": `longtail stats
  The workspace at a glance: events, names, domains, clients, span, sources.
Example:
  longtail stats --format json | jq .events`,
	"events": `longtail events VALUE [--kind dns|http|logon] [--by SUBJECT] [--limit N]
  The events of one value of a subject, newest first: a DNS name's
  queries, a user agent's requests, an account's logons. With --by domain
  (or --by SUBJECT:group), those of every value of a group merged newest
  first, the last column (name, or value) naming each one's.
Example:
  longtail events www.example.com --limit 20
  longtail events "admin ← 10.0.0.5" --kind logon --by pair
  longtail events example.com --by domain --format csv`,
	"logons": `longtail logons [--sort failures|successes|last|account] [--limit N]
  The logon summary: successes and failures side by side per account ×
  source × target × logon type, with first and last seen and the
  commonest reason of the failures in words; the most failures first.
Example:
  longtail logons --limit 20
  longtail logons --sort last --format csv`,
	"sources": `longtail sources
  What was ingested, from where and when.
Example:
  longtail sources --format csv`,
	"series": `longtail series [VALUE] [--kind dns|http|logon] [--by SUBJECT] [--bucket 1h]
  Events per bucket: the timeline and heatmap, headless.
Example:
  longtail series example.com --by domain --bucket 15m`,
	"score": `longtail score [--kind dns|http|logon] [--by SUBJECT] [--limit N] [--rescore]
  The most unusual first, with the reasons. The stored scores are shown;
  they are computed again only when a file was read or a rule added since
  (or with --rescore). --limit 0 lists them all. A subject the scorer
  leaves out (HTTP statuses, logon results…) lists nothing and says which
  subjects of its kind have scores.
Example:
  longtail score --by fqdn --limit 20`,
	"new": `longtail new [--since NAME|TIME|SPAN] [--kind dns|http|logon] [--by SUBJECT] [--limit N] [--all]
  Values new since a baseline snapshot, a time, or in the last span of the
  data (1d: the day up to the subject's last event): names, user agents,
  logon pairs (an account from a source it never used)…; with --by domain
  (or SUBJECT:group) the groups every value of which is new.
Example:
  longtail new --since 2024-03-04
  longtail new --since 1d --kind logon --by pair`,
	"rules": `longtail rules [list] [--verdict V]
longtail rules add PATTERN... --verdict good|suspicious|bad [--scope name|domain] [--note TEXT]
longtail rules rm ID|PATTERN... [--scope name|domain] [--kind K] [--by S]
longtail rules export [--format F] [--verdict V] [-o FILE]
  The verdict rules, with the names and events each decides. A pattern
  decides exactly that name (example.com: the bare name only, not the
  domain's row), or with --scope domain (or *.) the domain and every name
  below it (not a whole public suffix: com, co.uk). A rule on an HTTP host
  decides it on every port. A name typed in Unicode is taken in its
  punycode and decides the name in either spelling; a logon account,
  source or pair as it is stored (Administrator@CORP is
  administrator@corp; a pair is "account ← source", or account <-
  source). rules rm with --kind/--by removes that subject's rule only; a
  pattern of several subjects' rules is refused without them.
Example:
  longtail rules add example.com --scope domain --verdict good --note "our CDN"`,
	"import-list": `longtail import-list FILE|- [--verdict V] [--top N] [--note TEXT] [--ranks]
longtail import-list UT1-FOLDER|blacklists.tar.gz|NAME.domains [--verdict V --category A,B]
longtail import-list FILE --category NAME [--verdict V]
  A blocklist, allowlist or popularity list into rules or ranks; category
  lists (UT1's, or any list with --category) into categories, context
  beside each name; with --verdict, the named categories become rules too.
  A plain list most of whose lines are not names (notes) is refused whole;
  an entry for a whole public suffix (||com^) is left out and counted.
Example:
  longtail import-list top-1m.csv --ranks --top 10000
  longtail import-list blacklists/ --verdict bad --category malware,phishing`,
	"categories": `longtail categories [list] | categories lookup NAME... | categories clear [ORIGIN]
  Category lists imported with import-list: a name takes the categories of
  itself and its parent domains.
Example:
  longtail categories lookup www.example.com`,
	"export": `longtail export --format F [--verdict V] [--kind K [--by S]] [-o FILE]
  The rules as plain, hosts, adblock, zeek-intel, suricata-dataset,
  suricata-rules, rpz, csv or json. The formats of resolvers and sensors
  carry the rules of host names (DNS names, HTTP hosts and referers); csv
  and json every rule with its kind.
Example:
  longtail export --format rpz --verdict bad -o bad.rpz
  longtail export --format csv --kind http --by ua`,
	"ranks": `longtail ranks [list] | ranks lookup NAME... | ranks clear [LIST]
  Popularity ranks imported with import-list --ranks.
Example:
  longtail ranks lookup google.com`,
	"import-asn": `longtail import-asn FILE...
  Open IP-to-ASN tables into the workspace, gzip or not, told apart by
  content: iptoasn.com's ip2asn TSV, pyasn's IPASN dumps (IPv4 or v4v6)
  and AS names, and MaxMind DB ASN files (GeoLite2-ASN, DB-IP ASN lite).
  A file imported again replaces its earlier import; where
  tables overlap, a later file answers first.
Example:
  longtail import-asn ip2asn-v4.tsv.gz ipasn_20240101.dat.gz asnames.json
  longtail import-asn GeoLite2-ASN.mmdb`,
	"asn": `longtail asn [list] | asn lookup ADDR... | asn clear [FILE]
  The imported network tables, the network (AS, owner, country) of
  addresses, or removing a table.
Example:
  longtail asn lookup 8.8.8.8 2001:4860:4860::8888`,
	"baseline": `longtail baseline [--normal-over N] [--suspicious-under N] [--by fqdn|domain] [-o DIR]
longtail baseline snapshot NAME | baseline snapshots
  normal_traffic and suspicious_traffic files (.txt, .csv), or a snapshot
  of what is known now, for new --since.
Example:
  longtail baseline snapshot monday`,
	"help": `longtail help [CMD]
  The usage of longtail, or of one command.
Example:
  longtail help ingest`,
}

// cmdHelp prints the usage, or one command's usage, on stdout.
func cmdHelp(e *env, args []string) error {
	if len(args) == 0 {
		_, err := io.WriteString(e.stdout, usage)
		return err
	}
	h, ok := helps[args[0]]
	if !ok {
		return fmt.Errorf("help: no command %q (longtail help lists them)", args[0])
	}
	_, err := fmt.Fprintln(e.stdout, h)
	return err
}

// flagError is what a command says when its flags are wrong: the flag
// package's one line and where the usage is, instead of the usage itself.
func flagError(fs *flag.FlagSet, err error) error {
	cmd, _, _ := strings.Cut(fs.Name(), " ")
	return fmt.Errorf("%s: %w (longtail %s --help shows the options)", fs.Name(), err, cmd)
}

// printHelp prints the usage of the command fs belongs to and its options
// on stdout, for CMD --help.
func printHelp(fs *flag.FlagSet, e *env) error {
	cmd, _, _ := strings.Cut(fs.Name(), " ")
	fmt.Fprintln(e.stdout, helps[cmd])
	fmt.Fprintln(e.stdout, "Options:")
	fs.SetOutput(e.stdout)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	return flag.ErrHelp
}

// helpShown is nil for the flag.ErrHelp a command returns once its help
// is printed: asking for help succeeds.
func helpShown(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}
