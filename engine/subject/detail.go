package subject

import (
	"bytes"
	"strings"

	"github.com/longtail/longtail/engine/record"
)

// An HTTP request is stored once per subject, and each copy points to one
// detail text with what the drill-down shows beside the time, client,
// status and size (which the stored event holds as numbers): the method,
// host, target (path and query) and the user agent and referer as sent.
// The fields are separated by the unit separator, which an HTTP request
// line or header cannot hold unescaped.
const detailSep = '\x1f'

// HTTPDetail is the text fields of a stored HTTP request.
type HTTPDetail struct {
	Method, Host, Path, Query, UserAgent, Referer string
}

// Target is the request target as the request line had it.
func (d HTTPDetail) Target() string {
	if d.Query == "" {
		return d.Path
	}
	return d.Path + "?" + d.Query
}

// AppendHTTPDetail appends a request's detail text to dst, and says
// whether the text holds the fields exactly (none held a separator, which
// the text replaces): only then does it tell two requests apart.
func AppendHTTPDetail(dst []byte, r *record.Record) ([]byte, bool) {
	return appendFields(dst, r.Method, r.Host, r.Path, r.Query, r.UserAgent, r.Referer)
}

// appendFields joins fields by detailSep, and says whether none held a
// separator.
func appendFields(dst []byte, fields ...[]byte) ([]byte, bool) {
	exact := true
	for i, f := range fields {
		if i > 0 {
			dst = append(dst, detailSep)
		}
		if bytes.IndexByte(f, detailSep) < 0 {
			dst = append(dst, f...)
			continue
		}
		dst, exact = appendClean(dst, f), false
	}
	return dst, exact
}

// parseFields splits a detail text into its n fields (missing ones empty).
func parseFields(s string, f []string) {
	for i := range f {
		var ok bool
		if f[i], s, ok = strings.Cut(s, string(detailSep)); !ok {
			break
		}
	}
}

// LogonDetail is the text fields of a stored logon: what the drill-down
// shows beside its time and source (the event id is stored as a number).
type LogonDetail struct {
	EventID                                          uint16
	Account, AccountDomain, Target, LogonType, Auth  string
	Result, Reason, Password, Command, URL, Hash, SW string
	SID, HASSH                                       string
}

// AppendLogonDetail appends a logon's detail text to dst, and says
// whether the text holds the fields exactly (see AppendHTTPDetail).
func AppendLogonDetail(dst []byte, r *record.Record) ([]byte, bool) {
	return appendFields(dst, r.Account, r.AccountDomain, r.Target, r.LogonType, r.AuthPackage,
		r.Result, r.Reason, r.Password, r.Command, r.URL, r.Hash, r.Software, r.SID, r.HASSH)
}

// ParseLogonDetail reads a logon's detail text back.
func ParseLogonDetail(s string) LogonDetail {
	var f [14]string // a text stored before the SID and HASSH were has 12: the rest are empty
	parseFields(s, f[:])
	return LogonDetail{Account: f[0], AccountDomain: f[1], Target: f[2], LogonType: f[3], Auth: f[4],
		Result: f[5], Reason: f[6], Password: f[7], Command: f[8], URL: f[9], Hash: f[10], SW: f[11], SID: f[12], HASSH: f[13]}
}

// appendClean appends f with any separator in it (hostile input) replaced,
// so that a field can never shift the ones after it.
func appendClean(dst, f []byte) []byte {
	for _, c := range f {
		if c == detailSep {
			c = '?'
		}
		dst = append(dst, c)
	}
	return dst
}

// ParseHTTPDetail reads a detail text back.
func ParseHTTPDetail(s string) HTTPDetail {
	var f [6]string
	parseFields(s, f[:])
	return HTTPDetail{Method: f[0], Host: f[1], Path: f[2], Query: f[3], UserAgent: f[4], Referer: f[5]}
}

// LogonRecord fills r with the logon a stored detail text, its event id
// (stored as a number) and its source (the LogonSource value) describe,
// so that a subject's Append gives from it exactly the value ingest
// stored: what reads logons back (the logon summary, the scorer) derives
// accounts, targets and types the way the subjects do. A source of None
// is one the event did not name. r points into d and source.
func LogonRecord(d LogonDetail, eventID uint16, source []byte, r *record.Record) {
	r.ResetLogon()
	r.Account, r.AccountDomain, r.Target = []byte(d.Account), []byte(d.AccountDomain), []byte(d.Target)
	r.LogonType, r.AuthPackage, r.Result, r.Reason = []byte(d.LogonType), []byte(d.Auth), []byte(d.Result), []byte(d.Reason)
	r.Password, r.Command, r.URL, r.Hash, r.Software = []byte(d.Password), []byte(d.Command), []byte(d.URL), []byte(d.Hash), []byte(d.SW)
	r.SID, r.HASSH = []byte(d.SID), []byte(d.HASSH)
	r.EventID = eventID
	if string(source) != None {
		r.Client = source
	}
}
