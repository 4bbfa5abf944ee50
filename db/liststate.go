package db

import "context"

// listStateKey is the meta key of the review list's place.
const listStateKey = "tui.list"

// ListState returns the review screen's place in its list (cursor, filters,
// sort) as the screen stored it, in its own encoding; "" when none was.
func (d *DB) ListState(ctx context.Context) (string, error) { return d.metaGet(ctx, listStateKey) }

// SetListState stores the review screen's place, so that it opens there
// next time; "" forgets it.
func (d *DB) SetListState(ctx context.Context, state string) error {
	if d.readOnly != nil {
		return d.readOnly
	}
	return metaSet(ctx, d.sql, listStateKey, state)
}
