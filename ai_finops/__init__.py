"""Python parts of the AI FinOps warehouse: the landing of raw exports (`landing`)."""
