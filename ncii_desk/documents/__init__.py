"""Documents: letters, hand-outs, the evidence packet and its verifier, PDF/DOCX rendering.

Shared building blocks live in ``common`` (metadata, text cleaning), ``pdfkit`` (reportlab)
and ``docxkit`` (python-docx). Everything a user or a web page typed goes through them as
literal text, never as markup.
"""
