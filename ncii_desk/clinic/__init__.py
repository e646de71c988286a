"""Clinic server mode: a clinic's shared case store on PostgreSQL (issue 19 §2).

:mod:`ncii_desk.clinic.store` holds the PostgreSQL :class:`~ncii_desk.vault.store.CaseStore`
and ``clinic-server init``'s work; it needs the optional ``clinic`` extra (psycopg 3).
"""
