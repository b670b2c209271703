package checkpoint

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vn-epidemic/hub/adminunit"
	"github.com/vn-epidemic/hub/domain"
)

type arrivalsResponse struct {
	Arrivals      []passageJSON `json:"arrivals"`
	NextPageToken string        `json:"next_page_token,omitempty"`
}

// pageToken is where a walk through arrivals stands. It binds the query it
// belongs to so that it cannot be replayed against another unit or window.
// The synthetic stream resumes at position S; the recorded stream resumes
// after the passage (RT, RI) in newest-first order.
type pageToken struct {
	V    int    `json:"v"`
	Unit string `json:"u"`
	From int64  `json:"f"`
	To   int64  `json:"t"`
	S    int64  `json:"s"`
	HasR bool   `json:"hr,omitempty"`
	RT   int64  `json:"rt,omitempty"`
	RI   string `json:"ri,omitempty"`
}

const tokenMACBytes = 16

var errBadToken = errors.New("page_token is malformed, tampered with or from another query")

func (s *Server) encodeToken(t pageToken) string {
	payload, _ := json.Marshal(t) // plain struct: cannot fail
	mac := hmac.New(sha256.New, s.tokenKey)
	mac.Write(payload)
	return base64.RawURLEncoding.EncodeToString(payload) + "." +
		base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:tokenMACBytes])
}

func (s *Server) decodeToken(raw string) (pageToken, error) {
	if len(raw) > 1024 {
		return pageToken{}, errBadToken
	}
	p, m, ok := strings.Cut(raw, ".")
	if !ok {
		return pageToken{}, errBadToken
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(p)
	sum, err2 := base64.RawURLEncoding.DecodeString(m)
	if err1 != nil || err2 != nil {
		return pageToken{}, errBadToken
	}
	mac := hmac.New(sha256.New, s.tokenKey)
	mac.Write(payload)
	if !hmac.Equal(sum, mac.Sum(nil)[:tokenMACBytes]) {
		return pageToken{}, errBadToken
	}
	var t pageToken
	if err := json.Unmarshal(payload, &t); err != nil || t.V != 1 || t.S < 0 {
		return pageToken{}, errBadToken
	}
	return t, nil
}

// queryParams reads a GET's query string: only the listed parameters, each at
// most once. Unknown or repeated parameters are a 400, as on the real gateway.
func queryParams(r *http.Request, allowed ...string) (map[string]string, problems) {
	var p problems
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		p.add("query", feInvalidFormat, "query string is malformed")
		return nil, p
	}
	out := map[string]string{}
	for name, vs := range q {
		ok := false
		for _, a := range allowed {
			ok = ok || a == name
		}
		switch {
		case !ok:
			p.add(boundedName(name), feUnknownValue, "is not a parameter of this operation")
		case len(vs) > 1:
			p.add(name, feDuplicate, "must be given at most once")
		default:
			out[name] = vs[0]
		}
	}
	sortProblems(p)
	return out, p
}

// boundedName keeps reflected parameter names short and printable.
func boundedName(s string) string {
	if len(s) > 64 {
		s = s[:64]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}

func sortProblems(p problems) {
	for i := 1; i < len(p); i++ {
		for j := i; j > 0 && p[j].Field < p[j-1].Field; j-- {
			p[j], p[j-1] = p[j-1], p[j]
		}
	}
}

func (s *Server) listArrivals(w http.ResponseWriter, r *http.Request) {
	params, p := queryParams(r, "province_code", "commune_code", "from", "to", "page_size", "page_token")
	if len(p) > 0 {
		writeError(w, r, http.StatusBadRequest, "invalid query parameters", p)
		return
	}
	q := domain.ArrivalsQuery{ProvinceCode: params["province_code"], CommuneCode: params["commune_code"]}
	unit := q.ProvinceCode + q.CommuneCode
	switch {
	case q.ProvinceCode != "" && q.CommuneCode != "":
		p.add("province_code", feInconsistent, "give exactly one of province_code and commune_code")
	case q.ProvinceCode != "" && (len(q.ProvinceCode) != 2 || !digits(q.ProvinceCode)):
		p.add("province_code", feInvalidFormat, "must be a 2-digit province code")
	case q.CommuneCode != "" && (len(q.CommuneCode) != 5 || !digits(q.CommuneCode)):
		p.add("commune_code", feInvalidFormat, "must be a 5-digit commune code")
	case unit == "":
		p.add("province_code", feRequired, "give exactly one of province_code and commune_code")
	}
	q.From = p.timestamp("from", params["from"], true)
	q.To = p.timestamp("to", params["to"], true)
	if !q.From.IsZero() && !q.To.IsZero() {
		switch {
		case !q.From.Before(q.To):
			p.add("to", feOutOfRange, "must be after from")
		case q.To.Sub(q.From) > maxArrivalWindow:
			p.add("to", feOutOfRange, "window must be at most 31 days")
		}
	}
	size := defaultPageSize
	if v, ok := params["page_size"]; ok {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil:
			p.add("page_size", feInvalidFormat, "must be an integer")
		case n < 1 || n > maxPageSize:
			p.add("page_size", feOutOfRange, fmt.Sprintf("must be between 1 and %d", maxPageSize))
		default:
			size = n
		}
	}
	if len(p) > 0 {
		writeError(w, r, http.StatusBadRequest, "invalid query parameters", p)
		return
	}
	tok := pageToken{V: 1, Unit: unit, From: q.From.UnixNano(), To: q.To.UnixNano()}
	if raw := params["page_token"]; raw != "" {
		t, err := s.decodeToken(raw)
		if err == nil && (t.Unit != tok.Unit || t.From != tok.From || t.To != tok.To) {
			err = errBadToken
		}
		if err != nil {
			writeError(w, r, http.StatusBadRequest, "invalid page_token",
				[]fieldError{{Field: "page_token", Code: feInvalidFormat, Message: errBadToken.Error()}})
			return
		}
		tok = t
	}
	level := s.dir.Level(unit)
	if (q.ProvinceCode != "" && level != adminunit.LevelProvince) || (q.CommuneCode != "" && level != adminunit.LevelCommune) {
		writeError(w, r, http.StatusNotFound, "no such administrative unit", nil)
		return
	}
	items, next := s.arrivalsPage(q, tok, size)
	resp := arrivalsResponse{Arrivals: make([]passageJSON, 0, len(items))}
	for _, pa := range items {
		resp.Arrivals = append(resp.Arrivals, passageWire(pa))
	}
	if next != nil {
		resp.NextPageToken = s.encodeToken(*next)
	}
	writeJSON(w, r, http.StatusOK, resp)
}

type synthArrival struct {
	pos int64
	pa  domain.Passage
}

// arrivalsPage merges the synthetic arrivals (newest first, by position) with
// the recorded ones (newest first, by time then ID) and returns one page and
// the token of the next, nil on the last page.
func (s *Server) arrivalsPage(q domain.ArrivalsQuery, tok pageToken, size int) ([]domain.Passage, *pageToken) {
	// One more than a page from each stream tells whether anything follows.
	var syn []synthArrival
	s.pop.EachArrival(q, tok.S, func(pos int64, pa domain.Passage) bool {
		syn = append(syn, synthArrival{pos, pa})
		return len(syn) <= size
	})
	province, _ := s.dir.ProvinceOf(q.ProvinceCode + q.CommuneCode)
	rec := s.store.arrivals(province, q.From, q.To, func(pa domain.Passage) bool {
		return q.CommuneCode == "" || pa.DestinationCommune == q.CommuneCode
	})
	if tok.HasR {
		after := time.Unix(0, tok.RT)
		k := 0
		for k < len(rec) && !(rec[k].Time.Before(after) || rec[k].Time.Equal(after) && rec[k].ID > tok.RI) {
			k++
		}
		rec = rec[k:]
	}

	out := make([]domain.Passage, 0, size)
	next := tok
	i, j := 0, 0
	for len(out) < size && (i < len(syn) || j < len(rec)) {
		// Ties go to the synthetic stream: a fixed rule keeps pages stable.
		if j >= len(rec) || i < len(syn) && !syn[i].pa.Time.Before(rec[j].Time) {
			out = append(out, syn[i].pa)
			next.S = syn[i].pos + 1
			i++
			continue
		}
		out = append(out, rec[j])
		next.HasR, next.RT, next.RI = true, rec[j].Time.UnixNano(), rec[j].ID
		j++
	}
	if i < len(syn) || j < len(rec) {
		return out, &next
	}
	return out, nil
}
