"""Fetching ICE's current list over HTTP (:func:`fetch_capture`): a timeout, a size limit and a content check."""
from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from .schema import AgreementError

# ICE's 287(g) page: it links to the current list, participatingAgencies<MMDDYYYY><am|pm>.xlsx under
# /doclib/about/offices/ero/287g/ (ICE replaces the file, and its name, when the list changes).
ICE_287G_URL = "https://www.ice.gov/identify-and-arrest/287g"
FETCH_TIMEOUT = 60.0            # seconds: for the connection, each read, and the whole download
FETCH_MAX_BYTES = 20_000_000    # ICE's list is a few hundred KB
MIN_ROWS_RATIO = 0.5            # a complete list with fewer rows than this share of the last one is refused
USER_AGENT = "sanctuary-map/0.1 ingest-287g (one request a day)"
XLSX_MAGIC = b"PK\x03\x04"
_LINK_RE = re.compile(r"""href\s*=\s*["']([^"']*participatingAgencies[^"']*\.xlsx)["']""", re.I)


class FetchError(AgreementError):
    """A download that failed or did not bring a spreadsheet; nothing was changed."""


@dataclass
class Download:
    path: Path          # the downloaded file (in the folder given)
    url: str            # the URL it came from (after redirects, and after following ICE's page to the file)
    content_type: str
    bytes: int


def _safe_name(name: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]", "_", Path(urllib.parse.unquote(name)).name).strip("._") or "capture"
    return name if name.lower().endswith((".xlsx", ".xlsm")) else f"{name}.xlsx"


def _get(url: str, timeout: float, max_bytes: int) -> tuple[bytes, str, str, str]:
    """(body, content type, final URL, file name) of one GET, within the time and size limits."""
    import socket
    import time
    import urllib.error
    import urllib.request

    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise FetchError(f"{url}: only http and https URLs are fetched")
    request = urllib.request.Request(url, headers={
        "User-Agent": USER_AGENT,
        "Accept": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, text/html;q=0.5, */*;q=0.1"})
    deadline = time.monotonic() + timeout
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url}: the server answered HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            raise FetchError(f"{url}: no answer within {timeout:g} s") from exc
        raise FetchError(f"{url}: cannot connect ({reason})") from exc
    except (TimeoutError, socket.timeout) as exc:
        raise FetchError(f"{url}: no answer within {timeout:g} s") from exc
    except (OSError, ValueError) as exc:
        raise FetchError(f"{url}: cannot fetch ({exc})") from exc
    with response:
        length = response.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > max_bytes:
            raise FetchError(f"{url}: {int(length):,} bytes announced, more than the limit of {max_bytes:,}")
        chunks, total = [], 0
        try:
            while True:
                if time.monotonic() > deadline:
                    raise FetchError(f"{url}: download not finished within {timeout:g} s")
                chunk = response.read(1 << 16)
                if not chunk:
                    break
                total += len(chunk)
                if total > max_bytes:
                    raise FetchError(f"{url}: more than the limit of {max_bytes:,} bytes; download stopped")
                chunks.append(chunk)
        except (TimeoutError, socket.timeout) as exc:
            raise FetchError(f"{url}: download stalled for more than {timeout:g} s") from exc
        except OSError as exc:
            raise FetchError(f"{url}: download interrupted ({exc})") from exc
        if length.isdigit() and total != int(length):
            raise FetchError(f"{url}: {total:,} of {int(length):,} bytes received; download incomplete")
        final = response.geturl() or url
        disposition = response.headers.get_filename() or ""
        return b"".join(chunks), response.headers.get_content_type(), final, disposition or urllib.parse.urlsplit(final).path


def fetch_capture(url: str, directory: Path, *, timeout: float = FETCH_TIMEOUT, max_bytes: int = FETCH_MAX_BYTES,
                  follow_page: bool = True) -> Download:
    """Download ICE's spreadsheet into ``directory``; raise :class:`FetchError` with the reason if it fails.

    ``url`` is the spreadsheet itself or ICE's 287(g) page, whose link to ``participatingAgencies….xlsx`` is
    followed (once).  Checked: HTTP status, time, size (announced and received), and content: an Excel
    workbook's signature and a content type that is not text.  Whether it holds ICE's columns is checked when
    it is read (:func:`read_capture`)."""
    body, ctype, final, name = _get(url, timeout, max_bytes)
    looks_html = ctype in ("text/html", "application/xhtml+xml") or body.lstrip()[:1] == b"<"
    if not body.startswith(XLSX_MAGIC) and looks_html:
        text = body.decode("utf-8", "replace")
        link = _LINK_RE.search(text)
        if follow_page and link:
            return fetch_capture(urllib.parse.urljoin(final, link.group(1).strip()), directory, timeout=timeout,
                                 max_bytes=max_bytes, follow_page=False)
        title = re.search(r"<title[^>]*>([^<]{0,120})", text, re.I)
        what = f" ({title.group(1).strip()!r})" if title and title.group(1).strip() else ""
        where = "with no link to participatingAgencies….xlsx" if follow_page else "where the spreadsheet was linked"
        raise FetchError(f"{final}: the server sent an HTML page{what}, not the spreadsheet ({ctype}), {where}; "
                         "nothing ingested")
    if not body.startswith(XLSX_MAGIC):
        raise FetchError(f"{final}: not an Excel workbook (content type {ctype}, {len(body):,} bytes starting "
                         f"{body[:8]!r}); nothing ingested")
    if ctype.startswith("text/"):
        raise FetchError(f"{final}: the server labels the file {ctype}, not a spreadsheet; nothing ingested")
    path = Path(directory) / _safe_name(name)
    path.write_bytes(body)
    return Download(path, final, ctype, len(body))
