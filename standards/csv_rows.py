"""Reading the data lines of an uploaded CSV file, shared by the imports (people and wards;
ward measures): blank lines skipped, each kept with its line number, every value trimmed."""

import csv

from . import numbers


def data_rows(
    reader: csv.DictReader, columns, errors: list[str], max_rows: int
) -> list[tuple[int, dict[str, str]]]:
    """(line number, {column: value}) for each line with anything in it; [] with a message in
    ``errors`` when the file is too long, not CSV, or has no data lines."""
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for row in reader:
            if len(rows) >= max_rows:
                most = numbers.count_text(max_rows)
                errors.append(f"The file has more than {most} rows: split it into parts")
                return []
            values = {c: (row.get(c) or "").strip() for c in columns}
            if any(values.values()):
                rows.append((reader.line_num, values))
    except csv.Error as error:
        errors.append(f"Line {reader.line_num}: this is not valid CSV ({error})")
        return []
    if not rows:
        errors.append("The file has no rows under its header")
    return rows
