"""Dashboard entry point: ``streamlit run dashboard/app.py``; CONFLICT_MAP_DATA picks another data folder."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import assets

HERE = Path(__file__).resolve().parent
PAGES = HERE / "views"
# Material icons ship with Streamlit; emoji would need a colour-emoji font the machine may not have.
OTHER_PAGES = (
    ("changes", "Changes", ":material/swap_horiz:"),
    ("gazetteer", "Gazetteer", ":material/location_on:"),
    ("ingest", "Ingest", ":material/article:"),
)


def main() -> None:
    """Prepare the offline assets, then hand over to the page the user picked."""
    # An emoji favicon becomes an inline SVG; a :material/...: one would be fetched from a font CDN.
    st.set_page_config(page_title="Conflict control map", page_icon="🗺️", layout="wide")
    assets.ensure_assets()
    pages = [st.Page(PAGES / "map_page.py", title="Map", icon=":material/map:", default=True)]
    # The other pages are built alongside; list only those present so a partial checkout still starts.
    pages += [
        st.Page(PAGES / f"{name}_page.py", title=title, icon=icon, url_path=name)
        for name, title, icon in OTHER_PAGES
        if (PAGES / f"{name}_page.py").is_file()
    ]
    st.navigation(pages).run()


main()
