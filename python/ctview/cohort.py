"""A whole cohort converted on a Dask cluster: every series under a folder to a volume file, and one table.

    python3 -m ctview.cohort ROOT -o OUT [--scheduler ADDRESS] [--workers N] [--format nii.gz|nii|nrrd]
                             [--segments]

Every series found under ROOT is loaded and written as OUT/SERIES_UID.FORMAT by a Dask worker, the same file
`ctview convert` writes. ROOT is a folder (each folder under it that holds files is scanned; a series is
loaded from the innermost folder that holds all of its files, so one split over sibling folders is loaded
whole) or a PACS's root (a DICOMweb root URL or dicom://AE@HOST:PORT: every series of every study on it, each
worker retrieving its own), and OUT/series.csv gets a row per series: patient, study, series, modality, size, spacing,
warnings, the output, the time, and with --segments the volume of each segment of the segmentations beside it.
A series that fails is a row with its error, never the end of the run; a rerun keeps the rows (and files) of
the series already done. Without --scheduler the work runs on a LocalCluster of this machine (--workers
processes); with it, on that Dask cluster (the same code on a laptop and on a hundred nodes).
"""
import argparse
import csv
import json
import os
import sys
import time

COLUMNS = ["source", "series_uid", "patient_id", "patient_name", "study_uid", "study_date", "modality",
           "description", "columns", "rows", "slices", "spacing_mm", "warnings", "segments", "output", "seconds",
           "error"]


def find_sources(root):
    """(folder, series UID, None) for every series under `root`, each once, loaded from the innermost folder
    whose (recursive) scan holds all of its files: the common folder of the folders whose scans found it, less
    those that found no more of it than the folders inside them (one folder per series, as archives and CDs lay
    them out, is that folder; a series split over sibling folders is their parent). Folders that cannot be
    scanned come back as (folder, None, error)."""
    import ctview

    where, errors = {}, []
    folders = [d for d, _, files in os.walk(root) if any(not f.startswith(".") for f in files)]
    for folder in sorted(folders):
        try:
            rows = ctview.series(folder)
        except Exception as e:  # noqa: BLE001 - an unreadable folder is a row of the table
            errors.append((folder, None, f"{type(e).__name__}: {e}"))
            continue
        for row in rows:
            where.setdefault(row["uid"], {})[folder] = row["slices"]
    found = []
    for uid, scans in where.items():
        # A folder whose scan saw no more of the series than the folders inside it did together adds nothing
        # (a DICOMDIR or stray files at the top would otherwise make every series load from there).
        def inner(f):
            below = [g for g in scans if g.startswith(f + os.sep)]
            return [g for g in below if not any(h != g and g.startswith(h + os.sep) for h in below)]

        needed = [f for f, n in scans.items() if sum(scans[g] for g in inner(f)) < n]
        found.append((os.path.commonpath(needed), uid, None))
    return sorted(found) + errors


def find_archive_sources(root):
    """(study URL, series UID, None) for every series of every study on the archive at `root`; a study whose
    series cannot be listed comes back as (its URL, None, error)."""
    import ctview

    found = []
    for study in ctview.studies(root):
        try:
            found += [(study["url"], row["uid"], None) for row in ctview.series(study["url"])]
        except Exception as e:  # noqa: BLE001 - a study that cannot be listed is a row of the table
            found.append((study["url"], None, f"{type(e).__name__}: {e}"))
    return sorted(found, key=lambda f: (f[0], f[1] or ""))


def is_archive(root):
    return "://" in str(root)


def convert_one(folder, uid, out_dir, fmt, segments):
    """One series to OUT/UID.FMT on a worker; its row of the table (an error is a row too)."""
    import ctview

    row = {"source": folder, "series_uid": uid}
    start = time.perf_counter()
    try:
        vol = ctview.load(folder, series=uid)
        meta = vol.meta
        row.update(patient_id=meta.get("PatientID", ""), patient_name=meta.get("PatientName", ""),
                   study_uid=meta.get("StudyInstanceUID", ""), study_date=meta.get("StudyDate", ""),
                   modality=meta.get("Modality", ""), description=meta.get("SeriesDescription", ""))
        slices, rows, columns = vol.array.shape
        row.update(columns=columns, rows=rows, slices=slices,
                   spacing_mm=" x ".join(f"{s:g}" for s in vol.spacing), warnings=" | ".join(vol.warnings))
        if segments:
            row["segments"] = json.dumps({s.name: round(s.volume_ml, 3) for s in vol.segments})
        path = os.path.join(out_dir, f"{uid}.{fmt}")
        write = vol.to_nrrd if fmt == "nrrd" else vol.to_nifti
        row["output"] = write(path, force=True)
    except Exception as e:  # noqa: BLE001 - a failing series is a row of the table
        row["error"] = f"{type(e).__name__}: {e}"
    row["seconds"] = round(time.perf_counter() - start, 3)
    return row


def read_table(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write_table(path, rows):
    """Written aside and renamed: a table cut short by a crash is never left behind."""
    partial = path + ".partial"
    with open(partial, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in COLUMNS})
    os.replace(partial, path)


def run(root, out_dir, scheduler=None, workers=2, fmt="nii.gz", segments=False, log=print):
    """Converts the cohort; returns the table's rows (also in OUT/series.csv)."""
    from distributed import Client, LocalCluster, as_completed

    if not is_archive(root):
        root = os.path.abspath(root)  # the table's sources, like its outputs, name folders from anywhere
    os.makedirs(out_dir, exist_ok=True)
    table = os.path.join(out_dir, "series.csv")
    done = {r["series_uid"]: r for r in read_table(table)
            if r.get("series_uid") and not r.get("error") and r.get("output") and os.path.exists(r["output"])}
    rows, todo = [], []
    for folder, uid, error in (find_archive_sources if is_archive(root) else find_sources)(root):
        if uid is None:
            rows.append({"source": folder, "error": error})
        elif uid in done:
            rows.append(done[uid])
        else:
            todo.append((folder, uid))
    log(f"{len(todo)} series to convert, {len(done)} done before, {len(rows) - len(done)} folders unreadable")
    if todo:
        cluster = None if scheduler else LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                      dashboard_address=None)
        try:
            with Client(scheduler or cluster) as client:
                futures = {client.submit(convert_one, folder, uid, os.path.abspath(out_dir), fmt, segments,
                                         pure=False): (folder, uid) for folder, uid in todo}
                for future in as_completed(futures):
                    try:
                        row = future.result()
                    except Exception as e:  # noqa: BLE001 - a worker that died (memory): the series' row
                        folder, uid = futures[future]
                        row = {"source": folder, "series_uid": uid, "error": f"{type(e).__name__}: {e}"}
                    rows.append(row)
                    log(f"{row['series_uid']}: {row.get('error') or row['output']}")
                    write_table(table, rows)  # what is done survives an interrupted run
        finally:
            if cluster is not None:
                cluster.close()
    rows.sort(key=lambda r: (r.get("source", ""), r.get("series_uid", "")))
    write_table(table, rows)
    return rows


def main(argv=None):
    p = argparse.ArgumentParser(prog="python3 -m ctview.cohort", description=__doc__.split("\n\n")[0])
    p.add_argument("root", help="a folder holding the cohort's series (searched recursively), or a PACS's root "
                                "(a DICOMweb root URL, dicom://AE@HOST:PORT)")
    p.add_argument("-o", "--output", required=True, help="folder for the volume files and series.csv")
    p.add_argument("--scheduler", help="a Dask scheduler's address (default: a LocalCluster on this machine)")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="LocalCluster worker processes")
    p.add_argument("--format", choices=["nii.gz", "nii", "nrrd"], default="nii.gz")
    p.add_argument("--segments", action="store_true", help="the volume of each segment beside each series")
    a = p.parse_args(argv)
    if not is_archive(a.root) and not os.path.isdir(a.root):
        p.exit(1, f"{a.root}: not a folder\n")
    import ctview

    try:
        rows = run(a.root, a.output, a.scheduler, a.workers, a.format, a.segments,
                   log=lambda m: print(m, file=sys.stderr))
    except (ctview.LoadError, ValueError) as e:  # the archive unreachable, refused, or not one
        p.exit(1, f"{e}\n")
    failed = sum(1 for r in rows if r.get("error"))
    print(os.path.join(a.output, "series.csv"))
    return 1 if failed == len(rows) and rows else 0


if __name__ == "__main__":
    sys.exit(main())
