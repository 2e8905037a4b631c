# The verbs a newcomer needs. `make run` and `make test` are the two that matter.

CARGO ?= cargo
BIN := target/debug/zhicheng
# Set to a PostgreSQL server URL to run the integration and e2e suites on PostgreSQL too.
TEST_DATABASE_URL ?=

.PHONY: run build frontend test test-rust test-pg test-s3 test-e2e test-fuzz test-frontend test-browser openapi client check licenses fmt bench clean

## run: build the SPA and the binary, then serve on http://127.0.0.1:8080 with SQLite and demo data
run: frontend
	scripts/ensure-deps.sh fonts
	APP__DEMO__SEED=true $(CARGO) run --bin zhicheng -- serve

build: frontend
	$(CARGO) build --bin zhicheng

## frontend: build the SPA into frontend/dist (skipped until the SPA exists)
frontend:
	@if [ -f frontend/package.json ]; then \
		scripts/ensure-deps.sh npm frontend && cd frontend && npm run build; \
	fi

## test: every test; PostgreSQL too when TEST_DATABASE_URL is set
test: test-rust test-pg test-s3 test-e2e test-fuzz test-frontend test-browser

test-rust:
	scripts/ensure-deps.sh fonts
	TEST_DATABASE_URL= $(CARGO) test --workspace --exclude e2e

test-pg:
	@if [ -n "$(TEST_DATABASE_URL)" ]; then \
		echo "== integration suite on PostgreSQL"; \
		TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(CARGO) test -p api --test api; \
	fi

## test-s3: the attachment, readiness and upload-limit tests against a real S3-compatible server (moto)
test-s3:
	CARGO=$(CARGO) TEST_DATABASE_URL=$(TEST_DATABASE_URL) ./e2e/s3/run.sh

test-e2e:
	$(CARGO) build --bin zhicheng
	TEST_DATABASE_URL= $(CARGO) test -p e2e
	@if [ -n "$(TEST_DATABASE_URL)" ]; then \
		[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || scripts/ensure-deps.sh apt nginx; \
		echo "== e2e suite on PostgreSQL (two instances behind nginx included)"; \
		TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(CARGO) test -p e2e; \
	fi

## test-fuzz: schemathesis against the served OpenAPI document, as each kind of account
test-fuzz:
	$(CARGO) build --bin zhicheng
	./e2e/schemathesis/run.sh

test-frontend:
	@if [ -f frontend/package.json ]; then \
		scripts/ensure-deps.sh npm frontend && cd frontend && npm run test; \
	fi

test-browser:
	@if [ -f e2e/browser/package.json ]; then \
		scripts/ensure-deps.sh browser && scripts/ensure-deps.sh npm e2e/browser && \
		$(MAKE) build && $(CARGO) build -p e2e --bin mock_oidc && cd e2e/browser && npm test; \
	fi

## openapi: regenerate openapi/openapi.json from the code
openapi:
	$(CARGO) run -q --bin zhicheng -- openapi > openapi/openapi.json

## client: regenerate the SPA's API types from openapi/openapi.json
client:
	@if [ -f frontend/package.json ]; then cd frontend && npm run client; fi

## check: formatting, lints, and the licences and duplicates of every dependency
check: licenses
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings

## licenses: crates (cargo-deny: licences allow-listed, banned crates, duplicate majors) and npm packages
licenses:
	scripts/ensure-deps.sh cargo-deny
	$(CARGO) deny check --hide-inclusion-graph licenses bans
	node scripts/npm-licenses.mjs frontend e2e/browser

fmt:
	$(CARGO) fmt --all

## bench: how the review list, batch reporting and export scale (SQLite, or BENCH_DATABASE_URL), then the
## review list over HTTP at 10k/100k/1M declarations on PostgreSQL (BENCH_PG_URL) next to pgbench, then the
## deadline night: SURGE_SIZES (default 20,200) applicants each uploading a 5 MiB PDF and confirming at once
bench:
	BENCH_EXPORT_ROWS=$${BENCH_EXPORT_ROWS:-100000} $(CARGO) bench -p api --bench scale
	$(CARGO) bench -p api --bench province
	$(CARGO) build --release --bin zhicheng
	ZHICHENG_BIN=$(CURDIR)/target/release/zhicheng TEST_DATABASE_URL=$${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres} \
		$(CARGO) bench -p e2e --bench surge

clean:
	$(CARGO) clean
	rm -rf data frontend/dist
