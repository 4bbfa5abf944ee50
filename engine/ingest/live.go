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

// Live reads a stream into the workspace as a source of its own named name
// ("capture:eth0": a new one each time, nothing resumes it) and in format
// (the format it is decoded as, for the reports). Its batches are
// committed at least every FlushEvery (a second when 0), so a kill loses
// at most that; when ctx ends, what was read is committed, the source
// ended and the aggregates written before Live returns. The workspace's
// ingest lock is held meanwhile: another ingest waits for it to end.
func Live(ctx context.Context, d *db.DB, name, format string, stream LiveStream, opt Options) (Report, error) {
	if opt.BatchSize <= 0 {
		opt.BatchSize = FollowBatch
	}
	if opt.FlushEvery <= 0 {
		opt.FlushEvery = time.Second
	}
	if opt.Progress == nil {
		opt.Progress = &Counters{}
	}
	opt.Progress.File.Store(name)
	rep := Report{Path: name, Format: format, Status: Ingested, Stream: true}
	wctx := context.WithoutCancel(ctx)
	l, err := d.NewLoader(wctx)
	if err != nil {
		return rep, err
	}
	defer l.Close()
	w := startWriter(wctx, l)
	// No fingerprint of content: the start time keeps it apart from any
	// file's (priorRead matches sources by it).
	src, err := l.StartSource(wctx, db.Source{Path: name, Format: format, Fingerprint: fmt.Sprintf("live:%d", time.Now().UnixNano())})
	if err != nil {
		return rep, errors.Join(err, w.close())
	}
	rep.source = src.ID
	out := newSink(l, w, src.ID, opt.BatchSize, opt.FlushEvery, &opt.Progress.Events)
	end, serr := stream(ctx, out)
	werr := commitRest(w, out, end, committed{}, &rep)
	if werr == nil {
		werr = l.EndSource(wctx, src.ID)
	}
	werr = errors.Join(werr, w.close())
	w.release()
	if werr != nil {
		return failed(rep, werr), werr
	}
	opt.Progress.Finishing.Store(true)
	if err := l.Finish(wctx); err != nil {
		return failed(rep, err), err
	}
	if serr != nil {
		return failed(rep, serr), serr
	}
	return rep, nil
}
