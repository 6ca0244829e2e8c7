"""Matching supply (volunteers, teams, resources) to needs (供需精准对接)."""
