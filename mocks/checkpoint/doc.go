// Package checkpoint is a stand-in for the Ministry of Public Security's
// health-declaration and movement-tracking system (suckhoe.dancuquocgia.gov.vn):
// unified health declarations, checkpoint passages, arrivals into a province or
// commune and epidemic zones, over its own REST/JSON wire format (snake_case,
// RFC 3339 times in +07:00, X-Api-Key and X-Request-Id headers, its own error
// shape). It serves the synthetic population from mocks/synth, keeps writes in
// memory and misbehaves through mocks/faults. It knows nothing of the hub.
//
// Endpoints, auth, errors, limits and the operation names used in fault
// counters are described in README.md next to this file and in the OpenAPI
// document served at /openapi.json.
package checkpoint
