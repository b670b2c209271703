// Package vaccination is a stand-in for the Ministry of Health's national
// COVID-19 vaccination platform: a REST/JSON API under /api/v1 behind OAuth2
// client credentials with expiring bearer tokens, batch reads of records,
// certificates and reconciliation status, paginated reconciliation lists per
// commune, dose recording that refuses identities the population database does
// not confirm, citizens' feedback and coverage statistics. Data comes from the
// synthetic population (package synth) overlaid with what was written through
// the API, kept in memory. It speaks only the platform's own wire format and
// knows nothing of the hub that calls it. See README.md for endpoints, errors,
// limits and fault-counter operation names.
package vaccination
