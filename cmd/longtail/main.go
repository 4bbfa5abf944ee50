// Command longtail is the long-tail workbench: it ingests DNS logs and
// captures into a workspace, answers headless queries, and opens the review
// screen. This file only parses the command line and hands over.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/textsafe"
	"github.com/longtail/longtail/tui"
)

const usage = `longtail: long-tail analysis of security logs: DNS, web, logons, captures

Usage:
  longtail [--db PATH]                 open the review screen on the workspace
  longtail [--db PATH] FILE...         ingest the files, then open the review screen
  longtail open PATH                   open the review screen on the workspace PATH
  longtail [--db PATH] --follow FILE...
                                       the same, reading the files on as they grow

Logs in:
  longtail ingest [--force] [--batch N] [--no-score] [--year YYYY] FILE|DIR...|-
                                       read logs or captures into the workspace (then score it);
                                       the format and the kind (dns, http, logon) come from the content
  longtail follow [--batch N] [--no-score] FILE...
                                       read log files on as they grow, through rotation, until Ctrl-C
  longtail capture -i IFACE [--filter EXPR] [-w DIR] [--screen]
                                       read DNS and HTTP from a network interface until Ctrl-C
                                       (root or CAP_NET_RAW), optionally keeping the packets;
                                       --screen: with the review screen open
  longtail formats [--check FILE]      the input formats longtail recognises, or how FILE would be read
  longtail gen dns|http|logon [--lines N] [--seed S] [--format csv|zeek|tcpdump] [--days N]
                                       a synthetic log on stdout

Questions (each takes --kind dns|http|logon and --by SUBJECT: a DNS name, an HTTP host, path,
user agent or client, a logon account, source or pair…; longtail CMD --help lists them):
  longtail top [--kind K] [--by S] [--limit N] [--hide good[,suspicious,bad]] [--unreviewed]
                                       names (or hosts, user agents, accounts…) by count, with
                                       the verdict the rules give
  longtail stats                       events, names, domains, clients, span, sources
  longtail events VALUE [--kind K] [--by S] [--limit N]
                                       the events of one name (host, account…), newest first
  longtail logons [--sort failures|successes|last|account] [--limit N]
                                       the logon summary: successes and failures per account ×
                                       source × target × type, first and last seen, why they failed
  longtail sources                     what was ingested, from where and when
  longtail series [VALUE] [--kind K] [--by S] [--bucket 1h]
                                       events per bucket: the timeline and heatmap, headless
  longtail score [--kind K] [--by S] [--limit N] [--rescore]
                                       score the workspace; the most unusual first
  longtail new [--since NAME|TIME|SPAN] [--kind K] [--by S] [--limit N] [--all]
                                       names (user agents, logon pairs…) new since a snapshot or a time

Rules and lists:
  longtail rules [list] [--verdict V]  the verdict rules, with the names and events each decides
  longtail rules add PATTERN... --verdict good|suspicious|bad [--scope name|domain] [--note TEXT]
  longtail rules rm ID|PATTERN... [--scope name|domain] [--kind K] [--by S]
  longtail rules export [--format F] [--verdict V] [-o FILE]   the rules (default csv)
  longtail import-list FILE|- [--verdict V] [--top N] [--note TEXT] [--ranks]
                                       a blocklist, allowlist or popularity list into rules or ranks
  longtail export --format F [--verdict V] [--kind K] [-o FILE]
                                       the rules as plain, hosts, adblock, zeek-intel,
                                       suricata-dataset, suricata-rules, rpz, csv or json
  longtail ranks [list] | ranks lookup NAME... | ranks clear [LIST]
                                       popularity ranks
  longtail import-list UT1-FOLDER|blacklists.tar.gz | import-list FILE --category NAME
                                       category lists (adult, gambling, malware…): context per name
  longtail categories [list] | categories lookup NAME... | categories clear [ORIGIN]
                                       imported categories; the categories of names
  longtail import-asn FILE...          IP-to-ASN tables (iptoasn, pyasn, .mmdb) for the client's network
  longtail asn [list] | asn lookup ADDR... | asn clear [FILE]
                                       imported network tables; the network of addresses
  longtail baseline [--normal-over N] [--suspicious-under N] [--by fqdn|domain] [-o DIR]
                                       normal_traffic and suspicious_traffic files (.txt, .csv)
  longtail baseline snapshot NAME | baseline snapshots
                                       mark what is known now, for new --since

Every command takes --db PATH (default ./longtail.db); the query commands
take --format table|csv|json. --format-file FILE adds a format file that
describes a log of your own (as do ~/.config/longtail/formats/*.toml).
longtail help CMD (or CMD --help) shows one command's usage, options and an
example. --cpuprofile FILE and --memprofile FILE before the command write
a CPU profile of it and its heap at the highest (for go tool pprof).
`

func main() {
	ctx, cancel := context.WithCancelCause(context.Background())
	stopSignals := onSignals(cancel, os.Stderr, os.Exit)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stopSignals()
	var ex exitError
	var sig signalled
	switch {
	case errors.As(context.Cause(ctx), &sig) && err != nil:
		if !errors.As(err, &ex) && !errors.Is(err, context.Canceled) {
			fmt.Fprintln(os.Stderr, "longtail:", textsafe.String(err.Error()))
		}
		fmt.Fprintf(os.Stderr, "longtail: stopped by %s\n", sig.String())
		os.Exit(sig.exitCode())
	case errors.As(err, &ex):
		os.Exit(int(ex))
	case err != nil:
		fmt.Fprintln(os.Stderr, "longtail:", textsafe.String(err.Error()))
		os.Exit(1)
	}
}

// signalled is the cause of a context cancelled by a signal.
type signalled struct{ sig os.Signal }

func (s signalled) Error() string { return "stopped by " + s.String() }

func (s signalled) String() string {
	if s.sig == syscall.SIGTERM {
		return "SIGTERM"
	}
	return "SIGINT (Ctrl-C)"
}

// exitCode is the shell's status for a process a signal ended.
func (s signalled) exitCode() int {
	if n, ok := s.sig.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return 130
}

// onSignals makes the first SIGINT or SIGTERM cancel the command, which
// then stops at its next safe point (an ingest stores what it has read and
// writes the totals; a read waiting on a pipe or FIFO ends at once), and
// the second end the process at once with exit: a workspace survives that
// as it survives a kill. It returns the function that stops listening.
func onSignals(cancel context.CancelCauseFunc, stderr io.Writer, exit func(int)) (stop func()) {
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		first := true
		for {
			select {
			case <-done:
				return
			case s := <-ch:
				sig := signalled{s}
				if first {
					first = false
					cancel(sig)
					fmt.Fprintf(stderr, "\nlongtail: %s: stopping cleanly (again to stop at once)\n", sig.String())
					continue
				}
				fmt.Fprintf(stderr, "\nlongtail: %s again: stopped at once; the workspace keeps all it committed\n", sig.String())
				exit(sig.exitCode())
				return
			}
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}

// exitError ends the program with a status after the command has already
// said why.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

type command struct {
	run func(ctx context.Context, e *env, args []string) error
}

// env is what every command gets.
type env struct {
	dbPath      string
	formatFiles []string // --format-file: custom formats besides the user's folder
	follow      bool     // --follow: the screen's files are followed while it is open
	stdout      io.Writer
	stderr      io.Writer
}

// open opens the workspace: readOnly for a command that only reads it,
// which then neither creates nor writes it, and reads it on storage that
// refuses writes; the others create it where no file is.
func (e *env) open(readOnly bool) (*db.DB, error) {
	opt := db.Options{}
	if readOnly {
		opt.Access = db.ReadOnly
	}
	return e.openWith(opt)
}

// openReview opens the workspace for the review screen: ingesting files
// into it first (create) needs writes; reviewing it takes them where the
// storage allows, and reads it where it does not (marks are then refused
// with the reason).
func (e *env) openReview(create bool) (*db.DB, error) {
	if create {
		return e.openWith(db.Options{})
	}
	d, err := e.openWith(db.Options{Access: db.WriteIfAllowed})
	if err == nil && d.ReadOnly() != nil {
		fmt.Fprintf(e.stderr, "longtail: %s: marks cannot be saved\n", textsafe.String(d.ReadOnly().Error()))
	}
	return d, err
}

// openWith opens the workspace and says on stderr when its totals lag.
func (e *env) openWith(opt db.Options) (*db.DB, error) {
	d, err := db.Open(e.dbPath, opt)
	if err != nil {
		return nil, err
	}
	if why := d.Stale(); why != "" {
		fmt.Fprintf(e.stderr, "longtail: note: %s\n", textsafe.String(why))
	}
	return d, nil
}

var commands = map[string]command{}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	e := &env{dbPath: "longtail.db", stdout: stdout, stderr: stderr}
	var prof profiling
	defer func() { err = prof.finish(err) }()
	// --db may come before the command.
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch {
		case args[0] == "-h" || args[0] == "--help" || args[0] == "-help":
			fmt.Fprint(stdout, usage)
			return nil
		case (args[0] == "--db" || args[0] == "-db") && len(args) > 1:
			e.dbPath, args = args[1], args[2:]
		case strings.HasPrefix(args[0], "--db="):
			e.dbPath, args = strings.TrimPrefix(args[0], "--db="), args[1:]
		case args[0] == "--format-file" && len(args) > 1:
			e.formatFiles, args = append(e.formatFiles, args[1]), args[2:]
		case args[0] == "--follow" || args[0] == "-follow":
			e.follow, args = true, args[1:]
		case args[0] == "--cpuprofile" && len(args) > 1:
			prof.cpu, args = args[1], args[2:]
		case args[0] == "--memprofile" && len(args) > 1:
			prof.mem, args = args[1], args[2:]
		case strings.HasPrefix(args[0], "--format-file="):
			e.formatFiles, args = append(e.formatFiles, strings.TrimPrefix(args[0], "--format-file=")), args[1:]
		default:
			return fmt.Errorf("unknown option %s (longtail --help shows the usage)", args[0])
		}
	}
	if err := prof.start(); err != nil {
		return err
	}
	if len(args) == 0 && e.follow {
		return fmt.Errorf("--follow: name the files to follow (longtail --follow FILE...)")
	}
	if len(args) == 0 {
		return openTUI(ctx, e, nil, tui.Options{})
	}
	if c, ok := commands[args[0]]; ok {
		return helpShown(c.run(ctx, e, args[1:]))
	}
	if args[0] == "help" {
		return cmdHelp(e, args[1:])
	}
	// Anything else is a file to ingest and review (a followed one may
	// not be there yet).
	_, err = os.Stat(args[0])
	if err == nil || args[0] == "-" || e.follow {
		return openTUI(ctx, e, args, tui.Options{})
	}
	var pe *fs.PathError
	if looksLikePath(args[0]) && errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return fmt.Errorf("unknown command %q (longtail help lists the commands)", args[0])
}

// looksLikePath is true for an argument meant as a file, not a command: it
// has a folder or an extension (/var/log/nothere.log, dns.log).
func looksLikePath(arg string) bool {
	return strings.ContainsRune(arg, os.PathSeparator) || filepath.Ext(arg) != ""
}

// flags parses flags that may stand before, between or after the
// positional arguments (`ingest a.log --force b.log`), which the standard
// flag package alone does not allow.
func flags(fs *flag.FlagSet, e *env, args []string) ([]string, error) {
	fs.StringVar(&e.dbPath, "db", e.dbPath, "workspace `path`")
	fs.SetOutput(io.Discard) // errors are returned, said once by main
	fs.Usage = func() {}
	var rest []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			return nil, printHelp(fs, e)
		}
		if err != nil {
			return nil, flagError(fs, err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, nil
		}
		if args[0] == "--" {
			return append(rest, args[1:]...), nil
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}

// optionsOnly parses the flags of a command that takes no argument, and
// refuses one: the flags around it were parsed, but top example.com
// listed everything as if the value had been heard.
func optionsOnly(fs *flag.FlagSet, e *env, args []string) error {
	rest, err := flags(fs, e, args)
	if err != nil || len(rest) == 0 {
		return err
	}
	cmd, _, _ := strings.Cut(fs.Name(), " ")
	return fmt.Errorf("%s: unexpected argument %q: it takes options only (longtail %s --help shows them)", fs.Name(), rest[0], cmd)
}

// openOptionsOnly is optionsOnly, then the workspace opened (readOnly for
// a command that only reads it); the caller closes it.
func openOptionsOnly(fs *flag.FlagSet, e *env, args []string, readOnly bool) (*db.DB, error) {
	if err := optionsOnly(fs, e, args); err != nil {
		return nil, err
	}
	return e.open(readOnly)
}

// openAfterFlags parses a command's flags, then opens the workspace
// (readOnly for commands that only read it); the caller closes it.
func openAfterFlags(fs *flag.FlagSet, e *env, args []string, readOnly bool) ([]string, *db.DB, error) {
	rest, err := flags(fs, e, args)
	if err != nil {
		return nil, nil, err
	}
	d, err := e.open(readOnly)
	return rest, d, err
}
