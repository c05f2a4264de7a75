"""The campaign's domain: cases, destinations, QR payloads, routing rules, trays, translations."""
