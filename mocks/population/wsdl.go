package population

import (
	"bytes"
	_ "embed"
	"encoding/xml"
	"net/http"
	"strings"
)

//go:embed dancuquocgia.wsdl
var wsdlTemplate string

// serveWSDL answers GET ServicePath?wsdl with the service description, its
// soap:address pointing back at the host the client used.
func (s *Server) serveWSDL(w http.ResponseWriter, r *http.Request) {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	var loc bytes.Buffer
	_ = xml.EscapeText(&loc, []byte(scheme+"://"+r.Host+ServicePath))
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write([]byte(strings.Replace(wsdlTemplate, "{{LOCATION}}", loc.String(), 1)))
}
