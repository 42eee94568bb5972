# The two commands of the README. `make run CATALOG=path/to/catalog.csv` serves your own catalog.
.PHONY: run test setup lint

run:
	CATALOG="$(CATALOG)" INDEX="$(INDEX)" bash scripts/run.sh

test:
	bash scripts/test.sh

setup:
	bash scripts/setup.sh

lint:
	.venv/bin/ruff check .
