package vaccination

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/vn-epidemic/hub/adminunit"
	"github.com/vn-epidemic/hub/domain"
	"github.com/vn-epidemic/hub/mocks/synth"
)

// Feedback ("phản ánh") filed on the public portal. Each commune starts with
// synthetic items derived from its defective records (about 30% of MISMATCH
// records carry one), plus what was filed through the API.

const (
	maxFeedbackText  = 2000
	maxResolvedBy    = 100
	feedbackShare    = 30 // percent of MISMATCH records with a synthetic feedback
	feedbackIDPrefix = "FB-"
)

type wireFeedback struct {
	ID          string `json:"id"`
	PersonID    string `json:"personId"`
	CommuneCode string `json:"communeCode"`
	Category    string `json:"category"`
	Text        string `json:"text"`
	Status      string `json:"status"`
	CreatedAt   string `json:"createdAt"`
	ResolvedAt  string `json:"resolvedAt,omitempty"`
	Resolution  string `json:"resolution,omitempty"`
	ResolvedBy  string `json:"resolvedBy,omitempty"`
}

type feedbackListResponse struct {
	Feedback      []wireFeedback `json:"feedback"`
	NextPageToken string         `json:"nextPageToken"`
}

type feedbackCreateRequest struct {
	PersonID    string `json:"personId"`
	CommuneCode string `json:"communeCode"`
	Category    string `json:"category"`
	Text        string `json:"text"`
}

type feedbackResolveRequest struct {
	Resolution string `json:"resolution"`
	ResolvedBy string `json:"resolvedBy"`
}

var feedbackCategories = map[string]bool{
	string(domain.FeedbackWrongIdentity): true, string(domain.FeedbackMissingDose): true,
	string(domain.FeedbackWrongDose): true, string(domain.FeedbackCertificate): true,
	string(domain.FeedbackOther): true,
}

var feedbackStatuses = map[string]bool{
	string(domain.FeedbackOpen): true, string(domain.FeedbackInProgress): true, string(domain.FeedbackResolved): true,
}

func toWireFeedback(f domain.Feedback) wireFeedback {
	return wireFeedback{
		ID: f.ID, PersonID: f.PersonID, CommuneCode: f.CommuneCode, Category: string(f.Category),
		Text: f.Text, Status: string(f.Status), CreatedAt: formatTime(f.CreatedAt),
		ResolvedAt: formatTime(f.ResolvedAt), Resolution: f.Resolution, ResolvedBy: f.ResolvedBy,
	}
}

// mix is SplitMix64's finaliser: a cheap, well-spread hash for deriving
// synthetic feedback from (seed, citizen index).
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func syntheticFeedbackID(commune string, i int64) string {
	return feedbackIDPrefix + commune + "-S" + strings.ToUpper(strconv.FormatInt(i, 36))
}

// syntheticFeedbackOf derives the feedback filed about citizen i's record,
// if any. It depends only on (seed, i), so it can be recomputed from an id.
func (s *Server) syntheticFeedbackOf(commune string, i int64) (domain.Feedback, bool) {
	h := mix(s.pop.Config().Seed ^ mix(uint64(i)^0x66656564))
	if h%100 >= feedbackShare {
		return domain.Feedback{}, false
	}
	v, ok := s.pop.Vaccination(i)
	if !ok || v.Reconciliation.Status != domain.ReconMismatch {
		return domain.Feedback{}, false
	}
	epoch := s.pop.Config().Epoch
	start := v.Reconciliation.CheckedAt
	if start.IsZero() || !start.Before(epoch) {
		start = epoch.AddDate(0, -6, 0)
	}
	window := int64(epoch.Sub(start) / time.Second)
	created := start.Add(time.Duration(int64((h>>8)%uint64(max(window, 1)))) * time.Second)
	fb := domain.Feedback{
		ID:          syntheticFeedbackID(commune, i),
		PersonID:    v.Record.PersonID,
		CommuneCode: commune,
		Category:    domain.FeedbackWrongIdentity,
		CreatedAt:   created.In(ict),
		Status:      domain.FeedbackOpen,
	}
	var texts []string
	for _, f := range v.Reconciliation.Mismatched {
		texts = append(texts, mismatchText[f])
	}
	if slices.ContainsFunc(v.Defects, func(d synth.Defect) bool { return d == synth.DefectMissingDose }) {
		fb.Category = domain.FeedbackMissingDose
		texts = append(texts, "Tôi đã tiêm đủ mũi nhưng hệ thống chưa cập nhật một mũi tiêm.")
	}
	if len(texts) == 0 {
		texts = append(texts, "Thông tin tiêm chủng của tôi chưa khớp với căn cước công dân, đề nghị kiểm tra lại.")
	}
	fb.Text = strings.Join(texts, " ")
	switch r := (h >> 40) % 100; {
	case r < 50:
	case r < 65:
		fb.Status = domain.FeedbackInProgress
	default:
		fb.Status = domain.FeedbackResolved
		fb.ResolvedAt = created.Add(time.Duration(1+(h>>48)%20) * 24 * time.Hour)
		if fb.ResolvedAt.After(epoch) {
			fb.ResolvedAt = epoch
		}
		fb.ResolvedAt = fb.ResolvedAt.In(ict)
		fb.Resolution = "Đã đối chiếu với Cơ sở dữ liệu quốc gia về dân cư và điều chỉnh thông tin."
		fb.ResolvedBy = "TYT-" + commune
	}
	return fb, true
}

var mismatchText = map[domain.IdentityField]string{
	domain.FieldID:        "Mũi tiêm được ghi theo số CMND cũ, đề nghị cập nhật số định danh cá nhân.",
	domain.FieldFullName:  "Họ tên trên hệ thống tiêm chủng không đúng với căn cước công dân.",
	domain.FieldSex:       "Giới tính trên hệ thống tiêm chủng bị ghi sai.",
	domain.FieldBirthDate: "Ngày sinh trên hệ thống tiêm chủng bị ghi sai.",
}

// syntheticFeedback lists a commune's synthetic feedback, newest first.
func (s *Server) syntheticFeedback(commune string) []domain.Feedback {
	return s.fbMemo.get(commune, func() []domain.Feedback {
		var out []domain.Feedback
		s.pop.EachResident(commune, 0, func(_, i int64) bool {
			if fb, ok := s.syntheticFeedbackOf(commune, i); ok {
				out = append(out, fb)
			}
			return true
		})
		sortFeedback(out)
		return out
	})
}

// sortFeedback orders newest first, ties by id descending, so that listing
// order is total and stable.
func sortFeedback(f []domain.Feedback) {
	slices.SortFunc(f, func(a, b domain.Feedback) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
}

// applyResolution overlays a resolution made through the API; caller holds
// the store lock (read).
func (st *store) applyResolution(f domain.Feedback) domain.Feedback {
	if res, ok := st.resolutions[f.ID]; ok {
		f.Status = domain.FeedbackResolved
		f.ResolvedAt = res.at
		f.Resolution = res.resolution
		f.ResolvedBy = res.resolvedBy
	}
	return f
}

// findSynthetic recomputes a synthetic feedback item from its id.
func (s *Server) findSynthetic(id string) (domain.Feedback, bool) {
	rest, ok := strings.CutPrefix(id, feedbackIDPrefix)
	if !ok || len(rest) < 8 || rest[5:7] != "-S" {
		return domain.Feedback{}, false
	}
	commune := rest[:5]
	i, err := strconv.ParseInt(rest[7:], 36, 64)
	if err != nil || i < 0 || i >= s.pop.Size() || syntheticFeedbackID(commune, i) != id {
		return domain.Feedback{}, false
	}
	if s.pop.At(i).Current.CommuneCode != commune {
		return domain.Feedback{}, false
	}
	return s.syntheticFeedbackOf(commune, i)
}

func (s *Server) handleFeedbackCreate(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get("Idempotency-Key")
	if key != "" && !idemKeyPattern.MatchString(key) {
		s.invalid(w, r, errorDetail{Field: "Idempotency-Key", Issue: "INVALID_FORMAT"})
		return
	}
	var req feedbackCreateRequest
	if !s.decodeBody(w, r, maxWriteBody, &req) {
		return
	}
	text := strings.TrimSpace(norm.NFC.String(req.Text))
	var bad []errorDetail
	if !validPersonID(req.PersonID) {
		bad = append(bad, errorDetail{Field: "personId", Issue: "INVALID_FORMAT"})
	}
	switch {
	case !validCommuneCode(req.CommuneCode):
		bad = append(bad, errorDetail{Field: "communeCode", Issue: "INVALID_FORMAT"})
	case s.pop.Directory().Level(req.CommuneCode) != adminunit.LevelCommune:
		bad = append(bad, errorDetail{Field: "communeCode", Issue: "UNKNOWN_VALUE"})
	}
	if !feedbackCategories[req.Category] {
		bad = append(bad, errorDetail{Field: "category", Issue: "UNKNOWN_VALUE"})
	}
	switch {
	case text == "":
		bad = append(bad, errorDetail{Field: "text", Issue: "REQUIRED"})
	case !utf8.ValidString(text) || utf8.RuneCountInString(text) > maxFeedbackText:
		bad = append(bad, errorDetail{Field: "text", Issue: "TOO_LONG"})
	}
	if len(bad) > 0 {
		s.invalid(w, r, bad...)
		return
	}
	canon, _ := json.Marshal(req)
	fp := sha256.Sum256(append([]byte("feedback\x00"), canon...))
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	idemID := s.clientID + "\x00" + key
	if key != "" {
		if e, ok := st.idem[idemID]; ok {
			if e.fingerprint != fp {
				s.writeError(w, r, http.StatusUnprocessableEntity, codeIdempotencyReused,
					"Idempotency-Key was already used with a different request")
				return
			}
			w.Header().Set("Idempotent-Replayed", "true")
			writeJSON(w, e.status, e.body)
			return
		}
	}
	writes := 1
	if key != "" {
		writes++
	}
	if err := st.reserve(writes); err != nil {
		s.writeError(w, r, http.StatusInsufficientStorage, codeResourceExhausted, "the platform cannot accept more writes")
		return
	}
	fb := &domain.Feedback{
		ID:          feedbackIDPrefix + req.CommuneCode + "-N" + strings.ToUpper(strconv.FormatUint(st.nextSeq(), 36)),
		PersonID:    req.PersonID,
		CommuneCode: req.CommuneCode,
		Category:    domain.FeedbackCategory(req.Category),
		Text:        text,
		Status:      domain.FeedbackOpen,
		CreatedAt:   s.now().In(ict).Truncate(time.Second),
	}
	st.feedback[fb.ID] = fb
	body := toWireFeedback(*fb)
	if key != "" {
		st.idem[idemID] = idemEntry{fingerprint: fp, status: http.StatusCreated, body: body}
	}
	writeJSON(w, http.StatusCreated, body)
}

func (s *Server) handleFeedbackList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	commune, status, personID := q.Get("communeCode"), q.Get("status"), q.Get("personId")
	pageSize, ok := parsePageSize(q.Get("pageSize"))
	var bad []errorDetail
	if commune != "" && (!validCommuneCode(commune) || s.pop.Directory().Level(commune) != adminunit.LevelCommune) {
		bad = append(bad, errorDetail{Field: "communeCode", Issue: "UNKNOWN_VALUE"})
	}
	if status != "" && !feedbackStatuses[status] {
		bad = append(bad, errorDetail{Field: "status", Issue: "UNKNOWN_VALUE"})
	}
	if personID != "" && !validPersonID(personID) {
		bad = append(bad, errorDetail{Field: "personId", Issue: "INVALID_FORMAT"})
	}
	if commune == "" && personID == "" {
		// Listing the whole country is not offered: the portal serves
		// communes and citizens.
		bad = append(bad, errorDetail{Field: "communeCode", Issue: "REQUIRED_WITHOUT_PERSON_ID"})
	}
	if !ok {
		bad = append(bad, errorDetail{Field: "pageSize", Issue: "INVALID_VALUE"})
	}
	if len(bad) > 0 {
		s.invalid(w, r, bad...)
		return
	}
	scope := "feedback|" + commune + "|" + status + "|" + personID
	var after *domain.Feedback
	if tok := q.Get("pageToken"); tok != "" {
		c, err := s.openFeedbackCursor(scope, tok)
		if err != nil {
			s.writeError(w, r, http.StatusBadRequest, codeInvalidPageToken,
				"page token is malformed or was issued for another query")
			return
		}
		after = &c
	}

	synthCommune := commune
	if synthCommune == "" {
		if idx, ok := s.pop.Lookup(personID); ok {
			synthCommune = s.pop.At(idx).Current.CommuneCode
		}
	}
	var synthetic []domain.Feedback
	if synthCommune != "" {
		synthetic = s.syntheticFeedback(synthCommune)
	}
	keep := func(f domain.Feedback) bool {
		return (commune == "" || f.CommuneCode == commune) &&
			(personID == "" || f.PersonID == personID) &&
			(status == "" || string(f.Status) == status)
	}
	var items []domain.Feedback
	s.store.mu.RLock()
	for _, f := range synthetic {
		if f = s.store.applyResolution(f); keep(f) {
			items = append(items, f)
		}
	}
	for _, f := range s.store.feedback {
		if keep(*f) {
			items = append(items, *f)
		}
	}
	s.store.mu.RUnlock()
	sortFeedback(items)

	start := 0
	if after != nil {
		start = len(items)
		for k, f := range items {
			if c := after.CreatedAt.Compare(f.CreatedAt); c > 0 || c == 0 && f.ID < after.ID {
				start = k
				break
			}
		}
	}
	end := min(start+pageSize, len(items))
	out := feedbackListResponse{Feedback: make([]wireFeedback, 0, end-start)}
	for _, f := range items[start:end] {
		out.Feedback = append(out.Feedback, toWireFeedback(f))
	}
	if end < len(items) {
		out.NextPageToken = s.sealFeedbackCursor(scope, items[end-1])
	}
	writeJSON(w, http.StatusOK, out)
}

// A feedback cursor is the (createdAt, id) of the last item served: new
// feedback arriving at the head of the list does not shift later pages.
func (s *Server) sealFeedbackCursor(scope string, last domain.Feedback) string {
	b := binary.AppendVarint(nil, last.CreatedAt.UnixNano())
	b = append(b, last.ID...)
	return s.pages.seal(scope, b)
}

func (s *Server) openFeedbackCursor(scope, tok string) (domain.Feedback, error) {
	b, err := s.pages.open(scope, tok)
	if err != nil {
		return domain.Feedback{}, err
	}
	nanos, n := binary.Varint(b)
	if n <= 0 || len(b)-n == 0 || len(b)-n > 64 {
		return domain.Feedback{}, errBadPageToken
	}
	return domain.Feedback{CreatedAt: time.Unix(0, nanos), ID: string(b[n:])}, nil
}

func (s *Server) handleFeedbackResolve(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutSuffix(r.PathValue("name"), ":resolve")
	if !ok || id == "" {
		s.writeError(w, r, http.StatusNotFound, codeNotFound, "no such resource")
		return
	}
	var req feedbackResolveRequest
	if !s.decodeBody(w, r, maxWriteBody, &req) {
		return
	}
	resolutionText := strings.TrimSpace(norm.NFC.String(req.Resolution))
	resolvedBy := strings.TrimSpace(norm.NFC.String(req.ResolvedBy))
	var bad []errorDetail
	if resolutionText == "" || utf8.RuneCountInString(resolutionText) > maxFeedbackText {
		bad = append(bad, errorDetail{Field: "resolution", Issue: "REQUIRED"})
	}
	if resolvedBy == "" || utf8.RuneCountInString(resolvedBy) > maxResolvedBy {
		bad = append(bad, errorDetail{Field: "resolvedBy", Issue: "REQUIRED"})
	}
	if len(bad) > 0 {
		s.invalid(w, r, bad...)
		return
	}
	synthetic, isSynthetic := s.findSynthetic(id)
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	now := s.now().In(ict).Truncate(time.Second)
	var current domain.Feedback
	switch created, ok := st.feedback[id]; {
	case ok:
		current = *created
	case isSynthetic:
		current = st.applyResolution(synthetic)
	default:
		s.writeError(w, r, http.StatusNotFound, codeNotFound, "no such feedback")
		return
	}
	if current.Status == domain.FeedbackResolved {
		s.writeError(w, r, http.StatusConflict, codeAlreadyResolved, "feedback is already resolved")
		return
	}
	if err := st.reserve(1); err != nil {
		s.writeError(w, r, http.StatusInsufficientStorage, codeResourceExhausted, "the platform cannot accept more writes")
		return
	}
	current.Status = domain.FeedbackResolved
	current.ResolvedAt = now
	current.Resolution = resolutionText
	current.ResolvedBy = resolvedBy
	if created, ok := st.feedback[id]; ok {
		*created = current
	} else {
		st.resolutions[id] = resolution{at: now, resolution: resolutionText, resolvedBy: resolvedBy}
	}
	writeJSON(w, http.StatusOK, toWireFeedback(current))
}
