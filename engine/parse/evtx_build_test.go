package parse

import (
	"encoding/binary"
	"unicode/utf16"
)

// An EVTX file built by code, so that records without a template are
// read, and fuzzed, without the samples of ../shared/data: one chunk of
// records each a whole BinXML document (no template instance), as Remote
// Desktop writes its 1149 events, each element without a dependency id
// and with its name inline, as those records have them.

// xmlNode is an element: its attributes, then its text or children.
type xmlNode struct {
	name     string
	attrs    [][2]string
	text     string
	children []xmlNode
}

// evtxFile is a file of one chunk holding a record for each document.
func evtxFile(docs ...xmlNode) []byte {
	file := make([]byte, evtxHeaderSize+evtxChunkSize)
	copy(file, "ElfFile\x00")
	binary.LittleEndian.PutUint32(file[0x20:], 128)            // header size
	binary.LittleEndian.PutUint16(file[0x24:], 1)              // minor version
	binary.LittleEndian.PutUint16(file[0x26:], 3)              // major version
	binary.LittleEndian.PutUint16(file[0x28:], evtxHeaderSize) // header block size
	chunk := file[evtxHeaderSize:]
	copy(chunk, "ElfChnk\x00")
	for i, v := range []uint64{1, uint64(len(docs)), 1, uint64(len(docs))} { // record numbers and ids
		binary.LittleEndian.PutUint64(chunk[8+8*i:], v)
	}
	binary.LittleEndian.PutUint32(chunk[40:], 128)
	pos := 0x200
	for i, doc := range docs {
		rec := binary.LittleEndian.AppendUint64([]byte("**\x00\x00\x00\x00\x00\x00"), uint64(i+1))
		rec = binary.LittleEndian.AppendUint64(rec, 0)
		rec = append(rec, 0x0f, 1, 1, 0) // fragment header
		rec = appendElement(rec, pos, doc)
		rec = append(rec, 0) // end of the document
		size := len(rec) + 4
		binary.LittleEndian.PutUint32(rec[4:], uint32(size))
		rec = binary.LittleEndian.AppendUint32(rec, uint32(size))
		pos += copy(chunk[pos:], rec)
	}
	return file
}

// appendElement writes n to b, whose first byte is at chunk offset base.
func appendElement(b []byte, base int, n xmlNode) []byte {
	tok := byte(0x01)
	if len(n.attrs) > 0 {
		tok = 0x41
	}
	b = append(b, tok, 0, 0, 0, 0) // the size, set below
	sizeAt := len(b)
	b = appendBinXMLName(b, base, n.name)
	if len(n.attrs) > 0 {
		listAt := len(b)
		b = append(b, 0, 0, 0, 0)
		for _, a := range n.attrs {
			b = appendBinXMLName(append(b, 0x06), base, a[0])
			b = appendBinXMLText(b, a[1])
		}
		binary.LittleEndian.PutUint32(b[listAt:], uint32(len(b)-listAt-4))
	}
	b = append(b, 0x02) // the start tag's end
	if n.text != "" {
		b = appendBinXMLText(b, n.text)
	}
	for _, c := range n.children {
		b = appendElement(b, base, c)
	}
	b = append(b, 0x04)
	binary.LittleEndian.PutUint32(b[sizeAt-4:], uint32(len(b)-sizeAt))
	return b
}

// appendBinXMLName writes a name's offset and, there, the name itself.
func appendBinXMLName(b []byte, base int, name string) []byte {
	b = binary.LittleEndian.AppendUint32(b, uint32(base+len(b)+4))
	b = append(b, 0, 0, 0, 0, 0, 0) // next name, hash
	b = binary.LittleEndian.AppendUint16(b, uint16(len(utf16.Encode([]rune(name)))))
	return append(appendUTF16(b, name), 0, 0)
}

func appendBinXMLText(b []byte, s string) []byte {
	b = append(b, 0x05, 0x01)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(utf16.Encode([]rune(s)))))
	return appendUTF16(b, s)
}

func appendUTF16(b []byte, s string) []byte {
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}

// rdpAuthDoc is a Remote Desktop 1149 event as the sample's are written.
func rdpAuthDoc(user, domain, from, at string) xmlNode {
	text := func(name, s string) xmlNode { return xmlNode{name: name, text: s} }
	return xmlNode{name: "Event", attrs: [][2]string{{"xmlns", "http://schemas.microsoft.com/win/2004/08/events/event"}}, children: []xmlNode{
		{name: "System", children: []xmlNode{
			text("EventID", "1149"),
			{name: "TimeCreated", attrs: [][2]string{{"SystemTime", at}}},
			text("Channel", "Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational"),
			text("Computer", "FS03.offsec.lan"),
		}},
		{name: "UserData", children: []xmlNode{{name: "EventXML", children: []xmlNode{
			text("Param1", user), text("Param2", domain), text("Param3", from),
		}}}},
	}}
}
