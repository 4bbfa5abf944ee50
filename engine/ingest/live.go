package ingest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/longtail/longtail/db"
	"github.com/longtail/longtail/engine/parse"
	"github.com/longtail/longtail/engine/record"
)

// LiveStream reads a source that is not a file (a network interface) into
// out until ctx ends or it fails, offering out a checkpoint at least every
// quarter of a second or so even when nothing comes.
type LiveStream func(ctx context.Context, out record.Output) (parse.Resume, error)

// DefaultLiveCycle is how often Live writes the workspace's totals (what
// a screen polling the workspace sees move) and lets another ingest in:
// follow's pace. A cycle takes the dictionaries the last one left
// (db.KeepWarm) and adds to the totals, so it costs what it read, not
// what the workspace holds.
const DefaultLiveCycle = time.Second

// LiveOptions tune Live.
type LiveOptions struct {
	// Options of the read; FlushEvery is a second when 0, BatchSize
	// FollowBatch.
	Options
	Cycle time.Duration // DefaultLiveCycle when 0
}

// Live reads a stream into the workspace as a source of its own named name
// ("capture:eth0": a new one each time, nothing resumes it) and in format
// (the format it is decoded as, for the reports). Its batches are
// committed at least every FlushEvery, so a kill loses at most that; every
// Cycle the totals are written and the workspace's ingest lock released
// for a moment, as follow does between its reads (the stream waits while
// another ingest holds it). When ctx ends, what was read is committed,
// the source ended and the totals written before Live returns.
func Live(ctx context.Context, d *db.DB, name, format string, stream LiveStream, opt LiveOptions) (Report, error) {
	opt.Options = opt.live()
	if opt.Cycle <= 0 {
		opt.Cycle = DefaultLiveCycle
	}
	opt.Progress.File.Store(name)
	d.KeepWarm()
	lv := &live{ctx: context.WithoutCancel(ctx), d: d, opt: opt, rep: Report{Path: name, Format: format, Status: Ingested, Stream: true}}
	// No fingerprint of content: the start time keeps it apart from any
	// file's (priorRead matches sources by it).
	lv.src = db.Source{Path: name, Format: format, Fingerprint: fmt.Sprintf("live:%d", time.Now().UnixNano())}
	if err := lv.open(); err != nil {
		return failed(lv.rep, err), err
	}
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	lv.stop = stop
	end, serr := stream(sctx, lv)
	if lv.err == nil {
		opt.Progress.Finishing.Store(true)
		lv.err = lv.close(end, true)
	}
	err := errors.Join(lv.err, serr)
	if err != nil {
		return failed(lv.rep, err), err
	}
	return lv.rep, nil
}

// live is the record.Output of a Live read: the sink of the current
// cycle's loader, replaced by the next one's at a checkpoint once the
// cycle is over.
type live struct {
	ctx   context.Context // for the writes: not cancelled
	d     *db.DB
	opt   LiveOptions
	src   db.Source
	l     *db.Loader
	w     *writer
	out   *sink
	since time.Time // the start of the cycle
	rep   Report
	err   error  // a cycle failed: the stream was stopped, and what comes is dropped
	stop  func() // stops the stream
}

// open takes the ingest lock (waiting while another ingest holds it) and
// starts the source, or carries it on.
func (lv *live) open() error {
	for {
		l, err := lv.d.NewLoader(lv.ctx)
		if errors.Is(err, db.ErrIngesting) {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if err != nil {
			return err
		}
		lv.l = l
		break
	}
	lv.w = startWriter(lv.ctx, lv.l, 1)
	src, err := lv.l.StartSource(lv.ctx, lv.src)
	if err != nil {
		return errors.Join(err, lv.w.close(), lv.l.Finish(lv.ctx))
	}
	lv.src, lv.rep.source = src, src.ID
	lv.out = newSink(lv.l, lv.w, src.ID, lv.opt.BatchSize, lv.opt.FlushEvery, &lv.opt.Progress.Events)
	lv.since = time.Now()
	return nil
}

// close commits what the cycle read, up to end, adds it to the report,
// writes the totals and releases the lock; last ends the source too.
func (lv *live) close(end parse.Resume, last bool) error {
	var r Report
	err := commitRest(lv.w, lv.out, end, committed{}, &r)
	lv.rep.Events += r.Events
	lv.rep.Skipped += r.Skipped
	if room := MaxSkipsShown - len(lv.rep.Skips); room > 0 {
		lv.rep.Skips = append(lv.rep.Skips, r.Skips[:min(len(r.Skips), room)]...)
	}
	if err == nil && last {
		err = lv.l.EndSource(lv.ctx, lv.src.ID)
	}
	err = errors.Join(err, lv.w.close())
	lv.w.release()
	if err != nil {
		lv.l.Close()
		return err
	}
	return lv.l.Finish(lv.ctx)
}

func (lv *live) Record(r *record.Record) {
	if lv.err == nil {
		lv.out.Record(r)
	}
}

func (lv *live) Skip(line, offset int64, reason string) {
	if lv.err == nil {
		lv.out.Skip(line, offset, reason)
	}
}

// Checkpoint commits the batch when it is due and, once the cycle is over,
// ends it and starts the next.
func (lv *live) Checkpoint(resume func() parse.Resume) {
	if lv.err != nil {
		return
	}
	if time.Since(lv.since) < lv.opt.Cycle {
		lv.out.Checkpoint(resume)
		return
	}
	if lv.err = lv.close(resume(), false); lv.err == nil {
		lv.err = lv.open()
	}
	if lv.err != nil {
		lv.stop()
	}
}
