"""Knowledge gaps: the recorded questions the notes could not answer, grouped by meaning
(``report``), and asked again after notes are added (``recheck``)."""
