"""Reads a BDF or EDF file with MNE and prints what MNE makes of it as one JSON object.

Used by test/recording/edf-mne.test.ts to check that a real reader accepts our files. Run it
with /usr/bin/python3 (the system Python that has python3-mne):

    /usr/bin/python3 test/_support/read_edf.py FILE [--window START:STOP ...]

Output: MNE's version, channel names, types and original units, sfreq, n_times, meas_date, per
channel a summary (min, max, sum, sum of squares, in µV) over all samples, the values in µV of
every requested window of sample indices, the annotations (onset, duration, description) and
the warnings MNE raised. Diagnostics go to stderr, so stdout stays parseable.
"""
import argparse
import json
import sys
import warnings


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--window", action="append", default=[],
                        help="START:STOP sample indices to print in full (repeatable)")
    args = parser.parse_args()

    import mne  # imported late so --help works without it
    mne.set_log_level("ERROR")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if args.file.lower().endswith(".bdf"):
            raw = mne.io.read_raw_bdf(args.file, preload=True)
        elif args.file.lower().endswith(".edf"):
            raw = mne.io.read_raw_edf(args.file, preload=True)
        else:
            sys.exit(f"read_edf.py: {args.file!r} is neither .bdf nor .edf")

    data_uv = raw.get_data() * 1e6  # MNE holds volts; the files say uV
    windows = []
    for spec in args.window:
        start, stop = (int(x) for x in spec.split(":"))
        windows.append({
            "start": start,
            "stop": stop,
            "values": [[round(float(v), 6) for v in ch[start:stop]] for ch in data_uv],
        })

    meas_date = raw.info["meas_date"]
    out = {
        "mne_version": mne.__version__,
        "ch_names": raw.ch_names,
        "ch_types": raw.get_channel_types(),
        "orig_units": [raw._orig_units.get(name) for name in raw.ch_names],
        "sfreq": float(raw.info["sfreq"]),
        "n_times": int(raw.n_times),
        "meas_date": meas_date.isoformat() if meas_date is not None else None,
        "summary": [
            {
                "min": float(ch.min()),
                "max": float(ch.max()),
                "sum": float(ch.sum()),
                "sum_sq": float((ch * ch).sum()),
            }
            for ch in data_uv
        ],
        "windows": windows,
        "annotations": [
            {"onset": float(a["onset"]), "duration": float(a["duration"]), "description": a["description"]}
            for a in raw.annotations
        ],
        "warnings": [str(w.message) for w in caught],
    }
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
