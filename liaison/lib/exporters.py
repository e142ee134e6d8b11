"""Exporters yield a header and rows once; the base class writes them as xlsx (openpyxl in
write-only mode, so memory stays flat on big exports) or CSV. Cells that a spreadsheet would
read as a formula are neutralized: user text like "=HYPERLINK(...)" must stay text."""

import csv
import io
from datetime import date, datetime

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralize(value):
    """Make a value safe for a spreadsheet cell: strings starting like a formula get a leading
    apostrophe-like quote; numbers and dates are kept as they are."""
    if isinstance(value, str):
        if value.startswith(FORMULA_PREFIXES):
            return "'" + value
        return value
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if value is None or isinstance(value, (int, float, date)):
        return value
    return neutralize(str(value))


class ListExporter:
    """Subclasses set `title`, `filename` and implement `header()` and `rows()`."""

    title = "export"
    filename = "export"

    def header(self):
        raise NotImplementedError

    def rows(self):
        raise NotImplementedError

    def write_xlsx(self, fileobj, progress=None):
        wb = Workbook(write_only=True)
        self.write_sheet(wb, progress=progress)
        wb.save(fileobj)

    def write_sheet(self, wb, progress=None):
        """Append this exporter's header and rows to a write-only workbook as one sheet."""
        ws = wb.create_sheet(title=str(self.title)[:31])
        bold = Font(bold=True)
        header = []
        for h in self.header():
            cell = WriteOnlyCell(ws, value=neutralize(str(h)))
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for i, row in enumerate(self.rows(), start=1):
            ws.append([neutralize(v) for v in row])
            if progress is not None and i % 500 == 0:
                progress(i)

    def write_csv(self, fileobj):
        # utf-8-sig so that Excel on Chinese Windows opens the file with the right encoding.
        text = io.TextIOWrapper(fileobj, encoding="utf-8-sig", newline="")
        writer = csv.writer(text)
        writer.writerow([neutralize(str(h)) for h in self.header()])
        for row in self.rows():
            writer.writerow(["" if v is None else neutralize(v) for v in row])
        text.flush()
        text.detach()

    def xlsx_bytes(self):
        buf = io.BytesIO()
        self.write_xlsx(buf)
        return buf.getvalue()


class WorkbookExporter:
    """Several exporters as the sheets of one workbook (e.g. a file with one sheet per section).
    Every sheet goes through `ListExporter.write_sheet`, so every cell is neutralized the same way.
    Works with `xlsx_response` like a single exporter."""

    filename = "export"

    def __init__(self, sheets, *, filename=None):
        self.sheets = list(sheets)
        if filename:
            self.filename = filename

    def count(self):
        return sum(sheet.count() for sheet in self.sheets)

    def write_xlsx(self, fileobj, progress=None):
        wb = Workbook(write_only=True)
        done = 0
        for sheet in self.sheets:
            sheet.write_sheet(wb, progress=None if progress is None else (lambda n, done=done: progress(done + n)))
            if progress is not None:
                done += sheet.count()
                progress(done)
        wb.save(fileobj)

    def xlsx_bytes(self):
        buf = io.BytesIO()
        self.write_xlsx(buf)
        return buf.getvalue()


class RowsExporter(ListExporter):
    """A sheet from a header and rows already at hand."""

    def __init__(self, title, header, rows):
        self.title, self._header, self._rows = title, list(header), list(rows)

    def count(self):
        return len(self._rows)

    def header(self):
        return self._header

    def rows(self):
        return iter(self._rows)


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(exporter):
    from django.http import HttpResponse
    from django.utils.encoding import escape_uri_path

    response = HttpResponse(exporter.xlsx_bytes(), content_type=XLSX_CONTENT_TYPE)
    name = f"{exporter.filename}-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(name)}"
    return response


def export_job_run(*, model, job_id, exporter_for, filename_for, select_related=()):
    """Run one background export job of `model` (status, done_rows, total_rows, file, error and
    finished_at fields; Status with QUEUED, RUNNING, DONE, FAILED): claim it with a conditional
    UPDATE, so a redelivered task finds nothing to do; stream the exporter's rows into a temporary
    file, saving progress every few hundred rows; then store the file. Returns the job, or None
    when it was not queued any more."""
    import tempfile

    from django.core.files import File

    jobs = model.objects.filter(pk=job_id)
    if not jobs.filter(status=model.Status.QUEUED).update(status=model.Status.RUNNING):
        return None
    job = model.objects.select_related(*select_related).get(pk=job_id)
    try:
        exporter = exporter_for(job)
        total = exporter.count()
        jobs.update(total_rows=total)
        with tempfile.TemporaryFile() as tmp:
            exporter.write_xlsx(tmp, progress=lambda done: jobs.update(done_rows=done))
            tmp.seek(0)
            job.file.save(filename_for(job, exporter), File(tmp), save=False)
        jobs.update(
            file=job.file.name, status=model.Status.DONE, done_rows=total, total_rows=total, finished_at=timezone.now()
        )
    except Exception as exc:
        jobs.update(status=model.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now())
        raise
    job.refresh_from_db()
    return job
