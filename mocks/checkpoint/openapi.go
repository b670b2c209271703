package checkpoint

import (
	"encoding/json"
	"net/http"
	"sort"
)

// obj is a JSON object in the OpenAPI document; encoding/json writes its keys
// sorted, so the document is byte-for-byte stable.
type obj = map[string]any

func ref(name string) obj { return obj{"$ref": "#/components/schemas/" + name} }

func str(desc string) obj { return obj{"type": "string", "description": desc} }

func pattern(desc, re string) obj { return obj{"type": "string", "description": desc, "pattern": re} }

func dateTime(desc string) obj {
	return obj{"type": "string", "format": "date-time", "description": desc, "example": "2021-09-15T08:30:00+07:00"}
}

func enum(desc string, values ...string) obj {
	return obj{"type": "string", "description": desc, "enum": values}
}

func array(items obj, desc string) obj {
	return obj{"type": "array", "items": items, "description": desc}
}

func object(desc string, required []string, props obj) obj {
	o := obj{"type": "object", "description": desc, "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

func sortedCodes(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

func jsonContent(schema obj) obj { return obj{"application/json": obj{"schema": schema}} }

func errorResponse(desc string) obj {
	return obj{"description": desc, "content": jsonContent(ref("Error"))}
}

// commonErrors are the answers every authenticated operation may give.
func commonErrors(extra obj) obj {
	out := obj{
		"400": errorResponse("E400: missing or malformed X-Request-Id, malformed body or query"),
		"401": errorResponse("E401: missing or invalid X-Api-Key"),
		"429": obj{"description": "E429: rate limited; Retry-After says when to come back",
			"headers": obj{"Retry-After": obj{"schema": obj{"type": "integer"}, "description": "seconds"}},
			"content": jsonContent(ref("Error"))},
		"500": errorResponse("E500: internal error"),
		"503": errorResponse("E503: service temporarily unavailable"),
		"504": errorResponse("E504: processing timed out"),
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

func headerParams(write bool) []any {
	ps := []any{obj{"$ref": "#/components/parameters/RequestId"}}
	if write {
		ps = append(ps, obj{"$ref": "#/components/parameters/IdempotencyKey"})
	}
	return ps
}

func queryParam(name, desc string, required bool, schema obj) obj {
	return obj{"name": name, "in": "query", "required": required, "description": desc, "schema": schema}
}

func identityProps(props obj) obj {
	props["id_type"] = enum("identity document: CCCD 12-digit personal ID, CMND 9-digit ID card, PASSPORT", idTypeCCCD, idTypeCMND, idTypePassport)
	props["id_number"] = pattern("document number matching id_type", "^([0-9]{12}|[0-9]{9}|[A-Z0-9]{6,9})$")
	props["full_name"] = obj{"type": "string", "maxLength": 100, "description": "full name, family name first"}
	props["nationality"] = pattern("ISO 3166-1 alpha-2; VN for CCCD and CMND", "^[A-Z]{2}$")
	return props
}

func declarationProps(stored bool) obj {
	props := identityProps(obj{
		"declaration_type": enum("form type", "ENTRY", "DOMESTIC_TRAVEL", "GENERAL"),
		"birth_year":       obj{"type": "integer", "minimum": 1900, "description": "year of birth; must match a CCCD"},
		"sex":              obj{"type": "integer", "enum": []int{1, 2}, "description": "ISO/IEC 5218: 1 male, 2 female (0 not known may appear on legacy records)"},
		"phone":            pattern("mobile number; stored as 0xxxxxxxxx", `^(\+84|0)[35789][0-9]{8}$`),
		"contact":          ref("Contact"),
		"transport":        obj{"type": "string", "maxLength": 100, "description": "means of transport; required for ENTRY and DOMESTIC_TRAVEL"},
		"symptoms_14d": array(enum("symptom in the last 14 days", sortedSymptomCodes()...),
			"symptoms in the last 14 days, each at most once; empty when none"),
		"exposures_14d": array(enum("exposure in the last 14 days", sortedExposureCodes()...),
			"exposures in the last 14 days, each at most once; empty when none"),
	})
	if stored {
		props["id"] = str("declaration ID assigned by the system")
		props["submitted_at"] = dateTime("when the system received the declaration")
		props["sex"] = obj{"type": "integer", "enum": []int{0, 1, 2, 9}, "description": "ISO/IEC 5218"}
	}
	return props
}

func sortedSymptomCodes() []string {
	m := map[string]string{}
	for k, v := range symptomCodes {
		m[string(k)] = v
	}
	return sortedCodes(m)
}

func sortedExposureCodes() []string {
	m := map[string]string{}
	for k, v := range exposureCodes {
		m[string(k)] = v
	}
	return sortedCodes(m)
}

func passageProps(stored bool) obj {
	props := identityProps(obj{
		"checkpoint_code":          pattern("checkpoint code, CK-<province code>-<2-digit number>", "^CK-[0-9]{2}-[0-9]{2}$"),
		"passed_at":                dateTime("time of passage; not in the future (5 min skew), not older than 30 days"),
		"direction":                enum("IN: into the checkpoint's province (destination there); OUT: out of it (origin there)", "IN", "OUT"),
		"origin_commune_code":      pattern("commune travelled from", "^[0-9]{5}$"),
		"destination_commune_code": pattern("commune travelled to", "^[0-9]{5}$"),
		"vehicle":                  obj{"type": "string", "maxLength": 50, "description": "licence plate or means of transport"},
	})
	if stored {
		props["id"] = str("passage ID assigned by the system")
		props["checkpoint_name"] = str("checkpoint name")
	}
	return props
}

func (s *Server) openAPIDocument() obj {
	declReq := []string{"declaration_type", "id_type", "id_number", "full_name", "birth_year", "sex", "nationality", "phone", "contact"}
	declStored := append([]string{"id", "submitted_at", "transport", "symptoms_14d", "exposures_14d"}, declReq...)
	passReq := []string{"checkpoint_code", "passed_at", "direction", "origin_commune_code", "destination_commune_code", "id_type", "id_number", "full_name", "nationality"}
	passStored := append([]string{"id", "checkpoint_name", "vehicle"}, passReq...)
	sort.Strings(declStored)
	sort.Strings(passStored)

	schemas := obj{
		"Error": object("error answer of every operation", []string{"code", "message", "request_id"}, obj{
			"code":       pattern("E followed by the HTTP status, e.g. E422", "^E[0-9]{3}$"),
			"message":    str("what went wrong; never contains submitted values"),
			"request_id": str("the X-Request-Id of the request (empty when it was missing)"),
			"errors":     array(ref("FieldError"), "per-field problems (E400, E422)"),
		}),
		"FieldError": object("one field's problem", []string{"field", "code", "message"}, obj{
			"field":   str("field path, e.g. contact.commune_code or symptoms_14d[2]"),
			"code":    enum("problem", feRequired, feInvalidFormat, feUnknownValue, feOutOfRange, feTooLong, feDuplicate, feNotFound, feInconsistent),
			"message": str("explanation"),
		}),
		"Contact": object("contact address", []string{"commune_code", "address"}, obj{
			"commune_code": pattern("5-digit commune code (units since 1 July 2025)", "^[0-9]{5}$"),
			"address":      obj{"type": "string", "maxLength": 200, "description": "house, street, village"},
		}),
		"DeclarationRequest": object("unified health declaration (tờ khai y tế)", declReq, declarationProps(false)),
		"Declaration":        object("stored health declaration", declStored, declarationProps(true)),
		"SearchRequest": object("search by person", []string{"person_ids"}, obj{
			"person_ids": obj{"type": "array", "minItems": 1, "maxItems": maxSearchIDs,
				"items":       pattern("12-digit ID, 9-digit CMND or passport number", "^([0-9]{12}|[0-9]{9}|[A-Z0-9]{6,9})$"),
				"description": "people to search; duplicates are answered once"},
			"since": dateTime("only records at or after this time"),
		}),
		"DeclarationSearchResponse": object("results ordered by person_id", []string{"results"}, obj{
			"results": array(object("one person", []string{"person_id", "found", "declarations"}, obj{
				"person_id":    str("as requested"),
				"found":        obj{"type": "boolean", "description": "false when the system knows nobody under this ID"},
				"declarations": array(ref("Declaration"), "newest first"),
			}), "one per distinct requested ID"),
		}),
		"PassageRequest": object("checkpoint passage (di biến động)", passReq, passageProps(false)),
		"Passage":        object("stored checkpoint passage", passStored, passageProps(true)),
		"PassageSearchResponse": object("results ordered by person_id", []string{"results"}, obj{
			"results": array(object("one person", []string{"person_id", "found", "passages"}, obj{
				"person_id": str("as requested"),
				"found":     obj{"type": "boolean", "description": "false when the system knows nobody under this ID"},
				"passages":  array(ref("Passage"), "newest first"),
			}), "one per distinct requested ID"),
		}),
		"ArrivalsPage": object("one page of arrivals", []string{"arrivals"}, obj{
			"arrivals":        array(ref("Passage"), "IN passages into the unit, newest first"),
			"next_page_token": str("opaque, integrity-checked; absent on the last page"),
		}),
		"Zone": object("epidemic zone declaration (Resolution 128/NQ-CP)", []string{"admin_unit_code", "admin_unit_name", "level", "valid_from", "valid_until"}, obj{
			"admin_unit_code": pattern("province or commune code", "^([0-9]{2}|[0-9]{5})$"),
			"admin_unit_name": str("unit name"),
			"level":           obj{"type": "integer", "enum": []int{1, 2, 3, 4}, "description": "cấp độ: 1 low (green), 2 medium (yellow), 3 high (orange), 4 very high (red)"},
			"valid_from":      dateTime("start of validity"),
			"valid_until":     obj{"type": "string", "format": "date-time", "nullable": true, "description": "end of validity (exclusive); null while open-ended"},
		}),
		"ZonesResponse": object("zones in force at a time", []string{"at", "zones"}, obj{
			"at":    dateTime("the time asked about"),
			"zones": array(ref("Zone"), "ordered by admin_unit_code, then valid_from"),
		}),
	}

	write := func(op, summary, reqSchema, respSchema string, extra obj) obj {
		return obj{
			"operationId": op,
			"summary":     summary,
			"parameters":  headerParams(true),
			"requestBody": obj{"required": true, "content": jsonContent(ref(reqSchema))},
			"responses": commonErrors(mergeObj(obj{
				"201": obj{"description": "stored; a replay of an earlier Idempotency-Key carries Idempotent-Replayed: true",
					"content": jsonContent(ref(respSchema))},
				"409": errorResponse("E409: Idempotency-Key already used for a different request"),
				"413": errorResponse("E413: body over 64 KiB"),
				"415": errorResponse("E415: Content-Type is not application/json"),
				"422": errorResponse("E422: validation failed; errors lists the fields"),
				"507": errorResponse("E507: storage quota exhausted"),
			}, extra)),
		}
	}
	search := func(op, summary, respSchema string) obj {
		return obj{
			"operationId": op,
			"summary":     summary,
			"parameters":  headerParams(false),
			"requestBody": obj{"required": true, "content": jsonContent(ref("SearchRequest"))},
			"responses": commonErrors(obj{
				"200": obj{"description": "results", "content": jsonContent(ref(respSchema))},
				"413": errorResponse("E413: body over 64 KiB"),
				"415": errorResponse("E415: Content-Type is not application/json"),
				"422": errorResponse("E422: validation failed (no IDs, over 100 IDs, malformed ID or since)"),
			}),
		}
	}
	paths := obj{
		"/api/v1/health-declarations": obj{"post": write(OpDeclarationsSubmit,
			"Submit a unified health declaration", "DeclarationRequest", "Declaration", nil)},
		"/api/v1/health-declarations:search": obj{"post": search(OpDeclarationsSearch,
			"Health declarations of up to 100 people, newest first", "DeclarationSearchResponse")},
		"/api/v1/checkpoint-passages": obj{"post": write(OpPassagesRecord,
			"Record a passage through a checkpoint", "PassageRequest", "Passage", nil)},
		"/api/v1/checkpoint-passages:search": obj{"post": search(OpPassagesSearch,
			"Checkpoint passages of up to 100 people, newest first", "PassageSearchResponse")},
		"/api/v1/arrivals": obj{"get": obj{
			"operationId": OpArrivalsList,
			"summary":     "IN passages into a province or commune in a window, newest first",
			"parameters": append(headerParams(false),
				queryParam("province_code", "2-digit province code (exactly one of province_code, commune_code)", false, pattern("", "^[0-9]{2}$")),
				queryParam("commune_code", "5-digit commune code (exactly one of province_code, commune_code)", false, pattern("", "^[0-9]{5}$")),
				queryParam("from", "window start, inclusive", true, obj{"type": "string", "format": "date-time"}),
				queryParam("to", "window end, exclusive; at most 31 days after from", true, obj{"type": "string", "format": "date-time"}),
				queryParam("page_size", "items per page", false, obj{"type": "integer", "minimum": 1, "maximum": maxPageSize, "default": defaultPageSize}),
				queryParam("page_token", "next_page_token of the previous page of the same query", false, obj{"type": "string"}),
			),
			"responses": commonErrors(obj{
				"200": obj{"description": "one page", "content": jsonContent(ref("ArrivalsPage"))},
				"404": errorResponse("E404: no such province or commune"),
			}),
		}},
		"/api/v1/epidemic-zones": obj{"get": obj{
			"operationId": OpZonesList,
			"summary":     "Epidemic zones in force at a time",
			"parameters": append(headerParams(false),
				queryParam("admin_unit", "province (its zone and its communes') or commune (its zone and its province's); absent for all", false,
					pattern("", "^([0-9]{2}|[0-9]{5})$")),
				queryParam("at", "time of interest; default now", false, obj{"type": "string", "format": "date-time"}),
			),
			"responses": commonErrors(obj{
				"200": obj{"description": "zones", "content": jsonContent(ref("ZonesResponse"))},
				"404": errorResponse("E404: no such province or commune"),
			}),
		}},
		"/openapi.json": obj{"get": obj{
			"operationId": OpOpenAPI,
			"summary":     "This document (no credentials needed)",
			"security":    []any{},
			"responses":   obj{"200": obj{"description": "OpenAPI 3.0.3 document", "content": obj{"application/json": obj{"schema": obj{"type": "object"}}}}},
		}},
	}
	return obj{
		"openapi": "3.0.3",
		"info": obj{
			"title":       "Hệ thống khai báo y tế và quản lý di biến động (suckhoe.dancuquocgia.gov.vn) — stand-in",
			"version":     "1.4.0",
			"description": "Health declarations, checkpoint passages, arrivals and epidemic zones of the Ministry of Public Security. Every timestamp is RFC 3339 in +07:00. Every /api/v1 call needs X-Api-Key and X-Request-Id.",
		},
		"servers":  []any{obj{"url": "/"}},
		"security": []any{obj{"ApiKey": []any{}}},
		"paths":    paths,
		"components": obj{
			"schemas": schemas,
			"securitySchemes": obj{
				"ApiKey": obj{"type": "apiKey", "in": "header", "name": "X-Api-Key"},
			},
			"parameters": obj{
				"RequestId": obj{"name": "X-Request-Id", "in": "header", "required": true,
					"description": "caller's request ID, 1-128 of A-Z a-z 0-9 . _ : -; echoed in the answer",
					"schema":      pattern("", "^[A-Za-z0-9._:-]{1,128}$")},
				"IdempotencyKey": obj{"name": "Idempotency-Key", "in": "header", "required": false,
					"description": "1-255 visible ASCII characters; the same key and body replays the first answer",
					"schema":      obj{"type": "string", "maxLength": 255}},
			},
		},
	}
}

func mergeObj(a, b obj) obj {
	for k, v := range b {
		a[k] = v
	}
	return a
}

func (s *Server) serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	writeRaw(w, r, http.StatusOK, s.openapi)
}

func (s *Server) buildOpenAPI() ([]byte, error) {
	return json.MarshalIndent(s.openAPIDocument(), "", "  ")
}
