package vntext

// Error reports text that could not be read as the field it was meant to be.
// Field and Reason are fixed words chosen here; the rejected value is never
// part of the message, because it is usually personal data.
type Error struct {
	Field  string // e.g. "sex", "date"
	Reason string // e.g. "want Nam or Nữ"
}

func (e *Error) Error() string { return "vntext: invalid " + e.Field + ": " + e.Reason }
