package parse

import (
	"slices"
	"testing"
)

// awkZeekFields starts an awk program over a Zeek TSV log: f[name] is the
// column of the field name in the #fields header, and header lines are
// passed over.
const awkZeekFields = `BEGIN {FS = "\t"} /^#fields/ {for (i = 2; i <= NF; i++) f[$i] = i - 1; next} /^#/ {next} `

// resultCounts counts a parser's records by result ("" for none).
func resultCounts(out *gotOut) map[string]int64 {
	n := map[string]int64{}
	for _, r := range out.logon {
		n[r.Result]++
	}
	return n
}

// WRCCDC 2018's logs, as a second tool counts them: the records of each
// result, the rows passed over; nothing is skipped.
//
//	kerberos: 11 AS rows, 10 of them a scanner's requests (to ports 808,
//	445, 3389 ...) with no client name and no reply, passed over; one
//	KDC_ERR_WRONG_REALM failure.
//	ntlm: 206 successes (90 null sessions), 201 rows with a user name and
//	no outcome seen, 15 with neither, passed over.
//	ssh: 5 successes, 2 failures, 8 connections with a client version and
//	no authentication (Nmap's probes among them), 7 with neither.
func TestZeekLogonSamples(t *testing.T) {
	for _, c := range []struct {
		log, success, result, kept string // awk conditions: a success, a row with a result, a row kept without one
		want                       [3]int64
	}{
		{"kerberos", `$f["success"] == "T" && $f["error_msg"] != "KDC_ERR_PREAUTH_REQUIRED"`,
			`($f["success"] != "-" || $f["error_msg"] != "-") && $f["error_msg"] != "KDC_ERR_PREAUTH_REQUIRED"`,
			`$f["success"] == "-" && $f["error_msg"] == "-" && $f["client"] !~ /^(-|\/.*)$/`, [3]int64{0, 1, 0}},
		{"ntlm", `$f["success"] == "T"`, `$f["success"] != "-"`, `$f["success"] == "-" && $f["username"] != "-"`, [3]int64{206, 206, 201}},
		{"ssh", `$f["auth_success"] == "T"`, `$f["auth_success"] != "-"`, `$f["auth_success"] == "-" && $f["client"] != "-"`, [3]int64{5, 7, 8}},
	} {
		t.Run(c.log, func(t *testing.T) {
			format := "zeek-" + c.log + "-tsv"
			data := detectedSample(t, "zeek/wrccdc2018_zeek_tsv_"+c.log+".log.gz", format)
			all := append(append(slices.Clone(myFormats), httpFormats...), logonFormats...)
			if got := detectedBy(data, all...); !slices.Equal(got, []string{format}) {
				t.Errorf("detected by %v", got)
			}
			count := func(cond string) int64 {
				return toolCount(t, data, "awk", awkZeekFields+cond+` {n++} END {print n+0}`)
			}
			success, result, kept := count(c.success), count(c.result), count(c.kept)
			if [3]int64{success, result, kept} != c.want {
				t.Errorf("awk counts %d successes, %d with a result, %d kept without; want %v", success, result, kept, c.want)
			}
			out := parseText(t, format, data)
			n := resultCounts(out)
			if n["success"] != success || n["failure"] != result-success || n[""] != kept || len(out.skips) != 0 {
				t.Errorf("results %v, %d skips; awk: %d successes, %d failures, %d without", n, len(out.skips), success, result-success, kept)
			}
		})
	}
}

const zeekKerberosSample = `#separator \x09
#set_separator	,
#empty_field	(empty)
#unset_field	-
#path	kerberos
#fields	ts	uid	id.orig_h	id.orig_p	id.resp_h	id.resp_p	request_type	client	service	success	error_msg
#types	time	string	addr	port	addr	port	string	string	string	bool	string
1521911885.5	C1	10.0.2.17	58444	10.0.0.1	88	AS	alice/CORP.EXAMPLE	krbtgt/CORP.EXAMPLE	T	-
1521911886.5	C2	10.0.2.17	58445	10.0.0.1	88	AS	bob/CORP.EXAMPLE	krbtgt/CORP.EXAMPLE	F	KDC_ERR_PREAUTH_REQUIRED
1521911887.5	C3	10.0.2.17	58446	10.0.0.1	88	AS	bob/CORP.EXAMPLE	krbtgt/CORP.EXAMPLE	F	KDC_ERR_PREAUTH_FAILED
1521911888.5	C4	10.0.2.18	58447	10.0.0.1	88	AS	nobody/CORP.EXAMPLE	krbtgt/CORP.EXAMPLE	-	KDC_ERR_C_PRINCIPAL_UNKNOWN
1521911889.5	C5	10.0.2.17	58448	10.0.0.1	88	TGS	alice/CORP.EXAMPLE	cifs/fs1.corp.example	T	-
1521911890.5	C6	10.0.2.19	58449	10.0.0.1	88	AS	/NM	krbtgt/NM	-	-
1521911891.5	C7	10.0.2.19	58450	10.0.0.1	88	AS	carol/CORP.EXAMPLE	krbtgt/CORP.EXAMPLE	-	-
1521911892.5	C8	-	58451	10.0.0.1	88	AS	dave/CORP.EXAMPLE	krbtgt/CORP.EXAMPLE	T	-
yesterday	C9	10.0.2.17	58452	10.0.0.1	88	AS	alice/CORP.EXAMPLE	krbtgt/CORP.EXAMPLE	T	-
1521911893.5	C10	10.0.2.17	58453	10.0.0.1	88	AS	alice/CORP.EXAMPLE	krbtgt/CORP.EXAMPLE	maybe	-
1521911894.5	C11	10.0.2.17
`

// A ticket-granting request is a logon on the KDC, a service ticket one
// to its service; the KDC's request for pre-authentication is passed
// over, and so is a request that names no one and got no answer.
func TestZeekKerberosLines(t *testing.T) {
	out := parseText(t, "zeek-kerberos-tsv", []byte(zeekKerberosSample))
	at := func(s string) int64 { return micro("2018-03-24T17:18:" + s + "Z") }
	logon := func(line int64, tm, client, account, target, result, reason string) gotLogon {
		return gotLogon{Line: line, Time: at(tm), Client: client, Account: account, Domain: "CORP.EXAMPLE", Target: target,
			Type: "network", Auth: "Kerberos", Result: result, Reason: reason}
	}
	checkAt(t, out.logon, []gotLogon{
		logon(8, "05.5", "10.0.2.17", "alice", "10.0.0.1", "success", ""),
		logon(10, "07.5", "10.0.2.17", "bob", "10.0.0.1", "failure", "KDC_ERR_PREAUTH_FAILED"),
		logon(11, "08.5", "10.0.2.18", "nobody", "10.0.0.1", "failure", "KDC_ERR_C_PRINCIPAL_UNKNOWN"),
		logon(12, "09.5", "10.0.2.17", "alice", "cifs/fs1.corp.example", "success", ""),
		logon(14, "11.5", "10.0.2.19", "carol", "10.0.0.1", "", ""),
	})
	want := []string{"15 zeek kerberos row without its source", "16 bad ts", "17 bad success", "18 3 fields, want at least 11"}
	if got := out.skipList(); len(out.logon) != 5 || !slices.Equal(got, want) {
		t.Errorf("%d records, skips %q; want 5, %q", len(out.logon), got, want)
	}
}

const zeekNTLMSample = `#separator \x09
#set_separator	,
#empty_field	(empty)
#unset_field	-
#path	ntlm
#fields	ts	uid	id.orig_h	id.orig_p	id.resp_h	id.resp_p	username	hostname	domainname	server_nb_computer_name	server_dns_computer_name	server_tree_name	success
#types	time	string	addr	port	addr	port	string	string	string	string	string	string	bool
1521912154.5	C1	10.150.0.20	35867	10.47.21.25	445	administrator	WORKSTATION	JERRY	KRAMER	Kramer.jerry.land	jerry.land	T
1521912155.5	C2	10.150.0.20	35868	10.47.21.25	445	guest	WORKSTATION	WORKSTATION	KRAMER	Kramer.jerry.land	jerry.land	F
1521912156.5	C3	10.150.0.20	35869	10.47.21.25	445	david	WORKSTATION	JERRY	KRAMER	-	-	-
1521912157.5	C4	10.164.94.120	36315	10.47.8.208	445	-	-	-	-	-	-	T
1521912158.5	C5	10.164.94.120	36316	10.47.8.208	135	-	-	-	SNOZBERRY	Snozberry.factory.oompa.loompa	factory.oompa.loompa	-
1521912159.5	C6	10.164.94.120	36317	10.47.8.208	135	-	-	-	SNOZBERRY	Snozberry.factory.oompa.loompa	factory.oompa.loompa	?
`

// An NTLM logon's target is the server as its challenge names it, by its
// DNS name when it gives one; a null session is kept without an account,
// a negotiation with neither a user nor an outcome passed over.
func TestZeekNTLMLines(t *testing.T) {
	out := parseText(t, "zeek-ntlm-tsv", []byte(zeekNTLMSample))
	at := func(s string) int64 { return micro("2018-03-24T17:22:" + s + "Z") }
	logon := func(line int64, tm, client, account, domain, target, result string) gotLogon {
		return gotLogon{Line: line, Time: at(tm), Client: client, Account: account, Domain: domain, Target: target,
			Type: "network", Auth: "NTLM", Result: result}
	}
	checkAt(t, out.logon, []gotLogon{
		logon(8, "34.5", "10.150.0.20", "administrator", "JERRY", "Kramer.jerry.land", "success"),
		logon(9, "35.5", "10.150.0.20", "guest", "WORKSTATION", "Kramer.jerry.land", "failure"),
		logon(10, "36.5", "10.150.0.20", "david", "JERRY", "KRAMER", ""),
		logon(11, "37.5", "10.164.94.120", "", "", "10.47.8.208", "success"),
	})
	if got := out.skipList(); len(out.logon) != 4 || !slices.Equal(got, []string{"13 bad success"}) {
		t.Errorf("%d records, skips %q", len(out.logon), got)
	}
}

// Without #path, the header's fields say which log it is; set apart by
// its fields, an ssh log is read whatever their order.
const zeekSSHSample = `#separator \x09
#set_separator	,
#empty_field	(empty)
#unset_field	-
#fields	ts	uid	id.orig_h	id.orig_p	id.resp_h	id.resp_p	version	client	auth_attempts	auth_success	server
#types	time	string	addr	port	addr	port	count	string	count	bool	string
1521911799.5	C1	10.0.0.227	59849	10.47.8.50	22	2	SSH-2.0-OpenSSH_7.6	1	T	SSH-2.0-OpenSSH_7.4p1 Raspbian-10+deb9u3
1521911800.5	C2	10.128.0.233	36040	10.47.26.186	22	2	SSH-2.0-OpenSSH_7.6p1 Debian-4	3	F	SSH-2.0-OpenSSH_6.7p1 Debian-5+deb8u4
1521911801.5	C3	10.128.0.19	60376	10.47.26.55	22	2	SSH-2.0-Nmap-SSH2-Hostkey	0	-	SSH-2.0-OpenSSH_4.3p2 Debian-9etch3
1521911802.5	C4	10.128.0.207	45880	10.47.23.55	22	-	-	0	-	SSH-2.0-OpenSSH_4.3p2 Debian-9etch3
1521911803.5	C5	10.128.0.207	45881	10.47.23.55	22	-	-	0	yes	-
`

// An ssh row is one logon, its result auth_success, whatever its count
// of attempts; a connection with a client version but no authentication
// is kept for its software.
func TestZeekSSHLines(t *testing.T) {
	data := []byte(zeekSSHSample)
	if f, err := Detect(data); err != nil || f.Name != "zeek-ssh-tsv" {
		t.Fatalf("detected %q, %v", f.Name, err)
	}
	out := parseText(t, "zeek-ssh-tsv", data)
	at := func(s string) int64 { return micro("2018-03-24T17:16:" + s + "Z") }
	logon := func(line int64, tm, client, target, result, software string) gotLogon {
		return gotLogon{Line: line, Time: at(tm), Client: client, Target: target, Type: "ssh", Result: result, Software: software}
	}
	checkAt(t, out.logon, []gotLogon{
		logon(7, "39.5", "10.0.0.227", "10.47.8.50", "success", "SSH-2.0-OpenSSH_7.6"),
		logon(8, "40.5", "10.128.0.233", "10.47.26.186", "failure", "SSH-2.0-OpenSSH_7.6p1 Debian-4"),
		logon(9, "41.5", "10.128.0.19", "10.47.26.55", "", "SSH-2.0-Nmap-SSH2-Hostkey"),
	})
	if got := out.skipList(); len(out.logon) != 3 || !slices.Equal(got, []string{"11 bad auth_success"}) {
		t.Errorf("%d records, skips %q", len(out.logon), got)
	}
}

// jqZeekJSON writes a Zeek TSV log as Zeek's JSON writer does: a row an
// object, unset fields left out, booleans true and false, ts a number.
const jqZeekJSON = `[inputs] | (map(select(startswith("#fields")))[0] | split("\t")[1:]) as $f
	| .[] | select(startswith("#") | not) | split("\t") | [$f, .] | transpose
	| map(select(.[1] != "-") | {(.[0]): (if .[0] == "ts" then (.[1] | tonumber) elif .[1] == "T" then true
		elif .[1] == "F" then false elif .[1] == "(empty)" then "" else .[1] end)}) | add`

// The JSON form of each sample, as jq writes it from the TSV, is detected
// as its log's and gives the records the TSV gives (but for the line, and
// the time jq rounds to a double's precision).
func TestZeekLogonJSONSamples(t *testing.T) {
	for _, log := range []string{"kerberos", "ntlm", "ssh"} {
		t.Run(log, func(t *testing.T) {
			tsv := sample(t, "zeek/wrccdc2018_zeek_tsv_"+log+".log.gz")
			data := toolOutput(t, tsv, "jq", "-ncR", jqZeekJSON)
			format := "zeek-" + log + "-json"
			if f, err := Detect(data); err != nil || f.Name != format {
				t.Fatalf("detected %q, %v; want %s", f.Name, err, format)
			}
			all := append(append(slices.Clone(myFormats), httpFormats...), logonFormats...)
			if got := detectedBy(data, all...); !slices.Equal(got, []string{format}) {
				t.Errorf("detected by %v", got)
			}
			want, got := parseText(t, "zeek-"+log+"-tsv", tsv), parseText(t, format, data)
			if len(got.logon) != len(want.logon) || len(got.skips) != 0 {
				t.Fatalf("%d records, %d skips; the TSV gives %d, 0", len(got.logon), len(got.skips), len(want.logon))
			}
			for i, g := range got.logon {
				w := want.logon[i]
				if g.Time-w.Time > 1 || w.Time-g.Time > 1 {
					t.Errorf("record %d: time %d, want %d", i, g.Time, w.Time)
				}
				g.Time, g.Line, g.Offset = w.Time, w.Line, w.Offset
				if g != w {
					t.Errorf("record %d:\n got %+v\nwant %+v", i, g, w)
				}
			}
		})
	}
}

// Seeds of the JSON forms for FuzzLogonLines.
const (
	zeekKerberosJSONSeed = `{"_path":"kerberos","ts":1521911887.5,"uid":"C3","id.orig_h":"10.0.2.17","id.resp_h":"10.0.0.1","request_type":"TGS","client":"bob/CORP","service":"cifs/fs1","success":false,"error_msg":"KDC_ERR_PREAUTH_FAILED"}` + "\n"
	zeekSSHJSONSeed      = `{"ts":1521911799.5,"uid":"C1","id.orig_h":"10.0.0.227","id.resp_h":"10.47.8.50","auth_success":true,"auth_attempts":1,"client":"SSH-2.0-OpenSSH_7.6"}` + "\n"
)

// Rows only encoding/json reads (escapes), rows of another log, and rows
// that cannot be read.
const zeekNTLMJSONSample = `{"_path":"ntlm","ts":1521912154.5,"uid":"C1","id.orig_h":"10.150.0.20","id.resp_h":"10.47.21.25","username":"administrator","domainname":"JERRY","server_dns_computer_name":"Kramer.jerry.land","success":true}
{"ts":"2018-03-24T17:22:35.5Z","uid":"C2","id.orig_h":"10.150.0.20","id_resp_h":"10.47.21.25","username":"d\u00e9j\u00e0\\x","server_nb_computer_name":"KRAMER","success":false}
{"ts":1521912156.5,"uid":"C3","id.orig_h":"10.150.0.20","id.resp_h":"10.47.21.25","username":"","success":null}
{"_path":"dns","ts":1,"id.orig_h":"10.0.0.1","query":"x.example"}
{"ts":1521912157.5,"id.orig_h":"10.150.0.20","username":"bob","success":"yes"}
{"ts":1521912157.5,"id.orig_h":"10.150.0.20","username":"bob","success":1}
{"id.orig_h":"10.150.0.20","username":"bob"}
{"ts":1521912157.5,"username":"bob"
`

func TestZeekLogonJSONLines(t *testing.T) {
	out := parseText(t, "zeek-ntlm-json", []byte(zeekNTLMJSONSample))
	checkAt(t, out.logon, []gotLogon{
		{Line: 1, Time: micro("2018-03-24T17:22:34.5Z"), Client: "10.150.0.20", Account: "administrator", Domain: "JERRY", Target: "Kramer.jerry.land",
			Type: "network", Auth: "NTLM", Result: "success"},
		{Line: 2, Time: micro("2018-03-24T17:22:35.5Z"), Client: "10.150.0.20", Account: `déjà\x`, Target: "KRAMER",
			Type: "network", Auth: "NTLM", Result: "failure"},
	})
	want := []string{"4 zeek dns row, not ntlm", "5 bad success", "6 bad success", "7 no ts", "8 invalid JSON"}
	if got := out.skipList(); len(out.logon) != 2 || !slices.Equal(got, want) {
		t.Errorf("%d records, skips %q; want 2, %q", len(out.logon), got, want)
	}
}
