package networks

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/oschwald/maxminddb-golang/v2"
)

// MMDB is a MaxMind DB file with autonomous systems in it: GeoLite2-ASN,
// DB-IP's ASN lite, or any database whose records carry
// autonomous_system_number (and country.iso_code, when they do).
const MMDB Format = "mmdb"

// mmdbMarker starts a MaxMind DB's metadata, in its last 128 KiB.
var mmdbMarker = []byte("\xab\xcd\xefMaxMind.com")

const mmdbTail = 128 << 10

// isMMDB says whether the file f of size n is a MaxMind DB.
func isMMDB(f io.ReaderAt, n int64) bool {
	from := max(n-mmdbTail, 0)
	tail := make([]byte, n-from)
	if _, err := f.ReadAt(tail, from); err != nil && !errors.Is(err, io.EOF) {
		return false
	}
	return bytes.Contains(tail, mmdbMarker)
}

// mmdbRecord is what longtail reads of a record.
type mmdbRecord struct {
	ASN     uint32 `maxminddb:"autonomous_system_number"`
	Org     string `maxminddb:"autonomous_system_organization"`
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
}

// readMMDB reads every network of a MaxMind DB (already disjoint: a DB is
// a tree) with its AS and country. A network whose record cannot be
// decoded, or has no AS, is skipped and counted.
func readMMDB(path string) (*File, error) {
	r, err := maxminddb.Open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	t := &File{Format: MMDB}
	if r.Metadata.BuildEpoch > 0 {
		t.Dated = time.Unix(int64(r.Metadata.BuildEpoch), 0).UTC().Format(time.DateOnly)
	}
	for res := range r.Networks() {
		var rec mmdbRecord
		if err := res.Decode(&rec); err != nil || rec.ASN == 0 {
			t.Skipped++
			continue
		}
		p := res.Prefix()
		cc := country(rec.Country.ISOCode)
		t.Ranges = append(t.Ranges, Range{First: p.Addr(), Last: lastOf(p), ASN: rec.ASN, Country: cc})
		if rec.Org != "" && !t.named[rec.ASN] {
			if t.named == nil {
				t.named = map[uint32]bool{}
			}
			t.named[rec.ASN] = true
			t.Names = append(t.Names, Name{ASN: rec.ASN, Name: rec.Org})
		}
	}
	if len(t.Ranges) == 0 {
		return nil, fmt.Errorf("a MaxMind DB (%s) with no autonomous system numbers: longtail reads ASN databases", r.Metadata.DatabaseType)
	}
	return t, nil
}

// readPath reads the table at path: a MaxMind DB, or a text table (Read).
func readPath(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Mode().IsRegular() && isMMDB(f, st.Size()) {
		return readMMDB(path)
	}
	return Read(f)
}
