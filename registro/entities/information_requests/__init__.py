"""Solicitudes de información (information and quote requests, guide §1): an entity asks suppliers
for information, invites them by hand or by their areas of interest, and reads their answers
until the deadline."""
