"""Streamlit pages of the dashboard; each module is run as a page script by ``st.navigation``."""
