package domain

// PageRequest asks for one page of a list. Cursor is opaque to the caller and
// comes from the previous page's NextCursor; empty means the first page.
type PageRequest struct {
	Cursor string
	Limit  int
}

// Page is one page of a list, with the cursor of the next page (empty when
// this is the last). Total is -1 when the upstream does not report it.
type Page[T any] struct {
	Items      []T
	NextCursor string
	Total      int64
}
