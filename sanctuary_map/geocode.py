"""An address to a point, with the US Census Bureau's public geocoder (when the server is online)."""
from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request

GEOCODER = "https://geocoding.geo.census.gov/geocoder/locations/onelineaddress"


class GeocodeError(Exception):
    """The address could not be placed; the message says why in plain words."""


def geocode(address: str, timeout: float = 6.0) -> tuple[float, float]:
    """(lon, lat) of the best match for a US address."""
    address = (address or "").strip()[:200]
    if len(address) < 5:
        raise GeocodeError("Type an address (street, city, state) or coordinates (latitude, longitude).")
    query = urllib.parse.urlencode({"address": address, "benchmark": "Public_AR_Current", "format": "json"})
    try:
        with urllib.request.urlopen(f"{GEOCODER}?{query}", timeout=timeout) as resp:
            data = json.loads(resp.read(1_000_000))
    except (urllib.error.URLError, TimeoutError, OSError, ValueError):
        raise GeocodeError("The Census geocoder cannot be reached from this server (no internet?): type coordinates "
                           "instead, for example 34.0537, -118.2428.") from None
    matches = (data.get("result") or {}).get("addressMatches") or []
    if not matches:
        raise GeocodeError(f"The Census geocoder found no US address matching “{address}”.")
    c = matches[0]["coordinates"]
    return float(c["x"]), float(c["y"])


_COORDS = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[, ]\s*(-?\d+(?:\.\d+)?)\s*$")


def locate(text: str) -> tuple[float, float]:
    """(lon, lat) from "34.05, -118.24" (latitude first, as maps print them), else from an address (geocoder)."""
    m = _COORDS.match(text or "")
    if m:
        lat, lon = float(m.group(1)), float(m.group(2))
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            return lon, lat
        raise GeocodeError("Coordinates out of range: give latitude, longitude (for example 34.0537, -118.2428).")
    return geocode(text)
