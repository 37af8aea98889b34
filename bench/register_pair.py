"""Helpers of bench/register: the moved copy of a series and the errors of the links found.

move FIXED.nrrd MOVING.nrrd TRUTH.json: MOVING holds FIXED's voxels, with noise of its own (Gaussian, 20 HU: a
second scan is not the same picture), its geometry turned 4, -3 and 6 degrees about L, P and S through the
volume's centre and moved (12, -7, 9) mm, so that MOVING's LPS point G(p) shows what FIXED shows at p;
TRUTH.json is G (fixed LPS -> moving LPS).
error FIXED.nrrd TRUTH.json (ctview JSON | elastix TransformParameters.0.txt): the largest distance, over the
fixed volume's box corners, between where the found link and G take them (mm), and the rotation's error (deg).
"""
import json
import math
import re
import sys

import numpy as np


def header(path):
    data = open(path, "rb").read()
    head, _, body = data.partition(b"\n\n")
    return head.decode(), body


def geometry(head):
    sizes = [int(v) for v in re.search(r"sizes: (\d+) (\d+) (\d+)", head).groups()]
    dirs = [[float(x) for x in g.split(",")] for g in re.search(r"space directions: \((.*?)\) \((.*?)\) \((.*?)\)", head).groups()]
    origin = [float(x) for x in re.search(r"space origin: \((.*?)\)", head).group(1).split(",")]
    return np.array(sizes), np.array(dirs).T, np.array(origin)  # columns: the voxel steps


def rotation(ax, ay, az):
    ax, ay, az = (math.radians(a) for a in (ax, ay, az))
    rx = np.array([[1, 0, 0], [0, math.cos(ax), -math.sin(ax)], [0, math.sin(ax), math.cos(ax)]])
    ry = np.array([[math.cos(ay), 0, math.sin(ay)], [0, 1, 0], [-math.sin(ay), 0, math.cos(ay)]])
    rz = np.array([[math.cos(az), -math.sin(az), 0], [math.sin(az), math.cos(az), 0], [0, 0, 1]])
    return rz, rx, ry


def corners(sizes, steps, origin):
    return [origin + steps @ np.array([i, j, k]) for i in (0, sizes[0] - 1) for j in (0, sizes[1] - 1) for k in (0, sizes[2] - 1)]


def move(fixed, moving, truth):
    head, body = header(fixed)
    sizes, steps, origin = geometry(head)
    centre = origin + steps @ ((sizes - 1) / 2)
    rz, rx, ry = rotation(4, -3, 6)
    r = rz @ ry @ rx
    t = np.array([12.0, -7.0, 9.0])
    g = np.eye(4)
    g[:3, :3] = r
    g[:3, 3] = centre - r @ centre + t
    new_steps = r @ steps
    new_origin = g[:3, :3] @ origin + g[:3, 3]
    fmt = lambda v: "(%r,%r,%r)" % tuple(float(x) for x in v)
    head = re.sub(r"space directions: .*", "space directions: " + " ".join(fmt(new_steps[:, c]) for c in range(3)), head)
    head = re.sub(r"space origin: .*", "space origin: " + fmt(new_origin), head)
    assert "type: short" in head and "encoding: raw" in head and "endian: little" in head
    voxels = np.frombuffer(body, dtype="<i2").astype(np.float32)
    voxels += np.random.default_rng(31).normal(0, 20, voxels.size).astype(np.float32)
    body = np.clip(np.rint(voxels), -32768, 32767).astype("<i2").tobytes()
    open(moving, "wb").write(head.encode() + b"\n\n" + body)
    json.dump(g.tolist(), open(truth, "w"))


def elastix_link(path):
    text = open(path).read()
    params = [float(v) for v in re.search(r"\(TransformParameters (.*?)\)", text).group(1).split()]
    centre = np.array([float(v) for v in re.search(r"\(CenterOfRotationPoint (.*?)\)", text).group(1).split()])
    zyx = re.search(r'\(ComputeZYX "(\w+)"\)', text)
    rz, rx, ry = rotation(*(math.degrees(a) for a in params[:3]))
    r = rx @ ry @ rz if zyx and zyx.group(1) == "true" else rz @ rx @ ry  # ITK's Euler3DTransform
    g = np.eye(4)
    g[:3, :3] = r
    g[:3, 3] = centre - r @ centre + np.array(params[3:6])
    return g


def error(fixed, truth, found):
    head, _ = header(fixed)
    sizes, steps, origin = geometry(head)
    g = np.array(json.load(open(truth)))
    if found.endswith(".json"):
        link = np.array(json.load(open(found))["fixed_to_moving_lps"])
    else:
        link = elastix_link(found)
    worst = max(np.linalg.norm((link @ np.append(p, 1))[:3] - (g @ np.append(p, 1))[:3]) for p in corners(sizes, steps, origin))
    rel = link[:3, :3] @ g[:3, :3].T
    degrees = math.degrees(math.acos(max(-1.0, min(1.0, (np.trace(rel) - 1) / 2))))
    print("%.4f mm %.4f deg" % (worst, degrees))


if __name__ == "__main__":
    {"move": move, "error": error}[sys.argv[1]](*sys.argv[2:])
