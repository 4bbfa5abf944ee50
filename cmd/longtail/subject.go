package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/names"
	"github.com/longtail/longtail/engine/subject"
)

// subjectFlags are --kind and --by, which every command that lists or
// looks up a subject takes: --kind http --by ua lists user agents.
type subjectFlags struct {
	kind, by *string
}

// addSubjectFlags declares them; by is the --by default ("fqdn" for DNS
// names, as before kinds existed).
func addSubjectFlags(fs *flag.FlagSet, by string) subjectFlags {
	return subjectFlags{
		kind: fs.String("kind", "dns", "the `kind` of event: dns, http or logon"),
		by:   fs.String("by", by, "the subject `SUBJECT` of the kind (dns: fqdn; http: host, path, ua, client, referer, status; logon: account, source, pair, target, type, auth, result, password, command, url, software), or domain for the groups they roll up to"),
	}
}

// resolve returns the subject and whether its groups (registered domains,
// families...) are asked for: --by domain (or group) rolls the kind's
// default subject up; --by ua:group a chosen one.
func (f subjectFlags) resolve() (sub subject.Subject, groups bool, err error) {
	k, err := subject.ParseKind(*f.kind)
	if err != nil {
		return sub, false, err
	}
	by := strings.ToLower(*f.by)
	if s, g, ok := strings.Cut(by, ":"); ok && (g == "domain" || g == "group") {
		by, groups = s, true
	}
	switch by {
	case "domain", "group":
		return subject.Default(k), true, nil
	case "fqdn":
		by = ""
	}
	sub, err = subject.Parse(k, by)
	return sub, groups, err
}

// lookup finds a value of the subject (or, groups, one of its groups) as
// the user typed it: as it is shown first (a host name normalised like the
// ingest does, any other value exactly: a log's Unicode name, a Unix
// account with an @), then in the form the subject stores typed values (a
// Unicode name's punycode, a Windows account in lower case).
func lookup(ctx context.Context, d *db.DB, sub subject.Subject, groups bool, text string) (db.Subject, error) {
	forms, err := typedForms(sub, groups, text)
	if err != nil {
		return db.Subject{}, err
	}
	for _, f := range forms {
		s, err := lookupForm(ctx, d, sub.Code, groups, f)
		if !errors.Is(err, db.ErrNotFound) {
			return s, err
		}
	}
	if groups {
		return db.Subject{}, fmt.Errorf("%s %q: %w", sub.Group, text, db.ErrNotFound)
	}
	return db.Subject{}, notFound(ctx, d, sub, forms[len(forms)-1])
}

// lookupForm finds the value (or group) stored as text.
func lookupForm(ctx context.Context, d *db.DB, code subject.Code, groups bool, text string) (db.Subject, error) {
	if groups {
		g, err := d.DomainByText(ctx, code, text)
		return db.Subject{Kind: db.SubjectDomain, ID: g.ID}, err
	}
	n, err := d.NameByText(ctx, code, text)
	return db.Subject{Kind: db.SubjectName, ID: n.ID}, err
}

// typedForms are the forms a value typed may be stored in, the likeliest
// first (see lookup).
func typedForms(sub subject.Subject, groups bool, text string) ([]string, error) {
	var forms []string
	add := func(f string) {
		if !slices.Contains(forms, f) {
			forms = append(forms, f)
		}
	}
	if sub.Hostname {
		exact, ok := names.AppendNormalized(nil, []byte(text))
		typed, tok := names.Normalize([]byte(text))
		if !ok && !tok {
			return nil, fmt.Errorf("%q is not a name", text)
		}
		if ok {
			add(string(exact))
		}
		if tok {
			add(typed)
		}
		return forms, nil
	}
	add(text)
	if !groups && sub.Typed != nil {
		add(sub.Stored(text))
		add(strings.ToLower(text)) // a Windows account without its domain
	}
	return forms, nil
}

// notFound says that text is no value of sub, in the subject's words, and
// which other subject of its kind has it: --kind logon looks values up as
// sources by default, and an account typed without --by account was
// "name … not found".
func notFound(ctx context.Context, d *db.DB, sub subject.Subject, text string) error {
	msg := fmt.Sprintf("no %s %q in this workspace", strings.TrimSuffix(sub.Title, "s"), text)
	for _, o := range subject.Of(sub.Kind) {
		if o.Code == sub.Code {
			continue
		}
		if _, err := d.NameByText(ctx, o.Code, text); err == nil {
			return notFoundError(fmt.Sprintf("%s: it is a %s value (--by %s)", msg, o.QualifiedName(), o.Name))
		}
	}
	return notFoundError(msg)
}

// notFoundError is a lookup's db.ErrNotFound in words of its own.
type notFoundError string

func (e notFoundError) Error() string        { return string(e) }
func (e notFoundError) Is(target error) bool { return target == db.ErrNotFound }
