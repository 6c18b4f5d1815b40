# The two commands the README opens with. Both set everything up first.
.PHONY: setup demo test bench docs

setup:
	./scripts/setup.sh

demo: setup
	.venv/bin/edgec build examples/digits/model.keras --target stm32 \
	  --calibration examples/digits/calibration.npz \
	  --validation examples/digits/validation.npz -o build/digits

test: setup
	.venv/bin/python -m pytest -q

bench: setup
	.venv/bin/python benchmarks/build_digits.py
