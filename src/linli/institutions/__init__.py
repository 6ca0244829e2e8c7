"""Institutions (托教机构) and their inspections: licences, templates as data, findings and follow-ups."""
