// Package vntext owns Vietnamese text at the hub's ingress: Unicode NFC, control
// and whitespace clean-up, the Ð/Đ look-alike, repair of UTF-8 read as
// CP1252/Latin-1 ("Nguyá»…n"), accent folding, tone-mark placement, name
// comparison and splitting, sex words and day-month-year dates. It must not know
// any upstream, wire format or GraphQL: callers hand it strings, it hands back
// strings and domain values, and its errors never repeat the text they reject.
//
// Canonical tone placement: CanonicalTones uses the classic ("old style")
// placement that the population database and ID cards print, putting the tone
// on the first vowel of a word-final open "oa", "oe" or "uy": Hòa, Khỏe, Thủy,
// Hóa, Thúy. Words written in the new style (Hoà, Khoẻ, Thuỷ) are converted to
// it; "qu" is a consonant, so Quý keeps its tone on the y, and a syllable with a
// final consonant (Hoàng, Huỳnh, Khoán) is the same in both styles.
package vntext
