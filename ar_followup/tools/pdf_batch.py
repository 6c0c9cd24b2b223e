# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Many documents printed in one wkhtmltopdf run and split again, free of the ORM.

Every wkhtmltopdf run pays a fixed start (the program, the page's assets, the
JavaScript delay Odoo asks for) before its first page, so documents are
printed many per run. Odoo does that with the wkhtmltopdf built on patched Qt:
one HTML file per document, split again by the outlines wkhtmltopdf adds.
Debian's build (unpatched Qt) takes one HTML file and makes no outlines, so:

1. :func:`join_documents` puts the documents in one HTML file, each starting on
   a new page behind a mark: a 1×1 px square of a near-white colour no report
   paints (:data:`MARK_RGB`);
2. :func:`find_marks` finds the first page of each document by that colour in
   the pages' drawing operators (the text of these PDFs is drawn as shapes, not
   as searchable text);
3. :func:`add_outlines` adds one outline per document, as the patched build
   would, so that Odoo's own code splits the PDF per record.

:func:`print_in_chunks` prints ids a chunk at a time and isolates the ids that
fail alone; :func:`merge` joins PDFs into one.
"""

import gc
import io

from lxml import etree, html

from odoo.tools.pdf import PdfFileReader, PdfFileWriter, filters, generic, merge_pdf

#: the colour of the mark each document starts with (see :func:`join_documents`)
MARK_RGB = (254, 253, 251)
_MARK_STYLE = "background-color: rgb(%d, %d, %d); width: 1px; height: 1px; margin-bottom: -1px;"


def join_documents(bodies):
    """One HTML document holding ``bodies`` (complete HTML documents sharing one
    ``<head>``, as Odoo's ``_prepare_html`` makes them), each on new pages behind
    a mark.

    >>> page = '<html><head><title>x</title></head><body dir="%s"><p>%s</p></body></html>'
    >>> joined = join_documents([page % ("ltr", "one"), page % ("rtl", "two")])
    >>> print(joined.replace(_MARK_STYLE % MARK_RGB, "MARK"))  # doctest: +NORMALIZE_WHITESPACE
    <html><head><title>x</title></head><body dir="ltr"><div dir="ltr"><div style="MARK"></div><p>one</p></div><div
    dir="rtl" style="page-break-before: always;"><div style="MARK"></div><p>two</p></div></body></html>
    """
    root = html.document_fromstring(bodies[0])
    body = root.find("body")
    for child in list(body):
        body.remove(child)
    body.text = None
    for index, document in enumerate(bodies):
        source = html.document_fromstring(document).find("body")
        wrapper = etree.SubElement(body, "div")
        if source.get("dir"):
            wrapper.set("dir", source.get("dir"))
        if index:
            wrapper.set("style", "page-break-before: always;")
        etree.SubElement(wrapper, "div", style=_MARK_STYLE % MARK_RGB)
        wrapper[-1].tail = source.text
        wrapper.extend(list(source))
    return html.tostring(root, encoding="unicode")


def _has_mark(operators, rgb=MARK_RGB):
    """Whether a page's drawing ``operators`` (a content stream) set the fill colour ``rgb``.

    >>> _has_mark(b"/CSp cs 0.996078431 0.992156862 0.984313725 scn 0 0 1 1 re f")
    True
    >>> _has_mark(b"0.996 0.992 0.984 rg 0 0 1 1 re f")
    True
    >>> _has_mark(b"/CSp cs 1 1 1 scn 0 0 0 rg")
    False
    """
    for operator in (b" scn", b" rg"):
        position = operators.find(operator)
        while position != -1:
            operands = operators[max(0, position - 60) : position].split()[-3:]
            try:
                if tuple(round(float(value) * 255) for value in operands) == rgb:
                    return True
            except ValueError:
                pass  # a colour of another colour space, or a pattern
            position = operators.find(operator, position + len(operator))
    return False


def _page_operators(page):
    """The decompressed drawing operators of ``page``, not kept by the reader (a page of
    these PDFs holds hundreds of kilobytes of them)."""
    contents = page.get("/Contents")
    if contents is None:
        return b""
    contents = contents.get_object()
    parts = contents if isinstance(contents, generic.ArrayObject) else [contents]
    return b"\n".join(filters.decode_stream_data(part.get_object()) for part in parts)


def find_marks(content):
    """The indexes of the pages of PDF ``content`` that bear a mark: where each
    document of :func:`join_documents` starts. The decompressed drawing operators are
    searched for the mark's colour, as bytes: parsing them is far slower."""
    reader = PdfFileReader(io.BytesIO(content), strict=False)
    return [index for index, page in enumerate(reader.pages) if _has_mark(_page_operators(page))]


def concatenate(contents):
    """``(pdf, starts)``: the PDFs ``contents`` as one, and the index of the page each
    one starts on in it."""
    starts, pages = [], 0
    for content in contents:
        starts.append(pages)
        pages += len(PdfFileReader(io.BytesIO(content), strict=False).pages)
    return merge_pdf(contents), starts


def add_outlines(content, starts):
    """PDF ``content`` with one top-level outline per document starting at the page
    indexes ``starts``, in the form Odoo reads to split a run per record
    (``ir.actions.report._render_qweb_pdf_prepare_streams``): named destinations
    (``/Dests``) whose first element is the page index, as wkhtmltopdf writes them.

    >>> writer = PdfFileWriter()
    >>> for _page in range(3):
    ...     _ = writer.add_blank_page(100, 100)
    >>> stream = io.BytesIO()
    >>> _ = writer.write(stream)
    >>> root = PdfFileReader(io.BytesIO(add_outlines(stream.getvalue(), [0, 2]))).trailer["/Root"]
    >>> node, pages = root["/Outlines"]["/First"], []
    >>> while node is not None:
    ...     pages.append(root["/Dests"][node["/Dest"]][0])
    ...     node = node.get("/Next")
    >>> pages
    [0, 2]
    """
    reader = PdfFileReader(io.BytesIO(content), strict=False)
    writer = PdfFileWriter()
    for page in reader.pages:
        writer.add_page(page)
    outlines = generic.DictionaryObject(
        {generic.NameObject("/Type"): generic.NameObject("/Outlines")}
    )
    outlines_ref = writer._addObject(outlines)
    dests = generic.DictionaryObject()
    items = []
    for index, page in enumerate(starts):
        name = generic.NameObject("/ar_document_%d" % index)
        dests[name] = generic.ArrayObject(
            [
                generic.NumberObject(page),
                generic.NameObject("/XYZ"),
                generic.NullObject(),
                generic.NullObject(),
                generic.NumberObject(0),
            ]
        )
        item = generic.DictionaryObject(
            {
                generic.NameObject("/Title"): generic.create_string_object(str(index + 1)),
                generic.NameObject("/Parent"): outlines_ref,
                generic.NameObject("/Dest"): name,
            }
        )
        items.append((item, writer._addObject(item)))
    for index, (item, _ref) in enumerate(items):
        if index:
            item[generic.NameObject("/Prev")] = items[index - 1][1]
        if index + 1 < len(items):
            item[generic.NameObject("/Next")] = items[index + 1][1]
    if items:
        outlines[generic.NameObject("/First")] = items[0][1]
        outlines[generic.NameObject("/Last")] = items[-1][1]
        outlines[generic.NameObject("/Count")] = generic.NumberObject(len(items))
    writer._root_object[generic.NameObject("/Outlines")] = outlines_ref
    writer._root_object[generic.NameObject("/Dests")] = writer._addObject(dests)
    stream = io.BytesIO()
    writer.write(stream)
    return stream.getvalue()


def merge(contents):
    """One document of the documents ``contents``, in their order: PDFs merged into
    one PDF; HTML (what Odoo's reports print while Odoo runs its tests without
    wkhtmltopdf) put one after the other.

    >>> merge([b"<p>one</p>", b"<p>two</p>"])
    b'<p>one</p><p>two</p>'
    """
    if all(content.startswith(b"%PDF") for content in contents):
        return merge_pdf(contents)
    return b"".join(contents)


def print_in_chunks(ids, size, print_chunk):
    """Call ``print_chunk(chunk)`` on ``ids``, ``size`` at a time; returns
    ``{id: exception}`` for the ids that could not be printed.

    A chunk that raises is halved, again and again, until the ids that fail
    alone are found: one bad document costs a few more runs, and every other
    document of its chunk is still printed. The PDF library's objects refer to
    each other, so the tens of megabytes a run reads would wait for a full
    garbage collection: one follows each chunk.

    >>> printed = []
    >>> def print_chunk(chunk):
    ...     if 13 in chunk:
    ...         raise ValueError("no template for 13")
    ...     printed.append(chunk)
    >>> print_in_chunks(range(1, 21), 8, print_chunk)
    {13: ValueError('no template for 13')}
    >>> printed
    [[1, 2, 3, 4, 5, 6, 7, 8], [9, 10, 11, 12], [14], [15, 16], [17, 18, 19, 20]]
    """
    ids = list(ids)
    errors = {}
    for start in range(0, len(ids), size):
        _print_halving(ids[start : start + size], print_chunk, errors)
        gc.collect()
    return errors


def _print_halving(chunk, print_chunk, errors):
    try:
        print_chunk(chunk)
    except Exception as exc:  # noqa: BLE001 - the ids that fail alone are reported
        if len(chunk) == 1:
            errors[chunk[0]] = exc
            return
        half = (len(chunk) + 1) // 2
        _print_halving(chunk[:half], print_chunk, errors)
        _print_halving(chunk[half:], print_chunk, errors)
