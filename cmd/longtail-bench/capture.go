package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
)

// captureEvents is how many DNS exchanges the capture case holds for a
// bench of lines lines: an eighth, so lines/4 packets (5M, 0.55 GB at 20M
// lines: about the size of the capture issue 15 measured).
func captureEvents(lines int64) int64 { return max(lines/8, 1) }

// capture times the end-to-end ingest of a generated capture (`longtail
// gen dns --format pcap`: every query and its response, from the clients
// of the generated network) and `tcpdump -nr` of the same file.
func capture(bin, dir string, lines int64) error {
	events := captureEvents(lines)
	packets := 2 * events
	logPath := filepath.Join(dir, fmt.Sprintf("dns-%d.pcap", events))
	if err := writeDNS(logPath, events, "pcap"); err != nil {
		return err
	}
	ws := filepath.Join(dir, "bench-pcap.db")
	wall, rss, err := freshIngest(bin, ws, logPath)
	if err != nil {
		return fmt.Errorf("capture ingest: %w", err)
	}
	stored, err := storedEvents(ws)
	if err != nil {
		return err
	}
	rate := float64(packets) / wall.Seconds()
	fmt.Printf("\ncapture (%d packets, %.2f GB: `longtail gen dns --format pcap`, each query and its response, with clients)\n",
		packets, float64(fileSize(logPath))/1e9)
	fmt.Printf("  wall            %8.2f s (end to end: the binary's ingest --no-score)\n", wall.Seconds())
	fmt.Printf("  peak RSS        %8.0f MB\n", float64(rss)/1e6)
	if stored != events {
		fmt.Printf("  events stored   %8d, of %d exchanges: they differ\n", stored, events)
	}
	meet("capture packets/s end to end", fmt.Sprintf("%.2fM", rate/1e6), "≥ 3M", rate >= 3e6)
	if _, err := exec.LookPath("tcpdump"); err != nil {
		fmt.Println("  tcpdump not installed: skipping the tcpdump -nr comparison")
		return nil
	}
	td, _, err := timedCmd(exec.Command("tcpdump", "-nr", logPath)) // its output and messages to /dev/null
	if err != nil {
		return fmt.Errorf("tcpdump -nr: %w", err)
	}
	fmt.Printf("  tcpdump -nr     %8.2f s (printing every packet to /dev/null)\n", td.Seconds())
	meet("capture: tcpdump -nr ÷ longtail", ratio(td.Seconds()/wall.Seconds()), "≥ 2×", td >= 2*wall)
	return nil
}
