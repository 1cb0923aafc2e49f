// Module placeholder: see docs/architecture.md.
