"""Template from a document (从文档导入): last year's speech or report → a proposed template.

Pure functions and plain dataclasses, no ORM:

- `reader.read_docx(data)` / `reader.read_text(text)` → paragraphs with their outline level;
- `finder.find_numbers(text)` → the figures (number, unit, 万余/多 filter, clause) and the
  Arabic numbers left as text, each with its reason;
- `proposal.propose(paragraphs, catalogue)` → a `Proposal`: each figure bound to an existing
  indicator or to a proposed new one; the reviewer's edits (`unbind`, `bind`, `rename`,
  `merge`, `set_department`), `template_text()` in the portal's syntax, `to_json()`.
"""
