package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/networks"
	"github.com/longtail/longtail/engine/output"
	"github.com/longtail/longtail/engine/parse"
	"github.com/longtail/longtail/engine/record"
	"github.com/longtail/longtail/engine/review"
	"github.com/longtail/longtail/engine/rules"
	"github.com/longtail/longtail/engine/subject"
	"github.com/longtail/longtail/internal/words"
)

func init() {
	commands["top"] = command{run: cmdTop}
	commands["stats"] = command{run: cmdStats}
	commands["events"] = command{run: cmdEvents}
	commands["sources"] = command{run: cmdSources}
}

func formatFlag(fs *flag.FlagSet) *string {
	return fs.String("format", "table", "output `format`: table, csv or json")
}

func micros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

// cmdTop is the review screen's list, headless: the names or registered
// domains under the same filters and sorts, from the same engine code
// (review.Run), with the verdict, score, popularity rank and newness of
// each.
func cmdTop(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("top", flag.ContinueOnError)
	sf := addSubjectFlags(fs, "fqdn")
	limit := fs.Int("limit", 50, "how many `rows` (0: all)")
	hide := fs.String("hide", "", "leave out what rules of these `verdicts` decide: good[,suspicious,bad]")
	unreviewed := fs.Bool("unreviewed", false, "only what no rule decides")
	top := fs.Int("hide-top", 0, "leave out the `N` most visited")
	rare := fs.Int64("rare", 0, "only what was seen at most `K` times")
	ranked := fs.Int("hide-ranked", 0, "leave out what an imported popularity list ranks 1..`N`")
	fresh := fs.Bool("new", false, "only what is new since the latest baseline snapshot")
	hideASN := fs.String("hide-asn", "", "leave out what is all in these autonomous systems (a DNS name's answers, an address): `N[,N]`")
	onlyASN := fs.String("asn", "", "only what is in these autonomous systems (a DNS name by any of its answers): `N[,N]`")
	sort := fs.String("sort", "count", "sort by `key`: count, name, clients, first, last or score")
	reverse := fs.Bool("reverse", false, "reverse the sort")
	cf := addCategoryFlags(fs)
	format := formatFlag(fs)
	if err := optionsOnly(fs, e, args); err != nil {
		return err
	}
	if *limit < 0 || *top < 0 || *rare < 0 || *ranked < 0 {
		return errors.New("top: --limit, --hide-top, --rare and --hide-ranked are counts, 0 or more")
	}
	if key, ok := review.ParseNetKey(strings.ToLower(*sf.by)); ok {
		return topNetworks(ctx, e, *sf.kind, key, *limit, *format)
	}
	byCategory := sf.byCategory()
	sub, groups, err := sf.resolve()
	if err != nil {
		return fmt.Errorf("top: %w", err)
	}
	q := review.Query{Subject: sub.Code, Domains: groups, Unreviewed: *unreviewed, Fresh: *fresh, Reverse: *reverse,
		HideTop: *top > 0, TopN: *top, Rare: *rare > 0, RareK: *rare, HideRanked: *ranked > 0, RankN: *ranked}
	if q.HideASN, err = networks.ParseASNs(*hideASN); err != nil {
		return fmt.Errorf("top: --hide-asn: %w", err)
	}
	if q.OnlyASN, err = networks.ParseASNs(*onlyASN); err != nil {
		return fmt.Errorf("top: --asn: %w", err)
	}
	var ok bool
	if q.Sort, ok = review.ParseSortKey(*sort); !ok {
		return fmt.Errorf("top: --sort is count, name, clients, first, last or score, not %q", *sort)
	}
	for w := range strings.SplitSeq(*hide, ",") {
		if w = strings.TrimSpace(w); w == "" {
			continue
		}
		v, err := rules.ParseVerdict(w)
		if err != nil {
			return fmt.Errorf("top: --hide: %w", err)
		}
		q.Hide[v] = true
	}
	d, err := e.open(true)
	if err != nil {
		return err
	}
	defer d.Close()
	if len(q.OnlyASN)+len(q.HideASN) > 0 {
		if srcs, err := d.NetSources(ctx); err != nil || len(srcs) == 0 {
			return errors.Join(err, errors.New("top: --asn, --hide-asn: no AS table is imported (longtail import-asn)"))
		}
	}
	if q.HideRanked {
		if err := sayNoRanks(ctx, e, d); err != nil {
			return err
		}
	}
	if q.Category, err = cf.resolve(ctx, d, sub); err != nil {
		return fmt.Errorf("top: %w", err)
	}
	if byCategory {
		return topByCategory(ctx, e, d, q, *limit, *format)
	}
	a, err := review.Run(ctx, d, q, *limit)
	if err != nil {
		return err
	}
	if len(a.Items) == 0 {
		if err := sayWhereTheDataIs(ctx, e, d, sub); err != nil {
			return err
		}
	}
	if *fresh && a.Since == "" {
		return errors.New("top: --new: no baseline snapshot (longtail baseline snapshot NAME takes one)")
	}
	name, group := nameColumn(sub), groupColumn(sub)
	t := &output.Table{Columns: []string{"count", "clients", "first_seen", "last_seen", name, group, "verdict", "score", "rank", "new"}}
	// Rolled up with --rare, a group is there because most of its names
	// are rare: how many is beside how many it has.
	rareGroups := q.Domains && q.Rare
	if q.Domains {
		t.Columns = []string{"count", "clients", "names", "first_seen", "last_seen", group, "verdict", "score", "rank", "new"}
		if rareGroups {
			t.Columns = slices.Insert(t.Columns, 3, "rare_names")
		}
	}
	// An address's network sits beside it: looked up here, once per row,
	// so that neither the ingest nor the other subjects pay for it.
	nets := map[string]networks.Network{}
	withNet := !q.Domains && networks.Addressed(sub.Code)
	if withNet {
		t.Columns = append(t.Columns, "asn", "owner")
		if nets, err = networks.Of(ctx, d, itemNames(a.Items)); err != nil {
			return err
		}
	}
	// A DNS name's answers have networks: its main one, and all of them.
	withAnswers := sub.Code == subject.DNSName
	if withAnswers {
		t.Columns = append(t.Columns, "asn", "owner", "answer_networks")
	}
	withCat := sub.Hostname && anyCategory(a.Items)
	if withCat {
		t.Columns = append(t.Columns, "category")
	}
	t.Columns = append(t.Columns, "kind")
	for _, it := range a.Items {
		cells := []any{it.Count, it.Clients}
		if q.Domains {
			cells = append(cells, it.Names)
		}
		if rareGroups {
			cells = append(cells, it.RareValues)
		}
		cells = append(cells, micros(it.First), micros(it.Last), it.Name)
		if !q.Domains {
			cells = append(cells, it.Domain)
		}
		cells = append(cells, verdictCell(it.Verdict), scoreCell(it.Score), rankCell(it.Rank), it.Fresh)
		if withNet {
			cells = append(cells, networkCells(nets[it.Name])...)
		}
		if withAnswers {
			cells = append(cells, answerCells(it.Nets)...)
		}
		if withCat {
			cells = append(cells, strings.Join(it.Categories, ","))
		}
		t.Add(append(cells, sub.QualifiedName())...)
	}
	return t.Write(e.stdout, *format)
}

// sayWhereTheDataIs notes on stderr, when the subject holds no value,
// where the workspace's events are: the subjects of its kind that have
// values, or else the kinds that do. An Apache log without virtual hosts
// gave top --kind http an empty table unexplained, and an HTTP-only
// workspace gave top (DNS names) the same.
func sayWhereTheDataIs(ctx context.Context, e *env, d *db.DB, sub subject.Subject) error {
	counts, err := d.SubjectCounts(ctx)
	if err != nil {
		return err
	}
	has := map[subject.Code]bool{}
	for _, c := range counts {
		has[c.Code] = c.Values > 0
	}
	if has[sub.Code] {
		return nil
	}
	var by []string
	for _, o := range subject.Of(sub.Kind) {
		if has[o.Code] {
			by = append(by, o.Name)
		}
	}
	if len(by) > 0 {
		fmt.Fprintf(e.stderr, "longtail: note: no %s in this workspace: its %s events are listed --by %s\n", sub.Title, sub.Kind, strings.Join(by, "|"))
		return nil
	}
	var kinds []string
	for _, k := range subject.Kinds {
		if slices.ContainsFunc(subject.Of(k), func(o subject.Subject) bool { return has[o.Code] }) {
			kinds = append(kinds, k.String())
		}
	}
	if len(kinds) > 0 {
		fmt.Fprintf(e.stderr, "longtail: note: no %s events in this workspace: it holds --kind %s\n", sub.Kind, strings.Join(kinds, "|"))
	}
	return nil
}

// sayNoRanks notes on stderr that --hide-ranked hides nothing when no rank
// list is imported, which it did in silence.
func sayNoRanks(ctx context.Context, e *env, d *db.DB) error {
	ls, err := d.RankLists(ctx)
	if err == nil && len(ls) == 0 {
		fmt.Fprintln(e.stderr, "longtail: note: --hide-ranked hides nothing: no rank list is imported (longtail import-list FILE --ranks)")
	}
	return err
}

// itemNames is the values a list shows.
func itemNames(items []review.Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Name
	}
	return out
}

// nameColumn and groupColumn title the columns of a subject's values and
// groups: a DNS list keeps the columns it always had (name, domain);
// another subject names its own ("user_agent", "family", "account_source"),
// a key jq reads without quoting.
func nameColumn(sub subject.Subject) string {
	if sub.Code == subject.DNSName {
		return "name"
	}
	return fieldKey(sub.Column)
}

// A group named like its values (a logon result rolls up to the result
// without its reason) is result_group: a JSON object cannot hold one key
// twice.
func groupColumn(sub subject.Subject) string {
	if sub.Hostname {
		return "domain"
	}
	if g := fieldKey(sub.Group); g != nameColumn(sub) {
		return g
	}
	return fieldKey(sub.Group + " group")
}

// fieldKey is a column title as a field name: lower case, each run of
// other characters than letters and digits one underscore ("account ←
// source" is account_source, "URL" url).
func fieldKey(title string) string {
	words := strings.FieldsFunc(strings.ToLower(title), func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < '0' || r > '9')
	})
	return strings.Join(words, "_")
}

// scoreCell is a score in a table: empty (JSON null) when not scored.
func scoreCell(s float32) any {
	if s == review.NoScore {
		return nil
	}
	return roundScore(float64(s))
}

// roundScore is a score as top and score print it: to a tenth.
func roundScore(s float64) float64 { return math.Round(s*10) / 10 }

// rankCell is a popularity rank in a table: empty (JSON null) when none.
func rankCell(r int32) any {
	if r == 0 {
		return nil
	}
	return int64(r)
}

func cmdStats(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("stats", flag.ContinueOnError)
	format := formatFlag(fs)
	d, err := openOptionsOnly(fs, e, args, true)
	if err != nil {
		return err
	}
	defer d.Close()
	s, err := d.Stats(ctx)
	if err != nil {
		return err
	}
	subs, err := d.SubjectCounts(ctx)
	if err != nil {
		return err
	}
	return statsRecord(d.Path(), s, subs).Write(e.stdout, *format)
}

// statsRecord is the workspace at a glance: one object with typed fields
// and the sources as objects of their own (a list of {what, value} pairs
// made scripts search by label and parse "N events, M skipped" text).
//
// Events counts each event once (an HTTP request is one, whatever subjects
// it has); names and domains are DNS ones; subjects says, per subject of
// every kind, its distinct values, their groups and its events.
func statsRecord(path string, s db.Stats, subs []db.SubjectCount) *output.Record {
	r := &output.Record{}
	r.Add("workspace", path)
	r.Add("events", s.Events)
	r.Add("names", s.Names)
	r.Add("domains", s.Domains)
	r.Add("clients", s.Clients)
	r.Add("first_seen", micros(s.First))
	r.Add("last_seen", micros(s.Last))
	srcs := &output.Table{Columns: []string{"id", "path", "format", "events", "skipped", "last_read", "state"}}
	for _, src := range s.Sources {
		srcs.Add(int64(src.ID), src.Path, src.Format, src.Events, src.Skipped, src.LastRead, src.State)
	}
	r.Add("sources", srcs)
	kinds := &output.Table{Columns: []string{"kind", "subject", "values", "groups", "events"}}
	for _, c := range subs {
		if sub, ok := subject.ByCode(c.Code); ok {
			kinds.Add(sub.Kind.String(), sub.Name, c.Values, c.Groups, c.Events)
		}
	}
	r.Add("subjects", kinds)
	return r
}

func cmdSources(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("sources", flag.ContinueOnError)
	format := formatFlag(fs)
	d, err := openOptionsOnly(fs, e, args, true)
	if err != nil {
		return err
	}
	defer d.Close()
	srcs, err := d.Sources(ctx)
	if err != nil {
		return err
	}
	t := &output.Table{Columns: []string{"id", "path", "format", "events", "skipped", "lines", "bytes", "first_read", "last_read", "state"}}
	for _, s := range srcs {
		t.Add(int64(s.ID), s.Path, s.Format, s.Events, s.Skipped, s.Lines, s.Offset, s.FirstRead, s.LastRead, s.State)
	}
	return t.Write(e.stdout, *format)
}

func cmdEvents(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("events", flag.ContinueOnError)
	limit := fs.Int("limit", 1000, "newest `N` events (0: all)")
	where := fs.String("where", "", "only the events that match `FILTER`, as the drill-down's f reads it: "+whereHelp())
	sf := addSubjectFlags(fs, "fqdn")
	format := formatFlag(fs)
	rest, err := flags(fs, e, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return fmt.Errorf("events: name one query name (or, with --kind/--by, one value of that subject, or with --by domain one group)")
	}
	sub, groups, err := sf.resolve()
	if err != nil {
		return fmt.Errorf("events: %w", err)
	}
	filter, err := review.ParseEventFilter(*where, sub.Kind)
	if err != nil {
		return fmt.Errorf("events --where: %w", err)
	}
	d, err := e.open(true)
	if err != nil {
		return err
	}
	defer d.Close()
	s, err := lookup(ctx, d, sub, groups, rest[0])
	if errors.Is(err, db.ErrNotFound) && sub.Code == subject.LogonPair {
		err = fmt.Errorf("%w (a pair is typed \"account ← source\", or account <- source)", err)
	}
	if err != nil {
		return fmt.Errorf("events: %w", err)
	}
	evs, total, err := readEvents(ctx, d, s.ID, groups, filter, *limit)
	if err != nil {
		return err
	}
	t := eventsTable(sub, evs)
	if sub.Kind == record.KindDNS {
		if err := addAnswerNetworks(ctx, d, t, evs); err != nil {
			return err
		}
	}
	if groups {
		// A group's events are of several values: the last column names
		// each one's (last, as a long name would push the others away),
		// "name" for a DNS name, "value" for any other subject, whose own
		// column names ("source", "host") the table may hold already.
		col := "value"
		if sub.Code == subject.DNSName {
			col = "name"
		}
		t.Columns = append(t.Columns, col)
		for i := range t.Rows {
			t.Rows[i] = append(t.Rows[i], evs[i].Name)
		}
	}
	if err := t.Write(e.stdout, *format); err != nil {
		return err
	}
	if *format == "table" && len(evs) == 0 && filter.Active() {
		fmt.Fprintf(e.stderr, "no event matches --where %q\n", *where)
	}
	if *format == "table" && int64(len(evs)) < total {
		matching := ""
		if filter.Active() {
			matching = "matching "
		}
		fmt.Fprintf(e.stderr, "%s of %s %sevents shown (newest first; --limit 0 for all)\n", words.Int(len(evs)), words.Int(total), matching)
	}
	return nil
}

// readEvents is the newest limit events (0: all) of the value or group id
// that pass f, and how many pass it in all.
func readEvents(ctx context.Context, d *db.DB, id uint32, groups bool, f db.EventFilter, limit int) ([]db.EventRow, int64, error) {
	if !f.Active() {
		if groups {
			return d.DomainEvents(ctx, id, limit)
		}
		return d.Events(ctx, id, limit)
	}
	s := db.Subject{Kind: db.SubjectName, ID: id}
	if groups {
		s.Kind = db.SubjectDomain
	}
	page, err := d.PageOlder(ctx, s, nil, f, limit)
	if err != nil {
		return nil, 0, err
	}
	total, err := d.CountNewer(ctx, s, nil, f)
	return page.Rows, total, err
}

// whereHelp lists the keys --where reads for each kind of event.
func whereHelp() string {
	var kinds []string
	for _, k := range subject.Kinds {
		kinds = append(kinds, k.String()+": "+strings.TrimPrefix(review.EventFilterHelp(k), "only "))
	}
	return strings.Join(kinds, "; ")
}

// eventsTable lays events out with their kind's columns: a DNS query's
// type, response code, answers and TTL; an HTTP request's method, host,
// target, status, size, user agent and referer; a logon's fields.
func eventsTable(sub subject.Subject, evs []db.EventRow) *output.Table {
	if sub.Kind == record.KindHTTP {
		t := &output.Table{Columns: []string{"time", "client", "method", "host", "target", "status", "bytes", "user_agent", "referer", "source", "line", "offset"}}
		for _, ev := range evs {
			var status, size any
			if ev.Status > 0 {
				status = int64(ev.Status)
			}
			if ev.Bytes >= 0 {
				size = ev.Bytes
			}
			r := ev.Request
			t.Add(micros(ev.Time), ev.Client, r.Method, r.Host, r.Target(), status, size, r.UserAgent, r.Referer, ev.Source, ev.Line, ev.Offset)
		}
		return t
	}
	if sub.Kind == record.KindLogon {
		return logonTable(evs)
	}
	t := &output.Table{Columns: []string{"time", "client", "qtype", "rcode", "answers", "ttl", "source", "line", "offset"}}
	for _, ev := range evs {
		var ttl any
		if ev.TTL >= 0 {
			ttl = int64(ev.TTL)
		}
		t.Add(micros(ev.Time), ev.Client, parse.QTypeName(ev.QType), rcodeText(ev.RCode), answerList(ev.Answers), ttl, ev.Source, ev.Line, ev.Offset)
	}
	return t
}

// logonTable lays logons out with every field a logon source gives; the
// reason is as logged (a code or words), its words beside it.
func logonTable(evs []db.EventRow) *output.Table {
	t := &output.Table{Columns: []string{"time", "client", "event_id", "account", "domain", "target", "logon_type", "auth", "result",
		"reason", "reason_words", "password", "command", "url", "sha256", "software", "hassh", "sid", "source", "line", "offset"}}
	for _, ev := range evs {
		l := ev.Logon
		var id any
		if l.EventID > 0 {
			id = int64(l.EventID)
		}
		t.Add(micros(ev.Time), ev.Client, id, l.Account, l.AccountDomain, l.Target, l.LogonType, l.Auth, l.Result,
			l.Reason, subject.StatusWords(l.Reason), l.Password, l.Command, l.URL, l.Hash, l.SW, l.HASSH, l.SID, ev.Source, ev.Line, ev.Offset)
	}
	return t
}

// answerList is the stored answers (joined by ',') as a list: an array in
// JSON, empty when none; the table and CSV forms join it again. The TTL
// stays one number: the smallest among the answers, all a log gives.
func answerList(joined string) []string {
	if joined == "" {
		return []string{}
	}
	return strings.Split(joined, ",")
}

func rcodeText(rc int16) string {
	if rc == record.NoRCode {
		return ""
	}
	return parse.RCodeName(rc)
}
