package graph

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/graph/model"
)

// Relay connections. Cursors are opaque to clients: base64url of
// "u|<skip>|<upstream cursor>" for lists paged by an upstream (the upstream's
// own cursor plus how many of its items to skip), or "o|<offset>" for lists
// the hub holds whole (loaded in one batch).
const (
	defaultFirst     = 20
	maxFirst         = 100
	maxCursorLen     = 1024
	maxOffset        = 1_000_000
	maxSkip          = 10_000 // items skipped inside one upstream page
	cursorUpstream   = "u"
	cursorOffset     = "o"
	errCursorReason  = "is not a cursor from this API"
	errFirstReason   = "must be between 1 and 100"
	fieldFirst       = "first"
	fieldAfter       = "after"
	cursorSeparator  = "|"
	cursorPartsCount = 3
)

// pageSize validates first: default 20, 1 to 100.
func pageSize(first *int) (int, error) {
	if first == nil {
		return defaultFirst, nil
	}
	if *first < 1 || *first > maxFirst {
		return 0, inputErr(fieldFirst, errFirstReason)
	}
	return *first, nil
}

type upstreamCursor struct {
	upstream string
	skip     int
}

func encodeUpstreamCursor(c upstreamCursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorUpstream + cursorSeparator + strconv.Itoa(c.skip) + cursorSeparator + c.upstream))
}

func decodeUpstreamCursor(after *string) (upstreamCursor, error) {
	if after == nil || *after == "" {
		return upstreamCursor{}, nil
	}
	raw, ok := decodeCursor(*after)
	if !ok {
		return upstreamCursor{}, inputErr(fieldAfter, errCursorReason)
	}
	parts := strings.SplitN(raw, cursorSeparator, cursorPartsCount)
	if len(parts) != cursorPartsCount || parts[0] != cursorUpstream {
		return upstreamCursor{}, inputErr(fieldAfter, errCursorReason)
	}
	skip, err := strconv.Atoi(parts[1])
	if err != nil || skip < 0 || skip > maxSkip {
		return upstreamCursor{}, inputErr(fieldAfter, errCursorReason)
	}
	return upstreamCursor{upstream: parts[2], skip: skip}, nil
}

func encodeOffsetCursor(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorOffset + cursorSeparator + strconv.Itoa(offset)))
}

func decodeOffsetCursor(after *string) (int, error) {
	if after == nil || *after == "" {
		return 0, nil
	}
	raw, ok := decodeCursor(*after)
	if !ok {
		return 0, inputErr(fieldAfter, errCursorReason)
	}
	tag, num, found := strings.Cut(raw, cursorSeparator)
	if !found || tag != cursorOffset {
		return 0, inputErr(fieldAfter, errCursorReason)
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 0 || n > maxOffset {
		return 0, inputErr(fieldAfter, errCursorReason)
	}
	return n, nil
}

func decodeCursor(s string) (string, bool) {
	if len(s) > maxCursorLen {
		return "", false
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return "", false
	}
	return string(b), true
}

// edge is a node with its cursor, before it is put into a generated edge type.
type edge[T any] struct {
	cursor string
	node   *T
}

// page is one page of a connection in a type-independent shape.
type page[T any] struct {
	edges    []edge[T]
	info     *model.PageInfo
	total    *int
	hasAfter bool
}

// fetchUpstreamPage pages a list the upstream pages itself. To resume after
// any edge (not only the last), an edge's cursor is the upstream cursor of
// its page plus how many items to skip; the last edge's cursor is the
// upstream's next-page cursor, so paging on from endCursor never re-reads.
func fetchUpstreamPage[T any](ctx context.Context, first *int, after *string,
	fetch func(ctx context.Context, req domain.PageRequest) (domain.Page[T], error)) (page[T], error) {
	n, err := pageSize(first)
	if err != nil {
		return page[T]{}, err
	}
	cur, err := decodeUpstreamCursor(after)
	if err != nil {
		return page[T]{}, err
	}
	got, err := fetch(ctx, domain.PageRequest{Cursor: cur.upstream, Limit: cur.skip + n})
	if err != nil {
		return page[T]{}, err
	}
	items := got.Items
	if cur.skip >= len(items) {
		items = nil
	} else {
		items = items[cur.skip:]
	}
	if len(items) > n {
		// The upstream sent more than asked; keep the page size and let the
		// next page resume inside this upstream page.
		items = items[:n]
	}
	out := page[T]{hasAfter: after != nil && *after != ""}
	trimmed := cur.skip+len(items) < len(got.Items)
	for i := range items {
		c := encodeUpstreamCursor(upstreamCursor{upstream: cur.upstream, skip: cur.skip + i + 1})
		if i == len(items)-1 && !trimmed && got.NextCursor != "" {
			c = encodeUpstreamCursor(upstreamCursor{upstream: got.NextCursor})
		}
		out.edges = append(out.edges, edge[T]{cursor: c, node: &items[i]})
	}
	hasNext := trimmed || got.NextCursor != ""
	out.info = pageInfo(out.edges, hasNext, out.hasAfter)
	if hasNext && len(out.edges) == 0 {
		// An empty upstream page that still has a next page: let the client go on.
		c := encodeUpstreamCursor(upstreamCursor{upstream: got.NextCursor})
		out.info.EndCursor = &c
	}
	if got.Total >= 0 {
		t := int(got.Total)
		out.total = &t
	}
	return out, nil
}

// slicePage pages a list held whole (loaded in one batch), in the order the
// upstream sent it. first and after are checked before anything is loaded.
func slicePage[T any](first *int, after *string, load func() ([]T, error)) (page[T], error) {
	n, err := pageSize(first)
	if err != nil {
		return page[T]{}, err
	}
	off, err := decodeOffsetCursor(after)
	if err != nil {
		return page[T]{}, err
	}
	items, err := load()
	if err != nil {
		return page[T]{}, err
	}
	out := page[T]{hasAfter: off > 0}
	end := min(off+n, len(items))
	for i := off; i < end; i++ {
		out.edges = append(out.edges, edge[T]{cursor: encodeOffsetCursor(i + 1), node: &items[i]})
	}
	out.info = pageInfo(out.edges, end < len(items), out.hasAfter)
	total := len(items)
	out.total = &total
	return out, nil
}

func pageInfo[T any](edges []edge[T], hasNext, hasPrev bool) *model.PageInfo {
	info := &model.PageInfo{HasNextPage: hasNext, HasPreviousPage: hasPrev}
	if len(edges) > 0 {
		start, end := edges[0].cursor, edges[len(edges)-1].cursor
		info.StartCursor, info.EndCursor = &start, &end
	}
	return info
}

func passageConnection(p page[domain.Passage]) *model.PassageConnection {
	c := &model.PassageConnection{Edges: make([]model.PassageEdge, len(p.edges)), PageInfo: p.info, TotalCount: p.total}
	for i, e := range p.edges {
		c.Edges[i] = model.PassageEdge{Cursor: e.cursor, Node: e.node}
	}
	return c
}

func declarationConnection(p page[domain.HealthDeclaration]) *model.HealthDeclarationConnection {
	c := &model.HealthDeclarationConnection{Edges: make([]model.HealthDeclarationEdge, len(p.edges)), PageInfo: p.info, TotalCount: p.total}
	for i, e := range p.edges {
		c.Edges[i] = model.HealthDeclarationEdge{Cursor: e.cursor, Node: e.node}
	}
	return c
}

func reconciliationConnection(p page[domain.Reconciliation]) *model.ReconciliationConnection {
	c := &model.ReconciliationConnection{Edges: make([]model.ReconciliationEdge, len(p.edges)), PageInfo: p.info, TotalCount: p.total}
	for i, e := range p.edges {
		c.Edges[i] = model.ReconciliationEdge{Cursor: e.cursor, Node: e.node}
	}
	return c
}

func feedbackConnection(p page[domain.Feedback]) *model.FeedbackConnection {
	c := &model.FeedbackConnection{Edges: make([]model.FeedbackEdge, len(p.edges)), PageInfo: p.info, TotalCount: p.total}
	for i, e := range p.edges {
		c.Edges[i] = model.FeedbackEdge{Cursor: e.cursor, Node: e.node}
	}
	return c
}
