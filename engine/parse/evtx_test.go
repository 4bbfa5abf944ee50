package parse

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/Velocidex/ordereddict"
	"www.velocidex.com/golang/evtx"
)

// evtxExpected reads the event counts SOURCES.tsv gives for each EVTX
// sample (found by libevtx's evtxinfo when the samples were collected):
// "EVTX, 20 records; 4776:5 4625:5 4648:1 4624:1 1102:1 (+6 other IDs)".
func evtxExpected(t *testing.T) map[string]map[uint16]int {
	t.Helper()
	f, err := os.Open(filepath.Join(filepath.Dir(samplePath(t, "SOURCES.tsv")), "SOURCES.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	idCount := regexp.MustCompile(`\b(\d{4,5}):(\d+)\b`)
	out := map[string]map[uint16]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 4 || !strings.HasPrefix(cols[0], "windows/evtx/") {
			continue
		}
		ids := map[uint16]int{}
		for _, m := range idCount.FindAllStringSubmatch(cols[3], -1) {
			id, _ := strconv.Atoi(m[1])
			n, _ := strconv.Atoi(m[2])
			ids[uint16(id)] = n
		}
		out[cols[0]] = ids
	}
	return out
}

// On every EVTX sample, each logon event id is counted as evtxinfo counted
// it, every logon has its time, and nothing is skipped. SOURCES.tsv gives
// no ids for the RDP 1149 sample (libevtx could not decode it), only its
// 11 records: all of them are 1149 logons.
func TestEvtxSamples(t *testing.T) {
	want := evtxExpected(t)
	if len(want) < 20 {
		t.Fatalf("%d EVTX samples in SOURCES.tsv", len(want))
	}
	for file, ids := range want {
		t.Run(file, func(t *testing.T) {
			out := streamSample(t, file)
			got := map[uint16]int{}
			for _, r := range out.logon {
				got[r.EventID]++
				if r.Time < micro("2000-01-01T00:00:00Z") || r.Result == "" && r.EventID != winRDPDisconnect || r.Line < 1 {
					t.Fatalf("record %+v", r)
				}
			}
			if strings.Contains(file, "ID1149-RDP") {
				ids = map[uint16]int{winRDPAuth: 11}
			}
			for id, n := range ids {
				if (&winFields{id: int64(id)}).authentication() && got[id] != n {
					t.Errorf("event %d: %d, evtxinfo counts %d", id, got[id], n)
				}
			}
			if len(out.skips) != 0 {
				t.Errorf("skips %q", out.skipList())
			}
		})
	}
}

// The fields of a failed Windows logon and of a Kerberos pre-auth failure.
func TestEvtxFields(t *testing.T) {
	out := streamSample(t, "windows/evtx/mdecrevoisier_ID4625-failed_login_with_denied_access_due_to_account_restriction.evtx")
	if len(out.logon) != 2 {
		t.Fatalf("%d logons", len(out.logon))
	}
	r := out.logon[0]
	if r.EventID != 4625 || r.Result != "failure" || r.Account == "" || r.Target == "" || !strings.HasPrefix(r.Reason, "0xc") || r.Type == "" {
		t.Errorf("4625: %+v", r)
	}
	out = streamSample(t, "windows/evtx/mdecrevoisier_ID4771-Kerberos_brutforce_with_valid_user.evtx")
	r = out.logon[0]
	if r.EventID != 4771 || r.Result != "failure" || r.Reason != "0x18" || r.Auth != "Kerberos" || r.Client == "" || strings.HasPrefix(r.Client, "::ffff:") {
		t.Errorf("4771: %+v", r)
	}
}

// The records of a damaged chunk are skipped and counted, the rest of the
// file read; chunk slots of zeros are no damage.
func TestEvtxDamagedChunk(t *testing.T) {
	out := streamSample(t, "malformed/evtx/omerbenamram_sample_with_a_bad_chunk_magic.evtx")
	for _, s := range out.skips {
		if !strings.HasPrefix(s.Reason, "damaged record (") {
			t.Errorf("skip %+v", s)
		}
	}
	// Its first chunk breaks after 14 records; the chunks after it are read.
	if len(out.skips) < 2 || out.skips[len(out.skips)-1].Line <= out.skips[0].Line {
		t.Errorf("skips %q", out.skipList())
	}
	for _, f := range []string{"malformed/evtx/omerbenamram_sample-with-zero-data-size-event.evtx", "malformed/evtx/omerbenamram_Application_no_crc32.evtx",
		"malformed/evtx/omerbenamram_issue_201.evtx", "malformed/evtx/omerbenamram_sample-with-irregular-bool-values.evtx"} {
		streamSample(t, f) // never fatal
	}
}

// Remote Desktop's 1149 records are whole BinXML documents, not template
// instances: their elements have no dependency id and their values are
// text ("1149", "2021-12-16T10:25:32.351835800Z"). The fork reads them
// (third_party/evtx/NOTICE.md); v0.2.0 read their names two bytes off and
// found no event id in any of them.
func TestEvtxRecordWithoutTemplate(t *testing.T) {
	out := streamSample(t, "windows/evtx/mdecrevoisier_ID1149-RDP_success_logins_to_multiple_hosts.evtx")
	if len(out.logon) != 11 {
		t.Fatalf("%d logons, skips %q", len(out.logon), out.skipList())
	}
	checkAt(t, out.logon[:1], []gotLogon{{Line: 1, Time: micro("2021-12-16T10:25:32.351835Z"), EventID: 1149,
		Target: "rootdc1.offsec.lan", Account: "admmig", Client: "10.23.123.11", Type: "10", Result: "success"}})
}

// A resumed read skips the records read before.
func TestEvtxResume(t *testing.T) {
	file := "windows/evtx/mdecrevoisier_ID4768-4771-Kerberos_brutforce_with_non_existing_users.evtx"
	all := streamSample(t, file)
	out := &gotOut{}
	if _, err := streamEvtx(context.Background(), bytes.NewReader(sample(t, file)), Done(Position{Line: 30}), out); err != nil {
		t.Fatal(err)
	}
	var want int
	for _, r := range all.logon {
		if r.Line > 30 {
			want++
		}
	}
	if len(out.logon) != want || want == 0 {
		t.Errorf("resumed after 30 records: %d logons, want %d", len(out.logon), want)
	}
}

func FuzzEvtx(f *testing.F) {
	// A Security log of template instances, and Remote Desktop's records
	// without templates.
	for _, name := range []string{"sbousseaden_CA_4624_4625_LogonType2_LogonProc_chrome.evtx", "mdecrevoisier_ID1149-RDP_success_logins_to_multiple_hosts.evtx"} {
		if data, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "data", "windows", "evtx", name)); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("ElfFile\x00"))
	f.Add(evtxFile(rdpAuthDoc("admmig", "OFFSEC", "10.23.123.11", "2021-12-16T10:25:32.3518358Z")))
	f.Fuzz(func(t *testing.T, data []byte) {
		out := &gotOut{}
		streamEvtx(context.Background(), bytes.NewReader(data), Resume{}, out)
		for _, s := range out.skips {
			if s.Reason == "" || s.Line < 1 {
				t.Fatalf("bad skip %+v", s)
			}
		}
	})
}

// streamSample reads an EVTX sample, which must be detected as evtx.
func streamSample(t *testing.T, rel string) *gotOut {
	t.Helper()
	data := sample(t, rel)
	if f, err := Detect(data[:min(len(data), HeadSize)]); err != nil || f.Name != "evtx" {
		t.Fatalf("%s detected as %q, %v", rel, f.Name, err)
	}
	out := &gotOut{}
	if _, err := streamEvtx(context.Background(), bytes.NewReader(data), Resume{}, out); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	return out
}

// A crafted file found by fuzzing: its template instance claims 2^32
// arguments. The reader's fork (third_party/evtx) treats the count as
// damage; v0.2.0 appended that many descriptors and allocated gigabytes.
// The bound is on bytes allocated, not time, so a busy machine cannot
// fail it.
func TestEvtxCraftedArgumentCountIsBounded(t *testing.T) {
	seed, err := os.ReadFile(filepath.Join("testdata", "fuzz", "FuzzEvtx", "fa6c4602c51e9212"))
	if err != nil {
		t.Fatal(err)
	}
	_, lit, _ := strings.Cut(strings.TrimSpace(string(seed)), "[]byte(")
	data, err := strconv.Unquote(strings.TrimSuffix(lit, ")"))
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	out := &gotOut{}
	if _, err := streamEvtx(context.Background(), strings.NewReader(data), Resume{}, out); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; n > 64<<20 {
		t.Errorf("a %d-byte file allocated %d MB", len(data), n>>20)
	}
}

// Remote Desktop's events keep their data under UserData (EventXML); the
// EVTX path reads it into the same fields as the JSON lines form. No
// sample here has LocalSessionManager's events, so the records are built
// as the library builds its tree from the binary XML: an element a dict
// of its children.
func TestEvtxRemoteDesktop(t *testing.T) {
	event := func(id uint16, channel string, data *ordereddict.Dict) *evtx.EventRecord {
		sys := ordereddict.NewDict().Set("EventID", ordereddict.NewDict().Set("Value", id)).Set("Channel", channel).
			Set("Computer", "FS03.offsec.lan").Set("TimeCreated", ordereddict.NewDict().Set("SystemTime", 1614592800.0))
		ev := ordereddict.NewDict().Set("System", sys).Set("UserData", ordereddict.NewDict().Set("EventXML", data))
		return &evtx.EventRecord{Event: ordereddict.NewDict().Set("Event", ev)}
	}
	lsm := "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational"
	var p evtxParser
	out := &gotOut{}
	for i, rec := range []*evtx.EventRecord{
		event(1149, "Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational", ordereddict.NewDict().Set("xmlns", "Event_NS").Set("Param1", "admmig").Set("Param2", "OFFSEC").Set("Param3", "10.23.123.11")),
		event(21, lsm, ordereddict.NewDict().Set("User", `OFFSEC\admmig`).Set("SessionID", uint32(3)).Set("Address", "LOCAL")),
		event(25, "System", ordereddict.NewDict().Set("User", `OFFSEC\admmig`)),
	} {
		if reason := p.event(rec, int64(i+1), 0, out); reason != "" {
			t.Errorf("event %d: %s", i+1, reason)
		}
	}
	tm := micro("2021-03-01T10:00:00Z")
	checkAt(t, out.logon, []gotLogon{
		{Line: 1, Time: tm, EventID: 1149, Target: "FS03.offsec.lan", Account: "admmig", Domain: "OFFSEC", Client: "10.23.123.11", Type: "10", Result: "success"},
		{Line: 2, Time: tm, EventID: 21, Target: "FS03.offsec.lan", Account: "admmig", Domain: "OFFSEC", Type: "2", Result: "success"},
	})
	if len(out.logon) != 2 {
		t.Errorf("%d records: %+v", len(out.logon), out.logon)
	}
}

// BenchmarkEvtxSamples reads every EVTX sample: the reader decodes each
// record (its template and values) to find its event id, so MB/s and
// records/s are the speed of a Security log's file whatever it holds;
// logons/s counts the logons among them.
func BenchmarkEvtxSamples(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join(filepath.Dir(samplePath(b, "SOURCES.tsv")), "windows", "evtx", "*.evtx"))
	if len(files) == 0 {
		b.Skip("no EVTX samples")
	}
	var data [][]byte
	var size int64
	for _, f := range files {
		d, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		data, size = append(data, d), size+int64(len(d))
	}
	b.SetBytes(size)
	var logons, records int64
	for b.Loop() {
		for _, d := range data {
			out := &gotOut{}
			at, _ := streamEvtx(context.Background(), bytes.NewReader(d), Resume{}, out)
			logons += int64(len(out.logon))
			records += at.Read.Line
		}
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(logons)/b.Elapsed().Seconds(), "logons/s")
}

// The same shape built by hand, without the samples: records of whole
// BinXML documents, values as text.
func TestEvtxBuiltRecordWithoutTemplate(t *testing.T) {
	data := evtxFile(rdpAuthDoc("admmig", "OFFSEC", "10.23.123.11", "2021-12-16T10:25:32.3518358Z"),
		rdpAuthDoc("jdoe", "", "10.23.123.12", "2021-12-16T11:00:00Z"))
	out := &gotOut{}
	if _, err := streamEvtx(context.Background(), bytes.NewReader(data), Resume{}, out); err != nil {
		t.Fatal(err)
	}
	checkAt(t, out.logon, []gotLogon{
		{Line: 1, Time: micro("2021-12-16T10:25:32.351835Z"), EventID: 1149, Target: "FS03.offsec.lan", Account: "admmig", Domain: "OFFSEC", Client: "10.23.123.11", Type: "10", Result: "success"},
		{Line: 2, Time: micro("2021-12-16T11:00:00Z"), EventID: 1149, Target: "FS03.offsec.lan", Account: "jdoe", Client: "10.23.123.12", Type: "10", Result: "success"},
	})
	if len(out.logon) != 2 || len(out.skips) != 0 {
		t.Errorf("%d logons, skips %q", len(out.logon), out.skipList())
	}
}
