"""Resources (资源): venues, institutions, equipment, businesses and member units' offers, with capacity."""
