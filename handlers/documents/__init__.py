"""Chart and workbook rendering for reports and evaluations; imports no `telegram`."""
