"""Reading pages: files to images, codes, OCR, text routing, petitions, receipts, the pipeline."""
