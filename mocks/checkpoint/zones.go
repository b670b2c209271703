package checkpoint

import (
	"net/http"
	"sort"

	"github.com/vn-epidemic/hub/adminunit"
	"github.com/vn-epidemic/hub/domain"
)

type zonesResponse struct {
	At    string     `json:"at"`
	Zones []zoneJSON `json:"zones"`
}

// listZones answers the zone declarations in force at a time. A province
// filter returns the province's own zone and its communes'; a commune filter
// returns the commune's zone and its province's, which apply to it too.
func (s *Server) listZones(w http.ResponseWriter, r *http.Request) {
	params, p := queryParams(r, "admin_unit", "at")
	if len(p) > 0 {
		writeError(w, r, http.StatusBadRequest, "invalid query parameters", p)
		return
	}
	unit := params["admin_unit"]
	if unit != "" && !((len(unit) == 2 || len(unit) == 5) && digits(unit)) {
		p.add("admin_unit", feInvalidFormat, "must be a 2-digit province or 5-digit commune code")
	}
	at := p.timestamp("at", params["at"], false)
	if len(p) > 0 {
		writeError(w, r, http.StatusBadRequest, "invalid query parameters", p)
		return
	}
	if at.IsZero() {
		at = s.now()
	}
	level := adminunit.LevelUnknown
	province := ""
	if unit != "" {
		level = s.dir.Level(unit)
		if level == adminunit.LevelUnknown {
			writeError(w, r, http.StatusNotFound, "no such administrative unit", nil)
			return
		}
		province, _ = s.dir.ProvinceOf(unit)
	}
	var zones []domain.EpidemicZone
	for _, z := range s.pop.EpidemicZones() {
		if at.Before(z.ValidFrom) || (!z.ValidUntil.IsZero() && !at.Before(z.ValidUntil)) {
			continue
		}
		switch level {
		case adminunit.LevelProvince:
			if zp, _ := s.dir.ProvinceOf(z.AdminUnit); zp != unit {
				continue
			}
		case adminunit.LevelCommune:
			if z.AdminUnit != unit && z.AdminUnit != province {
				continue
			}
		}
		zones = append(zones, z)
	}
	sort.SliceStable(zones, func(i, j int) bool {
		if zones[i].AdminUnit != zones[j].AdminUnit {
			return zones[i].AdminUnit < zones[j].AdminUnit
		}
		return zones[i].ValidFrom.Before(zones[j].ValidFrom)
	})
	resp := zonesResponse{At: formatTime(at), Zones: make([]zoneJSON, 0, len(zones))}
	for _, z := range zones {
		name := z.Name
		if name == "" {
			name, _ = s.dir.Name(z.AdminUnit)
		}
		resp.Zones = append(resp.Zones, zoneWire(z, name))
	}
	writeJSON(w, r, http.StatusOK, resp)
}
