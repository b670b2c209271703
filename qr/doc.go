// Package qr owns the QR payloads the hub reads at a checkpoint or vaccination
// site: the chip ID card (CCCD), the Decision 1405/QĐ-BTTTT personal QR, the
// health insurance (BHYT) card and a bare ID number. It parses them into one
// Payload and encodes them for fixtures and demos; it must not know any
// upstream, GraphQL or transport, and its errors never echo the payload, which
// is personal data from end to end.
//
// Parse tries the layouts in this order; trailing CR, LF, tabs and spaces (which
// scanners in keyboard mode append) are trimmed first, and empty fields are
// never collapsed. Payloads over MaxPayloadBytes or not valid UTF-8 are refused.
//
// Health insurance card (ends in '$'; 13 or more '|'-separated fields):
//
//	0  card code: the 15-character "XX Y ZZ NNNNNNNNNN" without spaces, or the 10-digit social insurance number on newer cards
//	1  full name, UTF-8 bytes as hex (either case)
//	2  birth date dd/MM/yyyy (or yyyy when only the year is known)
//	3  sex: 1 male, 2 female
//	4  address, UTF-8 bytes as hex (may be empty)
//	5  registered primary-care clinic code
//	6  valid from dd/MM/yyyy
//	7  valid to dd/MM/yyyy
//	8  issue date dd/MM/yyyy
//	9  10-digit social insurance number
//	10 12-digit personal ID of the holder
//	11 date five consecutive years are counted from, dd/MM/yyyy
//	.. further fields up to the last, kept as given in Payload.Extras
//	   $
//
// Fields 5–11 may be "-" for "not printed". When field 0 is a full card code
// its last ten digits must equal field 9.
//
// Chip ID card (7 fields, or 11 on cards issued from mid-2024):
//
//	ID12|CMND9 or empty|Full name|ddmmyyyy|Nam or Nữ|permanent address|issue ddmmyyyy[|x|x|x|x]
//
// The century/sex digit and birth year of ID12 must agree with the sex and
// birth date fields: the card is physical data, so a disagreement means a
// misread or forged code, not something to repair.
//
// Decision 1405 personal QR (6 fields):
//
//	IDNumber|FULL NAME IN ASCII CAPITALS|YYYY-MM-DD|0 or 1|QID|EXT
//
// IDNumber is a 12-digit ID, a 9-digit CMND or a passport number; 1 means the
// declaration was made on someone's behalf. EXT is split on '<' into Extras; an
// extra that is a sex word (NAM, NU, Nữ…) sets Sex and one that is a 15-character
// insurance card code sets InsuranceCode. A bare 10-digit extra stays only in
// Extras, since it cannot be told apart from a phone number.
//
// Bare ID: 12 digits (a personal ID) or 9 digits (a CMND), surrounding space trimmed.
package qr
