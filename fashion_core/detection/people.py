"""Finding people and their poses: MediaPipe legacy Pose (+ segmentation) and, for groups, face detection.

MediaPipe's legacy Pose finds one person per call. Several people are found by masking and re-running:
each person found is painted grey and Pose runs again, until it finds nobody new (see
:meth:`PoseEstimator.people` for when this search runs). Both models ship
inside the ``mediapipe`` 0.10.21 wheel: nothing is downloaded.
"""

from __future__ import annotations

import threading

import numpy as np

from .types import Person

LANDMARKS: tuple[str, ...] = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye", "right_eye_outer",
    "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder", "right_shoulder", "left_elbow",
    "right_elbow", "left_wrist", "right_wrist", "left_pinky", "right_pinky", "left_index", "right_index",
    "left_thumb", "right_thumb", "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle",
    "right_ankle", "left_heel", "right_heel", "left_foot_index", "right_foot_index",
)
"""MediaPipe Pose's 33 landmarks, in its order, in lower case."""


class PoseEstimator:
    """MediaPipe Pose with segmentation plus face detection for several people; one instance per process."""

    def __init__(self, model_complexity: int = 1, max_people: int = 6, min_face_score: float = 0.5) -> None:
        import mediapipe as mp

        self.max_people = max_people
        self._pose = mp.solutions.pose.Pose(static_image_mode=True, enable_segmentation=True,
                                            model_complexity=model_complexity, min_detection_confidence=0.5)
        self._faces = mp.solutions.face_detection.FaceDetection(model_selection=1,
                                                                min_detection_confidence=min_face_score)
        self._lock = threading.Lock()

    def faces(self, rgb: np.ndarray) -> list[tuple[float, float, float, float, float]]:
        """Face boxes (x0, y0, x1, y1, score) in pixels, best first."""
        h, w = rgb.shape[:2]
        with self._lock:
            res = self._faces.process(rgb)
        out = []
        for det in res.detections or []:
            b = det.location_data.relative_bounding_box
            out.append((b.xmin * w, b.ymin * h, (b.xmin + b.width) * w, (b.ymin + b.height) * h,
                        float(det.score[0])))
        return sorted(out, key=lambda f: -f[4])

    def pose(self, rgb: np.ndarray, offset: tuple[int, int] = (0, 0),
             full_shape: tuple[int, int] | None = None) -> Person | None:
        """The one pose MediaPipe finds in ``rgb`` (keypoints and mask placed at ``offset`` in the full image)."""
        h, w = rgb.shape[:2]
        with self._lock:
            res = self._pose.process(np.ascontiguousarray(rgb))
        if res.pose_landmarks is None:
            return None
        ox, oy = offset
        kps = {name: (lm.x * w + ox, lm.y * h + oy, float(lm.visibility))
               for name, lm in zip(LANDMARKS, res.pose_landmarks.landmark)}
        mask = None
        if res.segmentation_mask is not None:
            fh, fw = full_shape or (h, w)
            mask = np.zeros((fh, fw), np.float32)
            mask[oy:oy + h, ox:ox + w] = res.segmentation_mask
        return Person(keypoints=kps, mask=mask)

    def people(self, rgb: np.ndarray) -> list[Person]:
        """Every person found in ``rgb``, left to right, each with its index set.

        After the first pose, when the face detector sees two or more faces or the person fills less than
        ``GROUP_AREA`` of the photo, the people found so far are painted grey and Pose runs again.
        """
        first = self.pose(rgb)
        if first is None:
            return []
        found = [first]
        h, w = rgb.shape[:2]
        if len(self.faces(rgb)) >= 2 or _box_area(first, (h, w)) < GROUP_AREA * h * w:
            work = rgb.copy()
            while len(found) < self.max_people:
                for p in found:
                    work[_grown_mask(p, (h, w))] = 127
                nxt = self.pose(work)
                if nxt is None or any(_same_person(nxt, p) for p in found):
                    break
                found.append(nxt)
        found.sort(key=lambda p: p.xy("nose")[0])
        for i, p in enumerate(found):
            p.index = i
        return found


GROUP_AREA = 0.35
"""A first person filling less than this share of the photo prompts a search for more people."""


def _box_of(p: Person, shape: tuple[int, int]) -> tuple[float, float, float, float]:
    h, w = shape
    if p.mask is not None and (p.mask > 0.5).any():
        m = p.mask > 0.5
        rows, cols = np.flatnonzero(m.any(1)), np.flatnonzero(m.any(0))
        return float(cols[0]), float(rows[0]), float(cols[-1] + 1), float(rows[-1] + 1)
    pts = np.array([(k[0], k[1]) for k in p.keypoints.values()])
    return (float(np.clip(pts[:, 0].min(), 0, w)), float(np.clip(pts[:, 1].min(), 0, h)),
            float(np.clip(pts[:, 0].max(), 0, w)), float(np.clip(pts[:, 1].max(), 0, h)))


def _box_area(p: Person, shape: tuple[int, int]) -> float:
    x0, y0, x1, y1 = _box_of(p, shape)
    return max(0.0, x1 - x0) * max(0.0, y1 - y0)


def _grown_mask(p: Person, shape: tuple[int, int]) -> np.ndarray:
    import cv2

    if p.mask is None:
        m = np.zeros(shape, bool)
        x0, y0, x1, y1 = (int(v) for v in _box_of(p, shape))
        m[y0:y1, x0:x1] = True
        return m
    k = max(3, int(0.02 * max(shape)) | 1)
    return cv2.dilate((p.mask > 0.3).astype(np.uint8), np.ones((k, k), np.uint8)) > 0


def _same_person(a: Person, b: Person) -> bool:
    """True when pose ``a`` lands on the person ``b`` (its nose or hips inside ``b``'s mask)."""
    if b.mask is None:
        return False
    h, w = b.mask.shape
    for name in ("nose", "left_hip", "right_hip"):
        x, y = a.xy(name)
        xi, yi = int(x), int(y)
        if 0 <= xi < w and 0 <= yi < h and b.mask[yi, xi] > 0.5:
            return True
    return False
