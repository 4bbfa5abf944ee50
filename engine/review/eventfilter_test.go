package review

import (
	"strings"
	"testing"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/record"
)

// A status is a code, a class or no response; a logon's event id,
// results and type are what the events store.
func TestParseFilterValues(t *testing.T) {
	for text, want := range map[string]db.CodeRange{"status=404": {Lo: 404, Hi: 404}, "status=3xx": {Lo: 300, Hi: 399}, "status=-": {}} {
		f, err := ParseEventFilter(text, record.KindHTTP)
		if err != nil || f.Code == nil || *f.Code != want {
			t.Errorf("%s: %+v %v", text, f.Code, err)
		}
	}
	f, err := ParseEventFilter("id=4625 result=invalid source=10.0.0.1 type=remote", record.KindLogon)
	if err != nil || f.EventID != 4625 || len(f.Results) != 1 || f.Results[0] != "invalid-user" || f.Client != "10.0.0.1" || f.Type != "remote" {
		t.Errorf("logon filter %+v %v", f, err)
	}
	// A failure is what the logon summary counts as one: sshd's "Invalid
	// user" notice is not, and its row of 43 failures opened on 86.
	for text, want := range map[string]string{"result=failure": "failure", "result=failure,invalid": "failure invalid-user", "result=success,failure": "failure success"} {
		if f, err := ParseEventFilter(text, record.KindLogon); err != nil || strings.Join(f.Results, " ") != want {
			t.Errorf("%s keeps %q, want %q (%v)", text, f.Results, want, err)
		}
	}
	// A logon's source is stored in lower case: a workstation typed as
	// Windows logs it finds its logons.
	if f, err := ParseEventFilter("source=SCORPIA", record.KindLogon); err != nil || f.Client != "scorpia" {
		t.Errorf("source=SCORPIA: %+v %v", f, err)
	}
	if f, err := ParseEventFilter("rcode=-", record.KindDNS); err != nil || *f.Code != (db.CodeRange{Lo: record.NoRCode, Hi: record.NoRCode}) {
		t.Errorf("rcode=-: %+v %v", f.Code, err)
	}
}

// A key of another kind is refused with the keys of the events' kind.
func TestEventFilterRefusesAnotherKindsKey(t *testing.T) {
	if _, err := ParseEventFilter("status=404", record.KindDNS); err == nil || !strings.Contains(err.Error(), "filter DNS queries by client, type or rcode") {
		t.Errorf("status= on DNS queries: %v", err)
	}
	if _, err := ParseEventFilter("type=TXT", record.KindHTTP); err == nil {
		t.Error("type= on HTTP requests was accepted")
	}
}
