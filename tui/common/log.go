package common

import (
	"sync"
	"time"
)

// LogEntry is one message the status line showed, with when.
type LogEntry struct {
	Time time.Time
	Text string
	Err  bool
}

// Log keeps the status line's messages: the line shows the latest, cut to
// the screen, until the next key; the log keeps each whole for the
// messages screen. The ingest before the screen adds its report to it.
type Log struct {
	mu      sync.Mutex
	entries []LogEntry
}

// maxLog bounds the log: a long session keeps its latest messages.
const maxLog = 2000

// Add keeps a message; an empty one is not kept.
func (l *Log) Add(text string, isErr bool) {
	if text == "" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, LogEntry{Time: time.Now(), Text: text, Err: isErr})
	if n := len(l.entries) - maxLog; n > 0 {
		l.entries = append(l.entries[:0], l.entries[n:]...)
	}
}

// Entries returns the messages, oldest first.
func (l *Log) Entries() []LogEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]LogEntry(nil), l.entries...)
}
