package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"sync"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/capture"
	"github.com/longtail/longtail/engine/ingest"
	"github.com/longtail/longtail/engine/textsafe"
	"github.com/longtail/longtail/internal/words"
	"github.com/longtail/longtail/tui"
)

func init() {
	commands["capture"] = command{run: cmdCapture}
}

func cmdCapture(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("capture", flag.ContinueOnError)
	iface := fs.String("i", "", "network `interface` to read (ip link lists them)")
	expr := fs.String("filter", "", "keep only the packets that match `EXPR`: port N, host ADDR, net CIDR, udp, tcp, ip, ip6, with not, and, or")
	dir := fs.String("w", "", "also write the packets kept to rotating pcapng files in `DIR`")
	rotate := fs.Int64("rotate", capture.DefaultRotate>>20, "size of each pcapng file, in `MiB`")
	noScore := fs.Bool("no-score", false, "do not score the workspace when stopped (longtail score does it later)")
	screen := fs.Bool("screen", false, "open the review screen while capturing; quitting it stops the capture")
	rest, err := flags(fs, e, args)
	if err != nil {
		return err
	}
	switch {
	case *iface == "":
		return fmt.Errorf("capture: name the interface with -i (ip link lists them)")
	case len(rest) > 0:
		return fmt.Errorf("capture: unexpected %q (the interface goes after -i)", rest[0])
	}
	filter, err := capture.ParseFilter(*expr)
	if err != nil {
		return err
	}
	src, err := capture.Open(capture.Options{Interface: *iface, Filter: filter, Dir: *dir, RotateBytes: *rotate << 20})
	if err != nil {
		return err
	}
	d, err := e.open(false)
	if err != nil {
		src.Close()
		return err
	}
	defer d.Close()
	progress := &ingest.Counters{}
	keeper := keepScores(ctx, d, *noScore)
	start := time.Now()
	var rep ingest.Report
	if *screen {
		rep, err = captureBehind(ctx, e, d, src, *iface, progress, keeper)
	} else {
		fmt.Fprintf(e.stderr, "capturing on %s (Ctrl-C stops)\n", textsafe.String(*iface))
		stop := startStatus(e.stderr, func(time.Duration) string {
			return countHuman(src.Stats().Packets) + " packets · " + countHuman(progress.Events.Load()) + " events read" + keeper.status()
		})
		rep, err = src.Run(ctx, d, ingest.LiveOptions{Options: ingest.Options{Progress: progress}})
		keeper.stop()
		stop()
	}
	st := src.Stats()
	fmt.Fprintf(e.stderr, "captured for %s: %s, %s kept, %s\n", time.Since(start).Round(time.Second),
		words.Count(int(st.Packets), "packet"), countHuman(st.Passed), words.Count(int(rep.Events), "event"))
	if st.Dropped > 0 {
		fmt.Fprintf(e.stderr, "the kernel dropped %s: longtail did not keep up\n", words.Count(int(st.Dropped), "packet"))
	}
	for _, f := range st.Files {
		fmt.Fprintln(e.stderr, "wrote "+textsafe.String(f))
	}
	if err != nil || *noScore || rep.Events == 0 {
		return err
	}
	return scoreAfterIngest(context.WithoutCancel(ctx), e, d)
}

// captureBehind captures while the review screen is open on the workspace
// (the screen sees what comes through its poll, every second) and stops
// the capture when the screen ends; the status line says what is read, at
// what rate.
func captureBehind(ctx context.Context, e *env, d *db.DB, src *capture.Source, iface string, progress *ingest.Counters, k keeper) (ingest.Report, error) {
	cctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var rep ingest.Report
	var err error
	wg.Go(func() {
		rep, err = src.Run(cctx, d, ingest.LiveOptions{Options: ingest.Options{Progress: progress}})
	})
	rate, start := eventRate(progress), time.Now()
	opt := tui.Options{ImportList: importList, Poll: followPoll, Live: func() string {
		return "capturing " + textsafe.String(iface) + " · " + countHuman(src.Stats().Packets) + " packets · " +
			rate(time.Since(start)) + k.status()
	}}
	shown := reportStop(e, tui.Run(ctx, d, opt))
	cancel()
	wg.Wait()
	k.stop()
	return rep, errors.Join(err, shown)
}
