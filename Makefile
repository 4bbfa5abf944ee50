# longtail: make demo opens the review screen on generated data; make test
# runs the tests (those over ../shared/data skip cleanly without it) but
# the slow end-to-end ones, which make e2e runs.

GO        ?= go
BIN       := bin/longtail
DEMO_DB   := demo/longtail-demo.db
DEMO_LOG  := demo/demo-dns.log
DEMO_WEB  := demo/demo-web.log
DEMO_LOGON := demo/demo-logon.json
BENCH_LINES ?= 20000000
export CGO_ENABLED := 0

.PHONY: build test e2e eval bench demo lint fuzz clean

build:
	$(GO) build -o $(BIN) ./cmd/longtail

test:
	$(GO) vet ./...
	$(GO) test -short -count=1 ./...

# The tests -short skips: the real program killed, stopped by signals and
# driven in tmux on generated logs (cmd/longtail), every capture of
# ../shared/data counted against tshark (engine/parse), and the ranking checked
# on a 500k-event workspace (engine/score), live capture in network namespaces
# the test makes (engine/capture, as root), the 2014 routeviews table
# imported (engine/networks). A package that gates a test on
# testing.Short() belongs in E2E_PKGS, whose tests all run here.
E2E_PKGS := ./cmd/longtail/ ./engine/parse/ ./engine/score/ ./engine/networks/ ./engine/capture/
e2e:
	$(GO) test -count=1 -timeout 30m $(E2E_PKGS)

# The ranking on the public samples of ../shared/data: each case's
# known-bad domains' ranks, its precision at 10 and its top 10 false
# positives with their reasons (engine/score/evalreport_test.go). Minutes.
eval:
	LONGTAIL_EVAL=1 $(GO) test -count=1 -timeout 30m -v -run '^TestEval$$' ./engine/score/

# Throughput and latency on a generated $(BENCH_LINES)-line log (about
# 1.2 GB at 20M lines) beside the baselines of issue 15's targets, each
# target with pass or FAIL (README, Performance), then the component
# benchmarks. DuckDB's GROUP BY is one baseline: its npm package is
# installed once into bench-out/duckdb when npm is present (nothing else
# needs it; without it the bench skips DuckDB with one line).
DUCKDB_DIR := bench-out/duckdb
bench: build
	@if command -v npm >/dev/null && ! test -d $(DUCKDB_DIR)/node_modules/@duckdb/node-api; then \
		echo "installing @duckdb/node-api into $(DUCKDB_DIR) for the DuckDB baseline"; \
		npm install --silent --no-audit --no-fund --prefix $(DUCKDB_DIR) @duckdb/node-api >/dev/null || \
			echo "npm install failed: the bench skips DuckDB"; fi
	$(GO) run ./cmd/longtail-bench -bin $(BIN) -lines $(BENCH_LINES)
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 3x ./engine/parse/ ./engine/names/ ./engine/gen/
	$(GO) test -run '^$$' -bench . -benchmem ./tui/... ./engine/score/ 2>/dev/null || true
	$(GO) test -run '^$$' -bench . -benchmem ./engine/networks/
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 3x ./engine/categories/
	$(GO) test -run '^$$' -bench 'Follow$$' -benchtime 1x ./engine/ingest/
	$(GO) test -run '^$$' -bench 'FollowLatency' -benchtime 10x ./engine/ingest/
	$(GO) test -run '^$$' -bench 'WithScreen' -benchtime 1x ./cmd/longtail/

# A week of synthetic DNS traffic from 250 clients with a tunnel, a beacon
# and DGA names in it, of web traffic to three sites with a scanner, a
# webshell and a rare user agent in it, and of a Windows domain's logons
# with a password spray, a brute force that succeeds, an admin on a new
# workstation and a night logon in it, ingested and opened in the review
# screen (K switches between DNS, HTTP and logons).
demo: build
	@mkdir -p demo
	@test -s $(DEMO_LOG) || $(BIN) gen dns --lines 1000000 --seed 7 --format zeek > $(DEMO_LOG)
	@test -s $(DEMO_WEB) || $(BIN) gen http --lines 300000 --seed 7 > $(DEMO_WEB)
	@test -s $(DEMO_LOGON) || $(BIN) gen logon --lines 300000 --seed 7 > $(DEMO_LOGON)
	$(BIN) --db $(DEMO_DB) $(DEMO_LOG) $(DEMO_WEB) $(DEMO_LOGON)

lint:
	@test -z "$$(gofmt -l . | tee /dev/stderr)" || (echo "gofmt: files above need formatting" && exit 1)
	$(GO) vet ./...

# Every package's fuzz targets, each for FUZZTIME (seeds live in each
# package's testdata/fuzz). go test -list prints a package's targets, then
# its "ok" line naming the package.
FUZZTIME ?= 60s
fuzz:
	@list=$$($(GO) test -list '^Fuzz' ./...) || { echo "$$list"; exit 1; }; \
	echo "$$list" | awk '/^Fuzz/ { t[n++] = $$1 } /^ok/ { for (i = 0; i < n; i++) print $$2, t[i]; n = 0 }' | \
	while read pkg t; do \
		echo "== $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; done

clean:
	rm -rf bin demo bench-out
