"""The AI FinOps dashboard (Streamlit): `make dashboard`, docs/dashboard.md."""
