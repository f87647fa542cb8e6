"""Kemendagri regions: province, kabupaten/kota, kecamatan, village."""
