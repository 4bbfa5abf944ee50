package main

import (
	"context"
	"fmt"

	"github.com/longtail/longtail/engine/ingest"
)

// openTUI ingests files (if any) and opens the review screen.
func openTUI(ctx context.Context, e *env, files []string) error {
	d, err := e.open(false)
	if err != nil {
		return err
	}
	defer d.Close()
	if len(files) > 0 {
		if err := ingestFiles(ctx, e, d, files, ingest.Options{}); err != nil {
			return err
		}
	}
	return fmt.Errorf("the review screen is not built yet")
}
