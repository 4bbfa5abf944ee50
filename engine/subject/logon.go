package subject

import (
	"bytes"
	"strings"
	"unicode"

	"github.com/longtail/longtail/engine/names"
	"github.com/longtail/longtail/engine/record"
)

// The subjects of a logon. The source is the primary one: every logon has
// it (or "-" when the source does not say), so the kind's traffic and its
// clients are counted by it; the account is what an analyst lists first.
// The pair "account ← source" is a subject of its own because a pair
// never seen before is the long tail of logons: an account that is normal
// from its usual workstation is not from a new one.
var (
	logonAccount = Subject{
		Code: LogonAccount, Scored: true, Kind: record.KindLogon, Name: "account", Title: "logon accounts", Plural: "accounts", Column: "account",
		Group: "domain", Groups: "domains",
		Append: appendAccount,
		RollUp: rollUpAccount,
		Typed:  typedAccount,
	}
	logonSource = Subject{
		Code: LogonSource, Scored: true, Kind: record.KindLogon, Name: "source", Title: "logon sources", Plural: "sources", Column: "source",
		Group: "network", Groups: "networks", Primary: true,
		Append: func(dst []byte, r *record.Record) ([]byte, bool) { return appendOr(dst, r.Client), true },
		RollUp: rollUpAddr,
		Typed:  typedLower,
	}
	logonPair = Subject{
		Code: LogonPair, Scored: true, Kind: record.KindLogon, Name: "pair", Title: "logon pairs (account ← source)", Plural: "pairs", Column: "account ← source",
		Group: "account", Groups: "accounts",
		Append: appendPair,
		RollUp: rollUpPair,
		Typed:  typedPair,
	}
	logonTarget = Subject{
		Code: LogonTarget, Kind: record.KindLogon, Name: "target", Title: "logon targets", Plural: "targets", Column: "target host",
		Group: "domain", Groups: "domains",
		Append: func(dst []byte, r *record.Record) ([]byte, bool) {
			return appendLower(dst, r.Target), len(r.Target) > 0
		},
		RollUp: rollUpTarget,
		Typed:  typedLower,
	}
	logonType = Subject{
		Code: LogonType, Kind: record.KindLogon, Name: "type", Title: "logon types", Plural: "logon types", Column: "logon type",
		Group: "class", Groups: "classes",
		Append: appendLogonType,
		RollUp: rollUpLogonType,
		Typed:  typedLower,
	}
	logonAuth = Subject{
		Code: LogonAuth, Kind: record.KindLogon, Name: "auth", Title: "authentication packages", Plural: "packages", Column: "authentication",
		Group: "package", Groups: "packages",
		Append: func(dst []byte, r *record.Record) ([]byte, bool) {
			return appendLower(dst, r.AuthPackage), len(r.AuthPackage) > 0
		},
		RollUp: func(v string) string { return v },
		Typed:  typedLower,
	}
	logonResult = Subject{
		Code: LogonResult, Kind: record.KindLogon, Name: "result", Title: "logon results", Plural: "results", Column: "result",
		Group: "result", Groups: "results",
		Append: appendResult,
		RollUp: func(v string) string { r, _, _ := strings.Cut(v, resultSep); return r },
	}
	logonPassword = Subject{
		Code: LogonPassword, Scored: true, Kind: record.KindLogon, Name: "password", Title: "passwords tried", Plural: "passwords", Column: "password",
		Group: "shape", Groups: "shapes",
		Append: func(dst []byte, r *record.Record) ([]byte, bool) {
			return append(dst, r.Password...), len(r.Password) > 0
		},
		RollUp: passwordShape,
	}
	logonCommand = Subject{
		Code: LogonCommand, Scored: true, Kind: record.KindLogon, Name: "command", Title: "commands entered", Plural: "commands", Column: "command",
		Group: "program", Groups: "programs",
		Append: func(dst []byte, r *record.Record) ([]byte, bool) {
			c := bytes.TrimSpace(r.Command)
			return append(dst, c...), len(c) > 0
		},
		RollUp: commandProgram,
	}
	logonURL = Subject{
		Code: LogonURL, Kind: record.KindLogon, Name: "url", Title: "downloads and tunnels", Plural: "URLs", Column: "URL",
		Group: "registered domain", Groups: "domains",
		Append: func(dst []byte, r *record.Record) ([]byte, bool) { return append(dst, r.URL...), len(r.URL) > 0 },
		RollUp: func(u string) string { return rollUpHost(string(urlHost([]byte(u)))) },
	}
	logonSoftware = Subject{
		Code: LogonSoftware, Kind: record.KindLogon, Name: "software", Title: "client versions", Plural: "client versions", Column: "client software",
		Group: "product", Groups: "products",
		Append: func(dst []byte, r *record.Record) ([]byte, bool) {
			return append(dst, r.Software...), len(r.Software) > 0
		},
		RollUp: softwareProduct,
	}
	// An SSH client's fingerprint (HASSH): the same tool behind many
	// sources and versions, or one version string faked by another tool.
	logonHASSH = Subject{
		Code: LogonHASSH, Kind: record.KindLogon, Name: "hassh", Title: "SSH client fingerprints (HASSH)", Plural: "fingerprints",
		Column: "HASSH", Group: "fingerprint", Groups: "fingerprints",
		Append: func(dst []byte, r *record.Record) ([]byte, bool) {
			return append(dst, r.HASSH...), len(r.HASSH) > 0
		},
		RollUp: func(v string) string { return v },
	}
)

// Local is the group of an account without a domain.
const Local = "(local)"

// pairSep joins an account and its source in a pair's value.
const pairSep = " ← "

// resultSep joins a result and its status in words.
const resultSep = " · "

// appendAccount appends "user@domain" or the user alone when the event
// names no domain. A Windows account (an event with an id) is in lower
// case, as Windows compares them; a Unix one as logged. The domain is its
// NetBIOS name, the first label of a DNS one: Windows writes the same
// domain both ways ("CORP" in a 4624, "corp.example.com" in a 4768), and
// an account under two spellings would be two accounts, each pair of it
// "new".
func appendAccount(dst []byte, r *record.Record) ([]byte, bool) {
	if len(r.Account) == 0 || string(r.Account) == None {
		return dst, false
	}
	windows := r.EventID != 0
	user, domain := r.Account, r.AccountDomain
	if string(domain) == None {
		domain = nil
	}
	// Kerberos names the account "user@REALM" (4769), in its own domain
	// field too or not.
	if at := bytes.LastIndexByte(user, '@'); windows && at > 0 {
		if len(domain) == 0 {
			domain = user[at+1:]
		}
		user = user[:at]
	}
	if len(domain) == 0 {
		if windows {
			return appendLower(dst, user), true
		}
		return append(dst, user...), true
	}
	dst = appendLower(dst, user)
	dst = append(dst, '@')
	if dot := bytes.IndexByte(domain, '.'); dot > 0 {
		domain = domain[:dot]
	}
	return appendLower(dst, domain), true
}

// typedAccount is an account as appendAccount stores it: one typed with a
// domain (Administrator@CORP, user@corp.example.com) is a Windows one, in
// lower case under the domain's first label; one without, as typed, as a
// Unix account is logged (root and Root are two).
func typedAccount(text string) string {
	r := record.Record{Account: []byte(strings.TrimSpace(text))}
	if strings.Contains(text, "@") {
		r.EventID = 4624 // any Windows event: the account compares as Windows does
	}
	a, _ := appendAccount(nil, &r)
	return string(a)
}

// typedLower is a value stored in lower case (a source, a target host).
func typedLower(text string) string { return string(appendLower(nil, []byte(strings.TrimSpace(text)))) }

// typedPair is "account ← source" as stored, also typed with <- for the
// arrow a keyboard lacks.
func typedPair(text string) string {
	acc, src, ok := strings.Cut(text, "←")
	if !ok {
		acc, src, ok = strings.Cut(text, "<-")
	}
	if !ok {
		return text
	}
	return typedAccount(acc) + pairSep + typedLower(src)
}

// rollUpAccount is an account's domain, or Local.
func rollUpAccount(a string) string {
	if i := strings.LastIndexByte(a, '@'); i >= 0 && i < len(a)-1 {
		return a[i+1:]
	}
	return Local
}

// appendPair appends "account ← source" for a logon that has both.
func appendPair(dst []byte, r *record.Record) ([]byte, bool) {
	if len(r.Client) == 0 {
		return dst, false
	}
	dst, ok := appendAccount(dst, r)
	if !ok {
		return dst, false
	}
	dst = append(dst, pairSep...)
	return append(dst, r.Client...), true
}

// rollUpPair is a pair's account: the source never holds the separator,
// an account (hostile input) may.
func rollUpPair(p string) string {
	if i := strings.LastIndex(p, pairSep); i >= 0 {
		return p[:i]
	}
	return p
}

// PairSource is a pair's source ("" for a value without one): the source
// never holds the separator, an account may.
func PairSource(p string) string {
	if i := strings.LastIndex(p, pairSep); i >= 0 {
		return p[i+len(pairSep):]
	}
	return ""
}

// rollUpTarget is a host's registered domain, or Local for a bare name.
func rollUpTarget(h string) string {
	if !strings.Contains(h, ".") {
		return Local
	}
	return names.RegisteredDomain(h)
}

// logonTypes names the Windows logon types (the LogonType field of 4624,
// 4625 ...) and the class each belongs to.
var logonTypes = map[string][2]string{
	"0":  {"system", "system"},
	"2":  {"interactive", "interactive"},
	"3":  {"network", "network"},
	"4":  {"batch", "service"},
	"5":  {"service", "service"},
	"7":  {"unlock", "interactive"},
	"8":  {"network cleartext", "network"},
	"9":  {"new credentials", "new credentials"},
	"10": {"remote interactive", "remote"},
	"11": {"cached interactive", "interactive"},
	"12": {"cached remote interactive", "remote"},
	"13": {"cached unlock", "interactive"},
}

// LogonTypeIs says whether a logon's stored type (a Windows number, "ssh")
// is want: the number, its name or its class ("10", "remote-interactive",
// "remote"), in any case, spaces, hyphens and underscores alike.
func LogonTypeIs(stored, want string) bool {
	w := typeWord(want)
	if w == "" {
		return false
	}
	if typeWord(stored) == w || typeWord(rollUpLogonType(strings.ToLower(stored))) == w {
		return true
	}
	t, ok := logonTypes[stored]
	return ok && typeWord(t[0]) == w
}

// typeWord is a logon type's word to compare: lower case, without spaces,
// hyphens or underscores.
func typeWord(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '_' {
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}

// appendLogonType appends a Windows type with its name ("3 network") or
// the protocol as logged ("ssh").
func appendLogonType(dst []byte, r *record.Record) ([]byte, bool) {
	if len(r.LogonType) == 0 {
		return dst, false
	}
	if t, ok := logonTypes[string(r.LogonType)]; ok {
		dst = append(dst, r.LogonType...)
		dst = append(dst, ' ')
		return append(dst, t[0]...), true
	}
	return appendLower(dst, r.LogonType), true
}

// rollUpLogonType is the class of a Windows type; ssh and telnet are
// remote logons.
func rollUpLogonType(v string) string {
	n, _, _ := strings.Cut(v, " ")
	if t, ok := logonTypes[n]; ok {
		return t[1]
	}
	if v == "ssh" || v == "telnet" {
		return "remote"
	}
	return v
}

// appendResult appends the result with its status in words ("failure ·
// wrong password"); an event that is no logon (a honeypot's command) has
// none.
func appendResult(dst []byte, r *record.Record) ([]byte, bool) {
	if len(r.Result) == 0 {
		return dst, false
	}
	dst = append(dst, r.Result...)
	if len(r.Reason) > 0 {
		dst = append(dst, resultSep...)
		dst = appendStatusWords(dst, r.Reason)
	}
	return dst, true
}

// statusWords are the NTSTATUS codes of failed logons (4625's Status and
// SubStatus, 4771's and 4776's codes) and Kerberos' errors in words.
var statusWords = map[string]string{
	"0xc000006a": "wrong password",
	"0xc0000064": "no such user",
	"0xc0000234": "locked out",
	"0xc0000072": "account disabled",
	"0xc000006f": "outside logon hours",
	"0xc0000070": "workstation not allowed",
	"0xc0000071": "password expired",
	"0xc0000193": "account expired",
	"0xc0000224": "password must change",
	"0xc000015b": "logon type not granted",
	"0xc000006d": "bad user name or password",
	"0xc000006e": "account restriction",
	"0xc0000133": "clock skew",
	"0xc0000413": "authentication firewall",
	"0xc0000371": "local account store",
	// Kerberos (4768, 4771): result codes, and the names Zeek's
	// kerberos.log gives them in error_msg, in the same words.
	"0x6":                         "no such user",
	"KDC_ERR_C_PRINCIPAL_UNKNOWN": "no such user",
	"0x7":                         "no such service",
	"KDC_ERR_S_PRINCIPAL_UNKNOWN": "no such service",
	"0xe":                         "encryption type not supported",
	"KDC_ERR_ETYPE_NOSUPP":        "encryption type not supported",
	"0x12":                        "account disabled, expired or locked out",
	"KDC_ERR_CLIENT_REVOKED":      "account disabled, expired or locked out",
	"0x17":                        "password expired",
	"KDC_ERR_KEY_EXPIRED":         "password expired",
	"0x18":                        "wrong password",
	"KDC_ERR_PREAUTH_FAILED":      "wrong password",
	"0x25":                        "clock skew",
	"KRB_AP_ERR_SKEW":             "clock skew",
	"0x44":                        "wrong realm",
	"KDC_ERR_WRONG_REALM":         "wrong realm",
}

// StatusWords is a status code in words ("0xC000006A" → "wrong
// password"); a code it does not know, or words, are returned as they are.
func StatusWords(status string) string {
	return string(appendStatusWords(nil, []byte(status)))
}

// appendStatusWords appends StatusWords without allocating.
func appendStatusWords(dst, status []byte) []byte {
	if len(status) > 2 && len(status) <= 10 && status[0] == '0' && (status[1] == 'x' || status[1] == 'X') {
		var low [10]byte
		if w, ok := statusWords[string(appendLower(low[:0], status))]; ok {
			return append(dst, w...)
		}
	} else if bytes.HasPrefix(status, []byte("KDC_ERR_")) || bytes.HasPrefix(status, []byte("KRB_")) {
		if w, ok := statusWords[string(status)]; ok {
			return append(dst, w...)
		}
	}
	return append(dst, status...)
}

// passwordShape groups a password by what it is made of, the way a
// dictionary attack's lists differ: digits only, letters only, both, or
// with symbols.
func passwordShape(p string) string {
	var digit, letter, other bool
	for _, c := range p {
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			letter = true
		default:
			other = true
		}
	}
	switch {
	case other:
		return "with symbols"
	case digit && letter:
		return "letters and digits"
	case digit:
		return "digits only"
	}
	return "letters only"
}

// commandProgram is the program a command line runs first ("cd /tmp;
// wget x" → "cd"), without its directory.
func commandProgram(c string) string {
	f := strings.FieldsFunc(c, func(r rune) bool { return r == ' ' || r == '\t' || r == ';' || r == '|' || r == '&' })
	if len(f) == 0 {
		return None
	}
	p := f[0]
	if i := strings.LastIndexByte(p, '/'); i >= 0 && i < len(p)-1 {
		p = p[i+1:]
	}
	return p
}

// softwareProduct is an SSH client's product: "SSH-2.0-libssh2_1.7.0" →
// "libssh2", "SSH-2.0-OpenSSH_7.4p1 Debian" → "OpenSSH".
func softwareProduct(v string) string {
	if strings.HasPrefix(v, "SSH-") {
		if _, rest, ok := strings.Cut(v[4:], "-"); ok {
			v = rest
		}
	}
	if i := strings.IndexAny(v, "_ -/"); i > 0 {
		v = v[:i]
	}
	return v
}

// AppendLogonClient appends a logon's client (its source) as logons
// compare it: in lower case, as Windows compares workstation names (the
// same host logged as SCORPIA by one event and scorpia by another is one
// source) and as addresses are written. (ASCII only, as Windows' NetBIOS
// names are.)
func AppendLogonClient(dst, client []byte) []byte { return appendLower(dst, client) }

// appendLower appends b in lower case (ASCII; names of hosts and domains).
func appendLower(dst, b []byte) []byte {
	for _, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}
