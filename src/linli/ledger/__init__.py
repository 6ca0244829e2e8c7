"""The resident ledger (台账): the Excel workbooks communities keep, taken in and given back."""
