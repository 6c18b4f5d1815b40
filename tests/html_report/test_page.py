"""report.html opened in a real headless Chromium: charts render, and the page agrees with the JSON."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

import edgec


@pytest.fixture(scope="module")
def built(digits_example, tmp_path_factory):
    out = tmp_path_factory.mktemp("html") / "out"
    edgec.build(digits_example.model, target="stm32", calibration=digits_example.calibration,
                validation=digits_example.validation, out=out)
    return out


@pytest.fixture(scope="module")
def optimised(digits_example, digits, tmp_path_factory):
    """A build with the optional sections: pruning, the guard and the AOT plan."""
    import numpy as np

    root = tmp_path_factory.mktemp("html-opt")
    np.savez(root / "train.npz", x=digits.x_train, y=digits.y_train)
    edgec.build(digits_example.model, target="stm32", calibration=digits_example.calibration,
                validation=digits_example.validation, train=root / "train.npz", prune=0.5,
                epochs=2, max_accuracy_drop=50.0, runtime="aot", out=root / "out")
    return root / "out"


@pytest.fixture(scope="module")
def accelerated(digits_example, tmp_path_factory):
    out = tmp_path_factory.mktemp("html-npu") / "out"
    edgec.build(digits_example.model, target="ethos-u55-128",
                calibration=digits_example.calibration, out=out)
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1100,2000", f"--user-data-dir={tmp_path_factory.mktemp('chrome')}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    yield driver
    driver.quit()


def test_charts_render_with_a_size(built, browser, tmp_path):
    browser.get((built / "report.html").resolve().as_uri())
    sizes = {}
    for element in browser.find_elements("css selector", "svg.chart"):
        kind = element.get_attribute("class").split()[1]
        sizes[kind] = element.size
    for kind in ("budget", "memory-timeline", "layer-costs"):
        assert kind in sizes, sizes
        assert sizes[kind]["width"] > 100 and sizes[kind]["height"] > 20, (kind, sizes[kind])
    steps = browser.find_elements("css selector", "svg.memory-timeline rect.step")
    report = json.loads((built / "report.json").read_text())
    assert len(steps) == len(report["memory_timeline"]) > 0
    assert all(s.size["height"] > 0 for s in steps)
    assert len(browser.find_elements("css selector", "svg.layer-costs rect.bar")) == len(report["layers"])
    shot = tmp_path / "report.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000


class _Numbers(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-key" in a:
            self.found.append((a["data-key"], a["data-value"]))


def lookup(data, path: str):
    for part in path.split("."):
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


def shared_numbers(out):
    report = json.loads((out / "report.json").read_text())
    parser = _Numbers()
    parser.feed((out / "report.html").read_text())
    for key, shown in parser.found:
        assert repr(lookup(report, key)) == shown, key
    return {k for k, _ in parser.found}


def test_page_and_json_agree_on_every_shared_number(built):
    keys = shared_numbers(built)
    assert len(keys) > 30
    for key in ("model_bytes", "arena_bytes", "flash_bytes", "ram_bytes", "budgets.0.limit",
                "validation.accuracy_float", "validation.accuracy_quantized", "layers.0.macs"):
        assert key in keys


def test_optional_sections_agree_too(optimised, accelerated, browser):
    keys = shared_numbers(optimised)
    for key in ("aot.activation_bytes", "optimization.prune.params_after",
                "optimization.prune.layers.0.filters_after", "accuracy_guard.checks.0.value"):
        assert key in keys
    keys = shared_numbers(accelerated)
    for key in ("vela.sram_bytes", "vela.cycles_total", "placement.ops_on_accelerator"):
        assert key in keys
    browser.get((optimised / "report.html").resolve().as_uri())
    for cls in ("aot-memory", "memory-timeline"):
        chart = browser.find_element("css selector", f"svg.{cls}")
        assert chart.size["width"] > 100 and chart.size["height"] > 20
    assert browser.find_elements("css selector", "svg.memory-timeline line.plan-line")


def test_page_is_self_contained(built):
    html = (built / "report.html").read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<script" not in html and "@import" not in html
