# The two commands of the README: `make demo` and `make test`. Both set up what they need.
# `make test` is the fast suite (tests marked slow left out); `make test-all` is everything CI runs:
# the linters (`make lint`: ruff, mypy --strict on scanpipe/ and models/) and every test.
VENV    := .venv
BIN     := $(VENV)/bin
DEMO    := demo-output
SP      := $(BIN)/scanpipe --data-dir $(DEMO)/data
CAMPAIGN := samples/campaign.toml

.PHONY: setup setup-demo demo test test-all test-record lint bench samples clean

setup:
	@./setup.sh

# The demo needs neither the test tools nor what only the tests use (Chromium, LibreOffice).
setup-demo:
	@EXTRAS=postgres ./setup.sh

demo: setup-demo
	@rm -rf $(DEMO)
	@echo "== 1. The campaign"
	$(SP) campaign check $(CAMPAIGN)
	$(SP) campaign load $(CAMPAIGN) --operator coordinator
	@echo "== 2. Kit orders: import, then each order's kits and parcel labels; then kits to print"
	$(SP) orders import samples/orders.csv --operator coordinator
	$(SP) orders print --out $(DEMO)/orders --operator coordinator
	$(SP) kits --campaign $(CAMPAIGN) --out $(DEMO)/kits --kits 14 --operator coordinator
	$(SP) kits --campaign $(CAMPAIGN) --out $(DEMO)/kits-by-language --lang all --kits 2 --no-record
	@echo "== 3. Intake of three envelopes at a station: two from the command line, one through the hot folder"
	@for envelope in samples/scans/envelope-1 samples/scans/envelope-2; do \
	  $(SP) intake --new-batch --station demo-station --operator alice $$envelope || exit $$?; done
	@mkdir -p $(DEMO)/data/inbox
	@for page in samples/scans/envelope-3/*; do cp $$page $(DEMO)/data/inbox/; done
	$(SP) station watch --until-empty --station demo-station --operator alice
	@echo "== 4. Routing summary"
	$(SP) summary
	@echo "== 5. Bundles: one per destination, with its delivery sheet (or forwarding manifest) and label"
	$(SP) bundle pending
	$(SP) bundle close --all --out $(DEMO)/bundles --operator coordinator --handed-by "Alice Martin"
	$(SP) bundle print 1 --out $(DEMO)/bundles-nl --lang nl --operator coordinator
	$(SP) bundle dispatch 1 --by hand --operator coordinator
	@echo "== 6. The signed delivery sheet of bundle 1 comes back and is scanned like any piece"
	$(SP) samples receipt 1 --out $(DEMO)/returned/bundle-1-signed.jpg
	$(SP) intake --station demo-station --operator alice $(DEMO)/returned
	$(SP) bundle list
	$(SP) progress
	$(SP) orders report
	$(SP) orders reminders --today 2022-01-05
	@echo "== 6b. Signatures from elsewhere, outcomes, the campaign's figures"
	$(SP) signatures import samples/signatures-counts.csv --operator coordinator
	$(SP) signatures import samples/signatures-rows.csv --source amnesty.be --operator coordinator
	$(SP) signatures import samples/signatures-rows.csv --source amnesty.be --operator coordinator
	$(SP) signatures import samples/signatures-bad.csv --operator coordinator || echo "(refused as it should be: exit $$?)"
	$(SP) signatures list
	$(SP) outcome record ZHANG --outcome released-on-bail --date 2022-03-01 --source "Partner office" --operator coordinator
	$(SP) outcome record ZHANG --outcome freed --date 2022-03-01 --source "Amnesty press release" --corrects 1 --operator coordinator
	$(SP) outcome list
	$(SP) figures
	$(SP) figures --format csv > $(DEMO)/figures.csv
	@echo "== 7. Audit: the office signs the ledger's head; the auditor verifies, reconciles, exports"
	$(SP) audit key create
	$(SP) audit checkpoint > $(DEMO)/checkpoint.jsonl
	$(SP) audit verify --public-key $(DEMO)/data/keys/office-signing.pub --checkpoints $(DEMO)/checkpoint.jsonl
	$(SP) audit report --rows 12
	$(SP) audit report --format pdf --out $(DEMO)/audit-report.pdf
	$(SP) audit report --format csv --out $(DEMO)/audit-report
	$(SP) audit report --format xlsx --out $(DEMO)/audit-report.xlsx --lang nl
	$(SP) audit trail 9
	$(SP) audit export $(DEMO)/audit-export --with-images
	$(BIN)/scanpipe-verify $(DEMO)/audit-export --public-key $(DEMO)/data/keys/office-signing.pub
	$(SP) audit sample --seed demo --risk-limit 0.1 --tolerable 0.2 --expected 0 --out $(DEMO)/sample.csv
	@echo "== 8. Privacy: images and words of the delivered pieces go; the ledger still verifies"
	$(SP) purge --delivered-before $$(date -d tomorrow +%F 2>/dev/null || date -v+1d +%F) --yes --operator coordinator
	$(SP) audit verify
	@echo "== 9. A second year in the same ledger, compared with the first"
	$(SP) campaign load samples/campaign-2022.toml --operator coordinator
	$(SP) samples make --campaign samples/campaign-2022.toml --out $(DEMO)/scans-2022 --seed 2022
	$(SP) --campaign-id MDL2022 intake --new-batch --station demo-station --operator alice $(DEMO)/scans-2022/envelope-1
	$(SP) --campaign-id MDL2022 summary
	$(SP) compare MDL2021 MDL2022
	$(SP) compare MDL2021 MDL2022 --format csv > $(DEMO)/compare-2021-2022.csv
	$(SP) audit verify
	@echo "== 10. Backup (it may be taken while stations work), restored into an empty folder and verified"
	$(SP) backup $(DEMO)/backup
	$(BIN)/scanpipe --data-dir $(DEMO)/restored restore $(DEMO)/backup
	@echo
	@echo "Everything is in $(DEMO)/:"
	@echo "  kits to print:      $(DEMO)/kits/"
	@echo "  bundle papers:      $(DEMO)/bundles/ (delivery sheets, manifests, office copies, labels)"
	@echo "  ledger (SQLite):    $(DEMO)/data/ledger.sqlite3"
	@echo "  stored scans:       $(DEMO)/data/images/ (named by SHA-256)"
	@echo "  audit:              $(DEMO)/audit-report.pdf, $(DEMO)/audit-report/ (CSV), $(DEMO)/audit-report.xlsx, $(DEMO)/audit-export/"
	@echo "  sample to check:    $(DEMO)/sample.csv (fill in the result column, then: audit sample-result)"
	@echo "  backup:             $(DEMO)/backup/ (restored and verified in $(DEMO)/restored/)"
	@echo "Try: $(SP) audit verify   or   $(BIN)/scanpipe --help"

test: setup
	$(BIN)/python -m pytest -q -m "not slow" --durations=10

test-all: setup lint
	$(BIN)/python -m pytest -q --durations=10

# Re-record Tesseract's answers for the tests that replay them (tests/recorded_tesseract.py).
test-record: setup
	SCANPIPE_TESSERACT_ANSWERS=record $(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/qr_path.py
	$(BIN)/python bench/ocr_path.py
	$(BIN)/python bench/page_memory.py
	$(BIN)/python bench/stations_pg.py
	$(BIN)/python bench/zxing_photos.py --quiet
	$(BIN)/python bench/recognition.py
	$(BIN)/python bench/blank_pages.py --corpus
	$(BIN)/python bench/station.py
	$(BIN)/python bench/bundles.py
	$(BIN)/python bench/audit.py
	$(BIN)/python bench/startup.py

samples: setup
	$(BIN)/scanpipe samples make --campaign $(CAMPAIGN) --out samples/scans

clean:
	rm -rf $(DEMO) bench/output .pytest_cache
