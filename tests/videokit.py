"""Generated benign videos and the edits re-posting makes to them.

A scene is a slow pan across scikit-image sample photos (a new photo every few seconds), so
consecutive sampled frames differ the way filmed video does. :func:`variants` writes the
edits a re-post makes: re-encoded, resized, clipped, another frame rate, VP9/WebM, a still
frame, mirrored, letterboxed, 90 %-cropped; :func:`unrelated` a video of other photos.

Used by tests/integration/test_video_robustness.py and bench/video_robustness.py. Files stay
small (a few hundred KiB for 20 s at 320x240).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image

Frame = np.ndarray[Any, np.dtype[np.uint8]]

SCENE_PHOTOS = ("astronaut", "coffee", "rocket", "chelsea")
OTHER_PHOTOS = ("immunohistochemistry", "hubble_deep_field", "colorwheel", "retina")


def _photo(name: str) -> Frame:
    import skimage.data as skdata

    pixels = np.asarray(getattr(skdata, name)())
    if pixels.dtype != np.uint8:  # e.g. the horse silhouette is boolean
        pixels = (pixels.astype(np.float32) * (255.0 / max(1.0, float(pixels.max())))).astype(
            np.uint8
        )
    if pixels.ndim == 2:
        pixels = np.stack([pixels] * 3, axis=-1)
    return np.ascontiguousarray(pixels[..., :3])


@dataclass(frozen=True)
class Scene:
    """``seconds`` of video at ``fps``, frames ``size`` (w, h), panning across ``photos``."""

    photos: tuple[str, ...] = SCENE_PHOTOS
    seconds: float = 20.0
    fps: int = 10
    size: tuple[int, int] = (320, 240)
    #: Share of each photo the camera pans across while it is shown (slow, as filmed).
    pan: float = 0.06

    def frames(self) -> Iterator[Frame]:
        w, h = self.size
        pictures = [_photo(n) for n in self.photos]
        per_photo = self.seconds / len(pictures)
        total = round(self.seconds * self.fps)
        for k in range(total):
            t = k / self.fps
            index = min(int(t // per_photo), len(pictures) - 1)
            progress = (t - index * per_photo) / per_photo  # 0..1 within this photo
            photo = pictures[index]
            ph, pw = photo.shape[:2]
            # A window of the photo moving from its top-left towards its bottom-right.
            ch, cw = int(ph * (1 - self.pan)), int(pw * (1 - self.pan))
            top = round((ph - ch) * progress)
            left = round((pw - cw) * progress)
            window = photo[top : top + ch, left : left + cw]
            yield cv2.resize(window, (w, h), interpolation=cv2.INTER_AREA)


def write_video(
    path: Path,
    frames: Iterator[Frame] | list[Frame],
    fps: int,
    *,
    codec: str = "libx264",
    quality: int = 23,
) -> Path:
    """Encode RGB frames (all one size) as H.264/MP4 or VP9/WebM (by ``codec``)."""
    import av

    with av.open(str(path), "w") as out:
        stream: Any = None
        for frame in frames:
            if stream is None:
                stream = out.add_stream(codec, rate=fps)
                stream.height, stream.width = frame.shape[:2]
                stream.pix_fmt = "yuv420p"
                stream.time_base = Fraction(1, fps)
                if codec == "libx264":
                    stream.options = {"crf": str(quality), "preset": "veryfast"}
                else:
                    stream.options = {"crf": str(quality), "b": "0", "deadline": "realtime"}
            video_frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="rgb24")
            for packet in stream.encode(video_frame):
                out.mux(packet)
        if stream is not None:
            for packet in stream.encode():
                out.mux(packet)
    return path


def _letterbox(frame: Frame) -> Frame:
    """The frame squeezed into a 16:9 picture of the same width, black bars above/below."""
    w = frame.shape[1]
    inner_h = round(w * 9 / 16) // 2 * 2
    inner = cv2.resize(frame, (w, inner_h), interpolation=cv2.INTER_AREA)
    out = np.zeros((round(w * 3 / 4) // 2 * 2, w, 3), np.uint8)
    top = (out.shape[0] - inner_h) // 2
    out[top : top + inner_h] = inner
    return out


def _crop90(frame: Frame) -> Frame:
    h, w = frame.shape[:2]
    ch, cw = round(h * 0.9) // 2 * 2, round(w * 0.9) // 2 * 2
    top, left = (h - ch) // 2, (w - cw) // 2
    return np.ascontiguousarray(frame[top : top + ch, left : left + cw])


def _crop(share: float) -> Callable[[Frame], Frame]:
    def crop(frame: Frame) -> Frame:
        h, w = frame.shape[:2]
        ch, cw = round(h * share) // 2 * 2, round(w * share) // 2 * 2
        top, left = (h - ch) // 2, (w - cw) // 2
        return np.ascontiguousarray(frame[top : top + ch, left : left + cw])

    return crop


def _blurred_fill(frame: Frame) -> Frame:
    """The frame in a 16:9 picture between blurred, blown-up copies of itself (as apps do)."""
    h, w = frame.shape[:2]
    wide = round(h * 16 / 9) // 2 * 2
    fill = cv2.GaussianBlur(cv2.resize(frame, (wide, h), interpolation=cv2.INTER_AREA), (0, 0), 20)
    left = (wide - w) // 2
    fill[:, left : left + w] = frame
    return fill


def _resize(size: tuple[int, int]) -> Callable[[Frame], Frame]:
    return lambda frame: cv2.resize(frame, size, interpolation=cv2.INTER_AREA)


@dataclass(frozen=True)
class Variant:
    name: str
    path: Path
    is_video: bool = True


def original(folder: Path, scene: Scene) -> Path:
    return write_video(folder / "original.mp4", scene.frames(), scene.fps)


def variants(folder: Path, scene: Scene, *, harder: bool = False) -> list[Variant]:
    """Every re-post edit of ``scene``, written into ``folder``; ``harder`` adds edits beyond
    the goal set (85 % crop mirrored, mirrored and letterboxed, blurred side fills)."""
    frames = list(scene.frames())
    fps = scene.fps
    w, h = scene.size
    clip_s = min(5.0, scene.seconds / 2)
    start = round(scene.seconds / 4 * fps)
    out = [
        Variant("re-encode", write_video(folder / "reencode.mp4", frames, fps, quality=35)),
        Variant(
            "resize 320x240" if (w, h) != (320, 240) else "resize 240x180",
            write_video(
                folder / "resized.mp4",
                map(_resize((320, 240) if (w, h) != (320, 240) else (240, 180)), frames),
                fps,
            ),
        ),
        Variant(
            f"{clip_s:g} s clip",
            write_video(folder / "clip.mp4", frames[start : start + round(clip_s * fps)], fps),
        ),
        Variant(
            "half frame rate",
            write_video(folder / "halfrate.mp4", frames[::2], max(1, fps // 2)),
        ),
        Variant("VP9/WebM", write_video(folder / "copy.webm", frames, fps, codec="libvpx-vp9")),
        Variant(
            "mirrored", write_video(folder / "mirrored.mp4", [f[:, ::-1] for f in frames], fps)
        ),
        Variant(
            "letterboxed", write_video(folder / "letterboxed.mp4", map(_letterbox, frames), fps)
        ),
        Variant("90% crop", write_video(folder / "crop90.mp4", map(_crop90, frames), fps)),
    ]
    if harder:
        out += [
            Variant(
                "85% crop, mirrored",
                write_video(folder / "crop85m.mp4", [_crop(0.85)(f)[:, ::-1] for f in frames], fps),
            ),
            Variant(
                "mirrored + letterboxed",
                write_video(folder / "mboxed.mp4", [_letterbox(f[:, ::-1]) for f in frames], fps),
            ),
            Variant(
                "blurred side fills",
                write_video(folder / "fills.mp4", map(_blurred_fill, frames), fps),
            ),
        ]
    still = folder / "still.jpg"
    Image.fromarray(frames[len(frames) // 3]).save(still, quality=90)
    out.append(Variant("still frame", still, is_video=False))
    return out


#: Photo sets of unrelated videos (colour photos, grey photos, textures).
UNRELATED_SETS = {
    "unrelated": OTHER_PHOTOS,
    "unrelated-grey": ("camera", "moon", "coins", "horse"),
    "unrelated-texture": ("brick", "grass", "gravel", "page"),
}


def unrelated(folder: Path, scene: Scene, name: str = "unrelated") -> Path:
    """A video like ``scene`` of other photos (``name``: a key of UNRELATED_SETS)."""
    other = Scene(UNRELATED_SETS[name], scene.seconds, scene.fps, scene.size, scene.pan)
    return write_video(folder / f"{name}.mp4", other.frames(), other.fps)
