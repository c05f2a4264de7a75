"""Paper the office prints: kits, delivery sheets, labels, and the PDF rendering they share."""
