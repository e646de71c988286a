"""Time to bring a picture to a plug-in classifier's input (resize rule, channel order,
scaling, layout), per rule and picture size. The model itself is the clinic's, so only the
part NCII Desk adds is timed.

    .venv/bin/python bench/plugin_preprocess.py [--repeats N]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from ncii_desk.vision.classifier import fit_to_input, to_tensor
from ncii_desk.vision.registry import InputSpec


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print("| picture | rule | median ms | max ms |")
    print("|---|---|---|---|")
    for width, height in ((1000, 750), (4000, 3000)):
        picture = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
        for rule in ("stretch", "centre-crop", "letterbox"):
            spec = InputSpec(
                layout="NCHW",
                channels="RGB",
                size=(224, 224),
                resize=rule,
                scale=1 / 255,
                mean=(0.485, 0.456, 0.406),
                std=(0.229, 0.224, 0.225),
            )
            times = []
            for _ in range(args.repeats):
                started = time.perf_counter()
                to_tensor([fit_to_input(picture, spec)], spec)
                times.append((time.perf_counter() - started) * 1000)
            print(
                f"| {width}x{height} | {rule} | {statistics.median(times):.1f} | {max(times):.1f} |"
            )


if __name__ == "__main__":
    main()
